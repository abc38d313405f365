"""Fixtures for the SPA's end-to-end tests: the platform as `make run` starts it (real processes of
the three services and the gateway, every demo seed loaded) serving the built SPA, and Debian's
Chromium driven by Playwright for Python.

Import the fixtures from a test module with ``from .spa_fixtures import *``.

Needs: ``frontend/dist`` built (``make test`` builds it first), ``/usr/bin/chromium`` (Debian
packages ``chromium`` and ``chromium-driver``; ``.ci/run`` installs them) and the ``playwright``
pip package (its bundled driver only: browsers are never downloaded). Without them the tests skip
and say why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service_kit.testing import fresh_database_url

from .conftest import SERVICES, Platform, free_port

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "spa"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "demo-password"
#: Seeds in the order `make seed` runs them (SPA_E2E_SEEDS=a,b narrows it while one is being reworked).
SEEDS = tuple(
    filter(None, os.environ.get("SPA_E2E_SEEDS", "operators_api,facilities_api,feedback_api,gateway").split(","))
)

__all__ = [
    "ARTIFACTS",
    "AXE",
    "SpaSession",
    "api_token",
    "chromium_browser",
    "require_routes",
    "spa",
    "spa_platform",
    "wait_until",
]


# One platform and one browser for the whole run, however many test modules import these fixtures
# (each `import *` defines its own fixture objects, and a second Playwright in one thread fails).
_shared: dict[str, Any] = {}


def _missing(reason: str) -> None:
    """In CI everything the browser tests need is installed by .ci/run: a gap there is a failure.
    On a developer's machine without Chromium the tests say what is missing and skip."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _start_platform(tmp_path_factory) -> Platform:
    if os.environ.get("TEST_DATABASE_URL") and not os.environ.get("SPA_E2E_ON_POSTGRES"):
        # The browser tests exercise the SPA, which does not care which database the services use;
        # `make test` runs them in its SQLite pass (SPA_E2E_ON_POSTGRES=1 runs them here too).
        pytest.skip("SPA browser tests run in the SQLite pass of make test")
    if not (DIST / "index.html").is_file():
        _missing("frontend/dist is not built (make test builds it when Node.js is installed)")
    logs = tmp_path_factory.mktemp("spa-platform-logs")
    ports = {name: free_port() for name in SERVICES}
    env = {k: v for k, v in os.environ.items() if not k.startswith(tuple(p for _, p in SERVICES.values()))}
    env["PYTHONUNBUFFERED"] = "1"
    for name, (_module, prefix) in SERVICES.items():
        env[f"{prefix}DATABASE_URL"] = fresh_database_url(f"spa_{name}")
        env[f"{prefix}ENVIRONMENT"] = "development"
        for other in ("facilities", "operators", "feedback"):
            env[f"{prefix}{other.upper()}_URL"] = f"http://127.0.0.1:{ports[other]}"
    env["GATEWAY_SPA_DIR"] = str(DIST)
    # Every test signs in a few times and loads a dozen files per page: one browser is not an abuser.
    env["GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE"] = "100000"
    env["GATEWAY_RATE_LIMIT_PER_MINUTE"] = "100000"
    for module, _ in SERVICES.values():
        subprocess.run([sys.executable, "-m", module, "migrate"], env=env, check=True, capture_output=True)
    for module in SEEDS:
        done = subprocess.run([sys.executable, "-m", module, "seed-demo"], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{module} seed-demo failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    p = Platform(root=ROOT, env=env, ports=ports, logs=logs)
    try:
        for name in SERVICES:
            p.start(name)
    except Exception:
        _stop_platform(p)
        raise
    return p


def _stop_platform(p: Platform) -> None:
    for name in list(p.procs):
        p.stop(name)


@pytest.fixture(scope="session")
def spa_platform(tmp_path_factory) -> Iterator[Platform]:
    """The platform with demo data from every seed, serving frontend/dist at `/`."""
    if "platform" not in _shared:
        _shared["platform"] = _start_platform(tmp_path_factory)
    yield _shared["platform"]
    p = _shared.pop("platform", None)
    if p is not None:
        _stop_platform(p)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    if "browser" not in _shared:
        if not Path(CHROMIUM).exists():
            _missing(f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)")
        try:
            from playwright import sync_api
        except ImportError:
            _missing("pip install playwright (its driver only)")
        pw = sync_api.sync_playwright().start()
        _shared["playwright"] = pw
        _shared["browser"] = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield _shared["browser"]
    b = _shared.pop("browser", None)
    if b is not None:
        b.close()
        _shared.pop("playwright").stop()


def api_token(platform: Platform, username: str) -> dict[str, str]:
    resp = httpx.post(
        f"{platform.url}/api/v1/auth/token", data={"username": username, "password": PASSWORD}, timeout=10
    )
    resp.raise_for_status()
    return resp.json()


class SpaSession:
    """One browser context: a phone or a desktop, a language, care mode on or off, signed in or not.
    Console errors and failed API calls are collected, so a test can say the page ran cleanly."""

    def __init__(
        self, browser: Any, platform: Platform, *, width: int, height: int, user: str | None, care: bool, locale: str
    ):
        self.platform = platform
        self.base = platform.url
        self.context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="zh-CN" if locale == "zh-CN" else "en-GB",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            device_scale_factor=1,
        )
        init = {"culture-ops.care": "1" if care else "0", "culture-ops.locale": locale}
        if user:
            init["culture-ops.refresh"] = api_token(platform, user)["refresh_token"]
        # Only on the first document of the context: a test that changes them later keeps its change.
        self.context.add_init_script(
            "if (!sessionStorage.getItem('e2e-init')) { sessionStorage.setItem('e2e-init', '1');"
            + "".join(f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in init.items())
            + "}"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)

    def goto(self, path: str, *, wait_for: str | None = None) -> Any:
        self.page.goto(self.base + path)
        if wait_for:
            self.page.wait_for_selector(wait_for)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def axe(self, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
        """Serious and critical WCAG 2.1 A/AA violations on the current page."""
        if not AXE.is_file():
            _missing("frontend/node_modules/axe-core is missing (npm ci in frontend/)")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the browser's debugging protocol, not added as a <script> element: the
            # gateway's Content-Security-Policy (script-src 'self') refuses inline scripts, as it should.
            self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
        result = self.page.evaluate(
            """async (exclude) => {
                const context = exclude.length ? { exclude: exclude.map((s) => [s]) } : document;
                const r = await axe.run(context, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
                return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
            }""",
            exclude or [],
        )
        return [v for v in result if v["impact"] in ("serious", "critical")]

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0 when nothing sticks out)."""
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def spa(chromium_browser, spa_platform) -> Iterator[Callable[..., SpaSession]]:
    """``spa(user="demo-resident", width=390, care=False, locale="zh-CN")`` → a SpaSession."""
    sessions: list[SpaSession] = []

    def make(
        user: str | None = None, *, width: int = 390, height: int = 844, care: bool = False, locale: str = "zh-CN"
    ) -> SpaSession:
        s = SpaSession(chromium_browser, spa_platform, width=width, height=height, user=user, care=care, locale=locale)
        sessions.append(s)
        return s

    yield make
    for s in sessions:
        s.close()


def require_routes(platform: Platform, *paths: str) -> None:
    """Fail, naming them, when the gateway does not forward these API paths to their service: the
    service has the API, and the gateway's routing table (gateway/proxy/routing.py) must name it."""
    token = api_token(platform, "demo-official")["access_token"]
    missing = []
    for path in paths:
        resp = httpx.get(f"{platform.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        if resp.status_code == 404 and "Nothing is at" in resp.text:
            missing.append(path)
    assert not missing, f"the gateway does not route {', '.join(missing)}: no service publishes it in its OpenAPI"


def wait_for_js(page: Any, expression: str, arg: Any = None, timeout: float = 30.0) -> Any:
    """Poll a JavaScript expression (or `arg => …` function) from here until it is truthy. Playwright's own
    wait_for_function evaluates its predicate with eval inside the page, which the platform's
    Content-Security-Policy (no 'unsafe-eval') rightly refuses; page.evaluate goes through the debugging
    protocol and is not."""
    return wait_until(lambda: page.evaluate(expression, arg), timeout=timeout)


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")
