"""Imports every ORM model so that Base.metadata knows every table."""

from gateway.apikeys.models import ApiKey
from gateway.identity.models import AccountStatusChange, RefreshToken, SignInFailure, User

__all__ = ["AccountStatusChange", "ApiKey", "RefreshToken", "SignInFailure", "User"]
