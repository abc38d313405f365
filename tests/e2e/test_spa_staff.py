"""Operators and officials in a real browser: the operator portal, the officials' dashboard (its
first view timed, its tables exported), a subdistrict official's scope, the auditor's read-only
view, and role guards."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from .spa_fixtures import *  # noqa: F403  (fixtures)
from .spa_fixtures import ARTIFACTS, api_token, require_routes, wait_for_js
from .spa_pages import Api, Dashboard


@pytest.fixture
def coverage_routed(spa_platform):
    require_routes(spa_platform, "/coverage/subdistricts")


def test_official_sees_the_dashboard_change_and_exports_tables(spa, spa_platform, coverage_routed):
    s = spa("demo-official", width=1366, height=900)
    dash = Dashboard(s)
    ms = dash.first_view_ms()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "dashboard-first-view.json").write_text(json.dumps({"first_view_ms": ms}))
    print(f"\ndashboard first view: {ms} ms (headless Chromium, demo data)")
    before = dash.tile("facilities")
    assert before > 50
    s.screenshot("official-dashboard-have")

    # The official opens a new reading room in the community that had none within walking distance.
    official = Api(spa_platform.url, api_token(spa_platform, "demo-official")["access_token"])
    gaps = official.get("/coverage/communities", radius_m=1000)["communities"]
    gap = next((c for c in gaps if not c["covered"]), gaps[0])
    area = next(c for c in official.get("/communities", subdistrict=gap["subdistrict"]) if c["code"] == gap["code"])
    official.post(
        "/facilities",
        {
            "name_zh": f"{gap['name_zh']}新时代文明实践书房",
            "kind": "new_cultural_space",
            "level": "community",
            "subdistrict": gap["subdistrict"],
            "community": gap["code"],
            "address_zh": f"东城区{gap['name_zh']}内",
            "location": area["centroid"],
            "status": "open",
        },
    )
    s.page.reload()
    s.page.wait_for_selector("[data-test=tiles]")
    assert Dashboard(s).tile("facilities") == before + 1

    # 够不够: the per-subdistrict table exports to CSV and Excel.
    dash.open_tab("enough")
    s.page.wait_for_selector("#panel-enough .data-table tbody tr")
    s.screenshot("official-dashboard-enough")
    with s.page.expect_download() as got:
        s.page.locator("#panel-enough").get_by_role("button", name="导出 CSV").click()
    rows = list(csv.reader(io.StringIO(open(got.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["街道", "常住人口", "设施数"]
    assert len(rows) == 18, "17 subdistricts and a header"
    with s.page.expect_download() as got:
        s.page.locator("#panel-enough").get_by_role("button", name="导出 Excel").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    assert open(got.value.path(), "rb").read(2) == b"PK", "an XLSX is a zip package"
    dash.open_tab("good")
    s.page.wait_for_selector("#panel-good")
    # 考核等级: the demo data has published evaluations, so the latest period's grades are counted.
    s.page.wait_for_selector("#panel-good [data-test=grades-counts] tbody tr")
    assert "考核期" in s.page.inner_text("[data-test=grades-period]")
    counts = [int(c) for c in s.page.locator("[data-test=grades-counts] tbody td.num").all_inner_texts()]
    assert len(counts) == 4 and sum(counts) >= 1, counts
    s.screenshot("official-dashboard-good")
    assert not s.errors, s.errors


def test_a_subdistrict_official_sees_their_subdistrict_only(spa, coverage_routed):
    s = spa("demo-subdistrict-official", width=1366, height=900)
    dash = Dashboard(s)
    assert "景山" in s.page.inner_text("[data-test=scope]")
    dash.open_tab("enough")
    s.page.wait_for_selector("#panel-enough .data-table tbody tr")
    assert s.page.locator("#panel-enough .data-table tbody tr").count() == 1
    assert "景山" in s.page.inner_text("#panel-enough .data-table tbody")


def test_official_publishes_an_activity_that_residents_then_see(spa):
    s = spa("demo-official", width=1024, height=900)
    page = s.goto("/operator/activities/new", wait_for="[data-test=publish]")
    wait_for_js(page, "document.querySelectorAll('[data-test=facility] option').length > 2")
    page.select_option("[data-test=facility]", index=1)
    title = "书海听涛·端到端读书会"
    page.fill("[data-test=title]", title)
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%d")
    page.fill("#na-start", f"{start}T14:00")
    page.fill("#na-end", f"{start}T16:00")
    page.click("[data-test=publish]")
    page.wait_for_selector("[data-test=activity-created]")
    resident = spa()
    page = resident.goto("/activities?category=reading", wait_for="#cal-title")
    page.fill("#a-to", (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%d"))
    page.dispatch_event("#a-to", "change")
    page.wait_for_selector(f"text={title}")


def test_an_invalid_activity_is_refused_with_the_field_named(spa):
    s = spa("demo-official", width=1024, height=900)
    page = s.goto("/operator/activities/new", wait_for="[data-test=publish]")
    wait_for_js(page, "document.querySelectorAll('[data-test=facility] option').length > 2")
    page.select_option("[data-test=facility]", index=1)
    page.fill("[data-test=title]", "结束早于开始的活动")
    page.fill("#na-start", "2030-05-01T16:00")
    page.fill("#na-end", "2030-05-01T14:00")
    page.click("[data-test=publish]")
    page.wait_for_selector(".notice-error")
    assert "填写的内容有误" in page.inner_text(".notice-error")


def test_operator_portal(spa, spa_platform):
    require_routes(spa_platform, "/stats/operations?from=2026-01-01&to=2026-01-31")
    op = spa("demo-operator", width=1024, height=900)
    page = op.goto("/operator", wait_for="[data-test=operator-name]")
    assert "美后肆时" in page.inner_text("[data-test=operator-name]")
    op.screenshot("operator-portal")


def test_role_guards_keep_each_role_on_its_pages(spa):
    op = spa("demo-operator", width=1024, height=900)
    page = op.goto("/dashboard", wait_for="h1")
    assert "需要其他身份" in page.inner_text("h1")

    anonymous = spa()
    page = anonymous.goto("/workbench", wait_for="#si-user")
    assert "next=%2Fworkbench" in page.url or "next=/workbench" in page.url

    auditor = spa("demo-auditor", width=1366, height=900)
    page = auditor.goto("/workbench", wait_for="[data-test=registry] table tbody tr")
    assert "审计账号只读" in page.inner_text("main")
    auditor.screenshot("auditor-workbench")
