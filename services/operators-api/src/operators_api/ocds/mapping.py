"""Selections and contracts as OCDS 1.1 releases (Open Contracting Data Standard), pure functions.

One release per selection (ocid <prefix>-sel-<id>: tender, tenderers once bids are opened, the award,
the contracts that follow it with their payment milestones, evaluations and paid instalments), and
one per contract drawn up without a selection (single source; ocid <prefix>-ct-<id>). Drafts are
not published. Amounts are yuan (CNY) with two decimals; times carry their zone (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from operators_api.contracts.rules import OCDS_STATUS
from operators_api.evaluations.rules import GRADE_NAMES_ZH
from operators_api.periods import as_local
from operators_api.selections.rules import METHOD_NAMES_ZH, OCDS_METHOD, UNSEALED

SUBDISTRICT_NAMES = {
    "donghuamen": "东华门街道",
    "jingshan": "景山街道",
    "jiaodaokou": "交道口街道",
    "andingmen": "安定门街道",
    "beixinqiao": "北新桥街道",
    "dongsi": "东四街道",
    "chaoyangmen": "朝阳门街道",
    "jianguomen": "建国门街道",
    "dongzhimen": "东直门街道",
    "hepingli": "和平里街道",
    "qianmen": "前门街道",
    "chongwenmenwai": "崇文门外街道",
    "donghuashi": "东花市街道",
    "longtan": "龙潭街道",
    "tiyuguanlu": "体育馆路街道",
    "tiantan": "天坛街道",
    "yongdingmenwai": "永定门外街道",
}
TENDER_STATUS = {
    "published": "active",
    "bidding": "active",
    "evaluating": "active",
    "awarded": "complete",
    "failed": "unsuccessful",
    "cancelled": "cancelled",
}


def money(fen: int) -> dict[str, Any]:
    return {"amount": Decimal(fen) / 100, "currency": "CNY"}


def ts(value: datetime | None) -> str | None:
    local = as_local(value)
    return local.isoformat(timespec="seconds") if local else None


def day(value: date) -> str:
    """A day as the start of that day in Asia/Shanghai (OCDS dates are date-times)."""
    return f"{value.isoformat()}T00:00:00+08:00"


def day_end(value: date) -> str:
    return f"{value.isoformat()}T23:59:59+08:00"


class Parties:
    """The parties of one release, each listed once with all its roles."""

    def __init__(self) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}

    def add(self, party: dict[str, Any], role: str) -> dict[str, str]:
        entry = self._by_id.setdefault(party["id"], {**party, "roles": []})
        if role not in entry["roles"]:
            entry["roles"].append(role)
        return {"id": party["id"], "name": party["name"]}

    def all(self) -> list[dict[str, Any]]:
        return list(self._by_id.values())


def buyer_party(subdistrict: str | None, district_name: str) -> dict[str, Any]:
    if subdistrict is None:
        return {"id": "CN-DC-WLJ", "name": district_name}
    return {
        "id": f"CN-DC-{subdistrict}",
        "name": f"北京市东城区{SUBDISTRICT_NAMES.get(subdistrict, subdistrict)}办事处",
    }


def operator_party(op: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"CN-USCC-{op['uscc']}",
        "name": op["legal_name"],
        "identifier": {"scheme": "CN-USCC", "id": op["uscc"], "legalName": op["legal_name"]},
        "address": {"streetAddress": op["registered_address"], "region": "北京市", "countryName": "中国"},
    }


def _contract(
    c: dict[str, Any], ocid: str, award_id: str, parties: Parties, buyer: dict[str, str], supplier: dict[str, str]
) -> dict[str, Any]:
    milestones: list[dict[str, Any]] = []
    transactions = []
    for inst in c["instalments"]:
        payable = inst["adjusted_amount_fen"] if inst["adjusted_amount_fen"] is not None else inst["amount_fen"]
        m = {
            "id": f"{ocid}-c{c['id']}-payment-{inst['seq']}",
            "title": f"第{inst['seq']}期付款"
            + (f"（与{inst['linked_period']}考核挂钩）" if inst["linked_period"] else ""),
            "type": "payment",
            "dueDate": day(inst["due_on"]),
            "description": f"应付 {Decimal(payable) / 100:.2f} 元"
            + (
                f"（考核后按 {inst['adjustment_percent']}% 支付）" if inst.get("adjustment_percent") is not None else ""
            ),
            "status": "met" if inst["paid_on"] else "scheduled",
        }
        if inst["paid_on"]:
            m["dateMet"] = day(inst["paid_on"])
            transactions.append(
                {
                    "id": f"{ocid}-c{c['id']}-tx-{inst['seq']}",
                    "source": "https://whlyj.bjdch.gov.cn/",
                    "date": day(inst["paid_on"]),
                    "value": money(inst["paid_amount_fen"]),
                    "payer": {"id": buyer["id"], "name": buyer["name"]},
                    "payee": supplier,
                }
            )
        milestones.append(m)
    for e in c["evaluations"]:
        milestones.append(
            {
                "id": f"{ocid}-c{c['id']}-evaluation-{e['id']}",
                "title": f"{e['period']} 绩效考核",
                "type": "assessment",
                "description": f"得分 {e['score']}，等级 {GRADE_NAMES_ZH.get(e['grade'], e['grade'])}",
                "dueDate": day_end(e["period_end_on"]),
                "dateMet": ts(e["published_at"]),
                "status": "met" if e["grade"] != "fail" else "notMet",
            }
        )
    out: dict[str, Any] = {
        "id": f"{ocid}-contract-{c['id']}",
        "awardID": award_id,
        "title": c["title"],
        "status": OCDS_STATUS[c["status"]],
        "period": {"startDate": day(c["starts_on"]), "endDate": day_end(c["ended_on"] or c["ends_on"])},
        "value": money(c["amount_fen"]),
        "items": [
            {"id": str(fid), "description": f"公共文化设施（编号 {fid}）社会化运营服务", "quantity": 1}
            for fid in c["facility_ids"]
        ],
    }
    if c["activated_at"]:
        out["dateSigned"] = ts(c["activated_at"])
    if milestones or transactions:
        out["implementation"] = {}
        if transactions:
            out["implementation"]["transactions"] = transactions
        if milestones:
            out["implementation"]["milestones"] = milestones
    return out


def _release_id(ocid: str, when: datetime) -> str:
    return f"{ocid}-{as_local(when).strftime('%Y%m%dT%H%M%S')}"  # type: ignore[union-attr]


def _tags(tender_status: str | None, contracts: list[dict[str, Any]], awarded: bool) -> list[str]:
    tags = ["tender"]
    if tender_status == "cancelled":
        tags.append("tenderCancellation")
    if awarded:
        tags.append("award")
    if contracts:
        tags.append("contract")
    if any(c.get("implementation") for c in contracts):
        tags.append("implementation")
    if any(c["status"] == "terminated" for c in contracts):
        tags.append("contractTermination")
    return tags


def selection_release(
    sel: dict[str, Any], *, prefix: str, district_name: str, operators: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """`sel`: the selection's fields, with `bids` (operator ids of submitted bids), `contracts` (each with
    facility_ids, instalments, evaluations) and `award` (bid_id, operator_id, price_fen) when awarded."""
    ocid = f"{prefix}-sel-{sel['id']}"
    parties = Parties()
    buyer = parties.add(buyer_party(sel["purchaser_subdistrict"], district_name), "buyer")
    parties.add(buyer_party(sel["purchaser_subdistrict"], district_name), "procuringEntity")
    criteria = "；".join(f"{c['name_zh']} {c['weight']} 分" for c in sel["criteria"])
    tender: dict[str, Any] = {
        "id": sel["reference"],
        "title": sel["title"],
        "description": sel["description"] or sel["scope"] or sel["title"],
        "status": TENDER_STATUS[sel["status"]],
        "procuringEntity": buyer,
        "value": money(sel["budget_fen"]),
        "procurementMethod": OCDS_METHOD[sel["method"]],
        "procurementMethodDetails": METHOD_NAMES_ZH[sel["method"]],
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria" if any(c["kind"] == "quality" for c in sel["criteria"]) else "priceOnly",
        "awardCriteriaDetails": f"综合评分法：{criteria}",
        "tenderPeriod": {"startDate": ts(sel["bids_open_at"]), "endDate": ts(sel["bids_close_at"])},
        "contractPeriod": {"startDate": day(sel["service_starts_on"]), "endDate": day_end(sel["service_ends_on"])},
        "items": [
            {"id": str(fid), "description": f"公共文化设施（编号 {fid}）社会化运营服务", "quantity": 1}
            for fid in sel["facility_ids"]
        ],
    }
    if sel["status"] in UNSEALED:
        bidders = [operators[oid] for oid in sel["bids"] if oid in operators]
        tender["numberOfTenderers"] = len(bidders)
        tender["tenderers"] = [parties.add(operator_party(op), "tenderer") for op in bidders]
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": "",
        "date": "",
        "tag": [],
        "initiationType": "tender",
        "language": "zh",
        "parties": [],
        "buyer": buyer,
        "tender": tender,
    }
    award_id = None
    award = sel.get("award")
    if award is not None and award["operator_id"] in operators:
        supplier = parties.add(operator_party(operators[award["operator_id"]]), "supplier")
        award_id = f"{ocid}-award-{award['bid_id']}"
        release["awards"] = [
            {
                "id": award_id,
                "title": f"{sel['title']} 成交结果",
                "description": sel.get("award_reason") or "",
                "status": "active",
                "date": ts(sel["awarded_at"]),
                "value": money(award["price_fen"]),
                "suppliers": [supplier],
            }
        ]
        contracts = []
        for c in sel["contracts"]:
            payee = (
                parties.add(operator_party(operators[c["operator_id"]]), "payee")
                if c["operator_id"] in operators
                else supplier
            )
            if any(i["paid_on"] for i in c["instalments"]):
                parties.add(buyer_party(sel["purchaser_subdistrict"], district_name), "payer")
            contracts.append(_contract(c, ocid, award_id, parties, buyer, payee))
        if contracts:
            release["contracts"] = contracts
    dates = [sel["updated_at"], *(c["updated_at"] for c in sel["contracts"])]
    latest = max(d for d in dates if d is not None)
    release["id"] = _release_id(ocid, latest)
    release["date"] = ts(latest)
    release["tag"] = _tags(tender["status"], release.get("contracts", []), award_id is not None)
    release["parties"] = parties.all()
    return release


def direct_contract_release(
    c: dict[str, Any], *, prefix: str, district_name: str, operators: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """A contract drawn up without a selection (单一来源): its tender is the direct award itself."""
    ocid = f"{prefix}-ct-{c['id']}"
    parties = Parties()
    buyer = parties.add(buyer_party(c["purchaser_subdistrict"], district_name), "buyer")
    parties.add(buyer_party(c["purchaser_subdistrict"], district_name), "procuringEntity")
    op = operators[c["operator_id"]]
    supplier = parties.add(operator_party(op), "supplier")
    parties.add(operator_party(op), "payee")
    if any(i["paid_on"] for i in c["instalments"]):
        parties.add(buyer_party(c["purchaser_subdistrict"], district_name), "payer")
    award_id = f"{ocid}-award"
    contract = _contract(c, ocid, award_id, parties, buyer, supplier)
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": _release_id(ocid, c["updated_at"]),
        "date": ts(c["updated_at"]),
        "tag": [],
        "initiationType": "tender",
        "language": "zh",
        "parties": [],
        "buyer": buyer,
        "tender": {
            "id": c["reference"],
            "title": c["title"],
            "description": c["justification"] or c["title"],
            "status": "complete",
            "procuringEntity": buyer,
            "value": money(c["amount_fen"]),
            "procurementMethod": "direct",
            "procurementMethodDetails": METHOD_NAMES_ZH["single_source"],
            "procurementMethodRationale": c["justification"],
            "mainProcurementCategory": "services",
            "contractPeriod": {"startDate": day(c["starts_on"]), "endDate": day_end(c["ends_on"])},
            "items": contract["items"],
        },
        "awards": [
            {
                "id": award_id,
                "title": f"{c['title']} 单一来源成交",
                "status": "active",
                "date": ts(c["activated_at"] or c["created_at"]),
                "value": money(c["amount_fen"]),
                "suppliers": [supplier],
            }
        ],
        "contracts": [contract],
    }
    release["tag"] = _tags("complete", release["contracts"], True)
    release["parties"] = parties.all()
    return release
