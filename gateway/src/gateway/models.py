"""Imports every ORM model so that Base.metadata knows every table."""

from gateway.apikeys.models import ApiKey
from gateway.identity.models import RefreshToken, User

__all__ = ["ApiKey", "RefreshToken", "User"]
