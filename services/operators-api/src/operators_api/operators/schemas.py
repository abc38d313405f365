from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from operators_api.operators import uscc as uscc_rules
from operators_api.operators.models import Operator
from operators_api.operators.rules import is_expired, mask_contacts, sees_contacts
from service_kit.auth import Principal

OperatorType = Literal["social_organisation", "enterprise", "public_institution"]
Status = Literal["registered", "qualified", "suspended", "blacklisted"]

CODE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _custom_error(kind: str, message: str) -> PydanticCustomError:
    # The message is a template: braces in user input must not be read as placeholders.
    return PydanticCustomError(kind, message.replace("{", "{{").replace("}", "}}"))


def _check_uscc(value: object) -> object:
    """Every rule of GB 32100-2015, each failure named (uscc-length, uscc-check-character, ...)."""
    if not isinstance(value, str):
        return value  # the str type check reports it
    problem = uscc_rules.problem(value)
    if problem is not None:
        raise _custom_error(f"uscc-{problem.rule}", problem.message)
    return value


Uscc = Annotated[
    str,
    BeforeValidator(_check_uscc),
    Field(
        min_length=18,
        max_length=18,
        pattern=USCC_PATTERN,
        description="统一社会信用代码 (GB 32100-2015): 18 characters ending in a check character.",
        examples=["91110101MA01XK3D8Q"],
    ),
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(_Input):
    """A person to reach at the operator. Phone and email are shown masked to the public."""

    name: str = Field(min_length=1, max_length=50, examples=["王丽"])
    role: str = Field("", max_length=50, examples=["项目负责人"])
    phone: str = Field(
        "", max_length=30, description="Mobile or landline: digits, spaces, '-', '()' and a leading '+'."
    )
    email: str = Field("", max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        if v and (not _PHONE.fullmatch(v) or not 7 <= sum(c.isdigit() for c in v) <= 20 or not v.isascii()):
            raise _custom_error(
                "phone", "A phone number has 7 to 20 digits, with only spaces, '-', '()' or a leading '+'."
            )
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if v and not _EMAIL.fullmatch(v):
            raise _custom_error("email", "This is not an email address (name@example.org).")
        return v

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not self.phone and not self.email:
            raise _custom_error("contact-unreachable", "A contact needs a phone number or an email address.")
        return self


class Qualification(_Input):
    """A licence or certificate the operator holds (资质), e.g. 营业性演出许可证."""

    name: str = Field(min_length=1, max_length=200, examples=["营业性演出许可证"])
    number: str = Field(min_length=1, max_length=100, examples=["京东演字(2024)第018号"])
    issued_by: str = Field(min_length=1, max_length=200, examples=["北京市东城区文化和旅游局"])
    expires_date: date | None = Field(
        None, description="Last day it is valid (Asia/Shanghai); none if it does not expire."
    )


class OperatorCreate(_Input):
    code: str | None = Field(
        None,
        min_length=2,
        max_length=64,
        pattern=CODE_PATTERN,
        description="A stable slug other services use to name the operator; the USCC in lower case if left out.",
        examples=["shuhai-reading"],
    )
    legal_name: str = Field(
        min_length=1, max_length=200, description="Registered name (zh).", examples=["书海听涛阅读推广中心"]
    )
    name_en: str = Field("", max_length=300, examples=["Shuhai Tingtao Reading Promotion Centre"])
    type: OperatorType
    uscc: Uscc
    registered_address: str = Field(min_length=1, max_length=300, examples=["北京市东城区交道口东大街85号"])
    contacts: list[Contact] = Field(default_factory=list, max_length=20)
    qualifications: list[Qualification] = Field(default_factory=list, max_length=50)


class OperatorUpdate(_Input):
    """A merge patch: only the fields sent change; lists are replaced whole. `code` never changes and
    `status` changes through POST /operators/{id}/status. An operator's own staff may send only
    contacts, registered_address and name_en."""

    # Absent means unchanged and null is refused, so each type stays non-null with a default of None
    # that is never read (exclude_unset): hence the type ignores.
    legal_name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    name_en: str = Field(None, max_length=300)  # type: ignore[assignment]
    type: OperatorType = Field(None)  # type: ignore[arg-type]
    uscc: Uscc = Field(None)  # type: ignore[assignment]
    registered_address: str = Field(None, min_length=1, max_length=300)  # type: ignore[assignment]
    contacts: list[Contact] = Field(None, max_length=20)  # type: ignore[arg-type]
    qualifications: list[Qualification] = Field(None, max_length=50)  # type: ignore[arg-type]


class StatusChange(_Input):
    status: Status
    reason: str = Field(min_length=1, max_length=1000, description="Why: it goes into the history and the event.")


class ContactRead(BaseModel):
    name: str
    role: str
    phone: str = Field(
        description="Masked (138****5678) unless you are an official, an auditor or the operator's own staff."
    )
    email: str = Field(description="Masked like the phone.")

    @model_validator(mode="before")
    @classmethod
    def _stored(cls, data: Any, info: ValidationInfo) -> Any:
        """A stored contact (JSON), masked when the validation context says the reader may not see it whole."""
        if not isinstance(data, dict):
            return data
        contact = {key: data.get(key, "") for key in ("name", "role", "phone", "email")}
        if info.context and info.context.get("masked"):
            contact = mask_contacts([contact])[0]
        return contact


class QualificationRead(BaseModel):
    name: str
    number: str
    issued_by: str
    expires_date: date | None
    expired: bool = Field(description="The expiry date has passed (today in Asia/Shanghai).")

    @model_validator(mode="before")
    @classmethod
    def _stored(cls, data: Any, info: ValidationInfo) -> Any:
        """A stored qualification (JSON), with whether it has expired on the context's `today`."""
        if not isinstance(data, dict) or "expired" in data or not info.context:
            return data
        return {**data, "expired": is_expired(data.get("expires_date"), info.context["today"])}


class OperatorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    legal_name: str
    name_en: str
    type: OperatorType
    uscc: str
    registered_address: str
    contacts: list[ContactRead]
    qualifications: list[QualificationRead]
    status: Status
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def for_viewer(cls, operator: Operator, *, viewer: Principal | None, today: date) -> OperatorRead:
        """The operator as `viewer` may see it: contacts masked unless they may see them in full,
        qualifications marked expired as of `today`."""
        return cls.model_validate(operator, context={"today": today, "masked": not sees_contacts(viewer, operator.id)})


class OperatorChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    actor: str
    actor_role: str
    action: Literal["registered", "updated", "status_changed"]
    changes: dict[str, list[object]] = Field(description="field → [old value, new value]")
    reason: str | None
    changed_at: datetime
