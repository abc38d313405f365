"""operators-api: create_app() wires the domain routers onto the shared service skeleton."""

from pathlib import Path

from fastapi import FastAPI

from operators_api import models  # noqa: F401  (every table on the metadata)
from operators_api.audit.router import router as audit_router
from operators_api.contracts.router import router as contracts_router
from operators_api.contracts.sweeper import install_sweeper
from operators_api.credit.router import router as credit_router
from operators_api.cultivation.router import incubations_router, trainings_router
from operators_api.db import infra
from operators_api.evaluations.router import router as evaluations_router
from operators_api.evaluations.router import schemes_router
from operators_api.events import EVENT_TYPES
from operators_api.fees.router import router as fees_router
from operators_api.inspections.router import inspections_router, rectifications_router
from operators_api.ocds.router import router as ocds_router
from operators_api.operators.router import router as operators_router
from operators_api.privacy.router import router as privacy_router
from operators_api.reports.router import router as reports_router
from operators_api.selections.router import router as selections_router
from operators_api.settings import Settings
from operators_api.volunteers.router import teams_router, volunteers_router
from service_kit.app import create_service_app
from service_kit.clock import Clock

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

TAGS = [
    {
        "name": "operators",
        "description": "承接主体: the organisations that run facilities; their credit record and honours.",
    },
    {
        "name": "selections",
        "description": "遴选: selections, bids (sealed until close), the evaluation panel, scoring, award.",
    },
    {
        "name": "contracts",
        "description": "合同: contracts, instalments, KPI targets, renewal; start and end events for facilities-api.",
    },
    {"name": "fees", "description": "优惠收费: the guideline and preferential-fee applications."},
    {"name": "service reports", "description": "服务月报: monthly figures beside the platform's own record."},
    {"name": "inspections", "description": "督查 / 整改: inspections against the checklist, rectifications."},
    {
        "name": "evaluations",
        "description": "绩效考核: schemes, evaluations with their evidence, consequences, appeals.",
    },
    {"name": "cultivation", "description": "培: training programmes and incubation."},
    {"name": "volunteers", "description": "文化志愿服务: teams, volunteers, verified hours, recognition."},
    {
        "name": "open contracting",
        "description": "OCDS 1.1 release package of every selection and contract (open data).",
    },
    {"name": "audit", "description": "审计日志: every state change, append-only."},
    {"name": "personal data", "description": "个人信息: what the service holds on the signed-in resident."},
]


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings=settings,
        title="culture-ops operators-api",
        description=(
            "The operators (承接主体) contracted to run the district's public cultural facilities, and the whole loop "
            "select → use → manage → cultivate (选—用—管—培): selections, contracts, preferential fees, service reports, "
            "inspections and rectifications, evaluations, training and volunteers, open contracting data and the audit log."
        ),
        version="0.2.0",
        routers=[
            operators_router,
            credit_router,
            selections_router,
            contracts_router,
            fees_router,
            reports_router,
            inspections_router,
            rectifications_router,
            schemes_router,
            evaluations_router,
            trainings_router,
            incubations_router,
            teams_router,
            volunteers_router,
            ocds_router,
            audit_router,
            privacy_router,
        ],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=MIGRATIONS_DIR,
        openapi_tags=TAGS,
        startup_hooks=[install_sweeper],
        clock=clock,
    )
    return app
