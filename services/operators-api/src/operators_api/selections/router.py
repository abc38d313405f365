from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from operators_api.clients import facility_subdistricts, unknown_facilities
from operators_api.dependencies import ClockDep
from operators_api.gates import BidSubmitter, Evaluator, Official, Person, Viewer
from operators_api.selections import service
from operators_api.selections.repository import SelectionFilter
from operators_api.selections.schemas import (
    AwardCreate,
    BidCreate,
    BidRead,
    BidUpdate,
    Declaration,
    Method,
    PanelMemberCreate,
    PanelMemberRead,
    RankingRead,
    Reason,
    ScoreSheet,
    ScoreSheetRead,
    SelectionCreate,
    SelectionRead,
    SelectionStatus,
    SelectionStatusChange,
    SelectionUpdate,
)
from service_kit.auth import Principal, require_roles
from service_kit.db import SessionDep
from service_kit.etag import IfMatchDep, set_etag
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/selections", tags=["selections"])


@router.get(
    "",
    response_model=Page[SelectionRead],
    summary="Find selections (遴选); drafts only for officials and auditors",
    responses=problems(401, 422),
)
async def list_selections(
    session: SessionDep,
    viewer: Viewer,
    page: Annotated[PageParams, Depends(page_params)],
    status: SelectionStatus | None = None,
    method: Method | None = None,
    facility_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
) -> Page[SelectionRead]:
    filters = SelectionFilter(status=status, method=method, facility_id=facility_id)
    found = await service.list_selections(session, viewer=viewer, filters=filters, cursor=page.cursor, limit=page.limit)
    return Page(items=[SelectionRead.of(v) for v in found.items], next_cursor=found.next_cursor)


@router.post(
    "",
    response_model=SelectionRead,
    status_code=201,
    summary="Open a selection as a draft (officials; a subdistrict official for their subdistrict)",
    responses=problems(401, 403, 409, 422, 503),
)
async def create_selection(
    body: SelectionCreate,
    request: Request,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    response: Response,
) -> SelectionRead:
    view = await service.create_selection(
        session,
        principal=principal,
        clock=clock,
        data=body,
        unknown_facilities=unknown_facilities(request),
        subdistricts_of=facility_subdistricts(request),
    )
    response.headers["Location"] = f"/api/v1/selections/{view.selection.id}"
    set_etag(response, view.selection.version)
    return SelectionRead.of(view)


@router.get("/{selection_id}", response_model=SelectionRead, responses=problems(401, 404))
async def get_selection(
    selection_id: ResourceId, session: SessionDep, viewer: Viewer, response: Response
) -> SelectionRead:
    view = await service.get_selection(session, selection_id=selection_id, viewer=viewer)
    set_etag(response, view.selection.version)
    return SelectionRead.of(view)


