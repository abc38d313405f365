from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

router = APIRouter(include_in_schema=False)


@router.get("/api/v1/openapi.json")
async def merged_openapi(request: Request) -> JSONResponse:
    app = request.app
    doc: dict[str, Any] = await app.state.merged_openapi.document(app.openapi())
    return JSONResponse(doc)


@router.get("/api/v1/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/api/v1/openapi.json", title="culture-ops API")
