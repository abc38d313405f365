"""What the menu use cases hand back: a round as one viewer sees it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from feedback_api.menu.models import MenuItem, MenuRound


@dataclass(frozen=True, slots=True)
class RoundView:
    """A round as one viewer sees it: its items, the votes when they may be shown (once published; to
    officials and auditors all along), and the viewer's own votes."""

    round: MenuRound
    items: Sequence[MenuItem]
    counts: dict[int, int] | None  # None: not shown to this viewer
    ranks: dict[int, int]
    mine: frozenset[int]
    voting_now: bool


@dataclass(frozen=True, slots=True)
class RoundViews:
    items: list[RoundView]
    next_cursor: str | None
