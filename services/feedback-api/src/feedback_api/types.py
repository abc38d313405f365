"""Input types that refuse what JSON should not coerce: a date or a time is an ISO 8601 string, never a
number (pydantic would read 0 as 1970-01-01)."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


def parse_moment(text: str) -> datetime:
    """A point in time another service sent as ISO 8601, in UTC; one written without a zone is UTC
    (the platform's clocks run on UTC). Raises ValueError when `text` is not ISO 8601."""
    moment = datetime.fromisoformat(text)
    return (
        moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    )
