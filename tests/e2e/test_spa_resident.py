"""A resident in a real browser (Debian's Chromium) against the real gateway and services: finds a
facility, books, is checked in at the door, rates, asks for a special-group service; in Chinese and
English, in normal and care mode, on a 320 px phone."""

from __future__ import annotations

import gzip
import json
import re
import uuid

from .spa_fixtures import *  # noqa: F403  (fixtures)
from .spa_fixtures import ARTIFACTS, api_token, require_routes, wait_for_js, wait_until
from .spa_pages import ActivityPage, Api, CheckInDesk, RatePage, SignInPage


def test_home_shows_facilities_on_a_map_and_as_a_list(spa):
    s = spa()
    page = s.goto("/", wait_for="[data-test=facility-list] li")
    assert page.locator("[data-test=facility-list] li").count() >= 10
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")  # facilities drawn, no tile server
    assert page.locator(".leaflet-tile").count() == 0
    page.select_option("[data-test=subdistrict]", "jingshan")
    wait_for_js(page, "document.querySelectorAll('[data-test=facility-list] li').length > 0")
    wait_until(
        lambda: all("景山" in t for t in page.locator("[data-test=facility-list] li .meta").first.all_inner_texts())
    )
    s.screenshot("resident-home-zh")
    assert not s.errors, s.errors


def test_home_finds_facilities_near_the_browser_location(spa):
    s = spa()
    s.context.grant_permissions(["geolocation"])
    s.context.set_geolocation({"latitude": 39.9285, "longitude": 116.4002})  # 景山
    page = s.goto("/", wait_for="[data-test=facility-list] li")
    page.click("[data-test=locate]")
    page.wait_for_selector("text=离您最近")
    wait_for_js(page, "document.querySelector('[data-test=facility-list] li .meta')?.innerText.includes('距离')")
    distances = page.locator("[data-test=facility-list] li .meta").all_inner_texts()
    assert any("距离" in d for d in distances[:2])


def test_resident_books_is_checked_in_rates_and_asks_for_home_service(spa, spa_platform):
    require_routes(spa_platform, "/special-requests")
    api = Api(spa_platform.url)
    # Check-in opens an hour before the start: the scene is an activity starting in 40 minutes, at a
    # facility demo-operator runs when there is one (contracts decide that), else at a library.
    run_by_operator = api.get("/facilities", operator_id=1, limit=1)["items"]
    facility = (
        run_by_operator[0]
        if run_by_operator
        else api.get("/facilities", q="图书馆", status="open", limit=1)["items"][0]
    )
    activity = soon_activity(spa_platform, facility["id"], minutes=40)

    # A resident signs in through the form and books two seats.
    resident = spa()
    SignInPage(resident).sign_in("demo-resident")
    facility_page = resident.goto(f"/facilities/{activity['facility_id']}", wait_for="#facility-title")
    assert facility_page.locator("[data-test=open-now]").count() == 1
    assert facility_page.locator("[data-test=operator]").inner_text().strip()
    resident.screenshot("resident-facility")
    booking_page = ActivityPage(resident, activity["id"])
    assert booking_page.book(2) == "已确认"
    code = booking_page.check_in_code()
    assert re.fullmatch(r"[A-Z2-9]{8}", code), code
    resident.screenshot("resident-booked")

    # At the door, the staff of the facility's area check the resident in with that code.
    staff_user = "demo-operator" if run_by_operator else "demo-official"
    desk = CheckInDesk(spa(staff_user, width=1024, height=900), activity["id"])
    assert "2" in desk.check_in(code)
    desk.s.screenshot("staff-check-in")

    # The resident sees the check-in in their bookings and rates the place; the rating is verified,
    # since the platform recorded the check-in. (An activity itself is rated once it has begun.)
    mine = resident.goto("/me/bookings", wait_for="[data-test=upcoming-bookings]")
    wait_until(lambda: "已签到" in mine.inner_text("main") or (mine.reload() and False))
    assert mine.locator("[data-test=upcoming-bookings] [data-test=rate-activity]").count() == 0, (
        "the activity has not begun yet"
    )
    text = RatePage(resident, activity["facility_id"]).rate(5, f"活动组织得很好 {uuid.uuid4().hex[:6]} 👍")
    assert "评价已提交" in text
    ratings = resident.goto("/me/ratings", wait_for="[data-test=my-ratings] li")
    mine_now = ratings.locator("[data-test=my-ratings] li", has_text="活动组织得很好")
    # feedback-api marks it verified when facilities-api's check-in event reaches it (its feed consumer).
    wait_until(lambda: "已核验" in mine_now.inner_text() or (ratings.reload() and False), timeout=60)

    # An older resident asks for books to be delivered at home, and follows the request.
    page = resident.goto(f"/me/requests/new?facility={activity['facility_id']}", wait_for="[data-test=submit-request]")
    page.fill("[data-test=description]", "腿脚不便，希望送几本大字版图书上门")
    page.fill("#nr-addr", "东城区景山后街1号")
    page.fill("[data-test=phone]", "13800138000")
    page.click("[data-test=submit-request]")
    page.wait_for_selector("[data-test=request-created]")
    page = resident.goto("/me/requests", wait_for="[data-test=my-requests] li")
    assert "腿脚不便" in page.inner_text("[data-test=my-requests]")
    assert not resident.errors, resident.errors


