"""A resident's personal data in feedback-api: read in full by the resident, erased when the account is
deleted.

Erasure keeps every figure the satisfaction index, the complaint figures, the demand counts and menu
results rest on, and removes the person: each record's subject becomes a tombstone of its own (so one
resident's records cannot be linked together again), and everything they wrote or gave to be reached is
erased. A rating keeps its scores and loses its comment: a comment is the resident's own words and often
says who they are (their street, their child's class), and it is not part of any figure. A case still
open stays open: the complaint concerns the facility, not the person, so its deadline still binds its
handler and the response figures stay true; only what the resident wrote and their contacts go. The
events already in the outbox lose who caused them, and `rating.created` its comment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.cases.models import ResidentCase
from feedback_api.demand.models import DemandRequest
from feedback_api.operations.models import Checkin
from feedback_api.privacy.repository import TOMBSTONE, PersonalDataRepository
from feedback_api.ratings.models import Rating
from service_kit.auth import Principal


@dataclass(frozen=True, slots=True)
class PersonalData:
    """The resident's records, each kind oldest first."""

    ratings: Sequence[Rating]
    cases: Sequence[ResidentCase]
    demands: Sequence[DemandRequest]
    menu_votes: Sequence[Any]  # rows: the vote with its item's title
    check_ins: Sequence[Checkin]


async def export(session: AsyncSession, *, principal: Principal) -> PersonalData:
    repo = PersonalDataRepository(session)
    sub = principal.sub
    return PersonalData(
        ratings=await repo.ratings(sub),
        cases=await repo.cases(sub),
        demands=await repo.demands(sub),
        menu_votes=await repo.menu_votes(sub),
        check_ins=await repo.check_ins(sub),
    )


async def erase_account(session: AsyncSession, *, account_id: str) -> dict[str, int]:
    """Erase what feedback-api holds on the account (within the caller's transaction; no commit).
    Applying it again finds nothing left to erase."""
    if not account_id or account_id.startswith(TOMBSTONE):
        return dict.fromkeys(
            (
                "events",
                "ratings",
                "cases",
                "case_steps",
                "demands",
                "menu_votes",
                "check_ins",
            ),
            0,
        )
    repo = PersonalDataRepository(session)
    return {
        "events": await repo.scrub_events(account_id),
        "ratings": await repo.anonymise_ratings(account_id),
        # Steps first: they are found by the subject the cases are about to lose.
        "case_steps": await repo.anonymise_case_steps(account_id),
        "cases": await repo.anonymise_cases(account_id),
        "demands": await repo.anonymise_demands(account_id),
        "menu_votes": await repo.anonymise_menu_votes(account_id),
        "check_ins": await repo.anonymise_check_ins(account_id),
    }
