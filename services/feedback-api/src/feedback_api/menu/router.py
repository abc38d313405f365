from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from feedback_api.dependencies import ClockDep, OfficialDep, ResidentDep
from feedback_api.menu import service
from feedback_api.menu.domain import RoundView
from feedback_api.menu.schemas import RoundCreate, RoundRead, VoteCreate
from service_kit.auth import Principal, viewer
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/menu-rounds", tags=["demand"])
STEP_ERRORS = problems(401, 403, 404, 409, 412, 422, 428)


def _read(response: Response, view: RoundView) -> RoundRead:
    """The round as its viewer sees it, with the ETag of the version it holds."""
    set_etag(response, view.round.version)
    return RoundRead.of(view)


@router.post(
    "",
    response_model=RoundRead,
    status_code=201,
    summary="Draft a menu round with its items (officials)",
    responses=problems(401, 403, 415, 422),
)
async def create_round(
    body: RoundCreate,
    response: Response,
    session: SessionDep,
    principal: OfficialDep,
    clock: ClockDep,
) -> RoundRead:
    view = await service.create(session, principal=principal, data=body, clock=clock)
    response.headers["Location"] = f"/api/v1/menu-rounds/{view.round.id}"
    return _read(response, view)


@router.get(
    "",
    response_model=Page[RoundRead],
    summary="Menu rounds, newest first (drafts: officials only)",
    responses=problems(401, 422),
)
async def list_rounds(
    session: SessionDep,
    reader: Annotated[Principal | None, viewer()],
    clock: ClockDep,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[RoundRead]:
    found = await service.list_rounds(
        session, viewer=reader, cursor=page.cursor, limit=page.limit, clock=clock
    )
    return Page[RoundRead](
        items=[RoundRead.of(v) for v in found.items], next_cursor=found.next_cursor
    )


@router.get(
    "/{round_id}",
    response_model=RoundRead,
    summary="One menu round; its results once published",
    responses=problems(401, 404, 422),
)
async def get_round(
    round_id: ResourceId,
    response: Response,
    session: SessionDep,
    reader: Annotated[Principal | None, viewer()],
    clock: ClockDep,
) -> RoundRead:
    view = await service.get(session, round_id=round_id, viewer=reader, clock=clock)
    return _read(response, view)


for _action, _status, _summary in (
    ("open", "open", "Open a drafted round for voting (officials; If-Match)"),
    ("close", "closed", "Close voting (officials; If-Match)"),
    (
        "publish",
        "published",
        "Publish the results and announce them to planning (officials; If-Match)",
    ),
):

    def _make(to_status: str) -> Callable[..., Awaitable[RoundRead]]:
        async def step(
            round_id: ResourceId,
            if_match: IfMatchDep,
            response: Response,
            session: SessionDep,
            principal: OfficialDep,
            clock: ClockDep,
        ) -> RoundRead:
            view = await service.move(
                session,
                if_match=if_match,
                principal=principal,
                round_id=round_id,
                to_status=to_status,
                clock=clock,
            )
            return _read(response, view)

        step.__name__ = f"{to_status}_round"
        return step

    router.add_api_route(
        f"/{{round_id}}/{_action}",
        _make(_status),
        methods=["POST"],
        response_model=RoundRead,
        summary=_summary,
        responses=STEP_ERRORS,
    )


@router.post(
    "/{round_id}/votes",
    response_model=RoundRead,
    status_code=201,
    summary="Vote for an item while voting is open (residents; at most max_choices votes)",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def vote(
    round_id: ResourceId,
    body: VoteCreate,
    session: SessionDep,
    principal: ResidentDep,
    clock: ClockDep,
) -> RoundRead:
    view = await service.vote(
        session,
        principal=principal,
        round_id=round_id,
        item_id=body.item_id,
        community=body.community,
        clock=clock,
    )
    return RoundRead.of(view)


@router.delete(
    "/{round_id}/votes/{item_id}",
    status_code=204,
    summary="Withdraw a vote while voting is open",
    responses=problems(401, 403, 404, 409, 422),
)
async def withdraw_vote(
    round_id: ResourceId,
    item_id: ResourceId,
    session: SessionDep,
    principal: ResidentDep,
    clock: ClockDep,
) -> Response:
    await service.withdraw(
        session, principal=principal, round_id=round_id, item_id=item_id, clock=clock
    )
    return Response(status_code=204)
