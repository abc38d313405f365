from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict


def _utc(moment: datetime | None) -> datetime | None:
    """A rating's times come back from SQLite without a zone (the rating table keeps its own column
    type until the rating write path is reshaped); they are UTC."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


RatingTime = Annotated[datetime, AfterValidator(_utc)]


class _Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RatingData(_Row):
    id: int
    target_type: str
    target_id: int
    facility_id: int
    period: str
    overall: int
    environment: int | None
    content: int | None
    staff: int | None
    convenience: int | None
    comment: str | None
    comment_status: str
    status: str
    verified: bool
    live: bool
    reply_text: str | None
    created_at: RatingTime
    replaced_at: RatingTime | None


class CaseData(_Row):
    id: int
    kind: str
    category: str
    target_type: str | None
    target_id: int | None
    facility_id: int | None
    title: str | None
    description: str
    photo_urls: list[str]
    attributes: dict[str, Any]
    address: str | None
    lat: float | None
    lon: float | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    status: str
    response_text: str | None
    answer_rating: int | None
    created_at: datetime
    closed_at: datetime | None


class DemandData(_Row):
    id: int
    category: str
    title: str
    description: str | None
    subdistrict: str | None
    community: str | None
    facility_id: int | None
    place: str | None
    preferred_from: date | None
    preferred_to: date | None
    status: str
    answer_note: str | None
    activity_id: int | None
    created_at: datetime


class MenuVoteData(_Row):
    round_id: int
    item_id: int
    title: str
    community: str | None
    created_at: datetime


class CheckInData(_Row):
    booking_id: int
    activity_id: int
    facility_id: int
    checked_in_at: datetime


class FeedbackPersonalData(BaseModel):
    """What feedback-api holds on the signed-in resident: ratings (with replaced ones), cases, demands, menu
    votes, and the check-ins it keeps to mark ratings verified."""

    model_config = ConfigDict(from_attributes=True)

    service: str = "feedback-api"
    ratings: list[RatingData]
    cases: list[CaseData]
    demands: list[DemandData]
    menu_votes: list[MenuVoteData]
    check_ins: list[CheckInData]
