"""Imports every ORM model so that Base.metadata knows every table (Alembic and tests use this)."""

from facilities_api.activities.models import Activity
from facilities_api.areas.models import Community, Subdistrict
from facilities_api.bookings.models import Booking
from facilities_api.facilities.models import Facility, FacilityChange, OpeningException, OpeningSlot
from facilities_api.offerings.models import FeeApproval, ServiceBasicPeriod, ServiceOffered, ServiceProposal
from facilities_api.operations.models import OperationPeriod
from facilities_api.special_requests.models import SpecialRequest

__all__ = [
    "Activity",
    "Booking",
    "Community",
    "Facility",
    "FacilityChange",
    "FeeApproval",
    "OpeningException",
    "OpeningSlot",
    "OperationPeriod",
    "ServiceBasicPeriod",
    "ServiceOffered",
    "ServiceProposal",
    "SpecialRequest",
    "Subdistrict",
]
