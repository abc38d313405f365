"""The app header fits the smallest phones in the widest setting: English, care mode (large text),
signed out and signed in (more buttons), 360 px wide: its tools wrap under the brand rather than
pushing the page sideways."""

from __future__ import annotations

import pytest

from .spa_fixtures import *  # noqa: F403  (fixtures)


@pytest.mark.parametrize("user", [None, "demo-official"])
def test_the_header_fits_a_360_px_phone_in_english_care_mode(spa, user):
    s = spa(user, width=360, care=True, locale="en")
    page = s.goto("/", wait_for="main")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.querySelector('.app-header').scrollWidth]")
    assert widths == [360, 360]
    tools = page.locator(".header-tools").bounding_box()
    assert tools is not None and tools["x"] >= 0 and tools["x"] + tools["width"] <= 360  # every tool on screen
