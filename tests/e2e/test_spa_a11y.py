"""axe-core audit (WCAG 2.1 A and AA) of the main pages, in normal and in care mode: no serious or
critical violation. Each audited page is also saved as a screenshot in test-artifacts/spa/."""

from __future__ import annotations

import pytest

from .spa_fixtures import *  # noqa: F403  (fixtures)
from .spa_pages import Api

# (name, user, path or a callable of the Api that gives it, selector that says the page is ready)
PAGES = [
    ("home", None, "/", "[data-test=facility-list] li"),
    (
        "facility",
        None,
        lambda api: f"/facilities/{api.get('/facilities', q='图书馆', limit=1)['items'][0]['id']}",
        "#hours-title",
    ),
    ("activities", None, "/activities", "#cal-title"),
    ("activity", "demo-resident", lambda api: f"/activities/{api.bookable_activity()['id']}", "#book-title"),
    ("signin", None, "/signin", "#si-user"),
    ("signup", None, "/signup", "#su-name"),
    ("my-bookings", "demo-resident", "/me/bookings", "#mb-title"),
    ("my-requests", "demo-resident", "/me/requests", "#rq-title"),
    ("new-request", "demo-resident", "/me/requests/new", "[data-test=submit-request]"),
    (
        "rate",
        "demo-resident",
        lambda api: f"/rate/facility/{api.get('/facilities', limit=1)['items'][0]['id']}",
        "[data-test=submit-rating]",
    ),
    ("my-cases", "demo-resident", "/me/cases", "#mc-title"),
    ("new-case", "demo-resident", "/me/cases/new", "[data-test=submit-case]"),
    ("demand", "demo-resident", "/demand", "#dm-title"),
    ("operator", "demo-operator", "/operator", "#op-title"),
    ("dashboard", "demo-official", "/dashboard", "#dash-title"),
    ("dashboard-good", "demo-official", "/dashboard", "#dash-title"),
    ("case-staff", "demo-official", lambda api: f"/cases/{api.first_case()}", "#case-title"),
    ("workbench", "demo-official", "/workbench", "#wb-title"),
    ("operator-services", "demo-operator", "/operator/services", "[data-test=services-list]"),
    ("workbench-accounts", "demo-official", "/workbench/accounts", "[data-test=accounts-table]"),
]


@pytest.mark.parametrize("care", [False, True], ids=["normal", "care"])
@pytest.mark.parametrize(("name", "user", "path", "ready"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violations(spa, spa_platform, name, user, path, ready, care):
    if callable(path):
        path = path(Api(spa_platform.url))
    wide = name in ("dashboard", "workbench", "operator", "workbench-accounts")
    s = spa(user, width=1280 if wide else 390, height=900 if wide else 844, care=care)
    s.goto(path, wait_for=ready)
    if name == "dashboard-good":
        s.page.click("[data-test=tab-good]")
        s.page.wait_for_selector("[data-test=ranking] tbody tr")
    s.page.wait_for_timeout(300)  # late chunks (map, charts) settle
    s.screenshot(f"{name}-{'care' if care else 'normal'}")
    violations = s.axe()
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations
    )
    assert not [e for e in s.errors if "pageerror" in e], s.errors
