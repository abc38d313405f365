from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from feedback_api.menu.domain import RoundView
from feedback_api.text import clean_optional, clean_required
from feedback_api.types import IsoDate, IsoDateTime
from service_kit.params import INT32_MAX

RoundStatus = Literal["draft", "open", "closed", "published"]

# The kinds of cultural service a menu item offers (and a demand request asks for).
ServiceCategory = Literal[
    "reading",
    "lecture",
    "performance",
    "exhibition",
    "training",
    "film",
    "heritage",
    "sports_fitness",
    "children",
    "elderly",
    "other",
]


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, examples=["非遗剪纸体验课"])
    category: ServiceCategory
    description: str | None = Field(None, max_length=2000)
    facility_id: int | None = Field(None, ge=1, le=INT32_MAX)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return clean_required(v)

    @field_validator("description")
    @classmethod
    def _description(cls, v: str | None) -> str | None:
        return clean_optional(v)


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(
        min_length=1, max_length=200, examples=["2027年第一季度文化服务菜单"]
    )
    description: str | None = Field(None, max_length=2000)
    subdistrict: str | None = Field(
        None,
        max_length=50,
        pattern=r"^[a-z0-9-]+$",
        description="null: the whole district.",
    )
    offer_from: IsoDate
    offer_to: IsoDate
    voting_opens_at: IsoDateTime
    voting_closes_at: IsoDateTime
    max_choices: int = Field(
        3, ge=1, le=10, description="How many items one resident may vote for."
    )
    items: list[ItemCreate] = Field(min_length=2, max_length=30)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return clean_required(v)

    @field_validator("description")
    @classmethod
    def _description(cls, v: str | None) -> str | None:
        return clean_optional(v)

    @field_validator("voting_opens_at", "voting_closes_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("give the time zone, e.g. 2026-12-01T09:00:00+08:00")
        return v.astimezone(UTC)  # stored in UTC: SQLite keeps no offset

    @model_validator(mode="after")
    def _order(self) -> RoundCreate:
        if self.offer_from > self.offer_to:
            raise ValueError("offer_from is after offer_to")
        if self.voting_opens_at >= self.voting_closes_at:
            raise ValueError("voting_opens_at must be before voting_closes_at")
        if self.max_choices > len(self.items):
            raise ValueError("max_choices is more than the number of items")
        return self


class VoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: int = Field(ge=1, le=INT32_MAX)
    community: str | None = Field(
        None,
        max_length=50,
        pattern=r"^[a-z0-9-]+$",
        description="Your community (for the statistics).",
    )


class ItemRead(BaseModel):
    id: int
    title: str
    category: str
    description: str | None
    facility_id: int | None
    votes: int | None = Field(
        description="Published with the results (officials see the running count)."
    )
    rank: int | None
    my_vote: bool


class RoundRead(BaseModel):
    id: int
    title: str
    description: str | None
    subdistrict: str | None
    offer_from: date
    offer_to: date
    voting_opens_at: datetime
    voting_closes_at: datetime
    max_choices: int
    status: RoundStatus
    voting_now: bool
    my_votes: int
    total_votes: int | None
    items: list[ItemRead]
    published_at: datetime | None
    version: int
    created_at: datetime

    @classmethod
    def of(cls, view: RoundView) -> Self:
        """The round as its viewer sees it (see RoundView): the votes and ranks only when shown."""
        r, counts = view.round, view.counts
        # Every other field is the round's own column of the same name.
        derived = ("voting_now", "my_votes", "total_votes", "items")
        fields = {n: getattr(r, n) for n in cls.model_fields if n not in derived}
        items = [
            ItemRead(
                id=i.id,
                title=i.title,
                category=i.category,
                description=i.description,
                facility_id=i.facility_id,
                votes=counts.get(i.id) if counts is not None else None,
                rank=view.ranks.get(i.id) if counts is not None else None,
                my_vote=i.id in view.mine,
            )
            for i in view.items
        ]
        return cls(
            **fields,
            voting_now=view.voting_now,
            my_votes=len(view.mine),
            total_votes=sum(counts.values()) if counts is not None else None,
            items=items,
        )
