"""The ratings' HTTP interface: typed input, one use case per route, the answer's schema."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from feedback_api.dependencies import (
    ClockDep,
    FacilitiesDep,
    ResidentDep,
    SettingsDep,
)
from feedback_api.network import client_network
from feedback_api.periods import PERIOD_PATTERN
from feedback_api.ratings import service
from feedback_api.ratings.filter import CommentFilterDep
from feedback_api.ratings.repository import RatingFilter
from feedback_api.ratings.schemas import (
    RatingCreate,
    RatingRead,
    RatingSaved,
    RatingSummary,
    ReplyCreate,
    TargetType,
)
from service_kit.auth import Principal, require_roles, viewer
from service_kit.db import SessionDep
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX, ResourceId
from service_kit.problems import PROBLEM_MEDIA_TYPE, Problem, problems

router = APIRouter(prefix="/api/v1/ratings", tags=["ratings"])

TargetIdQuery = Annotated[
    int,
    Query(
        ge=1, le=INT32_MAX, description="The target's id in the service that owns it."
    ),
]
PeriodQuery = Annotated[
    str | None, Query(pattern=PERIOD_PATTERN, description="A quarter, e.g. 2026Q4.")
]

REPLACED: dict[int | str, dict[str, Any]] = {
    200: {
        "model": RatingSaved,
        "description": "Saved, replacing the caller's live rating of this target in this period",
    }
}
FACILITIES_DOWN: dict[int | str, dict[str, Any]] = {
    503: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "facilities-api is unavailable; nothing was saved (retry later)",
    }
}


@router.post(
    "",
    response_model=RatingSaved,
    status_code=201,
    summary="Rate a facility, an activity or a service (residents); rating it again in the same quarter replaces the earlier rating",
    responses={**REPLACED, **problems(401, 403, 409, 415, 422, 429), **FACILITIES_DOWN},
)
async def rate(
    body: RatingCreate,
    principal: ResidentDep,
    session: SessionDep,
    facilities: FacilitiesDep,
    comment_filter: CommentFilterDep,
    settings: SettingsDep,
    clock: ClockDep,
    request: Request,
    response: Response,
) -> RatingSaved:
    saved = await service.rate(
        session,
        principal=principal,
        data=body,
        facilities=facilities,
        comment_filter=comment_filter,
        settings=settings,
        clock=clock,
        network=client_network(request, trust_forwarded=settings.trust_forwarded),
    )
    replaced_id = saved.replaced.id if saved.replaced is not None else None
    if replaced_id is not None:
        response.status_code = 200
    response.headers["Location"] = f"{router.prefix}/{saved.rating.id}"
    return RatingSaved.of(saved.rating, viewer=principal, replaced_id=replaced_id)


@router.get(
    "",
    response_model=Page[RatingRead],
    summary="Live, visible ratings, newest first (authors masked)",
    responses=problems(401, 422),
)
async def list_ratings(
    session: SessionDep,
    reader: Annotated[Principal | None, viewer()],
    page: Annotated[PageParams, Depends(page_params)],
    target_type: TargetType | None = None,
    target_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    facility_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=INT32_MAX,
            description="Ratings of a facility and of its activities and services.",
        ),
    ] = None,
    period: PeriodQuery = None,
    verified: Annotated[
        bool | None,
        Query(description="Only verified (true) or unverified (false) ratings."),
    ] = None,
) -> Page[RatingRead]:
    filters = RatingFilter(
        target_type=target_type,
        target_id=target_id,
        facility_id=facility_id,
        period=period,
        verified=verified,
    )
    found = await service.list_ratings(
        session, filters=filters, cursor=page.cursor, limit=page.limit
    )
    return RatingRead.page_of(found, viewer=reader)


@router.get(
    "/mine",
    response_model=Page[RatingRead],
    summary="The caller's own ratings, replaced ones included, newest first (residents)",
    responses=problems(401, 403, 422),
)
async def list_my_ratings(
    session: SessionDep,
    principal: ResidentDep,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[RatingRead]:
    found = await service.list_mine(
        session, principal=principal, cursor=page.cursor, limit=page.limit
    )
    return RatingRead.page_of(found, viewer=principal)


@router.get(
    "/summary",
    response_model=RatingSummary,
    summary="Count and mean scores of a target's counted ratings in a quarter (default: the current one)",
    responses=problems(422),
)
async def rating_summary(
    session: SessionDep,
    clock: ClockDep,
    target_type: TargetType,
    target_id: TargetIdQuery,
    period: PeriodQuery = None,
) -> service.Summary:
    return await service.summarise(
        session,
        target_type=target_type,
        target_id=target_id,
        period=period,
        clock=clock,
    )


@router.get(
    "/{rating_id}",
    response_model=RatingRead,
    summary="One rating",
    responses=problems(401, 404, 422),
)
async def get_rating(
    rating_id: ResourceId,
    session: SessionDep,
    reader: Annotated[Principal | None, viewer()],
) -> RatingRead:
    rating = await service.get_rating(session, rating_id=rating_id, viewer=reader)
    return RatingRead.of(rating, viewer=reader)


@router.post(
    "/{rating_id}/reply",
    response_model=RatingRead,
    summary="The operator's one public reply to a rating of its facility (operators; keys with ratings:reply)",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def reply_to_rating(
    rating_id: ResourceId,
    body: ReplyCreate,
    session: SessionDep,
    principal: Annotated[Principal, require_roles("operator", scope="ratings:reply")],
    clock: ClockDep,
    comment_filter: CommentFilterDep,
) -> RatingRead:
    rating = await service.reply(
        session,
        principal=principal,
        rating_id=rating_id,
        text=body.text,
        clock=clock,
        comment_filter=comment_filter,
    )
    return RatingRead.of(rating, viewer=principal)
