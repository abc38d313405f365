"""The ratings' business errors: each carries its HTTP status; the shared handler renders problem+json."""

from service_kit.problems import Conflict, RuleViolation, ServiceUnavailable


class TargetNotFound(RuleViolation):
    def __init__(self, target_type: str, target_id: int) -> None:
        super().__init__("target_id", f"no such {target_type}: {target_id}", code="unknown-target")


class TargetCheckUnavailable(ServiceUnavailable):
    """The service that knows the target did not answer: refuse rather than save an unchecked rating."""

    def __init__(self, service: str) -> None:
        super().__init__(
            f"{service} is unavailable; nothing was saved. Try again in a moment.",
            slug="dependency-unavailable",
            headers={"Retry-After": "5"},
        )


class RatingConflict(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Another rating of yours for this target was being saved at the same moment; "
            "see GET /api/v1/ratings/mine and send it again if needed."
        )