def soon_activity(
    platform, facility_id: int, *, minutes: int, capacity: int = 30, title: str = "书海听涛·社区共读（端到端）"
) -> dict:
    from datetime import UTC, datetime, timedelta

    official = Api(platform.url, api_token(platform, "demo-official")["access_token"])
    start = datetime.now(UTC) + timedelta(minutes=minutes)
    return official.post(
        "/activities",
        {
            "facility_id": facility_id,
            "title": title,
            "category": "reading",
            "brand": "书海听涛",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": capacity,
            "cancel_cutoff_minutes": 10,
            "publish": True,
        },
    )


def test_booking_and_cancelling_moves_the_waitlist(spa, spa_platform):
    """The last seat goes to one resident, the next one waits; cancelling promotes the waiting one."""
    official = Api(spa_platform.url, api_token(spa_platform, "demo-official")["access_token"])
    facility = Api(spa_platform.url).get("/facilities", status="open", limit=1)["items"][0]
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC) + timedelta(days=2)
    activity = official.post(
        "/activities",
        {
            "facility_id": facility["id"],
            "title": "端到端测试：只有一个座位的讲座",
            "category": "lecture",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "capacity": 1,
            "publish": True,
        },
    )
    first = spa("demo-resident")
    assert ActivityPage(first, activity["id"]).book(1) == "已确认"

    newcomer = f"e2e{uuid.uuid4().hex[:8]}"
    second = spa()
    page = second.goto("/signup", wait_for="[data-test=signup-submit]")
    page.fill("#su-name", "王阿姨")
    page.fill("#su-user", newcomer)
    page.fill("#su-pass", "long-enough-password")
    page.click("[data-test=signup-submit]")
    page.wait_for_selector("[data-test=sign-out]", state="attached")
    assert ActivityPage(second, activity["id"]).book(1) == "已进入候补，第 1 位"

    page = first.goto(f"/activities/{activity['id']}", wait_for="[data-test=cancel-booking]")
    page.click("[data-test=cancel-booking]")
    page.click("[data-test=confirm-cancel]")
    page.wait_for_selector("[data-test=booking-message]")
    page = second.goto("/me/bookings", wait_for="[data-test=upcoming-bookings] li")
    assert "已确认" in page.inner_text("[data-test=upcoming-bookings]")
    assert page.locator("[data-test=check-in-code]").count() == 1


