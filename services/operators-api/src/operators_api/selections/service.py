"""Use cases of a selection (遴选): draft, publish, open and close bidding, bids (sealed until
close), the evaluation panel with conflict-of-interest declarations, scoring, ranking, award or
failure. Every state change writes an audit entry and an event in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from operators_api import access
from operators_api.audit import service as audit
from operators_api.events import outbox
from operators_api.facility_refs import (
    FacilitySubdistricts,
    UnknownFacilities,
    require_registered,
    require_within_subdistrict,
)
from operators_api.operators.repository import OperatorRepository
from operators_api.reads import Listing, oldest_first
from operators_api.selections.domain import BidView, RankedBid, RankingView, ScoreSheetView, SelectionView
from operators_api.selections.models import Bid, BidScore, PanelMember, Selection
from operators_api.selections.repository import SelectionFilter, SelectionRepository
from operators_api.selections.rules import (
    MIN_VALID_BIDS,
    TRANSITIONS,
    UNSEALED,
    Ranked,
    criterion_mean,
    price_scores,
    rank,
    transition_allowed,
)
from operators_api.selections.schemas import (
    AwardCreate,
    BidCreate,
    BidUpdate,
    Declaration,
    PanelMemberCreate,
    ScoreSheet,
    SelectionCreate,
    SelectionStatusChange,
    SelectionUpdate,
)
from operators_api.shared import (
    end_read_transaction,
    from_centi,
    jsonable,
    state_conflict,
    to_centi,
    transition_conflict,
)
from service_kit.auth import Principal
from service_kit.clock import Clock
from service_kit.etag import IfMatch
from service_kit.pagination import decode_id_cursor
from service_kit.problems import Conflict, Forbidden, NotFound, RuleViolation

ENTITY = "selection"


# -- reading ----------------------------------------------------------------------------------------
async def _read(session: AsyncSession, sel: Selection) -> SelectionView:
    """The selection with the count of bids (once unsealed) and the names its result mentions."""
    repo = SelectionRepository(session)
    count = await repo.count_bids(sel.id) if sel.status in UNSEALED else None
    ids = [r["operator_id"] for r in sel.result or []]
    names = await OperatorRepository(session).names(ids)
    return SelectionView(sel, bids_received=count, operator_names=names)


async def get_visible(
    session: AsyncSession, *, selection_id: int, viewer: Principal | None, for_update: bool = False
) -> Selection:
    repo = SelectionRepository(session)
    sel = await repo.get(selection_id, for_update=for_update)
    if sel is None or (sel.status == "draft" and not access.reads_all(viewer)):
        raise NotFound(f"No selection {selection_id}.")
    return sel


async def get_selection(session: AsyncSession, *, selection_id: int, viewer: Principal | None) -> SelectionView:
    return await _read(session, await get_visible(session, selection_id=selection_id, viewer=viewer))


async def list_selections(
    session: AsyncSession, *, viewer: Principal | None, filters: SelectionFilter, cursor: str | None, limit: int
) -> Listing[SelectionView]:
    f = SelectionFilter(
        status=filters.status,
        method=filters.method,
        facility_id=filters.facility_id,
        include_drafts=access.reads_all(viewer),
    )
    rows = await SelectionRepository(session).find(f, after_id=decode_id_cursor(cursor), limit=limit + 1)
    found = oldest_first(rows, limit)
    names = await OperatorRepository(session).names({r["operator_id"] for s in found.items for r in s.result or []})
    return Listing(
        items=[SelectionView(s, bids_received=None, operator_names=names) for s in found.items],
        next_cursor=found.next_cursor,
    )


# -- rules on the whole record ----------------------------------------------------------------------
def _check_record(sel: Selection) -> None:
    """The rules that span fields, checked on create and on every edit of a draft."""
    weights = sum(c["weight"] for c in sel.criteria)
    if weights != 100:
        raise RuleViolation(
            "criteria", f"The criteria's weights sum to {weights}; they must sum to 100.", code="weights-sum"
        )
    keys = [c["key"] for c in sel.criteria]
    if len(set(keys)) != len(keys):
        raise RuleViolation("criteria", "Each criterion needs its own key.", code="criterion-key-duplicate")
    if sum(c["kind"] == "price" for c in sel.criteria) > 1:
        raise RuleViolation(
            "criteria", "A selection has at most one price criterion.", code="price-criterion-duplicate"
        )
    if len(set(sel.facility_ids)) != len(sel.facility_ids):
        raise RuleViolation("facility_ids", "A facility is named twice.", code="facility-duplicate")
    if sel.bids_open_at >= sel.bids_close_at:
        raise RuleViolation("bids_close_at", "Bidding must close after it opens.", code="timeline-order")
    if sel.service_starts_on > sel.service_ends_on:
        raise RuleViolation("service_ends_on", "The service period must end after it starts.", code="period-order")


async def create_selection(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    data: SelectionCreate,
    unknown_facilities: UnknownFacilities,
    subdistricts_of: FacilitySubdistricts | None = None,
) -> SelectionView:
    if principal.role != "official":
        raise Forbidden("Only officials open selections.")
    await require_registered(unknown_facilities, data.facility_ids)
    await require_within_subdistrict(subdistricts_of, data.facility_ids, principal, "selection")
    purchaser = data.purchaser_subdistrict
    if principal.subdistrict is not None:
        if purchaser not in (None, principal.subdistrict):
            raise Forbidden(f"You act for subdistrict {principal.subdistrict}; this selection names {purchaser}.")
        purchaser = principal.subdistrict
    repo = SelectionRepository(session)
    if data.reference and await repo.by_reference(data.reference) is not None:
        raise state_conflict(
            f"A selection with reference {data.reference} already exists.", "duplicate-reference", "reference"
        )
    now = clock.now()
    sel = Selection(
        reference=data.reference or f"tmp-{uuid.uuid4().hex[:24]}",
        title=data.title,
        description=data.description,
        scope=data.scope,
        purchaser_subdistrict=purchaser,
        method=data.method,
        budget_fen=data.budget_fen,
        facility_ids=list(data.facility_ids),
        criteria=[c.model_dump(mode="json") for c in data.criteria],
        price_formula=data.price_formula.model_dump(mode="json"),
        trim_extremes=data.trim_extremes,
        bids_open_at=data.bids_open_at,
        bids_close_at=data.bids_close_at,
        service_starts_on=data.service_starts_on,
        service_ends_on=data.service_ends_on,
        status="draft",
        version=1,
        created_by=principal.sub,
        created_at=now,
        updated_at=now,
    )
    _check_record(sel)
    repo.add(sel)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise state_conflict(
            "Another selection took this reference at the same moment.", "duplicate-reference", "reference"
        ) from exc
    if not data.reference:
        sel.reference = f"DCWL-{clock.local_now().year}-{sel.id:05d}"
    audit.record(
        session, principal=principal, at=now, entity_type=ENTITY, entity_id=sel.id, action="created", to_state="draft"
    )
    await session.commit()
    return await _read(session, sel)


async def update_selection(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    selection_id: int,
    data: SelectionUpdate,
    if_match: IfMatch,
    unknown_facilities: UnknownFacilities,
    subdistricts_of: FacilitySubdistricts | None = None,
) -> SelectionView:
    if data.facility_ids is not None:
        await require_registered(unknown_facilities, data.facility_ids)
    if principal.subdistrict is not None:
        named = data.facility_ids
        if named is None:
            current = await get_visible(session, selection_id=selection_id, viewer=principal)
            named = list(current.facility_ids)
            await end_read_transaction(session)
        await require_within_subdistrict(subdistricts_of, named, principal, "selection")
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    access.require_manage(principal, sel.purchaser_subdistrict, "selection")
    if_match.check(sel.version)
    if sel.status != "draft":
        raise state_conflict(f"Only a draft is edited; this selection is {sel.status}.", "selection-not-editable")
    patch = data.model_dump(exclude_unset=True)
    as_json = data.model_dump(exclude_unset=True, mode="json")
    changes: dict[str, list[Any]] = {}
    for field, value in patch.items():
        if field in ("criteria", "price_formula", "facility_ids"):
            value = as_json[field]
        old = getattr(sel, field)
        if jsonable(old) != jsonable(value):
            changes[field] = [jsonable(old), jsonable(value)]
            setattr(sel, field, value)
    if not changes:
        return await _read(session, sel)
    _check_record(sel)
    now = clock.now()
    sel.version += 1
    sel.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=sel.id,
        action="updated",
        details={"changes": changes},
    )
    await session.commit()
    return await _read(session, sel)


async def _fail(
    session: AsyncSession, sel: Selection, *, principal: Principal, clock: Clock, reason: str, old: str
) -> None:
    now = clock.now()
    sel.status = "failed"
    sel.status_reason = reason
    sel.result = (
        _stored([RankedBid.named(r, {}) for r in (await _ranking(session, sel)).ranked]) if old == "evaluating" else []
    )
    sel.version += 1
    sel.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=sel.id,
        action="failed",
        from_state=old,
        to_state="failed",
        reason=reason,
    )
    await outbox.record(
        session,
        "selection.failed",
        {"selection_id": sel.id, "reference": sel.reference, "reason": reason},
        subject=f"selection/{sel.id}",
        actor=principal.sub,
        at=now,
    )


async def change_status(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    selection_id: int,
    data: SelectionStatusChange,
    if_match: IfMatch,
) -> SelectionView:
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    access.require_manage(principal, sel.purchaser_subdistrict, "selection")
    if_match.check(sel.version, required=False)
    old, new = sel.status, data.status
    if not transition_allowed(old, new):
        raise transition_conflict("selection", old, new, TRANSITIONS)
    now = clock.now()
    if new == "published" and sel.bids_close_at <= now:
        raise RuleViolation(
            "bids_close_at",
            "Bidding would already be closed: move bids_close_at into the future first.",
            code="timeline-past",
        )
    if new == "bidding" and now < sel.bids_open_at:
        raise state_conflict(
            f"Bidding opens at {sel.bids_open_at.isoformat()}; it cannot open earlier.",
            "bidding-not-yet-open",
        )
    if new == "evaluating" and now < sel.bids_close_at:
        raise state_conflict(
            f"Bidding closes at {sel.bids_close_at.isoformat()}; bids may still come until then.",
            "bidding-still-open",
        )
    if new == "failed":
        await _fail(session, sel, principal=principal, clock=clock, reason=data.reason, old=old)
        await session.commit()
        return await _read(session, sel)
    sel.status = new
    sel.status_reason = data.reason
    sel.version += 1
    sel.updated_at = now
    if new == "published":
        sel.published_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=sel.id,
        action="status_changed",
        from_state=old,
        to_state=new,
        reason=data.reason,
    )
    await outbox.record(
        session,
        "selection.status_changed",
        {"selection_id": sel.id, "reference": sel.reference, "old": old, "new": new, "reason": data.reason},
        subject=f"selection/{sel.id}",
        actor=principal.sub,
        at=now,
    )
    if new == "evaluating":
        # Too few valid bids for the method: the selection fails here, with the reason.
        valid = await SelectionRepository(session).count_bids(sel.id, "submitted")
        needed = MIN_VALID_BIDS[sel.method]
        if valid < needed:
            await session.flush()
            reason = f"Only {valid} valid bid(s) arrived; {sel.method} needs at least {needed}."
            await _fail(session, sel, principal=principal, clock=clock, reason=reason, old="evaluating")
    await session.commit()
    return await _read(session, sel)


# -- bids -------------------------------------------------------------------------------------------
def _check_bidding_open(sel: Selection, clock: Clock) -> None:
    if sel.status in ("draft", "published"):
        raise state_conflict(f"Bidding is not open yet (the selection is {sel.status}).", "bidding-not-open")
    closes = sel.bids_close_at
    if sel.status != "bidding" or clock.now() >= closes:
        raise state_conflict(
            f"Bidding closed at {closes.isoformat()}; no bid is taken or changed after it.", "bidding-closed"
        )


async def submit_bid(
    session: AsyncSession, *, principal: Principal, clock: Clock, selection_id: int, data: BidCreate
) -> BidView:
    operator_id = access.acting_operator(principal, "bid")
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    _check_bidding_open(sel, clock)
    operator = await OperatorRepository(session).get(operator_id)
    if operator is None or operator.status != "qualified":
        raise state_conflict(
            f"Only a qualified operator bids; operator {operator_id} is {operator.status if operator else 'unknown'}.",
            "operator-not-qualified",
        )
    if data.price_fen > sel.budget_fen:
        raise RuleViolation(
            "price_fen", f"The price is above the budget of {sel.budget_fen} fen.", code="price-over-budget"
        )
    repo = SelectionRepository(session)
    now = clock.now()
    bid = await repo.bid_of_operator(sel.id, operator_id)
    if bid is not None and bid.status != "withdrawn":
        raise state_conflict(
            f"Operator {operator_id} already bid (bid {bid.id}); change it with PATCH.",
            "bid-exists",
            existing={"id": bid.id},
        )
    if bid is None:
        bid = Bid(selection_id=sel.id, operator_id=operator_id, version=1)
        repo.add_part(bid)
    else:
        bid.version += 1
    bid.price_fen = data.price_fen
    bid.proposal_summary = data.proposal_summary
    bid.documents = [d.model_dump(mode="json") for d in data.documents]
    bid.status = "submitted"
    bid.status_reason = None
    bid.submitted_by = principal.sub
    bid.submitted_at = now
    bid.updated_at = now
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise state_conflict("This operator's bid was saved at the same moment by someone else.", "bid-exists") from exc
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="bid",
        entity_id=bid.id,
        action="submitted",
        to_state="submitted",
        details={"selection_id": sel.id},
    )
    await session.commit()
    return BidView(bid, operator_name=operator.legal_name)


async def _own_bid(
    session: AsyncSession, principal: Principal, selection_id: int, bid_id: int
) -> tuple[Selection, Bid]:
    operator_id = access.acting_operator(principal, "change a bid")
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    bid = await SelectionRepository(session).bid_for_update(bid_id)
    if bid is None or bid.selection_id != sel.id or bid.operator_id != operator_id:
        raise NotFound(f"No bid {bid_id} of yours on selection {selection_id}.")
    return sel, bid


async def update_bid(
    session: AsyncSession,
    *,
    principal: Principal,
    clock: Clock,
    selection_id: int,
    bid_id: int,
    data: BidUpdate,
    if_match: IfMatch,
) -> BidView:
    sel, bid = await _own_bid(session, principal, selection_id, bid_id)
    if_match.check(bid.version)
    _check_bidding_open(sel, clock)
    if bid.status != "submitted":
        raise state_conflict(f"This bid is {bid.status}; submit a new one instead.", "bid-not-editable")
    patch = data.model_dump(exclude_unset=True, mode="json")
    if patch.get("price_fen", 0) > sel.budget_fen:
        raise RuleViolation(
            "price_fen", f"The price is above the budget of {sel.budget_fen} fen.", code="price-over-budget"
        )
    changed = {k: v for k, v in patch.items() if jsonable(getattr(bid, k)) != v}
    name = (await OperatorRepository(session).names([bid.operator_id])).get(bid.operator_id, "")
    if not changed:
        return BidView(bid, operator_name=name)
    now = clock.now()
    for k, v in changed.items():
        setattr(bid, k, v)
    bid.version += 1
    bid.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="bid",
        entity_id=bid.id,
        action="updated",
        details={"fields": sorted(changed)},
    )
    await session.commit()
    return BidView(bid, operator_name=name)


async def withdraw_bid(
    session: AsyncSession, *, principal: Principal, clock: Clock, selection_id: int, bid_id: int, reason: str
) -> BidView:
    sel, bid = await _own_bid(session, principal, selection_id, bid_id)
    _check_bidding_open(sel, clock)
    if bid.status != "submitted":
        raise state_conflict(f"This bid is already {bid.status}.", "bid-not-editable")
    now = clock.now()
    bid.status, bid.status_reason = "withdrawn", reason
    bid.version += 1
    bid.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="bid",
        entity_id=bid.id,
        action="withdrawn",
        from_state="submitted",
        to_state="withdrawn",
        reason=reason,
    )
    await session.commit()
    return await _bid_view(session, bid)


async def disqualify_bid(
    session: AsyncSession, *, principal: Principal, clock: Clock, selection_id: int, bid_id: int, reason: str
) -> BidView:
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    access.require_manage(principal, sel.purchaser_subdistrict, "selection")
    if sel.status != "evaluating":
        raise state_conflict(
            f"Bids are checked while the selection is evaluating; it is {sel.status}.", "selection-not-evaluating"
        )
    bid = await SelectionRepository(session).bid_for_update(bid_id)
    if bid is None or bid.selection_id != sel.id:
        raise NotFound(f"No bid {bid_id} on selection {selection_id}.")
    if bid.status != "submitted":
        raise state_conflict(f"This bid is already {bid.status}.", "bid-not-editable")
    now = clock.now()
    bid.status, bid.status_reason = "disqualified", reason
    bid.version += 1
    bid.updated_at = now
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="bid",
        entity_id=bid.id,
        action="disqualified",
        from_state="submitted",
        to_state="disqualified",
        reason=reason,
    )
    await session.commit()
    return await _bid_view(session, bid)


async def _bid_view(session: AsyncSession, bid: Bid) -> BidView:
    names = await OperatorRepository(session).names([bid.operator_id])
    return BidView(bid, operator_name=names.get(bid.operator_id, ""))


async def _is_panel_member(session: AsyncSession, sel: Selection, principal: Principal) -> PanelMember | None:
    return await SelectionRepository(session).member_by_sub(sel.id, principal.sub)


async def list_bids(session: AsyncSession, *, viewer: Principal, selection_id: int) -> list[BidView]:
    """Sealed until bidding closes: before that each operator sees only its own bid. Afterwards
    officials, auditors and the panel see every bid; operators still only their own."""
    sel = await get_visible(session, selection_id=selection_id, viewer=viewer)
    bids = await SelectionRepository(session).bids(sel.id)
    unsealed = sel.status in UNSEALED and (
        access.reads_all(viewer) or await _is_panel_member(session, sel, viewer) is not None
    )
    visible = [b for b in bids if unsealed or access.is_staff_of(viewer, b.operator_id)]
    names = await OperatorRepository(session).names({b.operator_id for b in visible})
    return [BidView(b, operator_name=names.get(b.operator_id, "")) for b in visible]


# -- panel ------------------------------------------------------------------------------------------
async def add_panel_member(
    session: AsyncSession, *, principal: Principal, clock: Clock, selection_id: int, data: PanelMemberCreate
) -> PanelMember:
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    access.require_manage(principal, sel.purchaser_subdistrict, "selection")
    if sel.status not in ("draft", "published", "bidding", "evaluating"):
        raise state_conflict(f"The panel is closed: the selection is {sel.status}.", "panel-closed")
    repo = SelectionRepository(session)
    if await repo.member_by_sub(sel.id, data.sub) is not None:
        raise state_conflict(f"{data.sub} is already on the panel.", "panel-member-exists", "sub")
    now = clock.now()
    member = PanelMember(
        selection_id=sel.id,
        sub=data.sub,
        display_name=data.display_name,
        kind=data.kind,
        added_by=principal.sub,
        added_at=now,
        conflicted_operator_ids=[],
        declaration="",
    )
    repo.add_part(member)
    try:
        await repo.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise state_conflict(
            f"{data.sub} was added to the panel at the same moment.", "panel-member-exists", "sub"
        ) from exc
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=sel.id,
        action="panel_member_added",
        details={"member_id": member.id, "sub": data.sub, "display_name": data.display_name, "kind": data.kind},
    )
    await session.commit()
    return member


async def list_panel(session: AsyncSession, *, viewer: Principal, selection_id: int) -> Sequence[PanelMember]:
    sel = await get_visible(session, selection_id=selection_id, viewer=viewer)
    if not access.reads_all(viewer) and await _is_panel_member(session, sel, viewer) is None:
        raise Forbidden("The panel is shown to officials, auditors and its members.")
    return await SelectionRepository(session).panel(sel.id)


async def declare(
    session: AsyncSession, *, principal: Principal, clock: Clock, selection_id: int, data: Declaration
) -> PanelMember:
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    member = await _is_panel_member(session, sel, principal)
    if member is None:
        raise Forbidden("Only a member of this selection's panel declares conflicts of interest for it.")
    if sel.status != "evaluating":
        raise state_conflict(
            f"Declarations are made once bids are opened (evaluating); the selection is {sel.status}.",
            "selection-not-evaluating",
        )
    if member.declared_at is not None:
        raise state_conflict("You already declared; a declaration is made once.", "already-declared")
    bidders = {b.operator_id for b in await SelectionRepository(session).bids(sel.id)}
    unknown = sorted(set(data.conflicted_operator_ids) - bidders)
    if unknown:
        raise RuleViolation(
            "conflicted_operator_ids", f"Operators {unknown} did not bid on this selection.", code="not-a-bidder"
        )
    now = clock.now()
    member.declared_at = now
    member.conflicted_operator_ids = sorted(set(data.conflicted_operator_ids))
    member.declaration = data.statement
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=sel.id,
        action="conflict_declared",
        details={"member_id": member.id, "conflicted_operator_ids": member.conflicted_operator_ids},
        reason=data.statement,
    )
    await session.commit()
    return member


# -- scoring and ranking ----------------------------------------------------------------------------
async def score_bid(
    session: AsyncSession, *, principal: Principal, clock: Clock, selection_id: int, bid_id: int, data: ScoreSheet
) -> ScoreSheetView:
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    member = await _is_panel_member(session, sel, principal)
    if member is None:
        raise Forbidden("Only a member of this selection's panel scores its bids.")
    if sel.status != "evaluating":
        raise state_conflict(
            f"Bids are scored while the selection is evaluating; it is {sel.status}.", "selection-not-evaluating"
        )
    if member.declared_at is None:
        raise state_conflict(
            "Declare your conflicts of interest first (POST …/panel/declaration).", "declaration-required"
        )
    repo = SelectionRepository(session)
    bid = await repo.bid(bid_id)
    if bid is None or bid.selection_id != sel.id:
        raise NotFound(f"No bid {bid_id} on selection {selection_id}.")
    if principal.role == "operator" and principal.operator_id in {b.operator_id for b in await repo.bids(sel.id)}:
        # A bidder's own staff on the panel would score its bid and its rivals', declared or not.
        raise Forbidden(
            f"You act for operator {principal.operator_id}, which bid in this selection: you score none of its bids.",
            slug="conflict-of-interest",
        )
    if bid.operator_id in member.conflicted_operator_ids:
        raise RuleViolation(
            "bid_id",
            f"You declared a conflict of interest with operator {bid.operator_id}: you do not score its bid.",
            code="conflict-of-interest",
        )
    if bid.status != "submitted":
        raise state_conflict(f"This bid is {bid.status}; only valid bids are scored.", "bid-not-valid")
    quality = {c["key"]: c for c in sel.criteria if c["kind"] == "quality"}
    for key, value in data.scores.items():
        if key not in quality:
            raise RuleViolation(
                f"scores.{key}", f"{key!r} is not a quality criterion of this selection.", code="unknown-criterion"
            )
        if value > quality[key]["weight"]:
            raise RuleViolation(
                f"scores.{key}",
                f"{key} is scored from 0 to {quality[key]['weight']}; {value} is outside that range.",
                code="score-out-of-range",
            )
    missing = sorted(set(quality) - set(data.scores))
    if missing:
        raise RuleViolation(
            "scores", f"Score every quality criterion; missing: {', '.join(missing)}.", code="scores-incomplete"
        )
    now = clock.now()
    await repo.delete_scores(await repo.scores_of(bid.id, member.id))
    await repo.flush()
    for key, value in data.scores.items():
        repo.add_part(
            BidScore(
                selection_id=sel.id,
                bid_id=bid.id,
                member_id=member.id,
                criterion_key=key,
                score_centi=to_centi(value),
                scored_at=now,
            )
        )
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type="bid",
        entity_id=bid.id,
        action="scored",
        details={"member_id": member.id, "scores": {k: str(v) for k, v in data.scores.items()}},
    )
    await session.commit()
    return ScoreSheetView(bid_id=bid.id, member_id=member.id, scores=dict(data.scores), scored_at=now)


@dataclass(frozen=True, slots=True)
class _Ranking:
    ranked: list[Ranked]
    # [{member_id, display_name, bid_id}]: the scores still to come.
    missing: list[dict[str, int | str]]


async def _ranking(session: AsyncSession, sel: Selection) -> _Ranking:
    repo = SelectionRepository(session)
    bids = [b for b in await repo.bids(sel.id) if b.status == "submitted"]
    members: Sequence[PanelMember] = await repo.panel(sel.id)
    scores = await repo.scores(sel.id)
    by_cell: dict[tuple[int, int, str], int] = {(s.bid_id, s.member_id, s.criterion_key): s.score_centi for s in scores}
    quality = [c for c in sel.criteria if c["kind"] == "quality"]
    price = next((c for c in sel.criteria if c["kind"] == "price"), None)
    pscores = price_scores(sel.price_formula, price["weight"], {b.id: b.price_fen for b in bids}) if price else {}
    rows: list[Ranked] = []
    missing: list[dict[str, int | str]] = []
    for bid in bids:
        expected = [m for m in members if bid.operator_id not in (m.conflicted_operator_ids or [])]
        criteria: dict[str, Decimal | None] = {}
        complete = bool(expected) or not quality
        for m in expected:
            if any((bid.id, m.id, c["key"]) not in by_cell for c in quality):
                complete = False
                missing.append({"member_id": m.id, "display_name": m.display_name, "bid_id": bid.id})
        for c in quality:
            values = [
                from_centi(by_cell[(bid.id, m.id, c["key"])]) for m in expected if (bid.id, m.id, c["key"]) in by_cell
            ]
            criteria[c["key"]] = criterion_mean([v for v in values if v is not None], sel.trim_extremes)
        if price:
            criteria[price["key"]] = pscores.get(bid.id)
        total = sum((v for v in criteria.values() if v is not None), Decimal(0))
        rows.append(Ranked(bid.id, bid.operator_id, bid.price_fen, pscores.get(bid.id), criteria, total, complete))
    order = {b.id: i for i, b in enumerate(sorted(bids, key=lambda b: (b.submitted_at, b.id)))}
    return _Ranking(rank(rows, order), missing)


def _stored(lines: list[RankedBid]) -> list[dict[str, Any]]:
    """The ranking as kept in the selection's result (JSON)."""
    stored: list[dict[str, Any]] = jsonable([asdict(line) for line in lines])
    return stored


