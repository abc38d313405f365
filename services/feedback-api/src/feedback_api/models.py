"""Imports every ORM model so that Base.metadata knows every table (Alembic and tests use this)."""

from feedback_api.ratings.models import Rating

__all__ = ["Rating"]
