"""The security headers in a real browser: the built SPA and the API docs page run under the
gateway's Content-Security-Policy without one violation, load nothing from another origin, and no
other site can frame them. Every kind of answer the gateway gives carries the headers."""

from __future__ import annotations

import httpx
import pytest

from .spa_fixtures import *  # noqa: F403  (fixtures)
from .spa_fixtures import SpaSession, api_token

# Recorded in the page from its first script on (a violation is also a console error).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _watch(s: SpaSession) -> list[str]:
    """Start recording CSP violations and every request that leaves the platform's origin."""
    s.context.add_init_script(RECORD_VIOLATIONS)
    foreign: list[str] = []
    origin = s.base.rstrip("/")
    s.page.on(
        "request",
        lambda r: foreign.append(r.url) if not r.url.startswith((origin + "/", "data:", "blob:")) else None,
    )
    return foreign


def _violations(s: SpaSession) -> list[str]:
    recorded = s.page.evaluate("window.__csp || []")
    console = [e for e in s.errors if "Content Security Policy" in e or "Refused to" in e]
    return [*recorded, *console]


def _policy(resp: httpx.Response) -> dict[str, str]:
    csp = resp.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in csp.split(";") if part.strip()}


def test_the_resident_home_page_runs_under_the_policy(spa):
    for user in (None, "demo-resident"):
        s = spa(user, width=390)
        foreign = _watch(s)
        page = s.goto("/", wait_for="main")
        page.wait_for_selector("main a[href^='/facilities/'], main [data-test]", timeout=15_000)
        # the map and the list of facilities, as a resident scrolls to them
        page.mouse.wheel(0, 2000)
        page.wait_for_load_state("networkidle")
        assert _violations(s) == [], _violations(s)
        assert foreign == [], foreign
        assert not s.errors, s.errors


def test_the_dashboard_runs_under_the_policy(spa):
    s = spa("demo-official", width=1366, height=900)
    foreign = _watch(s)
    page = s.goto("/dashboard", wait_for="[data-test=tiles]")
    for tab in ("enough", "good"):
        page.click(f"[data-test=tab-{tab}]")
        page.wait_for_selector(f"#panel-{tab}")
        page.wait_for_load_state("networkidle")
    page.wait_for_selector("#panel-good canvas, #panel-good svg, #panel-good table", timeout=15_000)
    assert _violations(s) == [], _violations(s)
    assert foreign == [], foreign
    assert not s.errors, s.errors


def test_the_api_docs_load_from_the_gateway_under_the_policy(spa, spa_platform):
    s = spa(None, width=1366, height=900)
    foreign = _watch(s)
    page = s.goto("/api/v1/docs", wait_for=".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 100, "every operation of the merged API is listed"
    s.screenshot("api-docs")
    page.locator(".swagger-ui .opblock-summary").first.click()
    page.wait_for_load_state("networkidle")
    assert _violations(s) == [], _violations(s)
    assert foreign == [], "Swagger UI comes from the gateway, not a CDN: " + ", ".join(foreign)
    scripts = page.eval_on_selector_all("script", "els => els.map((e) => e.src || 'inline')")
    assert scripts and all(src.startswith(spa_platform.url + "/api/v1/docs/assets/") for src in scripts), scripts
    assert not s.errors, s.errors


def test_no_other_site_can_frame_the_platform(spa, spa_platform):
    s = spa(None, width=800)
    blocked: list[str] = []
    s.page.on("console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None)
    # a page of another origin (about:blank) that tries to show the platform inside itself
    s.page.set_content(f'<iframe id="f" src="{spa_platform.url}/" width="600" height="400"></iframe>')
    s.page.wait_for_timeout(1500)
    frame = s.page.frame_locator("#f")
    assert frame.locator("#app").count() == 0, "the platform rendered inside another site's frame"
    assert blocked, "the browser refused the frame because of frame-ancestors"


@pytest.mark.parametrize(
    ("path", "headers", "kind"),
    [
        ("/", {}, "page"),
        ("/dashboard", {}, "page"),
        ("/api/v1/docs", {}, "page"),
        ("/api/v1/openapi.json", {}, "api"),
        ("/api/v1/facilities", {}, "api"),  # forwarded from facilities-api
        ("/api/v1/nothing-here", {}, "api"),  # the gateway's own 404
        ("/api/v1/me", {}, "api"),  # 401
        ("/api/v1/facilities", {"X-API-Key": "cok_not-a-key"}, "api"),  # the edge's refusal
    ],
)
def test_every_kind_of_answer_carries_the_headers(spa_platform, path, headers, kind):
    resp = httpx.get(spa_platform.url + path, headers=headers, timeout=10)
    policy = _policy(resp)
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["referrer-policy"] == "same-origin"
    assert "camera=(self)" in resp.headers["permissions-policy"]
    assert "strict-transport-security" not in resp.headers, "not over plain HTTP"
    if kind == "page":
        assert policy["script-src"] == "script-src 'self'"
        assert policy["object-src"] == "object-src 'none'"
    else:
        assert policy["default-src"] == "default-src 'none'"


def test_answers_to_signed_in_requests_are_not_stored(spa_platform):
    token = api_token(spa_platform, "demo-resident")["access_token"]
    resp = httpx.get(spa_platform.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-store"