async def ranking(session: AsyncSession, *, viewer: Principal, selection_id: int) -> RankingView:
    sel = await get_visible(session, selection_id=selection_id, viewer=viewer)
    if not access.reads_all(viewer) and await _is_panel_member(session, sel, viewer) is None:
        raise Forbidden(
            "The ranking is shown to officials, auditors and the panel; the public sees the result after the award."
        )
    if sel.status not in UNSEALED:
        raise state_conflict(f"Bids are sealed until bidding closes; the selection is {sel.status}.", "bids-sealed")
    if sel.status in ("awarded", "failed") and sel.result is not None:
        return RankingView(selection_id=sel.id, scoring_complete=True, missing=[], items=sel.result)
    result = await _ranking(session, sel)
    names = await OperatorRepository(session).names({r.operator_id for r in result.ranked})
    return RankingView(
        selection_id=sel.id,
        scoring_complete=not result.missing and all(r.complete for r in result.ranked),
        missing=result.missing,
        items=[RankedBid.named(r, names) for r in result.ranked],
    )


async def award(
    session: AsyncSession, *, principal: Principal, clock: Clock, selection_id: int, data: AwardCreate
) -> SelectionView:
    sel = await get_visible(session, selection_id=selection_id, viewer=principal, for_update=True)
    access.require_manage(principal, sel.purchaser_subdistrict, "selection")
    if sel.status == "awarded":
        raise state_conflict(
            f"Selection {sel.id} was already awarded (bid {sel.awarded_bid_id}); a selection is awarded once.",
            "already-awarded",
        )
    if sel.status != "evaluating":
        raise transition_conflict("selection", sel.status, "awarded", TRANSITIONS)
    result = await _ranking(session, sel)
    needed = MIN_VALID_BIDS[sel.method]
    if len(result.ranked) < needed:
        raise state_conflict(
            f"Only {len(result.ranked)} valid bid(s) remain; {sel.method} needs {needed}. Record the selection as failed instead.",
            "too-few-valid-bids",
        )
    if result.missing or not all(r.complete for r in result.ranked):
        raise Conflict(
            "Scoring is not complete: every evaluator without a conflict scores every valid bid first.",
            slug="scoring-incomplete",
            missing=result.missing,
        )
    chosen = (
        result.ranked[0] if data.bid_id is None else next((r for r in result.ranked if r.bid_id == data.bid_id), None)
    )
    if chosen is None:
        raise RuleViolation("bid_id", f"Bid {data.bid_id} is not a valid bid on this selection.", code="bid-not-valid")
    names = await OperatorRepository(session).names({r.operator_id for r in result.ranked})
    now = clock.now()
    sel.status = "awarded"
    sel.status_reason = data.reason
    sel.awarded_bid_id = chosen.bid_id
    sel.award_reason = data.reason
    sel.awarded_at = now
    sel.result = _stored([RankedBid.named(r, names) for r in result.ranked])
    sel.version += 1
    sel.updated_at = now
    details = {
        "bid_id": chosen.bid_id,
        "operator_id": chosen.operator_id,
        "rank": chosen.rank,
        "total": str(chosen.total),
        "price_fen": chosen.price_fen,
    }
    audit.record(
        session,
        principal=principal,
        at=now,
        entity_type=ENTITY,
        entity_id=sel.id,
        action="awarded",
        from_state="evaluating",
        to_state="awarded",
        reason=data.reason,
        details=details,
    )
    await outbox.record(
        session,
        "selection.awarded",
        {"selection_id": sel.id, "reference": sel.reference, **details, "reason": data.reason},
        subject=f"selection/{sel.id}",
        actor=principal.sub,
        at=now,
    )
    await session.commit()
    return await _read(session, sel)
