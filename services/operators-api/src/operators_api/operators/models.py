from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from operators_api.db import Base
from service_kit.db import AwareDateTime


class Operator(Base):
    """承接主体: a social organisation, enterprise or public institution that runs public cultural
    facilities under contract (社会化运营)."""

    __tablename__ = "operator"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable slug other services and seeds use to name the operator (e.g. "shuhai-reading").
    code: Mapped[str] = mapped_column(String(64), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    type: Mapped[str] = mapped_column(String(30), index=True)
    # 统一社会信用代码, GB 32100-2015: one operator per code.
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    registered_address: Mapped[str] = mapped_column(String(300))
    # [{name, role, phone, email}]: personal data, shown masked to the public.
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{name, number, issued_by, expires_date}]: whether one has expired is computed when read.
    qualifications: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class OperatorChange(Base):
    """The history of an operator: who changed which fields, when, from what to what, and why."""

    __tablename__ = "operator_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(AwareDateTime())
