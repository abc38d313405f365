"""Reporting periods: calendar quarters in the district's time zone (Asia/Shanghai), e.g. "2026Q4".

A rating belongs to the quarter in which it was made, read on the district's clock: 2026-12-31T16:30Z
is already 2027-01-01 00:30 in Beijing, so it counts for 2027Q1.
"""

from __future__ import annotations

from datetime import datetime

from service_kit.clock import DISTRICT_TZ, as_aware

PERIOD_PATTERN = r"^[0-9]{4}Q[1-4]$"


def quarter_of(moment: datetime) -> str:
    local = as_aware(moment).astimezone(DISTRICT_TZ)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"
