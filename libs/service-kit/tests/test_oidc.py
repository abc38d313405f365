"""The token issuer is pluggable: with a JWKS URL set, services verify an external OIDC provider's
RS256 tokens (keys fetched from its JWKS) and refuse tokens signed with anything else."""

from __future__ import annotations

import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from service_kit.auth import TokenVerifier
from service_kit.problems import Unauthenticated
from service_kit.settings import BaseServiceSettings

ISSUER = "https://sso.example.gov.cn/realms/dongcheng"


def _keypair(kid: str):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return private, {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def _token(private, kid: str, **claims) -> str:
    now = int(time.time())
    payload = {
        "sub": "u-42",
        "iss": ISSUER,
        "aud": "culture-ops",
        "iat": now,
        "exp": now + 300,
        "role": "official",
        **claims,
    }
    return jwt.encode(payload, private, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def provider():
    private, jwk = _keypair("k1")
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        return httpx.Response(200, json={"keys": [jwk]})

    return private, httpx.AsyncClient(transport=httpx.MockTransport(handler)), calls


def _settings() -> BaseServiceSettings:
    return BaseServiceSettings(
        jwks_url="https://sso.example.gov.cn/jwks", jwt_issuer=ISSUER, oidc_role_claim="culture_role"
    )


async def test_external_provider_token_is_verified_with_its_jwks(provider):
    private, http, calls = provider
    verifier = TokenVerifier(_settings(), http)
    principal = await verifier.verify(_token(private, "k1", culture_role="auditor", name="审计"))
    assert principal.role == "auditor" and principal.sub == "u-42" and principal.name == "审计"
    await verifier.verify(_token(private, "k1", culture_role="auditor"))
    assert len(calls) == 1, "the key set is cached"


async def test_token_signed_by_another_key_is_refused(provider):
    _, http, _ = provider
    other, _ = _keypair("k1")
    with pytest.raises(Unauthenticated):
        await TokenVerifier(_settings(), http).verify(_token(other, "k1", culture_role="official"))


async def test_shared_secret_token_is_refused_when_oidc_is_configured(provider):
    _, http, _ = provider
    hs = jwt.encode(
        {"sub": "x", "iss": ISSUER, "aud": "culture-ops", "exp": int(time.time()) + 60, "role": "official"},
        "s" * 40,
        algorithm="HS256",
        headers={"kid": "k1"},
    )
    with pytest.raises(Unauthenticated):
        await TokenVerifier(_settings(), http).verify(hs)


async def test_wrong_issuer_is_refused(provider):
    private, http, _ = provider
    with pytest.raises(Unauthenticated):
        await TokenVerifier(_settings(), http).verify(
            _token(private, "k1", iss="https://evil.example", culture_role="official")
        )
