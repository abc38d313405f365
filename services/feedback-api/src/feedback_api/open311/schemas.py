"""Open311 GeoReport v2 documents (their JSON form; the XML form has the same fields), and the
officials' API for Open311 client keys."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from feedback_api.open311.models import Open311Client
from feedback_api.text import clean_required


class Open311Error(BaseModel):
    code: int
    description: str


class Open311Service(BaseModel):
    service_code: str
    service_name: str
    description: str | None
    metadata: bool
    type: str = Field(description="realtime: a request gets its id at once.")
    keywords: str | None
    group: str | None


class Open311Value(BaseModel):
    key: str
    name: str


class Open311Attribute(BaseModel):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int | None
    description: str | None
    values: list[Open311Value] | None = None


class Open311ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Open311Attribute]


class Open311Request(BaseModel):
    service_request_id: str
    status: str = Field(description="open or closed")
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None = Field(
        description="Personal data (phone and ID numbers) masked."
    )
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Open311Created(BaseModel):
    service_request_id: str
    token: str
    service_notice: str | None
    account_id: str | None


class Open311Token(BaseModel):
    service_request_id: str
    token: str


class Open311Endpoint(BaseModel):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Open311Discovery(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Open311Endpoint]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["12345 市民服务热线"])

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_required(v)


class ClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    key_prefix: str = Field(description="The key's public part, to tell keys apart.")
    created_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientRead):
    api_key: str = Field(
        description="Send it as api_key with each Open311 POST. Shown once: only a hash is kept."
    )

    @classmethod
    def of(cls, client: Open311Client, *, api_key: str) -> Self:
        return cls(**ClientRead.model_validate(client).model_dump(), api_key=api_key)
