"""Business errors shared by several domains: each carries its HTTP status; the kit renders problem+json."""

from __future__ import annotations

from service_kit.problems import (
    Conflict,
    ProblemError,
    RuleViolation,
    ServiceUnavailable,
)


class TargetNotFound(RuleViolation):
    def __init__(
        self, target_type: str, target_id: int, field: str = "target_id"
    ) -> None:
        super().__init__(
            field, f"no such {target_type}: {target_id}", code="unknown-target"
        )


class TargetCheckUnavailable(ServiceUnavailable):
    """The service that knows the target did not answer: refuse rather than save something unchecked."""

    def __init__(self, service: str = "facilities-api") -> None:
        super().__init__(
            f"{service} is unavailable; nothing was saved. Try again in a moment.",
            slug="dependency-unavailable",
            headers={"Retry-After": "5"},
        )


class TooManyRequests(ProblemError):
    status = 429

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(
            detail,
            slug="rate-limited",
            headers={"Retry-After": str(max(1, retry_after_s))},
        )


class WorkflowConflict(Conflict):
    """A step the workflow does not allow from the record's current status: names both."""

    def __init__(
        self, what: str, *, from_status: str, to_status: str, detail: str | None = None
    ) -> None:
        super().__init__(
            detail or f"A {what} cannot go from {from_status} to {to_status}.",
            slug="workflow-conflict",
            from_status=from_status,
            to_status=to_status,
        )
