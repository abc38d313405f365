"""The operator registry's rules, kept apart from data access so they read as the domain states them."""

from __future__ import annotations

from datetime import date
from typing import Any

from service_kit.auth import Principal

# Where an operator may go from each status. Blacklisting (列入黑名单) is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "registered": frozenset({"qualified", "blacklisted"}),
    "qualified": frozenset({"suspended", "blacklisted"}),
    "suspended": frozenset({"qualified", "blacklisted"}),
    "blacklisted": frozenset(),
}

# What an operator's own staff may change about it; everything else is for officials.
STAFF_EDITABLE = frozenset({"contacts", "registered_address", "name_en"})

# The organisation kinds (USCC positions 1-2) each operator type is registered as.
USCC_KINDS: dict[str, frozenset[str]] = {
    # 民政: 社会团体, 民办非企业单位, 基金会, 其他; 机构编制: 群众团体
    "social_organisation": frozenset({"51", "52", "53", "59", "13"}),
    # 工商: 企业, 个体工商户, 农民专业合作社
    "enterprise": frozenset({"91", "92", "93"}),
    # 机构编制: 事业单位
    "public_institution": frozenset({"12"}),
}


def transition_allowed(old: str, new: str) -> bool:
    return new in TRANSITIONS[old]


def uscc_type_problem(operator_type: str, code: str) -> str | None:
    """Why this code cannot belong to an operator of this type, or None when it can."""
    allowed = USCC_KINDS[operator_type]
    if code[:2] in allowed:
        return None
    return (
        f"A USCC starting {code[:2]!r} is not registered as a {operator_type}; "
        f"a {operator_type}'s code starts with {', '.join(sorted(allowed))}."
    )


def sees_contacts(principal: Principal | None, operator_id: int) -> bool:
    """Officials, auditors and the operator's own staff see phones and emails in full."""
    if principal is None:
        return False
    if principal.role in ("official", "auditor"):
        return True
    return principal.role == "operator" and principal.operator_id == operator_id


def is_own_staff(principal: Principal, operator_id: int) -> bool:
    return principal.role == "operator" and principal.operator_id == operator_id


def mask_phone(phone: str) -> str:
    """Keep the first 3 and the last 4 digits, star the rest: 13812345678 → 138****5678,
    010-64001234 → 010-****1234. Short numbers keep only their last 2 digits."""
    digits = [i for i, c in enumerate(phone) if c.isdigit()]
    keep = set(digits[:3] + digits[-4:]) if len(digits) >= 10 else set(digits[-2:])
    return "".join("*" if i in digits and i not in keep else c for i, c in enumerate(phone))


def mask_email(email: str) -> str:
    """wang.li@example.org → w***@example.org"""
    if "@" not in email:
        return "***" if email else ""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def mask_contacts(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**c, "phone": mask_phone(c.get("phone", "")), "email": mask_email(c.get("email", ""))} for c in contacts]


def is_expired(expires_date: str | date | None, today: date) -> bool:
    if expires_date is None:
        return False
    if isinstance(expires_date, str):
        expires_date = date.fromisoformat(expires_date)
    return expires_date < today
