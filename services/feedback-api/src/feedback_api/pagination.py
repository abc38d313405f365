"""Cursors of this service: the kit's id cursor, bounded to the 32-bit ids our tables use (a larger value
would overflow the database parameter: a 422 instead)."""

from __future__ import annotations

from service_kit.pagination import decode_id_cursor
from service_kit.params import INT32_MAX
from service_kit.problems import RuleViolation


def id_cursor(cursor: str | None) -> int | None:
    value = decode_id_cursor(cursor)
    if value is not None and value > INT32_MAX:
        raise RuleViolation(
            "cursor", "The cursor is not one this API gave out.", code="invalid-cursor"
        )
    return value
