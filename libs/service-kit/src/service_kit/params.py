"""Parameter types every API uses, bounded so no input can overflow a database column."""

from typing import Annotated, Any

from fastapi import Path
from pydantic import BeforeValidator

INT32_MAX = 2_147_483_647
INT64_MAX = 9_223_372_036_854_775_807


def _digits_only(value: Any) -> Any:
    """An id in a path is digits and nothing else (no sign, spaces or underscores)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("an id is written in digits only")
    return value


ResourceId = Annotated[int, BeforeValidator(_digits_only), Path(ge=1, le=INT32_MAX, description="The record's id.")]
