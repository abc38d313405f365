from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base
from service_kit.db import AwareDateTime


class User(Base):
    """An account: a resident who signed up, or staff an official created (operator, official, auditor)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    operator_id: Mapped[int | None] = mapped_column(Integer)
    subdistrict: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    # Access tokens issued at or before this instant are refused at the gateway's edge (set when the
    # account is disabled, when a reused refresh token betrays a theft, when the password changes).
    tokens_valid_after: Mapped[datetime | None] = mapped_column(AwareDateTime(), index=True)
    disabled_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(Text)


class RefreshToken(Base):
    """A refresh token's id; rotated on use, revoked on sign-out. Every token rotated from the same
    sign-in shares its `family_id`: presenting one that was already used revokes the whole family."""

    __tablename__ = "refresh_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # Set when the token was used to get the next one (revoked_at too); other revocations leave it unset.
    rotated_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class AccountStatusChange(Base):
    """An official disabled or enabled an account, and why: the account's history of access."""

    __tablename__ = "account_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(AwareDateTime())


class SignInFailure(Base):
    """Failed sign-ins in a row, per account (`user:<id>`) or per unknown login (`login:<sha256>`, so
    that a login with no account is locked the same way and the lock tells nothing)."""

    __tablename__ = "sign_in_failure"

    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(AwareDateTime())
