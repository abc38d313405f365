"""The operator portal in a real browser (Debian's Chromium) against the real gateway and services:
the demo operator (美后肆时, operator 1) files last month's service report beside the platform's
own figures, answers a rectification, bids on an open selection, applies for a preferential fee,
appeals an evaluation and replies to a resident's rating, on a phone in Chinese; then the same
records in English and care mode.

What the officials do first (open a selection for bids, add a chargeable service, publish an
evaluation) is set up through the API as demo-official."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from .spa_fixtures import *  # noqa: F403  (fixtures)
from .spa_fixtures import api_token
from .spa_pages import Api

OPERATOR_ID = 1  # 美后肆时 (demo-operator)
FACILITY_ID = 114  # 美后肆时景山市民文化中心
PAGES = ("reports", "rectifications", "cases", "selections", "fees", "evaluations", "ratings", "cultivation")


def last_quarter(today: date) -> str:
    q = (today.month - 1) // 3  # the quarter before the current one, 0 meaning Q4 of last year
    return f"{today.year - 1}-Q4" if q == 0 else f"{today.year}-Q{q}"


def previous_month(today: date) -> str:
    first = today.replace(day=1) - timedelta(days=1)
    return f"{first:%Y-%m}"


class Official(Api):
    """What demo-official does before the operator can act."""

    def put(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        resp = self.client.put(path, json=body, headers=headers)
        assert resp.status_code < 300, resp.text
        return resp.json()

    def open_selection(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        sel = self.post(
            "/selections",
            {
                "title": "景山街道阅读空间运营服务项目（端到端测试）",
                "scope": "阅读空间日常开放、读书会与少儿阅读活动",
                "method": "competitive_consultation",
                "budget_fen": 100_000_000,
                "facility_ids": [FACILITY_ID],
                "criteria": [
                    {"key": "price", "name_zh": "价格", "kind": "price", "weight": 30},
                    {"key": "service_plan", "name_zh": "服务方案", "kind": "quality", "weight": 70},
                ],
                "bids_open_at": (now - timedelta(hours=1)).isoformat(),
                "bids_close_at": (now + timedelta(days=10)).isoformat(),
                "service_starts_on": str(now.date() + timedelta(days=60)),
                "service_ends_on": str(now.date() + timedelta(days=425)),
            },
        )
        for status in ("published", "bidding"):
            sel = self.post(f"/selections/{sel['id']}/status", {"status": status, "reason": "端到端测试"})
        return sel

    def chargeable_service(self) -> dict[str, Any]:
        """The demo facility offers no non-basic service in a category the guideline lets charge."""
        return self.post(
            f"/facilities/{FACILITY_ID}/services", {"name_zh": "少儿书法体验课", "category": "training", "basic": False}
        )

    def published_evaluation(self, contract_id: int) -> dict[str, Any]:
        """The demo data leaves the operator's latest quarter for the official: evaluate and publish it."""
        period = last_quarter(date.today())
        existing = self.get("/evaluations", contract_id=contract_id, period=period)["items"]
        e = existing[0] if existing else self.post("/evaluations", {"contract_id": contract_id, "period": period})
        if e["status"] == "published":
            return e
        e = self.put(
            f"/evaluations/{e['id']}/expert-score",
            {"score": "85", "assessor": "北京文化发展评估中心"},
            {"If-Match": f'"v{e["version"]}"'},
        )
        return self.post(f"/evaluations/{e['id']}/publish", {"accept_missing": True, "reason": "端到端测试"})

    def open_rectification(self, contract_id: int) -> dict[str, Any]:
        """The demo data leaves one open for the operator; order one after an inspection otherwise."""
        waiting = self.get("/rectifications", operator_id=OPERATOR_ID, status="open")["items"]
        if waiting:
            return waiting[0]
        items = [{"key": c["key"], "score": str(c["max_score"])} for c in self.get("/inspections/checklist")]
        inspection = self.post(
            "/inspections",
            {
                "contract_id": contract_id,
                "facility_id": FACILITY_ID,
                "inspected_on": str(date.today()),
                "announced": False,
                "items": items,
                "rectifications": [
                    {
                        "finding": "免费开放时间未在入口显著位置公示",
                        "required_action": "在入口及线上平台公示免费开放时间",
                        "deadline_on": str(date.today() + timedelta(days=20)),
                    }
                ],
            },
        )
        return self.get(f"/rectifications/{inspection['rectification_ids'][0]}")


