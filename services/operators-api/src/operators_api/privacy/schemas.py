from __future__ import annotations

from pydantic import BaseModel, Field


class OperatorsPersonalData(BaseModel):
    """What operators-api holds on the signed-in resident, keyed by their account: nothing. Its records
    are about operators and their staff; a volunteer's record (name, phone) is kept by the volunteer's
    team and is not linked to any account, so it cannot be found, shown or erased by the account."""

    service: str = "operators-api"
    held: bool = Field(description="Whether anything is held keyed by this account.")
    note: str
    volunteer_records: list[dict[str, object]] = Field(
        description="Volunteer records linked to the account (none can be)."
    )
