"""The officials' workbench in a real browser against the real services: a selection from draft to
award (the bid comes from the demo operator through the API), an inspection ordering a
rectification, a fee approval, a moderation decision and the audit log exported as CSV, each
checked by what the page shows afterwards; then the result read in English in care mode on a
phone, and an auditor's read-only view.

The services run on the real clock, so the selection's bidding window is set to close a minute
or so ahead; the other tasks are done while it runs."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .spa_fixtures import *  # noqa: F403  (fixtures)
from .spa_fixtures import api_token, require_routes, wait_for_js
from .spa_pages import Api

DISTRICT = ZoneInfo("Asia/Shanghai")
OPERATOR_NAME = "美后肆时文化发展有限公司"


@pytest.fixture
def workbench_routed(spa_platform):
    require_routes(
        spa_platform, "/selections", "/inspections/checklist", "/fee-applications", "/moderation/queue", "/audit-log"
    )


class Workbench:
    """What an official does on the workbench's pages, by their labels and test ids."""

    def __init__(self, s) -> None:
        self.s = s
        self.page = s.page

    def open(self, section: str, wait_for: str) -> None:
        self.s.goto(f"/workbench/{section}", wait_for=wait_for)

    def decide(self, scope: str, value: str, reason: str) -> None:
        form = self.page.locator(scope)
        form.locator("[data-test=decision-reason]").first.fill(reason)
        form.locator(f"[data-test=decide-{value}]").first.click()

    def selection_status(self) -> str:
        return self.page.inner_text("[data-test=selection-status]").strip()

    def move_selection(self, status: str, reason: str, expect: str) -> None:
        self.decide("[data-test=selection-status-form]", status, reason)
        wait_for_js(
            self.page, "t => document.querySelector('[data-test=selection-status]')?.textContent.trim() === t", expect
        )


