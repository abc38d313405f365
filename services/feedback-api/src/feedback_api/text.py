"""Free text from residents: what is accepted, and what is masked before anyone else sees it.

Any script is accepted, CJK and emoji alike; control characters (tabs and line breaks aside) and lone
surrogates are refused, since neither can be stored faithfully. Phone numbers and resident ID numbers
are masked automatically (the original is never stored where it is shown publicly); abuse words hold a
text for moderation (see moderation/)."""

from __future__ import annotations

import re

# The masking functions live in the kit (facilities-api masks the same way); re-exported from here.
from service_kit.text import mask_email, mask_name, mask_personal_data, mask_phone

__all__ = [
    "check_text",
    "clean_optional",
    "clean_required",
    "find_abuse",
    "mask_email",
    "mask_name",
    "mask_personal_data",
    "mask_phone",
]

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def check_text(value: str) -> str:
    for ch in value:
        code = ord(ch)
        if (code < 0x20 and ch not in _ALLOWED_CONTROLS) or code == 0x7F:
            raise ValueError(f"control character U+{code:04X} is not allowed")
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("the text contains an unpaired surrogate")
    return value


def clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = check_text(value).strip()
    return value or None


def clean_required(value: str) -> str:
    value = check_text(value).strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def find_abuse(text: str, words: list[str]) -> list[str]:
    """The abuse words the text contains (case-insensitive, ignoring spaces inserted to dodge the list)."""
    folded = re.sub(r"\s+", "", text).casefold()
    return [w for w in words if w and re.sub(r"\s+", "", w).casefold() in folded]
