"""The API documentation page at `/api/v1/docs`: Swagger UI over the merged OpenAPI, every file
served by the gateway itself (no CDN), under the pages' Content-Security-Policy (no inline script:
the page starts Swagger UI from `docs-init.js`).

Swagger UI's script and style come from the pinned `fastapi-offline` package (the distribution
files of Swagger UI 5, which renders OpenAPI 3.1)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from service_kit.problems import NotFound

SWAGGER_UI = Path(str(files("fastapi_offline") / "static"))
OWN = Path(__file__).resolve().parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": SWAGGER_UI / "swagger-ui-bundle.js",
    "swagger-ui.css": SWAGGER_UI / "swagger-ui.css",
    "favicon.png": SWAGGER_UI / "favicon.png",
    "docs-init.js": OWN / "docs-init.js",
}
BASE = "/api/v1/docs/assets"

PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>culture-ops API</title>
<link rel="stylesheet" href="{BASE}/swagger-ui.css">
<link rel="icon" type="image/png" href="{BASE}/favicon.png">
</head><body>
<div id="swagger-ui" data-openapi-url="/api/v1/openapi.json"></div>
<noscript>The API documentation needs JavaScript; the document itself is at
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
<script src="{BASE}/swagger-ui-bundle.js"></script>
<script src="{BASE}/docs-init.js"></script>
</body></html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/api/v1/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Cache-Control": "no-cache"})


@router.get("/api/v1/docs/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None or not path.is_file():
        raise NotFound(f"No documentation file {name}.")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
