"""The OCDS release package, written incrementally: the package head, then each release as it is
built from one page of selections (and then of direct contracts) read in its own short session, so
that no database connection is held while the client reads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from operators_api.contracts.repository import ContractRepository
from operators_api.evaluations.repository import EvaluationRepository
from operators_api.ocds.mapping import direct_contract_release, selection_release, ts
from operators_api.operators.repository import OperatorRepository
from operators_api.selections.repository import SelectionRepository
from operators_api.settings import Settings

PAGE = 250
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)


async def _contract_dicts(session: AsyncSession, rows: Sequence[RowMapping]) -> list[dict[str, Any]]:
    repo = ContractRepository(session)
    ids = [r["id"] for r in rows]
    facilities = await repo.facilities_of(ids)
    instalments = await repo.instalment_rows(ids)
    evaluations = await EvaluationRepository(session).published_rows_of_contracts(ids)
    return [
        {
            **r,
            "facility_ids": facilities.get(r["id"], []),
            "instalments": instalments.get(r["id"], []),
            "evaluations": [
                {**e, "score": str(Decimal(e["score_centi"] or 0) / 100)} for e in evaluations.get(r["id"], [])
            ],
        }
        for r in rows
    ]


async def _selection_page(
    session: AsyncSession, after: int | None, settings: Settings
) -> tuple[list[dict[str, Any]], int | None]:
    repo = SelectionRepository(session)
    selections = await repo.published_rows(after_id=after, limit=PAGE)
    if not selections:
        return [], None
    ids = [s["id"] for s in selections]
    bids = await repo.bid_rows(ids)
    contracts = await _contract_dicts(session, await ContractRepository(session).public_rows_of_selections(ids))
    operators = await OperatorRepository(session).party_rows(
        {b["operator_id"] for b in bids} | {c["operator_id"] for c in contracts}
    )
    bids_by_sel: dict[int, list[Any]] = {}
    for b in bids:
        bids_by_sel.setdefault(b["selection_id"], []).append(b)
    contracts_by_sel: dict[int, list[dict[str, Any]]] = {}
    for c in contracts:
        contracts_by_sel.setdefault(c["selection_id"], []).append(c)
    releases = []
    for s in selections:
        sel_bids = bids_by_sel.get(s["id"], [])
        awarded = (
            next((b for b in sel_bids if b["id"] == s["awarded_bid_id"]), None) if s["status"] == "awarded" else None
        )
        data = {
            **s,
            "bids": [b["operator_id"] for b in sel_bids if b["status"] in ("submitted", "disqualified")],
            "award": {"bid_id": awarded["id"], "operator_id": awarded["operator_id"], "price_fen": awarded["price_fen"]}
            if awarded
            else None,
            "contracts": contracts_by_sel.get(s["id"], []) if awarded is not None else [],
        }
        releases.append(
            selection_release(
                data, prefix=settings.ocds_ocid_prefix, district_name=settings.district_buyer_name, operators=operators
            )
        )
    return releases, ids[-1]


async def _direct_page(
    session: AsyncSession, after: int | None, settings: Settings
) -> tuple[list[dict[str, Any]], int | None]:
    rows = await ContractRepository(session).public_rows_without_selection(after_id=after, limit=PAGE)
    if not rows:
        return [], None
    data = await _contract_dicts(session, rows)
    operators = await OperatorRepository(session).party_rows({c["operator_id"] for c in data})
    releases = [
        direct_contract_release(
            c, prefix=settings.ocds_ocid_prefix, district_name=settings.district_buyer_name, operators=operators
        )
        for c in data
    ]
    return releases, rows[-1]["id"]


def package_head(*, uri: str, published: datetime, settings: Settings) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": ts(published),
        "publisher": {"name": settings.ocds_publisher_name, "uri": settings.ocds_publisher_uri},
        "license": LICENSE,
        "publicationPolicy": "https://whlyj.bjdch.gov.cn/ocds/publication-policy",
    }


async def stream_package(
    sessionmaker: async_sessionmaker[AsyncSession], *, uri: str, published: datetime, settings: Settings
) -> AsyncIterator[bytes]:
    head = dumps(package_head(uri=uri, published=published, settings=settings))
    yield (head[:-1] + ',"releases":[').encode()
    first = True
    for page in (_selection_page, _direct_page):
        after: int | None = None
        while True:
            async with sessionmaker() as session:
                releases, after = await page(session, after, settings)
            if not releases:
                break
            chunk = ",".join(dumps(r) for r in releases)
            yield (("" if first else ",") + chunk).encode()
            first = False
            if len(releases) < PAGE:
                break
    yield b"]}"
