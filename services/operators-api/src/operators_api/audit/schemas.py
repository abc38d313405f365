from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from operators_api.reads import ReadModel

EntityType = Literal[
    "selection",
    "bid",
    "contract",
    "evaluation",
    "appeal",
    "fee_application",
    "fee_guideline",
    "service_report",
    "inspection",
    "rectification",
    "evaluation_scheme",
    "honour",
    "training",
    "incubation",
    "volunteer_team",
    "volunteer",
    "volunteer_service",
]


class AuditEntryRead(ReadModel):
    id: int
    entity_type: EntityType
    entity_id: int
    action: str = Field(description="What happened, e.g. status_changed, awarded, approved.")
    from_state: str | None
    to_state: str | None
    actor: str = Field(description="The token subject of whoever did it.")
    actor_role: str
    actor_name: str
    reason: str | None
    details: dict[str, Any]
    request_id: str | None
    at: datetime
