"""Masking personal data in text a reader is not entitled to see in full: phone numbers and resident
ID numbers inside free text, and a contact's phone, name or e-mail. Infrastructure only: which reader
sees what is each service's rule."""

from __future__ import annotations

import re
from collections.abc import Callable

# 18-character resident ID (GB 11643: 17 digits and a check digit or X), and the old 15-digit form.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])([1-9][0-9]{5})(?:19|20)?[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}([0-9Xx])(?![0-9A-Za-z])"
)
# Mainland mobile numbers (optionally +86), and landlines with an area code (010-12345678).
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0[1-9][0-9]{1,2})[- ]?[0-9]{3,4}[- ]?([0-9]{4})(?![0-9])")


def mask_personal_data(text: str) -> tuple[str, bool]:
    """Mask ID numbers and phone numbers. Returns the masked text and whether anything was masked."""
    masked = _ID_NUMBER.sub(lambda m: f"{m.group(1)[:3]}{'*' * 13}{m.group(2)}", text)
    masked = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", masked)
    masked = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", masked)
    return masked, masked != text


def mask_phone(phone: str | None) -> str | None:
    """A contact phone as non-handlers see it: 138****5678."""
    if not phone:
        return phone
    digits = re.sub(r"[^0-9]", "", phone)
    if len(digits) < 7:
        return "***"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def trimmed(min_length: int = 1) -> Callable[[str], str]:
    """A validator that trims a text after its length and pattern were checked as sent, and refuses
    what is left shorter than `min_length`: so a request the OpenAPI schema refuses is refused, and
    spaces around a name are not kept. Use after `StringConstraints(strip_whitespace=False, ...)`."""

    def trim(value: str) -> str:
        value = value.strip()
        if len(value) < min_length:
            raise ValueError(f"needs at least {min_length} characters besides spaces")
        return value

    return trim