def test_a_refused_action_is_explained_in_the_residents_language(spa):
    s = spa(locale="en")
    page = s.goto("/signin", wait_for="#si-user")
    page.fill("#si-user", "demo-resident")
    page.fill("#si-pass", "wrong-password")
    page.click("[data-test=signin-submit]")
    page.wait_for_selector(".notice-error")
    assert "Wrong user name or password" in page.inner_text(".notice-error")
    s.goto("/facilities/999999", wait_for=".notice-error")
    assert "Not found" in s.page.inner_text(".notice-error")


def test_english_and_care_mode_are_one_switch_each_and_remembered(spa):
    s = spa()
    page = s.goto("/", wait_for="[data-test=facility-list] li")
    assert page.get_attribute("html", "lang") == "zh-CN"
    page.select_option("[data-test=lang]", "en")
    page.wait_for_selector("text=Public culture near you")
    page.click("[data-test=care-toggle]")
    assert "care" in page.get_attribute("html", "class")
    root_px = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root_px >= 20
    button = page.locator("[data-test=locate]").bounding_box()
    assert button["height"] >= 48, "care mode enlarges targets"
    page.reload()
    page.wait_for_selector("[data-test=facility-list] li")
    assert page.get_attribute("html", "lang") == "en"
    assert "care" in page.get_attribute("html", "class")
    assert page.locator("#home-map").count() == 0, "care mode starts with the simpler list-only layout"
    s.screenshot("resident-home-en-care")


def test_nothing_sticks_out_on_a_320px_phone(spa, spa_platform):
    api = Api(spa_platform.url)
    facilities = api.get("/facilities", limit=200)["items"]
    longest = max(facilities, key=lambda f: len(f["name_zh"]))
    activity = api.bookable_activity()
    for care in (False, True):
        s = spa("demo-resident", width=320, height=640, care=care)
        for path, ready in (
            ("/", "[data-test=facility-list] li"),
            (f"/facilities/{longest['id']}", "#facility-title"),
            ("/activities", "#cal-title"),
            (f"/activities/{activity['id']}", "#act-title"),
            ("/me/bookings", "#mb-title"),
        ):
            s.goto(path, wait_for=ready)
            assert s.horizontal_overflow() <= 0, f"{path} is wider than 320 px (care={care})"
        s.screenshot(f"resident-320-{'care' if care else 'normal'}-activity")


def test_the_home_pages_javascript_is_under_250_kb_gzipped(spa):
    """Every script the resident home page loads (the app, its map chunk), gzipped as served."""
    s = spa()
    scripts: dict[str, bytes] = {}

    def keep(response):
        if response.request.resource_type == "script":
            scripts[response.url] = response.body()

    s.page.on("response", keep)
    s.goto("/", wait_for=".leaflet-container")
    s.page.wait_for_load_state("networkidle")
    total = sum(len(gzip.compress(body, 9)) for body in scripts.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "home-js.json").write_text(json.dumps({"gzip_bytes": total, "files": sorted(scripts)}, indent=2))
    print(f"\nresident home page JavaScript: {total / 1024:.1f} KB gzipped in {len(scripts)} files")
    assert not any("charts" in url or "xlsx" in url for url in scripts), "the dashboard's chunks stay off the home page"
    assert total < 250 * 1024


