"""Imports every ORM model so that Base.metadata knows every table (Alembic and tests use this)."""

from feedback_api.cases.models import CaseStep, ResidentCase
from feedback_api.demand.models import DemandRequest, DemandStep
from feedback_api.menu.models import MenuItem, MenuRound, MenuVote
from feedback_api.moderation.models import ModerationWord
from feedback_api.open311.models import Open311Client
from feedback_api.operations.models import Checkin, FacilityOperation
from feedback_api.ratings.aggregates import RatingAggregate
from feedback_api.ratings.models import Rating, RatingBurst
from feedback_api.workdays.models import CalendarDay

__all__ = [
    "CalendarDay",
    "CaseStep",
    "Checkin",
    "DemandRequest",
    "DemandStep",
    "FacilityOperation",
    "MenuItem",
    "MenuRound",
    "MenuVote",
    "ModerationWord",
    "Open311Client",
    "Rating",
    "RatingAggregate",
    "RatingBurst",
    "ResidentCase",
]
