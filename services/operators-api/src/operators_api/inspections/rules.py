"""Inspection and rectification rules (督查 / 整改), pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The district's checklist (督查检查表): key → (item, points). The points sum to 100.
CHECKLIST: dict[str, tuple[str, int]] = {
    "opening_hours": ("开放时间落实与公示", 15),
    "free_services": ("免费服务项目公示与落实", 15),
    "safety": ("消防与安全管理", 15),
    "hygiene": ("环境卫生", 10),
    "staffing": ("人员在岗与服务态度", 10),
    "activities": ("活动开展与台账", 15),
    "accessibility": ("无障碍设施与特殊群体服务", 10),
    "records": ("档案管理与数据报送", 10),
}


@dataclass(frozen=True, slots=True)
class CheckItem:
    key: str
    name_zh: str
    max_score: int


def checklist() -> list[CheckItem]:
    return [CheckItem(key, name, points) for key, (name, points) in CHECKLIST.items()]


TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"responded", "withdrawn"}),
    "responded": frozenset({"accepted", "reopened", "withdrawn"}),
    "reopened": frozenset({"responded", "withdrawn"}),
    "accepted": frozenset(),
    "withdrawn": frozenset(),
}
AWAITING_OPERATOR = ("open", "reopened")
LATE_POINTS = -2


def is_overdue(status: str, deadline_on: date, today: date) -> bool:
    """Overdue: still waiting for the operator after the deadline day."""
    return status in AWAITING_OPERATOR and today > deadline_on
