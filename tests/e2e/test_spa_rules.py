"""The rules that bind the operator, in a real browser against the real services: the operator can
only propose that a basic service become chargeable, and a district official decides it in the
workbench; sign-up refuses a common password in the resident's language."""

from __future__ import annotations

import uuid

from .spa_fixtures import *  # noqa: F403  (fixtures)
from .spa_fixtures import api_token
from .spa_pages import Api

FACILITY_ID = 114  # 美后肆时景山市民文化中心, run by demo-operator


def test_operator_proposes_a_service_change_and_the_district_decides(spa, spa_platform):
    official = Api(spa_platform.url, api_token(spa_platform, "demo-official")["access_token"])
    services = official.get(f"/facilities/{FACILITY_ID}/services")
    services = services if isinstance(services, list) else services["items"]
    basic = next(s for s in services if s["basic"])

    # The operator would gain by making its basic service chargeable: the page only lets it propose.
    operator = spa("demo-operator", width=1024, height=900)
    page = operator.goto("/operator/services", wait_for=f"[data-test=service-{basic['id']}]")
    assert "基本服务" in page.inner_text(f"[data-test=service-{basic['id']}] [data-test=service-basic]")
    page.click(f"[data-test=propose-change-{basic['id']}]")
    page.check("[data-test=proposal-nonbasic]")
    page.fill("[data-test=proposal-reason]", "开设收费进阶课程，需要收取材料费。")
    page.click("[data-test=proposal-submit]")
    page.wait_for_selector("[data-test=proposal-sent]")
    # Nothing changed yet: the service is still basic until a district official decides.
    again = official.get(f"/facilities/{FACILITY_ID}/services")
    again = again if isinstance(again, list) else again["items"]
    assert next(s for s in again if s["id"] == basic["id"])["basic"] is True
    pending = official.get("/service-proposals", status="pending")["items"]
    proposal = next(p for p in pending if p["service_id"] == basic["id"] and p["changes"].get("basic") is False)

    # The district official rejects it in the workbench, with the reason.
    desk = spa("demo-official", width=1280, height=900)
    page = desk.goto("/workbench/services", wait_for=f"[data-test=service-proposal-{proposal['id']}]")
    card = page.locator(f"[data-test=service-proposal-{proposal['id']}]")
    assert "设为非基本服务" in card.locator("[data-test=proposal-changes]").inner_text()
    card.locator("[data-test=decision-reason]").fill("基本公共文化服务应当免费，不同意调整。")
    card.locator("[data-test=decide-reject]").click()
    page.wait_for_selector("[data-test=proposal-message]")
    assert not desk.axe(), "serious WCAG violations on the service-catalogue page"

    # The operator reads the answer beside its proposal.
    page = operator.goto("/operator/services", wait_for=f"[data-test=proposal-{proposal['id']}]")
    assert page.inner_text(f"[data-test=proposal-{proposal['id']}] [data-test=proposal-status]") == "未同意"
    assert "不同意调整" in page.inner_text(f"[data-test=proposal-{proposal['id']}]")
    assert not operator.errors, operator.errors
    assert not desk.errors, desk.errors


def test_sign_up_refuses_a_common_password_in_the_residents_language(spa):
    s = spa()
    page = s.goto("/signup", wait_for="[data-test=signup-submit]")
    page.fill("#su-name", "王阿姨")
    page.fill("#su-user", f"e2e{uuid.uuid4().hex[:8]}")
    page.fill("#su-pass", "password123")
    page.click("[data-test=signup-submit]")
    page.wait_for_selector(".notice-error")
    assert "最常见的密码" in page.inner_text(".notice-error")
    assert page.locator("[data-test=sign-out]").count() == 0
