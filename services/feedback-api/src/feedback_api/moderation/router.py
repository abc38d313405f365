from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from feedback_api.dependencies import (
    ClockDep,
    DistrictOfficialDep,
    OfficialDep,
    ReaderDep,
)
from feedback_api.moderation import service
from feedback_api.moderation.schemas import (
    BurstDecision,
    BurstRead,
    RatingDecision,
    WordCreate,
    WordRead,
)
from feedback_api.ratings.filter import CommentFilterDep
from feedback_api.ratings.schemas import RatingRead
from service_kit.db import SessionDep
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/moderation", tags=["moderation"])


@router.get(
    "/queue",
    response_model=Page[RatingRead],
    summary="Ratings waiting for a decision: comments that tripped the filter, ratings held in a burst",
    responses=problems(401, 403, 422),
)
async def moderation_queue(
    session: SessionDep,
    principal: ReaderDep,
    page: Annotated[PageParams, Depends(page_params)],
    kind: Annotated[
        Literal["comments", "held"] | None,
        Query(description="Only comments, or only held ratings."),
    ] = None,
) -> Page[RatingRead]:
    return await service.queue(
        session, kind=kind, cursor=page.cursor, limit=page.limit, viewer=principal
    )


@router.post(
    "/ratings/{rating_id}",
    response_model=RatingRead,
    summary="Decide on one rating: approve or reject its comment, hide it, or restore it (officials of its area)",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def decide_rating(
    rating_id: ResourceId,
    body: RatingDecision,
    session: SessionDep,
    principal: OfficialDep,
    clock: ClockDep,
) -> RatingRead:
    return await service.decide_rating(
        session,
        principal=principal,
        rating_id=rating_id,
        action=body.action,
        note=body.note,
        clock=clock,
    )


@router.get(
    "/bursts",
    response_model=Page[BurstRead],
    summary="Suspected bursts of ratings on one target (from new accounts or from one network)",
    responses=problems(401, 403, 422),
)
async def list_bursts(
    session: SessionDep,
    principal: ReaderDep,
    page: Annotated[PageParams, Depends(page_params)],
    status: Literal["open", "released", "hidden"] | None = None,
) -> Page[BurstRead]:
    found = await service.list_bursts(
        session, status=status, cursor=page.cursor, limit=page.limit, viewer=principal
    )
    return Page[BurstRead](
        items=[BurstRead.model_validate(b) for b in found.items],
        next_cursor=found.next_cursor,
    )


@router.post(
    "/bursts/{burst_id}",
    response_model=BurstRead,
    summary="Review a burst: release its ratings into the index, or hide them (officials of its area)",
    responses=problems(401, 403, 404, 409, 415, 422),
)
async def decide_burst(
    burst_id: ResourceId,
    body: BurstDecision,
    session: SessionDep,
    principal: OfficialDep,
    clock: ClockDep,
) -> BurstRead:
    burst = await service.decide_burst(
        session,
        principal=principal,
        burst_id=burst_id,
        decision=body.decision,
        note=body.note,
        clock=clock,
    )
    return BurstRead.model_validate(burst)


@router.get(
    "/words",
    response_model=list[WordRead],
    summary="The abuse-word list",
    responses=problems(401, 403),
)
async def list_words(
    session: SessionDep, _: ReaderDep, comment_filter: CommentFilterDep
) -> list[WordRead]:
    words = await service.list_words(session, comment_filter=comment_filter)
    return [WordRead.model_validate(w) for w in words]


@router.post(
    "/words",
    response_model=WordRead,
    status_code=201,
    summary="Add an abuse word (district officials): comments containing it wait for moderation, district-wide",
    responses=problems(401, 403, 409, 415, 422),
)
async def add_word(
    body: WordCreate,
    session: SessionDep,
    principal: DistrictOfficialDep,
    clock: ClockDep,
    comment_filter: CommentFilterDep,
) -> WordRead:
    word = await service.add_word(
        session,
        principal=principal,
        word=body.word,
        clock=clock,
        comment_filter=comment_filter,
    )
    return WordRead.model_validate(word)


@router.delete(
    "/words/{word_id}",
    status_code=204,
    summary="Remove an added abuse word (district officials)",
    responses=problems(401, 403, 404, 422),
)
async def remove_word(
    word_id: ResourceId,
    session: SessionDep,
    _: DistrictOfficialDep,
    comment_filter: CommentFilterDep,
) -> Response:
    await service.remove_word(session, word_id=word_id, comment_filter=comment_filter)
    return Response(status_code=204)
