from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from operators_api.dependencies import ClockDep
from operators_api.ocds.service import stream_package
from service_kit.urls import public_url

router = APIRouter(prefix="/api/v1/ocds", tags=["open contracting"])

RELEASE_PACKAGE_SCHEMA = "https://standard.open-contracting.org/1.1/en/release-package-schema.json"


@router.get(
    "/releases",
    summary="Every selection and contract as an OCDS 1.1 release package (open data; no sign-in)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": f"An OCDS 1.1 release package ({RELEASE_PACKAGE_SCHEMA})",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def releases(request: Request, clock: ClockDep) -> StreamingResponse:
    state = request.app.state
    body = stream_package(state.sessionmaker, uri=public_url(request), published=clock.now(), settings=state.settings)
    return StreamingResponse(body, media_type="application/json", headers={"Cache-Control": "public, max-age=60"})
