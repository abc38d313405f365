"""Token verification, done by every service itself (the gateway is not the only lock).

The built-in issuer signs HS256 tokens with a secret the services share; settings can point the
services at an external OIDC provider's JWKS instead. Either way a verified token becomes a
`Principal` that routes depend on.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import httpx
import jwt
from fastapi import Depends, Request

from service_kit.problems import Forbidden, Unauthenticated
from service_kit.scopes import SCOPES, check_known
from service_kit.settings import BaseServiceSettings

Role = Literal["resident", "operator", "official", "auditor", "integration", "service"]
ROLES: tuple[str, ...] = ("resident", "operator", "official", "auditor", "integration", "service")
# How many verified tokens a process remembers (each until its own expiry).
VERIFIED_TOKENS_KEPT = 20_000
# The `sub` of a credential the gateway made from an API key: "apikey:<id>".
KEY_SUBJECT_PREFIX = "apikey:"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: from a verified token."""

    sub: str
    role: str
    name: str = ""
    operator_id: int | None = None
    # None: the whole district; a subdistrict code binds an official to that subdistrict.
    subdistrict: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_official(self) -> bool:
        return self.role == "official"

    @property
    def is_district_official(self) -> bool:
        return self.role == "official" and self.subdistrict is None

    def can_read_all(self) -> bool:
        """Officials, auditors and other services read every record."""
        return self.role in ("official", "auditor", "service")

    @property
    def via_key(self) -> bool:
        """The credential was made from an API key (an operator's systems or an integration client),
        which acts only within its scopes; staff signed in with a password act with their role's rights."""
        return self.sub.startswith(KEY_SUBJECT_PREFIX)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def may(self, roles: tuple[str, ...], scope: str | None) -> bool:
        """Whether this caller passes a gate open to `roles` and, for a key's credential, to `scope`.

        An integration key passes on its scope alone; an operator's key needs its role among `roles`
        and the scope; anyone else needs the role."""
        if self.role == "integration":
            return scope is not None and self.has_scope(scope) and SCOPES[scope].issued_to == "integration"
        if self.role not in roles:
            return False
        if not self.via_key:
            return True
        return scope is not None and self.has_scope(scope) and SCOPES[scope].issued_to == self.role


