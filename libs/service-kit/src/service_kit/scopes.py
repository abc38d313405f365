"""The scopes an API key can carry: one table, read by the gateway when it issues a key and by every
service when a key's credential calls a route.

A key acts for its issuer's role (an operator's systems act for that operator; an integration client
for itself), but only within its scopes: an operator's key holding `activities:write` publishes
activities and does nothing else its staff could do. Staff signed in with a password act with their
role's full rights and carry no scopes.

Each route names at most one scope (`service_kit.auth.require_roles(..., scope=...)`); the merged
OpenAPI lists it under the operation's `x-authorization`. A scope here that no route names, or a route
that names a scope missing here, fails the kit's tests and the platform's authorization matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KeyRole = Literal["operator", "integration"]


@dataclass(frozen=True, slots=True)
class ScopeSpec:
    name: str
    description: str
    # Who may be issued a key carrying it: an operator's staff for their operator's systems, or an
    # official for an integration client.
    issued_to: KeyRole


SCOPES: dict[str, ScopeSpec] = {
    spec.name: spec
    for spec in (
        # Integration clients (other municipal systems).
        ScopeSpec("events:read", "Read the services' event feeds.", "integration"),
        ScopeSpec("webhooks:manage", "Subscribe to events by webhook, and manage those subscriptions.", "integration"),
        ScopeSpec("stats:read", "Read the registry's statistics for a period.", "integration"),
        # An operator's own systems, acting for that operator.
        ScopeSpec(
            "operator:read",
            "Read the operator's own records: contracts, bids, reports, evaluations, fees, cases and bookings.",
            "operator",
        ),
        ScopeSpec("activities:write", "Publish, change and cancel the operator's activities.", "operator"),
        ScopeSpec("checkins:write", "Check residents in at the operator's activities.", "operator"),
        ScopeSpec("reports:write", "File service reports and answer rectification orders.", "operator"),
        ScopeSpec("cases:respond", "Answer the complaints and suggestions routed to the operator.", "operator"),
        ScopeSpec("ratings:reply", "Reply publicly to residents' ratings of the operator's facilities.", "operator"),
        ScopeSpec(
            "special_requests:handle",
            "Schedule and complete special-group requests at the operator's facilities.",
            "operator",
        ),
        ScopeSpec("fees:apply", "Apply for preferential fees.", "operator"),
        ScopeSpec("bids:submit", "Bid in selections.", "operator"),
        ScopeSpec("appeals:submit", "Appeal evaluations.", "operator"),
        ScopeSpec("services:propose", "Propose changes to the services a facility offers.", "operator"),
    )
}


def issuable_to(role: KeyRole) -> list[str]:
    """The scopes a key of this role may carry, in table order."""
    return [name for name, spec in SCOPES.items() if spec.issued_to == role]


def check_known(scope: str) -> str:
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: add it to service_kit.scopes.SCOPES")
    return scope
