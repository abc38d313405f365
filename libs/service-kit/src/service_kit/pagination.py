"""Cursor pagination: an opaque cursor encodes the sort key of the last item returned."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from service_kit.problems import RuleViolation

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise RuleViolation("cursor", "The cursor is not one this API gave out.", code="invalid-cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise RuleViolation("cursor", "The cursor is not one this API gave out.", code="invalid-cursor")
    return values


def decode_id_cursor(cursor: str | None, max_value: int = 2_147_483_647) -> int | None:
    """A cursor that holds one record id (the last one returned): bounded (int32 ids by default), or a 422."""
    if cursor is None:
        return None
    (value,) = decode_cursor(cursor, 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= max_value:
        raise RuleViolation("cursor", "The cursor is not one this API gave out.", code="invalid-cursor")
    return value


class PageParams(BaseModel):
    cursor: str | None = None
    limit: int = 50


async def page_params(
    cursor: Annotated[str | None, Query(max_length=500, description="From `next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
) -> PageParams:
    return PageParams(cursor=cursor, limit=limit)
