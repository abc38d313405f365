"""Small things every domain of operators-api uses: money and score units, transition conflicts,
JSON-safe values, and closing a read transaction before calling another service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, Strict
from sqlalchemy.ext.asyncio import AsyncSession

from service_kit.etag import IfMatch
from service_kit.problems import Conflict, FieldError

# Integers in request bodies are strict: JSON true/false is not taken for 1/0.
StrictInt = Annotated[int, Strict()]

# Money is integer fen (分). One billion yuan is far beyond any contract a district signs.
MAX_FEN = 100_000_000_000
Fen = Annotated[int, Strict(), Field(ge=0, le=MAX_FEN, description="Amount in fen (分, 1/100 yuan).")]
PositiveFen = Annotated[int, Strict(), Field(ge=1, le=MAX_FEN, description="Amount in fen (分, 1/100 yuan).")]
FacilityId = Annotated[int, Strict(), Field(ge=1, le=2_147_483_647)]
OperatorId = Annotated[int, Strict(), Field(ge=1, le=2_147_483_647)]

CENT = Decimal("0.01")


# For use cases run by the system (the demo seed, sweeps): nobody read an ETag first, so any version goes.
ANY_VERSION = IfMatch("*")


def to_centi(value: Decimal | int | float | str) -> int:
    """A score with two decimals (e.g. 87.35) stored as an integer of hundredths (8735), half up."""
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_centi(value: int | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value) / 100).quantize(CENT)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount_fen: int, percent: int) -> int:
    """`percent` % of an amount in fen, rounded half up to the fen."""
    return int((Decimal(amount_fen) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def transition_conflict(what: str, old: str, new: str, table: dict[str, frozenset[str]]) -> Conflict:
    """409 naming from and to, and where the record may go instead."""
    allowed = sorted(table.get(old, frozenset()))
    # Members of the problem body ("from" is a keyword, hence the mapping).
    extension: dict[str, Any] = {"from": old, "to": new, "allowed": allowed}
    return Conflict(
        f"A {what} cannot go from {old} to {new}; from {old} it may go to "
        f"{', '.join(allowed) if allowed else 'nothing (final)'}.",
        slug=f"{what.replace(' ', '-')}-transition",
        **extension,
    )


def state_conflict(message: str, slug: str, field: str | None = None, **extra: Any) -> Conflict:
    errors = [FieldError(field=field, message=message, code=slug)] if field else None
    return Conflict(message, slug=slug, errors=errors, **extra)


def fields_of(record: object, schema: type[BaseModel]) -> dict[str, Any]:
    """The attributes of `record` that `schema` declares: what a read schema takes from the record
    before it adds the fields it derives."""
    return {name: getattr(record, name) for name in schema.model_fields if hasattr(record, name)}


def jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


async def end_read_transaction(session: AsyncSession) -> None:
    """Close the transaction the checks ran in before calling another service, so that no database
    connection (SQLite has one) waits on the network. Loaded records stay usable (no expiry on commit);
    the write that follows runs in a new transaction and re-checks what could have changed."""
    await session.commit()
