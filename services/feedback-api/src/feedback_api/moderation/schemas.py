from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from feedback_api.text import clean_optional, clean_required

RatingAction = Literal["approve_comment", "reject_comment", "hide", "restore"]


class RatingDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: RatingAction = Field(
        description=(
            "approve_comment / reject_comment: a comment waiting for moderation is shown / stays hidden. "
            "hide: the rating leaves the public lists and the index. restore: a hidden rating comes back."
        )
    )
    note: str | None = Field(None, max_length=500)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        return clean_optional(v)


class BurstDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["release", "hide"] = Field(
        description="release: its ratings count again; hide: they are hidden."
    )
    note: str | None = Field(None, max_length=500)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        return clean_optional(v)


class BurstRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    target_type: str
    target_id: int
    facility_id: int
    reason: Literal["new_accounts", "one_network"]
    rating_count: int
    status: Literal["open", "released", "hidden"]
    detected_at: datetime
    reviewed_at: datetime | None
    review_note: str | None


class WordCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str = Field(min_length=1, max_length=50)

    @field_validator("word")
    @classmethod
    def _word(cls, v: str) -> str:
        return clean_required(v)


class WordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int | None = Field(
        description="null for a built-in word (settings), which cannot be removed here."
    )
    word: str
    builtin: bool
    created_at: datetime | None