class TokenVerifier:
    """Verifies bearer tokens: the shared-secret issuer by default, or a JWKS when configured."""

    def __init__(self, settings: BaseServiceSettings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.http = http
        self._jwks: dict[str, Any] = {}
        self._jwks_fetched_at = 0.0
        # Tokens already verified, until they expire: a client sends the same token with every request,
        # and checking the signature again each time is a measurable share of a light request.
        self._verified: OrderedDict[str, tuple[float, str, Principal]] = OrderedDict()

    async def _key_for(self, token: str) -> Any:
        if not self.settings.jwks_url:
            return self.settings.jwt_secret
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        if kid not in self._jwks or time.monotonic() - self._jwks_fetched_at > 300:
            client = self.http or httpx.AsyncClient(timeout=5)
            try:
                resp = await client.get(self.settings.jwks_url)
                resp.raise_for_status()
                keys = resp.json().get("keys", [])
            finally:
                if self.http is None:
                    await client.aclose()
            self._jwks = {k.get("kid"): jwt.PyJWK(k).key for k in keys}
            self._jwks_fetched_at = time.monotonic()
        if kid not in self._jwks:
            raise jwt.InvalidTokenError("unknown signing key")
        return self._jwks[kid]

    async def verify(self, token: str, *, expected_type: str = "access") -> Principal:
        known = self._verified.get(token)
        if known is not None and known[0] > time.time() and known[1] == expected_type:
            return known[2]
        principal, expires_at = await self._verify(token, expected_type)
        self._verified[token] = (expires_at, expected_type, principal)
        while len(self._verified) > VERIFIED_TOKENS_KEPT:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str, expected_type: str) -> tuple[Principal, float]:
        try:
            key = await self._key_for(token)
            algorithms = [self.settings.jwt_algorithm] if not self.settings.jwks_url else ["RS256", "ES256", "EdDSA"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("The token has expired: sign in again or refresh it.") from exc
        except (jwt.InvalidTokenError, httpx.HTTPError, ValueError) as exc:
            raise Unauthenticated("The token is not valid.") from exc
        if claims.get("typ", "access") != expected_type:
            raise Unauthenticated(f"This needs an {expected_type} token.")
        role = claims.get(self.settings.oidc_role_claim) or claims.get("role")
        if role not in ROLES:
            raise Unauthenticated("The token carries no known role.")
        operator_id = claims.get("operator_id")
        principal = Principal(
            sub=str(claims["sub"]),
            role=role,
            name=str(claims.get("name", "")),
            operator_id=int(operator_id) if operator_id is not None else None,
            subdistrict=claims.get("subdistrict"),
            scopes=frozenset(claims.get("scopes", []) or []),
        )
        return principal, float(claims["exp"])


def mint_token(
    settings: BaseServiceSettings,
    *,
    sub: str,
    role: str,
    ttl_s: int,
    token_type: str = "access",
    **claims: Any,
) -> str:
    """Sign a token with the built-in issuer (the gateway's job; services use it for their own calls)."""
    now = int(time.time())
    payload = {
        "sub": sub,
        "role": role,
        "typ": token_type,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_s,
        "jti": uuid.uuid4().hex,
        **{k: v for k, v in claims.items() if v is not None},
    }
    return jwt.encode(payload, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def service_token(settings: BaseServiceSettings, ttl_s: int = 300) -> str:
    """A short-lived token a service presents when it calls another service."""
    return mint_token(
        settings, sub=f"service:{settings.service_name}", role="service", ttl_s=ttl_s, name=settings.service_name
    )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send the token as 'Authorization: Bearer <token>'.")
    return token.strip()


async def optional_principal(request: Request) -> Principal | None:
    token = _bearer(request)
    if token is None:
        return None
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal: Principal = await request.app.state.verifier.verify(token)
    request.state.principal = principal
    return principal


async def current_principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise Unauthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: str, scope: str | None = None, district: bool = False) -> Any:
    """The route's gate, decided before its body is read: the roles that may call it, and the scope an
    API key's credential needs for it (`service_kit.scopes`). Anonymous callers get 401, the others 403.
    `district=True`: what it does is the whole district's (operators' standing, keys, district-wide
    settings), so an official among `roles` must not be bound to a subdistrict.

    The gate is also what the OpenAPI says of the operation (`x-authorization`), so the two cannot drift."""
    if scope is not None:
        check_known(scope)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.may(roles, scope):
            if district and principal.role == "official" and principal.subdistrict is not None:
                raise Forbidden(f"This is the district's to do; you act for subdistrict {principal.subdistrict} only.")
            return principal
        if principal.via_key and (principal.role in roles or principal.role == "integration"):
            needed = f"the scope {scope}" if scope else "a signed-in person, not an API key"
            raise Forbidden(f"This needs {needed}; the key holds {', '.join(sorted(principal.scopes)) or 'no scope'}.")
        raise Forbidden(f"This needs the role {' or '.join(roles)}; you are signed in as {principal.role}.")

    dependency.__authorization__ = Gate(roles=roles, scope=scope, signed_in=True, district_only=district)  # type: ignore[attr-defined]
    return Depends(dependency)


def viewer(*, scope: str | None = None) -> Any:
    """For routes anyone may call whose answer depends on who asks (a public list that shows a
    resident their own records, an operator its drafts). A key's credential without `scope` is
    treated as anonymous: it sees what the public sees."""
    if scope is not None:
        check_known(scope)

    async def dependency(request: Request) -> Principal | None:
        principal = await optional_principal(request)
        if principal is not None and principal.via_key and not principal.may((principal.role,), scope):
            return None
        return principal

    dependency.__authorization__ = Gate(roles=(), scope=scope, signed_in=False)  # type: ignore[attr-defined]
    return Depends(dependency)


def signed_in(*, scope: str | None = None) -> Any:
    """For routes any signed-in person may call (what they may then do depends on the record, decided
    by the service): a resident's own bookings, an operator's own contracts. A key's credential needs
    `scope` (no scope: keys are refused)."""
    return require_roles(*ROLES, scope=scope)


@dataclass(frozen=True, slots=True)
class Gate:
    """What a route's gate lets through, as the OpenAPI documents it."""

    roles: tuple[str, ...]
    scope: str | None
    signed_in: bool
    # Officials among the roles must be the whole district's.
    district_only: bool = False

    def openapi(self) -> dict[str, Any]:
        return {
            "roles": list(self.roles),
            "scope": self.scope,
            "signed_in": self.signed_in,
            "district_only": self.district_only,
        }
