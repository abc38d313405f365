"""Imports every ORM model so that Base.metadata knows every table (Alembic and tests use this)."""

from facilities_api.areas.models import Community, Subdistrict
from facilities_api.facilities.models import Facility, FacilityChange

__all__ = ["Community", "Facility", "FacilityChange", "Subdistrict"]
