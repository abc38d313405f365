"""Imports every ORM model so that Base.metadata knows every table (Alembic and tests use this)."""

from operators_api.operators.models import Operator, OperatorChange

__all__ = ["Operator", "OperatorChange"]
