"""Serves the built SPA at `/`: files from its build folder, and index.html for client-side routes.
Until a build exists, a plain page says where the API is (its style a file of its own: the pages'
Content-Security-Policy allows no inline `<style>`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.convertors import Convertor, register_url_convertor

PLACEHOLDER = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>东城区公共文化设施社会化运营平台 · culture-ops</title>
<link rel="stylesheet" href="/_placeholder.css"></head>
<body><main><h1>东城区公共文化设施社会化运营平台</h1>
<p>The platform is running. The web app has not been built on this machine yet
(<code>make run</code> builds it when Node.js is installed).</p>
<ul><li><a href="/api/v1/docs">API documentation</a> (<a href="/api/v1/openapi.json">OpenAPI</a>)</li>
<li><a href="/api/v1/facilities">Facilities</a> · <a href="/readyz">Readiness</a></li></ul></main></body></html>
"""
PLACEHOLDER_CSS = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.6}
a{color:#0b5cad}code{background:#f1f1f1;padding:0 .3em}
"""


class SpaPath(Convertor[str]):
    """Any path except the API's: so the SPA's catch-all never claims an API path (nor its Allow)."""

    regex = "(?!api/|open311/).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("spapath", SpaPath())


def make_spa_router(spa_dir: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    root = spa_dir.resolve()

    @router.get("/{path:spapath}")
    async def spa(path: str, request: Request) -> Response:
        index = root / "index.html"
        if not index.is_file():
            if path == "_placeholder.css":
                return Response(PLACEHOLDER_CSS, media_type="text/css")
            return HTMLResponse(PLACEHOLDER)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            cache = "public, max-age=31536000, immutable" if "/assets/" in f"/{path}" else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return router
