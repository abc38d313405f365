"""Text search that forgives how a name is typed: Chinese, English, or pinyin (full or initials,
with or without spaces), so 'jingshan', 'js' and '景山' all find 景山书房."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")


def _pinyin(text: str) -> tuple[str, str]:
    syllables = [s.lower() for s in lazy_pinyin(text, errors="ignore") if s.strip()]
    initials = [s.lower() for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if s.strip()]
    return "".join(syllables), "".join(initials)


def search_text(name_zh: str, name_en: str, address_zh: str) -> str:
    """What `q` is matched against: lower-cased names and address, and the name's pinyin."""
    full, initials = _pinyin(name_zh)
    parts = [name_zh.lower(), name_en.lower(), address_zh.lower(), full, initials]
    return "|".join(p for p in parts if p)[:2000]


def needles(q: str) -> list[str]:
    """The forms of a query to look for: as typed (lower-cased) and without spaces (pinyin)."""
    typed = q.strip().lower()
    forms = [typed]
    squeezed = _SPACES.sub("", typed)
    if squeezed != typed:
        forms.append(squeezed)
    return [f for f in forms if f]


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
