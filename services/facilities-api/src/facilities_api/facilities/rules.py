"""The registry's rules, kept apart from data access so they read as the domain states them."""

from __future__ import annotations

LEVEL_RANK = {"national": 0, "municipal": 1, "district": 2, "subdistrict": 3, "community": 4}

# 总分馆制: libraries and cultural centres have main branches, branches and service points.
BRANCH_PARENT_KINDS = {"public_library", "cultural_centre", "culture_sports_centre"}
BRANCH_SYSTEM = {
    "public_library": {"public_library", "service_point"},
    "cultural_centre": {"culture_sports_centre", "community_culture_room", "service_point"},
    "culture_sports_centre": {"community_culture_room", "service_point"},
}


def parent_problem(*, child_kind: str, child_level: str, parent_kind: str, parent_level: str) -> str | None:
    """Why this parent cannot hold this child in a main-branch system, or None when it can."""
    if parent_kind not in BRANCH_PARENT_KINDS:
        return f"a {parent_kind} heads no main-branch system; only libraries and cultural centres have branches"
    if child_kind not in BRANCH_SYSTEM[parent_kind]:
        allowed = ", ".join(sorted(BRANCH_SYSTEM[parent_kind]))
        return f"a {parent_kind}'s branches are {allowed}, not {child_kind}"
    if LEVEL_RANK[child_level] != LEVEL_RANK[parent_level] + 1:
        return f"a {child_level}-level facility's parent must be one level up, not {parent_level}-level"
    return None
