from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from gateway.identity.models import User
from service_kit.auth import Principal
from service_kit.pagination import Page
from service_kit.repository import Slice
from service_kit.text import mask_phone, trimmed

USERNAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{2,31}$"
PHONE_PATTERN = r"^1[3-9][0-9]{9}$"


#: A password is taken exactly as typed: spaces at its ends are part of it, as at sign-in.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=8, max_length=128)]


#: A name as people see it: its length is checked as sent, then the spaces around it go.
DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=1, max_length=50), AfterValidator(trimmed(1))
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=2, max_length=500), AfterValidator(trimmed(2))
]


class RegisterRequest(BaseModel):
    """A resident signs up with a user name, a mainland mobile number, or both."""

    model_config = ConfigDict(extra="forbid")

    username: str | None = Field(None, pattern=USERNAME_PATTERN, examples=["li-hua"])
    phone: str | None = Field(None, pattern=PHONE_PATTERN, examples=["13800138000"])
    password: Password
    display_name: DisplayName = Field(examples=["李华"])

    @model_validator(mode="after")
    def _one_identifier(self) -> RegisterRequest:
        if not self.username and not self.phone:
            raise ValueError("give a username or a phone number to sign in with")
        return self


class StaffCreate(BaseModel):
    """An official creates an account for staff: an operator's, an official's or an auditor's."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    password: Password
    display_name: DisplayName
    role: Literal["operator", "official", "auditor"]
    operator_id: int | None = Field(None, ge=1, le=2_147_483_647, description="Required for operator staff.")
    subdistrict: (
        Annotated[str, StringConstraints(strip_whitespace=False, max_length=64), AfterValidator(trimmed(1))] | None
    ) = Field(None, description="Binds an official to one subdistrict.")

    @model_validator(mode="after")
    def _bindings(self) -> StaffCreate:
        if self.role == "operator" and self.operator_id is None:
            raise ValueError("operator staff must be bound to an operator_id")
        if self.role != "operator" and self.operator_id is not None:
            raise ValueError("only operator staff are bound to an operator_id")
        if self.role != "official" and self.subdistrict is not None:
            raise ValueError("only officials are bound to a subdistrict")
        return self


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token stays valid.")
    refresh_token: str


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=10, max_length=4000)


class RegistrationAccepted(BaseModel):
    """The same answer whether or not the phone number already had an account."""

    detail: str


class AccountStatusRequest(BaseModel):
    """Why an official disables (or enables again) an account: kept in the account's history."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(examples=["离职：运营方已解除聘用"])


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class UserRead(BaseModel):
    """An account as its viewer may see it: only the holder sees their full phone number; everyone
    else, officials included, sees it masked (an official who must find an account by its number asks
    with the number: `GET /users?phone=`)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str | None
    phone: str | None = Field(description="Masked (138****8000) except to the account holder.")
    display_name: str
    role: str
    operator_id: int | None
    subdistrict: str | None
    active: bool
    created_at: datetime
    disabled_at: datetime | None = None
    disabled_reason: str | None = Field(
        None, description="Why an official disabled the account; shown to officials, auditors and the holder."
    )

    @classmethod
    def for_viewer(cls, user: User, *, viewer: Principal | None) -> UserRead:
        read = cls.model_validate(user)
        if viewer is None or viewer.sub != str(user.id):
            read.phone = mask_phone(user.phone)
        return read

    @classmethod
    def page_for_viewer(cls, found: Slice[User], *, viewer: Principal | None) -> Page[UserRead]:
        return Page(items=[cls.for_viewer(u, viewer=viewer) for u in found.items], next_cursor=found.next_cursor)