@router.patch(
    "/{selection_id}",
    response_model=SelectionRead,
    summary="Edit a draft selection (merge patch; send If-Match)",
    responses=problems(401, 403, 404, 409, 412, 422, 428, 503),
)
async def update_selection(
    selection_id: ResourceId,
    body: SelectionUpdate,
    request: Request,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> SelectionRead:
    view = await service.update_selection(
        session,
        principal=principal,
        clock=clock,
        selection_id=selection_id,
        data=body,
        if_match=if_match,
        unknown_facilities=unknown_facilities(request),
        subdistricts_of=facility_subdistricts(request),
    )
    set_etag(response, view.selection.version)
    return SelectionRead.of(view)


@router.post(
    "/{selection_id}/status",
    response_model=SelectionRead,
    summary="Publish, open bidding, close bidding (evaluating), fail or cancel, with the reason",
    responses=problems(401, 403, 404, 409, 412, 422),
)
async def change_status(
    selection_id: ResourceId,
    body: SelectionStatusChange,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> SelectionRead:
    view = await service.change_status(
        session,
        principal=principal,
        clock=clock,
        selection_id=selection_id,
        data=body,
        if_match=if_match,
    )
    set_etag(response, view.selection.version)
    return SelectionRead.of(view)


@router.get(
    "/{selection_id}/panel",
    response_model=list[PanelMemberRead],
    summary="The evaluation panel",
    responses=problems(401, 403, 404),
)
async def list_panel(selection_id: ResourceId, session: SessionDep, viewer: Person) -> list[PanelMemberRead]:
    members = await service.list_panel(session, viewer=viewer, selection_id=selection_id)
    return [PanelMemberRead.of(m) for m in members]


@router.post(
    "/{selection_id}/panel",
    response_model=PanelMemberRead,
    status_code=201,
    summary="Put an evaluator (an official or an invited expert, by sign-in subject) on the panel",
    responses=problems(401, 403, 404, 409, 422),
)
async def add_panel_member(
    selection_id: ResourceId, body: PanelMemberCreate, session: SessionDep, principal: Official, clock: ClockDep
) -> PanelMemberRead:
    member = await service.add_panel_member(
        session, principal=principal, clock=clock, selection_id=selection_id, data=body
    )
    return PanelMemberRead.of(member)


@router.post(
    "/{selection_id}/panel/declaration",
    response_model=PanelMemberRead,
    summary="Declare conflicts of interest (a panel member, once, after bids are opened)",
    responses=problems(401, 403, 404, 409, 422),
)
async def declare(
    selection_id: ResourceId, body: Declaration, session: SessionDep, principal: Evaluator, clock: ClockDep
) -> PanelMemberRead:
    member = await service.declare(session, principal=principal, clock=clock, selection_id=selection_id, data=body)
    return PanelMemberRead.of(member)


@router.get(
    "/{selection_id}/bids",
    response_model=list[BidRead],
    summary="Bids: sealed until bidding closes (an operator sees its own; then officials, auditors and the panel see all)",
    responses=problems(401, 404),
)
async def list_bids(
    selection_id: ResourceId,
    session: SessionDep,
    viewer: Annotated[
        Principal, require_roles("official", "auditor", "service", "operator", "resident", scope="operator:read")
    ],
) -> list[BidRead]:
    return [BidRead.of(v) for v in await service.list_bids(session, viewer=viewer, selection_id=selection_id)]


@router.post(
    "/{selection_id}/bids",
    response_model=BidRead,
    status_code=201,
    summary="Bid for your operator while bidding is open (qualified operators; Idempotency-Key honoured)",
    responses=problems(401, 403, 404, 409, 422),
)
async def submit_bid(
    selection_id: ResourceId,
    body: BidCreate,
    session: SessionDep,
    principal: BidSubmitter,
    clock: ClockDep,
    response: Response,
) -> BidRead:
    view = await service.submit_bid(session, principal=principal, clock=clock, selection_id=selection_id, data=body)
    response.headers["Location"] = f"/api/v1/selections/{selection_id}/bids/{view.bid.id}"
    set_etag(response, view.bid.version)
    return BidRead.of(view)


@router.patch(
    "/{selection_id}/bids/{bid_id}",
    response_model=BidRead,
    summary="Change your bid while bidding is open (send If-Match)",
    responses=problems(401, 403, 404, 409, 412, 422, 428),
)
async def update_bid(
    selection_id: ResourceId,
    bid_id: ResourceId,
    body: BidUpdate,
    if_match: IfMatchDep,
    response: Response,
    session: SessionDep,
    principal: BidSubmitter,
    clock: ClockDep,
) -> BidRead:
    view = await service.update_bid(
        session,
        principal=principal,
        clock=clock,
        selection_id=selection_id,
        bid_id=bid_id,
        data=body,
        if_match=if_match,
    )
    set_etag(response, view.bid.version)
    return BidRead.of(view)


@router.post(
    "/{selection_id}/bids/{bid_id}/withdrawal",
    response_model=BidRead,
    summary="Withdraw your bid while bidding is open",
    responses=problems(401, 403, 404, 409, 422),
)
async def withdraw_bid(
    selection_id: ResourceId,
    bid_id: ResourceId,
    body: Reason,
    session: SessionDep,
    principal: BidSubmitter,
    clock: ClockDep,
) -> BidRead:
    view = await service.withdraw_bid(
        session, principal=principal, clock=clock, selection_id=selection_id, bid_id=bid_id, reason=body.reason
    )
    return BidRead.of(view)


@router.post(
    "/{selection_id}/bids/{bid_id}/disqualification",
    response_model=BidRead,
    summary="Disqualify a bid in the qualification review (资格审查), with the reason (officials)",
    responses=problems(401, 403, 404, 409, 422),
)
async def disqualify_bid(
    selection_id: ResourceId,
    bid_id: ResourceId,
    body: Reason,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
) -> BidRead:
    view = await service.disqualify_bid(
        session, principal=principal, clock=clock, selection_id=selection_id, bid_id=bid_id, reason=body.reason
    )
    return BidRead.of(view)


@router.put(
    "/{selection_id}/bids/{bid_id}/scores",
    response_model=ScoreSheetRead,
    summary="Score a bid on every quality criterion (a declared panel member without a conflict; replaces your earlier sheet)",
    responses=problems(401, 403, 404, 409, 422),
)
async def score_bid(
    selection_id: ResourceId,
    bid_id: ResourceId,
    body: ScoreSheet,
    session: SessionDep,
    principal: Evaluator,
    clock: ClockDep,
) -> ScoreSheetRead:
    sheet = await service.score_bid(
        session, principal=principal, clock=clock, selection_id=selection_id, bid_id=bid_id, data=body
    )
    return ScoreSheetRead.model_validate(sheet)


@router.get(
    "/{selection_id}/ranking",
    response_model=RankingRead,
    summary="Totals and ranking of the valid bids (officials, auditors, the panel), and what is still unscored",
    responses=problems(401, 403, 404, 409),
)
async def ranking(selection_id: ResourceId, session: SessionDep, viewer: Person) -> RankingRead:
    return RankingRead.model_validate(await service.ranking(session, viewer=viewer, selection_id=selection_id))


@router.post(
    "/{selection_id}/award",
    response_model=SelectionRead,
    summary="Award the selection (the top-ranked bid unless another is named), with the reason; once only",
    responses=problems(401, 403, 404, 409, 422),
)
async def award(
    selection_id: ResourceId,
    body: AwardCreate,
    session: SessionDep,
    principal: Official,
    clock: ClockDep,
    response: Response,
) -> SelectionRead:
    view = await service.award(session, principal=principal, clock=clock, selection_id=selection_id, data=body)
    set_etag(response, view.selection.version)
    return SelectionRead.of(view)
