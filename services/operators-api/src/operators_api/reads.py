"""The base of the response schemas (`*Read`): a record's attributes, read straight from the ORM object,
and the values derived from things beside it (the day, the viewer, counts from other tables) given by
name. Routers declare the schema as `response_model`; nothing maps records to dicts by hand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict

from service_kit.pagination import Page, encode_cursor

T = TypeVar("T")
RecordT = TypeVar("RecordT", bound="HasId")
T_co = TypeVar("T_co", covariant=True)
ReadT = TypeVar("ReadT", bound=BaseModel)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, record: object, **derived: Any) -> Self:
        """The schema of `record`, with the fields it does not hold itself given in `derived`."""
        values = {name: getattr(record, name) for name in cls.model_fields if name not in derived}
        return cls.model_validate({**values, **derived})


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """One page of domain objects (a record with what belongs beside it) and the cursor to the next."""

    items: Sequence[T]
    next_cursor: str | None


class HasId(Protocol):
    @property
    def id(self) -> int: ...


class Paged(Protocol[T_co]):
    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def next_cursor(self) -> str | None: ...


def oldest_first(rows: Sequence[RecordT], limit: int) -> Listing[RecordT]:
    """A page of `rows` read oldest first by id with one row more than `limit`: that row, when there,
    says a next page exists, and the cursor holds the last id returned."""
    items = rows[:limit]
    return Listing(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


def page_of(paged: Paged[T], read: Callable[[T], ReadT]) -> Page[ReadT]:
    """A page as schemas, for items that need values beside them (see `ReadModel.of`)."""
    return Page[ReadT](items=[read(x) for x in paged.items], next_cursor=paged.next_cursor)
