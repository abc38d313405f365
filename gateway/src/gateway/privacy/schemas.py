from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AccountDelete(BaseModel):
    """Deleting an account is confirmed with its password (a borrowed or stolen session is not enough)."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=128, description="The account's current password.")


class AccountExport(BaseModel):
    """The identity record as the gateway holds it."""

    id: int
    username: str | None
    phone: str | None
    display_name: str
    role: str
    created_at: datetime


class PersonalDataExport(BaseModel):
    """Everything the platform holds on the signed-in resident: the account and each service's section,
    as each service answered it (`GET /api/v1/<service>/personal-data`)."""

    generated_at: datetime
    account: AccountExport
    services: dict[str, dict[str, Any]] = Field(
        description="facilities, operators and feedback: what each holds on the resident, in full."
    )
