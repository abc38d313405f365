"""A verified token is remembered until it expires: the same answer without checking the signature
again, never past its expiry, and never for another token type."""

from __future__ import annotations

import time

import pytest

from service_kit.auth import TokenVerifier, mint_token
from service_kit.problems import Unauthenticated
from service_kit.settings import BaseServiceSettings


def _settings() -> BaseServiceSettings:
    return BaseServiceSettings(jwt_secret="k" * 40, service_name="test")


def _counting(verifier: TokenVerifier) -> list[str]:
    """Count the real verifications from now on."""
    calls: list[str] = []
    real = verifier._verify

    async def counted(token: str, expected_type: str):
        calls.append(token)
        return await real(token, expected_type)

    verifier._verify = counted  # type: ignore[method-assign]
    return calls


async def test_a_verified_token_is_answered_from_memory():
    settings = _settings()
    verifier = TokenVerifier(settings)
    calls = _counting(verifier)
    token = mint_token(settings, sub="r-1", role="resident", ttl_s=60)
    first = await verifier.verify(token)
    again = await verifier.verify(token)
    assert again == first and first.sub == "r-1"
    assert len(calls) == 1


async def test_a_remembered_answer_is_not_used_past_the_tokens_expiry():
    settings = _settings()
    verifier = TokenVerifier(settings)
    calls = _counting(verifier)
    token = mint_token(settings, sub="r-2", role="resident", ttl_s=60)
    principal = await verifier.verify(token)
    verifier._verified[token] = (time.time() - 1, "access", principal)  # as if its expiry had passed
    await verifier.verify(token)
    assert len(calls) == 2  # checked again (still valid by its real expiry, so accepted)
    expired = mint_token(settings, sub="r-3", role="resident", ttl_s=-5)
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(expired)
    assert expired not in verifier._verified


async def test_a_remembered_access_token_does_not_pass_as_a_refresh_token():
    settings = _settings()
    verifier = TokenVerifier(settings)
    token = mint_token(settings, sub="r-4", role="resident", ttl_s=60)
    await verifier.verify(token)
    with pytest.raises(Unauthenticated, match="refresh"):
        await verifier.verify(token, expected_type="refresh")
