from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from service_kit.scopes import SCOPES
from service_kit.text import trimmed


def _scopes_described() -> str:
    lines = ["A scope of `service_kit.scopes.SCOPES`, the one table every route is checked against:", ""]
    for kind, title in (
        ("operator", "Operator staff, for their operator's systems"),
        ("integration", "District officials, for integration clients"),
    ):
        lines.append(f"{title}:")
        lines += [f"- `{spec.name}`: {spec.description}" for spec in SCOPES.values() if spec.issued_to == kind]
        lines.append("")
    return "\n".join(lines).strip()


if TYPE_CHECKING:  # the names are known at run time only (the kit's scope table)
    Scope = str
else:
    Scope = Annotated[
        Literal[tuple(SCOPES)],
        Field(
            description=_scopes_described(),
            json_schema_extra={
                "x-enum-descriptions": {name: spec.description for name, spec in SCOPES.items()},
                "x-issued-to": {name: spec.issued_to for name, spec in SCOPES.items()},
            },
        ),
    ]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str, StringConstraints(strip_whitespace=False, min_length=1, max_length=200), AfterValidator(trimmed(1))
    ] = Field(examples=["12345 hotline bridge"])
    scopes: list[Scope] = Field(min_length=1, max_length=20)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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