def test_official_runs_the_workbench_tasks(spa, spa_platform, workbench_routed):
    s = spa("demo-official", width=1366, height=900)
    wb = Workbench(s)
    page = s.page
    operator = Api(spa_platform.url, api_token(spa_platform, "demo-operator")["access_token"])

    # 1. A new selection, published and open for bids; bidding closes a minute or so from now.
    now = datetime.now(DISTRICT)
    closes = (now + timedelta(seconds=45)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    title = f"景山街道阅读空间社会化运营服务项目（端到端 {now:%H%M%S}）"
    wb.open("selections", "[data-test=new-selection]")
    page.click("[data-test=new-selection]")
    wait_for_js(page, "document.querySelectorAll('[data-test=sf-facilities] option').length > 10")
    page.fill("[data-test=sf-title]", title)
    page.select_option("[data-test=sf-method]", "single_source")
    page.fill("[data-test=sf-budget]", "10000")
    page.select_option("[data-test=sf-facilities]", ["114"])
    page.fill("[data-test=sf-opens]", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[data-test=sf-closes]", closes.strftime("%Y-%m-%dT%H:%M"))
    assert "100 / 100" in page.inner_text("[data-test=sf-weight-sum]")
    page.click("[data-test=sf-submit]")
    page.wait_for_selector("[data-test=selection-desk]")
    assert title in page.inner_text("[data-test=selection-title]")
    assert wb.selection_status() == "草稿"
    selection_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    wb.move_selection("published", "发布遴选公告", "已发布")
    wb.move_selection("bidding", "开始接受投标", "投标中")
    assert "投标截止前标书密封" in page.inner_text("[data-test=selection-desk]")
    bid = operator.post(
        f"/selections/{selection_id}/bids", {"price_fen": 900_000, "proposal_summary": "阅读推广与社区共读方案"}
    )

    # 2. An inspection of the demo operator's centre orders a rectification with a deadline.
    wb.open("inspections", "[data-test=new-inspection]")
    page.click("[data-test=new-inspection]")
    page.wait_for_selector("[data-test=in-item-opening_hours]")
    page.select_option("[data-test=in-contract]", "3")
    assert page.input_value("[data-test=in-facility]") == "114"
    item = page.locator("[data-test=in-item-opening_hours]")
    item.locator("[data-test=in-score]").fill("9")
    finding = f"端到端督查：周末开放时间未公示（{now:%H%M%S}）"
    item.locator("[data-test=in-finding]").fill(finding)
    item.get_by_role("button", name="据此下达整改").click()
    page.fill("[data-test=order-action]", "三日内在入口公示周末开放时间")
    page.click("[data-test=in-submit]")
    page.wait_for_selector("[data-test=inspection-recorded]")
    assert "下达整改 1 项" in page.inner_text("[data-test=inspection-recorded]")
    page.wait_for_selector(f"[data-test=rectifications-table] >> text={finding}")
    row = page.locator("[data-test=rectifications-table] tbody tr", has_text=finding)
    assert "待整改" in row.inner_text()

    # 3. The fee application awaiting a decision is approved, with the reason.
    wb.open("fees", "[data-test=fees-table]")
    card = page.locator("li[data-test^=fee-]").first
    card_id = card.get_attribute("data-test")
    service = card.locator("h3").inner_text().split(" · ")[0]
    fee_reason = f"符合优惠收费指南（端到端 {now:%H%M%S}）"
    wb.decide(f"li[data-test={card_id}]", "approved", fee_reason)
    page.wait_for_selector("[data-test=fee-message]")
    assert f"已批准“{service}”" in page.inner_text("[data-test=fee-message]")
    # It leaves the queue (other tests may have left applications of their own waiting).
    page.wait_for_selector(f"li[data-test={card_id}]", state="detached")
    assert fee_reason in page.inner_text("[data-test=fees-table]")

    # 4. A comment that tripped the filter is rejected, with the reason.
    wb.open("moderation", "li[data-test^=rating-]")
    first = page.locator("li[data-test^=rating-]").first
    rating_test_id = first.get_attribute("data-test")
    before = page.locator("li[data-test^=rating-]").count()
    wb.decide(f"[data-test={rating_test_id}]", "reject_comment", "辱骂工作人员，不予公开")
    page.wait_for_selector("[data-test=moderation-message]")
    assert "评论未通过" in page.inner_text("[data-test=moderation-message]")
    page.wait_for_selector(f"[data-test={rating_test_id}]", state="detached")
    assert page.locator("li[data-test^=rating-]").count() == before - 1

    # 5. The audit log, filtered to fee approvals, exported as CSV: the decision is in it.
    wb.open("audit", "[data-test=audit-table] tbody tr")
    page.select_option("[data-test=audit-type]", "fee_application")
    page.fill("[data-test=audit-action]", "approved")
    page.click("[data-test=audit-apply]")
    page.wait_for_selector(f"[data-test=audit-table] >> text={fee_reason}")
    with page.expect_download() as got:
        page.locator("[data-test=audit-table]").get_by_role("button", name="导出 CSV").click()
    assert got.value.suggested_filename == "audit-log.csv"
    rows = list(csv.reader(io.StringIO(open(got.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["日期", "对象", "操作"]
    assert any(fee_reason in r and "approved" in r for r in rows[1:]), rows
    assert all(r[2] == "approved" for r in rows[1:])

    # 6. Bidding has closed by now (or is about to): open the bids, join the panel, declare, score, award.
    s.goto(f"/workbench/selections/{selection_id}", wait_for="[data-test=selection-desk]")
    page.wait_for_selector("[data-test=selection-status-form]")
    time.sleep(max(0.0, (closes - datetime.now(DISTRICT)).total_seconds() + 1))
    wb.move_selection("evaluating", "投标截止，开标", "评审中")
    page.wait_for_selector(f"[data-test=bids-table] >> text={OPERATOR_NAME}")
    page.click("[data-test=join-panel]")
    page.wait_for_selector("[data-test=declaration-form]")
    page.click("[data-test=declare]")
    sheet = page.locator(f"[data-test=score-sheet-{bid['id']}]")
    sheet.wait_for()
    sheet.locator("[data-test=score-service_plan]").fill("35.5")
    sheet.locator("[data-test=score-team]").fill("28")
    sheet.locator("[data-test=submit-scores]").click()
    page.wait_for_selector("[data-test=scores-saved]")
    # The only bid has the lowest price: the full 30 price points, plus the panel's 35.50 and 28.00.
    page.wait_for_selector("[data-test=ranking-table] >> text=93.50")
    assert page.locator("[data-test=scoring-missing]").count() == 0
    wb.decide("[data-test=award-form]", "award", "综合得分第一，方案可行")
    page.wait_for_selector("[data-test=award-result]")
    assert f"已授予 {OPERATOR_NAME}，总分 93.50" in page.inner_text("[data-test=award-result]")
    assert wb.selection_status() == "已授予"
    assert page.locator("[data-test=award-form]").count() == 0
    assert not s.errors, s.errors

    # 7. The same selection in English and care mode on a phone: readable, nothing sticks out.
    en = spa("demo-official", width=390, height=844, care=True, locale="en")
    en.goto(f"/workbench/selections/{selection_id}", wait_for="[data-test=award-result]")
    assert f"Awarded to {OPERATOR_NAME}, total 93.50" in en.page.inner_text("[data-test=award-result]")
    assert en.page.evaluate("document.documentElement.classList.contains('care')")
    assert en.horizontal_overflow() == 0
    assert en.axe() == []
    en.goto("/workbench/audit", wait_for="[data-test=audit-table] tbody tr")
    assert "Audit log" in en.page.inner_text("h1")
    assert en.horizontal_overflow() == 0
    en.screenshot("workbench-selection-en-care")
    assert not en.errors, en.errors


def test_an_auditor_reads_the_workbench_but_cannot_act(spa, workbench_routed):
    s = spa("demo-auditor", width=1366, height=900)
    page = s.goto("/workbench/fees", wait_for="[data-test=fees-table] tbody tr")
    assert "审计账号只读" in page.inner_text("[data-test=read-only]")
    assert page.locator("[data-test^=decide-]").count() == 0
    page = s.goto("/workbench/inspections", wait_for="[data-test=rectifications-table] tbody tr")
    assert page.locator("[data-test=new-inspection]").count() == 0
    assert page.locator("[data-test^=handle-rect-]").count() == 0
    assert s.axe() == []
    assert not s.errors, s.errors
