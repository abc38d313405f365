"""Input types that refuse what JSON should not coerce: a date or a time is an ISO 8601 string, never a
number (pydantic would read 0 as 1970-01-01)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator


def _iso_only(value: Any) -> Any:
    if isinstance(value, (str, date, datetime)):
        return value
    raise ValueError(
        "give an ISO 8601 string, e.g. 2026-12-01 or 2026-12-01T09:00:00+08:00"
    )


IsoDate = Annotated[date, BeforeValidator(_iso_only)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]
