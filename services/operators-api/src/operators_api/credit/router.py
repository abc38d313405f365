from collections.abc import Sequence

from fastapi import APIRouter

from operators_api.credit import service
from operators_api.credit.models import Honour
from operators_api.credit.schemas import CreditRecordRead, HonourCreate, HonourRead
from operators_api.credit.service import CreditRecord
from operators_api.dependencies import ClockDep
from operators_api.gates import DistrictOfficial, Reader
from service_kit.db import SessionDep
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/operators", tags=["operators"])


@router.get(
    "/{operator_id}/credit",
    response_model=CreditRecordRead,
    summary="The operator's credit record (信用记录): officials, auditors and its own staff",
    responses=problems(401, 404),
)
async def credit_record(operator_id: ResourceId, session: SessionDep, viewer: Reader) -> CreditRecord:
    return await service.credit_record(session, viewer=viewer, operator_id=operator_id)


@router.get(
    "/{operator_id}/honours",
    response_model=list[HonourRead],
    summary="Honours the operator received",
    responses=problems(404),
)
async def honours(operator_id: ResourceId, session: SessionDep) -> Sequence[Honour]:
    return await service.honours(session, operator_id=operator_id)


@router.post(
    "/{operator_id}/honours",
    response_model=HonourRead,
    status_code=201,
    summary="Record an honour (district officials); it adds to the credit record",
    responses=problems(401, 403, 404, 422),
)
async def add_honour(
    operator_id: ResourceId, body: HonourCreate, session: SessionDep, principal: DistrictOfficial, clock: ClockDep
) -> Honour:
    return await service.add_honour(session, principal=principal, clock=clock, operator_id=operator_id, data=body)
