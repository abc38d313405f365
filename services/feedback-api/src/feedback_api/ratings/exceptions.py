"""The ratings' business errors: each carries its HTTP status; the shared handler renders problem+json."""

from feedback_api.exceptions import TargetCheckUnavailable, TargetNotFound
from service_kit.problems import Conflict

__all__ = ["RatingConflict", "ReplyExists", "TargetCheckUnavailable", "TargetNotFound"]


class RatingConflict(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Another rating of yours for this target was being saved at the same moment; "
            "see GET /api/v1/ratings/mine and send it again if needed."
        )


class ReplyExists(Conflict):
    def __init__(self, rating_id: int) -> None:
        super().__init__(
            f"Rating {rating_id} has its reply already; an operator replies once.",
            slug="reply-exists",
        )