@pytest.fixture
def scene(spa_platform) -> dict[str, Any]:
    official = Official(spa_platform.url, api_token(spa_platform, "demo-official")["access_token"])
    contract = official.get("/contracts", operator_id=OPERATOR_ID, status="active")["items"][0]
    return {
        "contract": contract,
        "selection": official.open_selection(),
        "service": official.chargeable_service(),
        "evaluation": official.published_evaluation(contract["id"]),
        "rectification": official.open_rectification(contract["id"]),
        "month": previous_month(date.today()),
    }


def go(s, name: str, ready: str):
    """Follow the portal's own navigation to one of its pages."""
    s.page.click(f"[data-test=portal-nav-{name}]")
    s.page.wait_for_selector(ready)
    s.page.wait_for_load_state("networkidle")
    assert s.horizontal_overflow() <= 0, f"the {name} page is wider than the phone"
    return s.page


def test_operator_works_through_the_portal(spa, spa_platform, scene):
    op = spa("demo-operator", width=360, height=780)
    page = op.goto("/operator", wait_for="[data-test=portal-nav]")
    for name in PAGES:
        assert page.locator(f"[data-test=portal-nav-{name}]").count() == 1

    # 1. Last month's report, beside what the platform recorded there that month.
    month = scene["month"]
    page = go(op, "reports", "[data-test=report-form] [data-test=recorded-114] dl")
    assert page.input_value("[data-test=report-month]") == month
    assert "平台记录" in page.inner_text("[data-test=recorded-114]")
    page.click("[data-test=use-platform-figures]")
    page.fill("[data-test=report-summary]", "本月开放平稳，读书会按计划举办。")
    page.click("[data-test=file-report]")
    page.wait_for_selector("[data-test=report-filed]")
    assert f"{month} 月报已提交" in page.inner_text("[data-test=report-filed]")
    assert "与平台记录一致" in page.inner_text(f"[data-test=report-{month}]")
    op.screenshot("operator-portal-report")

    # 2. The open rectification, answered with what was done and a link to the evidence.
    rid = scene["rectification"]["id"]
    page = go(op, "rectifications", f"[data-test=rectification-{rid}]")
    card = page.locator(f"[data-test=rectification-{rid}]")
    card.locator("[data-test=answer-rectification]").click()
    card.locator("[data-test=rectification-text]").fill("已在入口和小程序公示免费开放时间及优惠收费项目。")
    card.locator("[data-test=add-document]").click()
    card.locator("[data-test=doc-title]").fill("入口公示照片")
    card.locator("[data-test=doc-url]").fill("https://example.org/jingshan/notice.jpg")
    card.locator("[data-test=submit-rectification]").click()
    page.wait_for_selector("[data-test=rectification-answered]")
    assert card.locator("[data-test=rectification-status]").inner_text() == "已回复"
    assert "入口公示照片" in card.inner_text()

    # 3. A bid on the selection open for bids.
    sid = scene["selection"]["id"]
    page = go(op, "selections", f"[data-test=selection-{sid}] [data-test=bid-form]")
    sel = page.locator(f"[data-test=selection-{sid}]")
    sel.locator("[data-test=bid-price]").fill("880000")
    sel.locator("[data-test=bid-proposal]").fill("延长开放至晚九点；每月八场读书会；少儿阅读专区。")
    sel.locator("[data-test=submit-bid]").click()
    sel.locator("[data-test=my-bid]").wait_for()
    assert "¥880000.00" in sel.locator("[data-test=my-bid]").inner_text()
    assert sel.locator("[data-test=bid-form]").count() == 0

    # 4. A preferential fee for the non-basic service.
    page = go(op, "fees", "[data-test=fee-form] [data-test=fee-guideline]")
    page.select_option("[data-test=fee-facility]", str(FACILITY_ID))
    page.wait_for_selector(f"[data-test=fee-service] option[value='{scene['service']['id']}']", state="attached")
    page.select_option("[data-test=fee-service]", str(scene["service"]["id"]))
    page.fill("[data-test=fee-market]", "100")
    page.fill("[data-test=fee-proposed]", "40")
    page.fill("[data-test=fee-special]", "20")
    page.fill("[data-test=fee-justification]", "按材料费和师资成本测算，低于市场价六成。")
    page.click("[data-test=submit-fee]")
    page.wait_for_selector("[data-test=fee-applied]")
    assert "少儿书法体验课" in page.inner_text("[data-test=fee-applied]")
    assert "少儿书法体验课" in page.inner_text("[data-test=fees-list] li:first-child")
    assert page.inner_text("[data-test=fees-list] li:first-child [data-test=fee-status]") == "待审批"

    # 5. An appeal against the evaluation just published, within its window.
    period = scene["evaluation"]["period"]
    page = go(op, "evaluations", f"[data-test=evaluation-{period}]")
    ev = page.locator(f"[data-test=evaluation-{period}]")
    assert ev.locator("[data-test=evaluation-score]").inner_text().strip() != ""
    ev.locator("[data-test=open-appeal]").click()
    ev.locator("[data-test=appeal-reason]").fill("第三季度有两场活动因暴雨取消，已向街道报备，请复核 KPI 得分。")
    ev.locator("[data-test=submit-appeal]").click()
    page.wait_for_selector("[data-test=appeal-filed]")
    assert ev.locator("[data-test=appeal-status]").inner_text() == "申诉审理中"
    op.screenshot("operator-portal-evaluation")

    # 6. A public reply to a resident's rating of the facility.
    page = go(op, "ratings", "[data-test=ratings] > li")
    page.check("[data-test=unanswered-only]")
    rating = page.locator("[data-test=ratings] > li").first
    rating_id = rating.get_attribute("data-test")
    rating.locator("[data-test=open-reply]").click()
    rating.locator("[data-test=reply-text]").fill("感谢您的意见，周末已增加临时座位。")
    rating.locator("[data-test=submit-reply]").click()
    page.wait_for_selector("[data-test=reply-published]")
    page.uncheck("[data-test=unanswered-only]")
    replied = page.locator(f"[data-test={rating_id}] [data-test=rating-reply-text]")
    assert replied.inner_text() == "感谢您的意见，周末已增加临时座位。"

    # The remaining pages load cleanly too.
    go(op, "cases", "[data-test=cases-desk], .state-empty")
    go(op, "cultivation", "[data-test^=training-]")
    assert not op.errors, op.errors

    # Afterwards, in English and care mode: the same records say what became of them.
    en = spa("demo-operator", width=390, height=844, care=True, locale="en")
    page = en.goto("/operator/evaluations", wait_for=f"[data-test=evaluation-{period}] [data-test=appeal-status]")
    assert "care" in page.evaluate("document.documentElement.className")
    assert page.inner_text(f"[data-test=evaluation-{period}] [data-test=appeal-status]") == "Appeal under review"
    assert en.horizontal_overflow() <= 0
    assert not en.axe(), "serious WCAG violations on the evaluations page in care mode"
    page = en.goto("/operator/rectifications", wait_for=f"[data-test=rectification-{rid}]")
    assert page.inner_text(f"[data-test=rectification-{rid}] [data-test=rectification-status]") == "Responded"
    page = en.goto("/operator/reports", wait_for=f"[data-test=report-{month}]")
    assert "Agrees with the platform" in page.inner_text(f"[data-test=report-{month}]")
    assert not en.axe(), "serious WCAG violations on the reports page in care mode"
    en.screenshot("operator-portal-reports-care-en")
    assert not en.errors, en.errors


def test_check_in_desk_offers_the_camera_only_where_the_browser_can_scan(spa, spa_platform):
    api = Api(spa_platform.url)
    start = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    activity = api.get("/activities", facility_id=FACILITY_ID, **{"from": start, "limit": 1})["items"][0]
    op = spa("demo-operator", width=360, height=780)
    page = op.goto(f"/operator/activities/{activity['id']}", wait_for="[data-test=check-in-code-input]")
    page.wait_for_load_state("networkidle")
    can_scan = page.evaluate(
        "async () => 'BarcodeDetector' in window && !!navigator.mediaDevices?.getUserMedia"
        " && (await BarcodeDetector.getSupportedFormats()).includes('qr_code')"
    )
    assert page.locator("[data-test=scan]").count() == (1 if can_scan else 0)
    # Typed entry stays: an unknown code is refused with the reason in Chinese.
    page.fill("[data-test=check-in-code-input]", "zzzz9999")
    page.click("[data-test=check-in]")
    page.wait_for_selector(".notice-error")
    assert page.input_value("[data-test=check-in-code-input]") == "zzzz9999"
    assert not [e for e in op.errors if "status of 4" not in e], op.errors
