from typing import Annotated

from fastapi import APIRouter, Depends, Query

from operators_api.audit import service
from operators_api.audit.models import AuditEntry
from operators_api.audit.repository import AuditFilter
from operators_api.audit.schemas import AuditEntryRead, EntityType
from operators_api.gates import OfficialOrAuditor
from operators_api.reads import Listing
from service_kit.db import SessionDep
from service_kit.pagination import Page, PageParams, page_params
from service_kit.params import INT32_MAX
from service_kit.problems import problems

router = APIRouter(prefix="/api/v1/audit-log", tags=["audit"])


@router.get(
    "",
    response_model=Page[AuditEntryRead],
    summary="The audit log: every state change, who made it, when and why (officials and auditors; read-only)",
    responses=problems(401, 403, 422),
)
async def list_audit_log(
    session: SessionDep,
    _: OfficialOrAuditor,
    page: Annotated[PageParams, Depends(page_params)],
    entity_type: EntityType | None = None,
    entity_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
) -> Listing[AuditEntry]:
    filters = AuditFilter(entity_type=entity_type, entity_id=entity_id, actor=actor, action=action)
    return await service.list_entries(session, filters=filters, cursor=page.cursor, limit=page.limit)
