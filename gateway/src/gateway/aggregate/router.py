from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(include_in_schema=False)


@router.get("/api/v1/openapi.json")
async def merged_openapi(request: Request) -> JSONResponse:
    app = request.app
    doc: dict[str, Any] = await app.state.merged_openapi.document(app.openapi())
    return JSONResponse(doc)
