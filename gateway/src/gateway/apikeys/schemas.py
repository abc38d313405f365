from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Scope = Literal[
    "events:read",
    "webhooks:manage",
    "open311:submit",
    "facilities:read",
    "activities:write",
    "checkins:write",
    "reports:write",
    "cases:respond",
]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, examples=["12345 hotline bridge"])
    scopes: list[Scope] = Field(min_length=1, max_length=20)


class ApiKeyRead(BaseModel):
    id: int
    prefix: str = Field(description="The key's public part, to tell keys apart.")
    name: str
    role: Literal["integration", "operator"]
    operator_id: int | None
    scopes: list[str]
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="Send it as the X-API-Key header. Shown once; only a hash is kept.")
