"""Values as they go into JSON columns and event data."""

from __future__ import annotations

from typing import Any


def jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return (
            value.isoformat(timespec="minutes")
            if hasattr(value, "hour") and not hasattr(value, "year")
            else value.isoformat()
        )
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
