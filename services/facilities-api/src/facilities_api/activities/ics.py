"""iCalendar (RFC 5545) for activities: one VEVENT each, times in UTC, text escaped, lines folded at
75 octets, CRLF line ends, so any calendar app can subscribe to a filtered listing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from facilities_api.activities.models import Activity

PRODID = "-//culture-ops//facilities-api//ZH"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into ≤75-octet pieces without cutting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " " + ch, 1 + n, 75
        else:
            current += ch
            size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(activities: Iterable[Activity], *, now: datetime, host: str, name: str = "东城区公共文化活动") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    stamp = _utc(now)
    for a in activities:
        facility = a.facility
        description = a.description
        if a.fee_fen:
            description = f"{description}\n费用: {a.fee_fen / 100:.2f} 元".strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{a.id}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(a.starts_at)}",
            f"DTEND:{_utc(a.ends_at)}",
            f"SEQUENCE:{a.version}",
            f"SUMMARY:{_escape(a.title)}",
            f"LOCATION:{_escape(' '.join(p for p in (facility.name_zh, a.venue, facility.address_zh) if p))}",
            f"GEO:{facility.lat:.6f};{facility.lon:.6f}",
            f"CATEGORIES:{_escape(a.category)}" + (f",{_escape(a.brand)}" if a.brand else ""),
            f"STATUS:{'CANCELLED' if a.status == 'cancelled' else 'CONFIRMED'}",
            f"LAST-MODIFIED:{_utc(a.updated_at)}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{_escape(description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
