"""Security headers on every answer the gateway gives (its own, the edge's, the proxy's), and the
API docs page served from the gateway itself. The SPA's run under the policy in a real browser is
in tests/e2e/test_spa_security_headers.py."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from gateway.main import create_app
from gateway.security import SecurityHeaders, page_csp
from service_kit.app import start_runtime, stop_runtime
from service_kit.testing import rolled_back_sessionmaker


def _policy(resp: httpx.Response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in resp.headers["content-security-policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _common(resp: httpx.Response) -> None:
    assert _policy(resp)["frame-ancestors"] == ["'none'"]
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["referrer-policy"] == "same-origin"
    assert resp.headers["cross-origin-opener-policy"] == "same-origin"
    assert "microphone=()" in resp.headers["permissions-policy"]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/v1/me", {}, 401),  # the gateway's own app
        ("/api/v1/nothing", {}, 503),  # the proxy: no service has published its routes (none listens)
        ("/api/v1/facilities", {}, 503),
        ("/api/v1/facilities", {"X-API-Key": "cok_not-a-key"}, 401),  # the edge
        ("/healthz", {}, 200),
    ],
)
async def test_every_answer_that_is_not_a_page_may_load_nothing(gateway, path, headers, status):
    resp = await gateway.get(path, headers=headers)
    assert resp.status_code == status
    _common(resp)
    assert _policy(resp)["default-src"] == ["'none'"]


async def test_pages_may_load_only_from_the_gateway(gateway):
    resp = await gateway.get("/")  # the placeholder page (no SPA built in these tests)
    assert resp.headers["content-type"].startswith("text/html")
    _common(resp)
    policy = _policy(resp)
    assert policy["script-src"] == ["'self'"], "no inline script, no eval, no other origin"
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-inline'" not in policy["style-src-elem"]


async def test_the_docs_page_loads_its_scripts_from_the_gateway(gateway):
    resp = await gateway.get("/api/v1/docs")
    assert resp.status_code == 200
    assert _policy(resp)["script-src"] == ["'self'"]
    html = resp.text
    assert "<script>" not in html, "no inline script: the policy would block it"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/api/v1/") for s in sources), sources
    for src in re.findall(r'src="([^"]+)"', html) + re.findall(r'stylesheet" href="([^"]+)"', html):
        asset = await gateway.get(src)
        assert asset.status_code == 200, src
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript", "text/css")
        assert asset.headers["x-content-type-options"] == "nosniff"
    bundle = await gateway.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    version = re.search(rb'PACKAGE_VERSION:"(\d+)\.', bundle.content)
    assert version and int(version.group(1)) >= 5, "Swagger UI 5 renders OpenAPI 3.1"
    assert (await gateway.get("/api/v1/docs/assets/..%2Fsettings.py")).status_code == 404
    assert (await gateway.get("/api/v1/docs/assets/nothing.js")).status_code == 404


async def test_answers_to_requests_with_credentials_are_not_stored(gateway, bearer):
    resp = await gateway.get("/api/v1/me", headers=bearer("resident"))
    assert resp.headers["cache-control"] == "no-store"
    assert "cache-control" not in (await gateway.get("/healthz")).headers


async def test_hsts_only_over_https(gateway):
    assert "strict-transport-security" not in (await gateway.get("/healthz")).headers
    async with httpx.AsyncClient(transport=gateway._transport, base_url="https://testserver") as tls:
        resp = await tls.get("/healthz")
    assert resp.headers["strict-transport-security"] == "max-age=31536000"


async def test_hsts_behind_a_trusted_proxy_that_terminated_tls(settings, engine):
    settings = settings.model_copy(update={"trust_forwarded": True})
    app = create_app(settings)
    inner = app
    async with rolled_back_sessionmaker(engine) as maker:
        inner.state.engine, inner.state.sessionmaker = engine, maker
        await start_runtime(inner)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                behind = await c.get("/healthz", headers={"X-Forwarded-Proto": "https"})
                plain = await c.get("/healthz", headers={"X-Forwarded-Proto": "http"})
        finally:
            await stop_runtime(inner)
    assert behind.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in plain.headers


async def test_the_map_tile_server_is_allowed_as_an_image_source(settings, tmp_path):
    spa = tmp_path / "dist"
    spa.mkdir()
    (spa / "index.html").write_text("<!doctype html><title>x</title>")
    (spa / "config.json").write_text(json.dumps({"tileUrl": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}))
    app = create_app(settings.model_copy(update={"spa_dir": str(spa), "csp_img_sources": "https://maps.example.net"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        policy = (await c.get("/")).headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://*.tiles.example.org https://maps.example.net;" in policy
    assert "script-src 'self';" in policy


async def test_headers_from_behind_cannot_weaken_the_policy():
    async def weak(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-security-policy", b"script-src *"),
                    (b"X-Frame-Options", b"ALLOWALL"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"<p>hi</p>"})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=SecurityHeaders(weak)), base_url="http://t") as c:
        resp = await c.get("/")
    assert resp.headers.get_list("content-security-policy") == [page_csp()]
    assert resp.headers.get_list("x-frame-options") == ["DENY"]


async def test_the_placeholder_page_keeps_its_style_under_the_policy(gateway):
    page = await gateway.get("/")
    assert "<style" not in page.text, "an inline <style> element would be blocked"
    (href,) = re.findall(r'stylesheet" href="([^"]+)"', page.text)
    css = await gateway.get(href)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "font-family" in css.text
