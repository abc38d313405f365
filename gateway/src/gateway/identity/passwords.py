"""Passwords: hashing with argon2id, off the event loop (hashing is deliberately slow), and the
policy every new password meets (sign-up, staff accounts, a change of password)."""

from __future__ import annotations

from functools import cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service_kit.problems import RuleViolation

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not-a-real-password-0000")
MIN_LENGTH = 8


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Checks a password; with no account, checks a dummy hash so timing does not tell."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of the frequency list that ships with zxcvbn (Dropbox's
    password-strength estimator, `zxcvbn` on PyPI; drawn from leaked-password corpora), those long
    enough to pass the length rule. Loaded once, on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_LENGTH)


def check_password_policy(password: str, *, field: str = "password", identifiers: tuple[str | None, ...] = ()) -> None:
    """Refuses (422, naming the field) a password that is among the most common ones, that repeats a
    few characters (88888888, 12121212: common in Chinese leaks and absent from the list), or that
    holds the account's own user name or phone number: the first guesses of anyone trying accounts."""
    folded = password.casefold()
    if folded in common_passwords():
        raise RuleViolation(
            field,
            "This password is one of the most commonly used passwords, which are tried first when "
            "accounts are attacked; choose another.",
            code="common-password",
        )
    if len(set(folded)) < 4:
        raise RuleViolation(
            field,
            "The password repeats too few different characters (like 88888888); choose another.",
            code="password-too-simple",
        )
    if any(ident and ident.casefold() in folded for ident in identifiers):
        raise RuleViolation(
            field,
            "The password must not contain the account's user name or phone number.",
            code="password-has-identifier",
        )


# The password hash of a deleted account (个人信息删除): not an argon2 hash, so no password verifies
# against it, and it marks the account as a tombstone that nobody may enable again.
UNUSABLE_PASSWORD = "!account-deleted"
