"""Contract rules (合同), pure: the state machine and what each move announces."""

from __future__ import annotations

from datetime import date

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "cancelled"}),
    "active": frozenset({"suspended", "terminated", "expired"}),
    "suspended": frozenset({"active", "terminated", "expired"}),
    "terminated": frozenset(),
    "expired": frozenset(),
    "cancelled": frozenset(),
}
# States in which a contract holds its facilities (for overlap checks).
HOLDING = ("draft", "active", "suspended")
# States in which a contract is running (reports, inspections, evaluations, fees).
RUNNING = ("active", "suspended")
ENDED = ("terminated", "expired")

# OCDS contract.status (closed codelist)
OCDS_STATUS = {
    "draft": "pending",
    "active": "active",
    "suspended": "active",
    "terminated": "terminated",
    "expired": "terminated",
    "cancelled": "cancelled",
}


def transition_allowed(old: str, new: str) -> bool:
    return new in TRANSITIONS[old]


def effective_end(ends_on: date, ended_on: date | None) -> date:
    return ended_on or ends_on


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end