def test_a_complaint_is_routed_answered_and_confirmed_along_its_timeline(spa, spa_platform):
    api = Api(spa_platform.url)
    run_by_operator = api.get("/facilities", operator_id=1, limit=1)["items"]
    facility = (
        run_by_operator[0]
        if run_by_operator
        else api.get("/facilities", q="图书馆", status="open", limit=1)["items"][0]
    )

    resident = spa("demo-resident")
    page = resident.goto(f"/facilities/{facility['id']}", wait_for="[data-test=complain]")
    page.click("[data-test=complain]")
    page.wait_for_selector("[data-test=submit-case]")
    page.select_option("[data-test=case-category]", "staff_conduct")
    # The facility comes preselected; the list it is chosen from loads with the form, so it shows once loaded.
    page.wait_for_selector(f"[data-test=case-facility] option[value='{facility['id']}']", state="attached")
    assert page.input_value("[data-test=case-facility]") == str(facility["id"])
    page.fill("[data-test=case-description]", "周六上午借书时工作人员态度生硬，希望改进。🙏")
    page.click("[data-test=submit-case]")
    page.wait_for_selector("[data-test=case-created]")
    case_id = int(re.search(r"(\d+)", page.inner_text("[data-test=case-created]")).group(1))
    resident.screenshot("resident-case-filed")

    # A complaint about the operator's own staff goes to the bureau, not to the operator it accuses:
    # the operator's staff get no answer form; an official answers it.
    if run_by_operator:
        accused = spa("demo-operator", width=1024, height=900)
        page = accused.goto(f"/cases/{case_id}", wait_for=".notice-error, [data-test=case-status]")
        assert page.locator("[data-test=respond-case]").count() == 0
    handler = spa("demo-official", width=1024, height=900)
    page = handler.goto(f"/cases/{case_id}", wait_for="[data-test=respond-case]")
    page.fill("[data-test=case-answer]", "已核实并对当班馆员进行了服务培训，感谢您的监督。")
    page.click("[data-test=respond-case]")
    page.wait_for_selector("[data-test=case-response]")
    assert "已答复" in page.inner_text("[data-test=case-status]")

    page = resident.goto(f"/cases/{case_id}", wait_for="[data-test=confirm-case]")
    assert "服务培训" in page.inner_text("[data-test=case-response]")
    page.locator("fieldset.stars label.star").nth(3).click()
    page.click("[data-test=confirm-case]")
    page.wait_for_selector("[data-test=case-done]")
    assert "已确认" in page.inner_text("[data-test=case-status]")
    assert page.locator("[data-test=timeline] li").count() >= 3
    resident.screenshot("resident-case-timeline")
    page = resident.goto("/me/cases", wait_for="[data-test=my-cases] li")
    assert f"#{case_id}" in page.inner_text("[data-test=my-cases]")
    assert not resident.errors, resident.errors


def test_resident_votes_on_the_menu_and_asks_for_a_service(spa, spa_platform):
    require_routes(spa_platform, "/menu-rounds")
    s = spa("demo-resident")
    page = s.goto("/demand", wait_for="#dm-title")
    page.wait_for_selector("[data-test=round-open] [data-test=vote], [data-test=round-published], .state-empty")
    votes = page.locator("[data-test=round-open] [data-test=vote][aria-pressed=false]:not([disabled])")
    if votes.count():
        votes.first.click()
        page.wait_for_selector("[data-test=round-open] [data-test=vote][aria-pressed=true]")
    page.fill("[data-test=demand-title]", "希望周末开设亲子绘本共读")
    page.click("[data-test=submit-demand]")
    page.wait_for_selector("[data-test=demand-sent]")
    page.wait_for_selector("[data-test=my-demands] >> text=希望周末开设亲子绘本共读")
    s.screenshot("resident-demand")


def test_resident_rates_an_activity_they_attended_and_the_rating_is_verified(spa):
    s = spa("demo-resident")
    page = s.goto("/me/bookings", wait_for="[data-test=past-bookings]")
    attended = page.locator("[data-test=past-bookings] [data-test=rate-activity]")
    assert attended.count() > 0, "the demo resident attended activities last weeks"
    attended.first.click()
    page.wait_for_selector("[data-test=submit-rating]")
    title = page.inner_text("#rate-title")
    text = RatePage(s, 0, navigate=False).rate(4, "讲解细致，孩子很喜欢")
    assert "评价已提交" in text
    page = s.goto("/me/ratings", wait_for="[data-test=my-ratings] li")
    rated = page.locator("[data-test=my-ratings] li", has_text="讲解细致")
    # Verified at once, or as soon as feedback-api's feed consumer has read the demo check-ins.
    wait_until(lambda: "已核验" in rated.inner_text() or (page.reload() and False), timeout=60)
    assert title
