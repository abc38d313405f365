"""Who may do what with ratings, declared once (the aliases live in feedback_api.dependencies)."""

from feedback_api.dependencies import OperatorDep, ResidentDep

__all__ = ["OperatorDep", "ResidentDep"]
