"""Imports every ORM model so that Base.metadata knows every table (Alembic and tests use this)."""

from operators_api.audit.models import AuditEntry
from operators_api.contracts.models import Contract, ContractFacility, Instalment
from operators_api.credit.models import CreditEntry, Honour
from operators_api.cultivation.models import Attendance, Enrolment, Incubation, TrainingProgramme, TrainingSession
from operators_api.evaluations.models import Appeal, Evaluation, EvaluationEvidence, EvaluationScheme, EvaluationVersion
from operators_api.fees.models import FeeApplication, FeeGuideline
from operators_api.inspections.models import Inspection, Rectification
from operators_api.operators.models import Operator, OperatorChange
from operators_api.reports.models import ServiceReport
from operators_api.selections.models import Bid, BidScore, PanelMember, Selection
from operators_api.volunteers.models import Volunteer, VolunteerService, VolunteerTeam

__all__ = [
    "Appeal",
    "Attendance",
    "AuditEntry",
    "Bid",
    "BidScore",
    "Contract",
    "ContractFacility",
    "CreditEntry",
    "Enrolment",
    "Evaluation",
    "EvaluationEvidence",
    "EvaluationScheme",
    "EvaluationVersion",
    "FeeApplication",
    "FeeGuideline",
    "Honour",
    "Incubation",
    "Inspection",
    "Instalment",
    "Operator",
    "OperatorChange",
    "PanelMember",
    "Rectification",
    "Selection",
    "ServiceReport",
    "TrainingProgramme",
    "TrainingSession",
    "Volunteer",
    "VolunteerService",
    "VolunteerTeam",
]
