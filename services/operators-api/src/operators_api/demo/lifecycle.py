"""Demo data for the whole loop (选—用—管—培), made through the same use cases the API runs, on a
clock the seed walks through the past (never beyond now):

- two completed selections (a public tender for the "八街道百社区" culture-and-sports centres, a
  competitive consultation for the reading spaces), with bids, an expert panel, scores and awards;
- active contracts for every socially operated demo facility (facilities-api's facilities.json,
  ids 1..130 in file order), from those awards or single source; 青年艺术工作室's is suspended;
- monthly service reports since each contract started (美后肆时's latest month is left for the demo
  operator to file), one of them flagged by the cross-check;
- inspections each quarter, one with an open rectification (美后肆时), one accepted;
- evaluations of the last four completed quarters with every grade (the latest one of 美后肆时 is
  left for the demo official), linked instalments adjusted and paid, two consecutive fails that
  propose termination (青年艺术工作室);
- preferential-fee applications approved, rejected and one awaiting decision;
- a completed and an upcoming training programme, incubations, an honour, volunteer teams with
  verified hours (one volunteer past 100 hours).

Figures from the other services are synthetic (DemoInputs): the seed never calls them. The
contract.started events it writes are what facilities-api applies when the platform runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from operators_api.contracts import service as contracts
from operators_api.contracts.repository import ContractRepository
from operators_api.contracts.schemas import ContractCreate, ContractStatusChange, PaymentCreate
from operators_api.credit import service as credit
from operators_api.credit.schemas import HonourCreate
from operators_api.cultivation import service as cultivation
from operators_api.cultivation.repository import ProgrammeRepository
from operators_api.cultivation.schemas import (
    AttendanceSet,
    EnrolmentCreate,
    IncubationCreate,
    IncubationStatusChange,
    ProgrammeCreate,
)
from operators_api.demo.inputs import LEVELS, DemoInputs
from operators_api.evaluations import service as evaluations
from operators_api.evaluations.schemas import ExpertScore, Publish
from operators_api.fees import service as fees
from operators_api.fees.schemas import Decision, FeeApplicationCreate
from operators_api.inspections import service as inspections
from operators_api.inspections.rules import CHECKLIST
from operators_api.inspections.schemas import InspectionCreate, RectificationResponse, RectificationReview
from operators_api.operators.repository import OperatorRepository
from operators_api.periods import Period, month_end, parse_period
from operators_api.reports import service as reports
from operators_api.reports.schemas import ReportCreate
from operators_api.selections import service as selections
from operators_api.selections.repository import SelectionRepository
from operators_api.selections.schemas import (
    AwardCreate,
    BidCreate,
    Declaration,
    Method,
    PanelMemberCreate,
    ScoreSheet,
    SelectionCreate,
    SelectionRead,
    SelectionStatusChange,
)
from operators_api.shared import ANY_VERSION
from operators_api.volunteers import service as volunteers
from operators_api.volunteers.repository import TeamRepository
from operators_api.volunteers.schemas import ServiceCreate, TeamCreate, VerificationCreate, VolunteerCreate
from service_kit.auth import Principal
from service_kit.clock import DISTRICT_TZ, Clock
from service_kit.etag import IfMatch

OFFICIAL = Principal(sub="demo-seed", role="official", name="演示数据")
SWEEP = Principal(sub="system:contract-expiry", role="service", name="contract sweep")
# Payments adjusted by an evaluation are recorded by someone other than the official who published it.
FINANCE = Principal(sub="demo-finance", role="official", name="财务（演示数据）")
EXPERTS = [
    Principal(sub="demo-expert-wang", role="official", name="王明（评审专家）"),
    Principal(sub="demo-expert-chen", role="official", name="陈静（评审专家）"),
    Principal(sub="demo-official-liu", role="official", name="刘洋（区文旅局）"),
]
INSPECTOR = Principal(sub="demo-inspector-zhao", role="official", name="赵督查")
THRESHOLDS = [100, 300, 1000]
TARGETS = {
    "open_hours_per_week": 42,
    "activities_per_month": 8,
    "participants_per_month": 240,
    "special_group_services_per_month": 12,
    "complaint_on_time_percent": 90,
    "min_satisfaction_score": 70,
}
# Services the fee applications name: facilities-api's demo should offer them under these ids.
DEMO_SERVICES: dict[int, list[dict[str, Any]]] = {
    114: [
        {"id": 11401, "name_zh": "少儿国画体验课", "category": "training", "basic": False},
        {"id": 11402, "name_zh": "市民文化沙龙", "category": "lecture", "basic": False},
    ],
    118: [{"id": 11801, "name_zh": "亲子阅读工作坊", "category": "training", "basic": False}],
    110: [{"id": 11001, "name_zh": "胡同文化深度导览", "category": "heritage", "basic": False}],
}


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, 1)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


# facilities-api's demo registry: its 130 facilities get ids 1–130 on a fresh database (its seed runs
# before this one in `make seed`). The demo is seeded without the services running, so the facilities
# its plans name are checked against that range instead of over HTTP.
DEMO_REGISTRY = range(1, 131)


async def unknown_in_demo_registry(facility_ids: list[int]) -> list[int]:
    return [fid for fid in facility_ids if fid not in DEMO_REGISTRY]


class Sim:
    """The seed's clock: set to a day in the past for each step; never beyond `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.clock = Clock(fixed=now)

    def on(self, day: date, hour: int = 10) -> Clock:
        moment = datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)
        self.clock.fixed = min(moment, self.now)
        return self.clock


@dataclass
class Plan:
    key: str
    title: str
    operator: str
    facility_ids: list[int]
    levels: list[str]  # the last four completed quarters, oldest first
    annual_yuan: int
    purchaser: str | None = None
    selection: str | None = None


PLANS = [
    Plan(
        "A",
        "“八街道百社区”文体中心连锁运营服务项目",
        "jingcheng-culture-services",
        [59, 61, 63, 67, 68, 70, 72, 75],
        ["good", "good", "excellent", "good"],
        4_800_000,
        selection="A",
    ),
    Plan(
        "B",
        "角楼图书馆等阅读空间社会化运营服务项目",
        "shuhai-reading",
        [39, 41, 118, 122, 123, 124, 125],
        ["excellent"] * 4,
        2_860_000,
        selection="B",
    ),
    Plan(
        "C",
        "美后肆时景山市民文化中心运营服务",
        "meihou-sishi-culture",
        [114],
        ["good", "excellent", "excellent", "excellent"],
        960_000,
        purchaser="jingshan",
    ),
    Plan(
        "D",
        "胡同博物馆及27院儿运营服务",
        "hutong-heritage-society",
        [110, 111, 112, 115],
        ["pass", "good", "pass", "pass"],
        1_600_000,
    ),
    Plan(
        "E",
        "南锣鼓巷戏剧分馆及青年艺术空间运营服务",
        "qingnian-arts-studio",
        [40, 119, 129, 130],
        ["pass", "pass", "fail", "fail"],
        1_440_000,
    ),
    Plan(
        "F",
        "社区图书服务点与社区文化室运营服务",
        "dongcheng-volunteer-union",
        [50, 51, 55, 80, 82, 86, 90, 94, 106, 108, 126],
        ["good", "pass", "good", "good"],
        1_650_000,
    ),
    Plan(
        "G",
        "公园文化驿站与社区文化室运营服务",
        "jingcheng-culture-services",
        [97, 101, 103, 116, 117, 120, 121, 127],
        ["good"] * 4,
        2_080_000,
    ),
]


class SelectionSpec(TypedDict):
    """A demo selection: its reference, method, budget, whether the lowest and highest scores are
    trimmed, and its bids (operator code, price in yuan, scores for plan, experience and team)."""

    reference: str
    method: Method
    budget_yuan: int
    trim: bool
    bids: list[tuple[str, int, tuple[int, int, int]]]


SELECTIONS: dict[str, SelectionSpec] = {
    "A": {
        "reference": "DCWL-DEMO-A",
        "method": "public_tender",
        "budget_yuan": 15_000_000,
        "trim": True,
        "bids": [
            ("jingcheng-culture-services", 14_400_000, (37, 18, 9)),
            ("chengshi-shufang", 13_800_000, (30, 14, 7)),
            ("qingshaonian-yishu-cujinhui", 14_900_000, (31, 16, 8)),
        ],
    },
    "B": {
        "reference": "DCWL-DEMO-B",
        "method": "competitive_consultation",
        "budget_yuan": 9_000_000,
        "trim": False,
        "bids": [
            ("shuhai-reading", 8_580_000, (38, 19, 9)),
            ("chengshi-shufang", 8_200_000, (33, 15, 8)),
            ("meihou-sishi-culture", 8_900_000, (32, 16, 8)),
        ],
    },
}
CRITERIA = [
    {"key": "price", "name_zh": "价格", "kind": "price", "weight": 30},
    {"key": "service_plan", "name_zh": "服务方案", "kind": "quality", "weight": 40},
    {"key": "experience", "name_zh": "运营经验与业绩", "kind": "quality", "weight": 20},
    {"key": "team", "name_zh": "团队配置", "kind": "quality", "weight": 10},
]


def staff(operator_id: int, code: str) -> Principal:
    return Principal(sub=f"demo-staff:{code}", role="operator", operator_id=operator_id, name=f"{code} 运营人员")


class Demo:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessionmaker = sessionmaker
        self.sim = Sim(clock.now())
        self.today = clock.local_now().date()
        self.m0 = self.today.replace(day=1)
        self.start = add_months(self.m0, -16)
        self.end = add_months(self.start, 36) - timedelta(days=1)
        last_q = parse_period(quarter_of(add_months(self.m0, -3)))
        while last_q.end >= self.today:
            last_q = parse_period(quarter_of(last_q.start - timedelta(days=1)))
        self.quarters = [last_q]
        while len(self.quarters) < 4:
            self.quarters.insert(0, parse_period(quarter_of(self.quarters[0].start - timedelta(days=1))))
        self.inputs = DemoInputs(lambda: self.sim.clock.now())
        self.ops: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def level(self, plan: Plan, day: date) -> str:
        for q, lvl in zip(self.quarters, plan.levels, strict=True):
            if q.start <= day <= q.end:
                return lvl
        return plan.levels[0] if day < self.quarters[0].start else plan.levels[-1]

    def bump(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    # -- selections ---------------------------------------------------------------------------------
    async def selection(self, key: str, plan: Plan) -> tuple[int, int] | None:
        spec = SELECTIONS[key]
        async with self.sessionmaker() as s:
            existing = await SelectionRepository(s).by_reference(spec["reference"])
            if existing is not None:
                return None
            opens = self.start - timedelta(days=90)
            sim = self.sim
            read = await selections.create_selection(
                s,
                principal=OFFICIAL,
                clock=sim.on(opens - timedelta(days=10)),
                unknown_facilities=unknown_in_demo_registry,
                data=SelectionCreate(
                    reference=spec["reference"],
                    title=plan.title,
                    description=f"{plan.title}（演示数据）",
                    scope="开放服务、活动组织、特殊群体服务、志愿者管理",
                    method=spec["method"],
                    budget_fen=spec["budget_yuan"] * 100,
                    facility_ids=plan.facility_ids,
                    criteria=CRITERIA,
                    trim_extremes=spec["trim"],
                    bids_open_at=datetime.combine(opens, time(9), tzinfo=DISTRICT_TZ),
                    bids_close_at=datetime.combine(opens + timedelta(days=15), time(17), tzinfo=DISTRICT_TZ),
                    service_starts_on=self.start,
                    service_ends_on=self.end,
                ),
            )
            sid = read.selection.id
            for status, day in (("published", opens - timedelta(days=5)), ("bidding", opens)):
                await selections.change_status(
                    s,
                    principal=OFFICIAL,
                    clock=sim.on(day),
                    selection_id=sid,
                    data=SelectionStatusChange(status=status, reason="按计划推进（演示数据）"),
                    if_match=ANY_VERSION,
                )
            bids = {}
            for code, price_yuan, _ in spec["bids"]:
                oid = self.ops[code]
                b = await selections.submit_bid(
                    s,
                    principal=staff(oid, code),
                    clock=sim.on(opens + timedelta(days=7)),
                    selection_id=sid,
                    data=BidCreate(
                        price_fen=price_yuan * 100,
                        proposal_summary=f"{code} 的运营服务方案（演示数据）",
                        documents=[
                            {"title": "响应文件", "url": f"https://files.example/demo/{spec['reference']}/{code}.pdf"}
                        ],
                    ),
                )
                bids[code] = b.bid.id
            closed = sim.on(opens + timedelta(days=16))
            await selections.change_status(
                s,
                principal=OFFICIAL,
                clock=closed,
                selection_id=sid,
                data=SelectionStatusChange(status="evaluating", reason="投标截止，开标"),
                if_match=ANY_VERSION,
            )
            for expert in EXPERTS:
                await selections.add_panel_member(
                    s,
                    principal=OFFICIAL,
                    clock=closed,
                    selection_id=sid,
                    data=PanelMemberCreate(sub=expert.sub, display_name=expert.name, kind="expert"),
                )
            for n, expert in enumerate(EXPERTS):
                await selections.declare(
                    s,
                    principal=expert,
                    clock=closed,
                    selection_id=sid,
                    data=Declaration(statement="本人与各投标人均无利害关系。"),
                )
                for code, _, (plan_score, exp_score, team_score) in spec["bids"]:
                    wobble = Decimal(n - 1)
                    await selections.score_bid(
                        s,
                        principal=expert,
                        clock=closed,
                        selection_id=sid,
                        bid_id=bids[code],
                        data=ScoreSheet(
                            scores={
                                "service_plan": Decimal(plan_score) + wobble,
                                "experience": Decimal(exp_score),
                                "team": Decimal(team_score),
                            }
                        ),
                    )
            awarded = await selections.award(
                s,
                principal=OFFICIAL,
                clock=sim.on(opens + timedelta(days=20)),
                selection_id=sid,
                data=AwardCreate(reason="综合评分第一名（演示数据）"),
            )
            self.bump("selections")
            award = SelectionRead.of(awarded).award
            assert award is not None  # awarded just now
            return sid, award.price_fen

    # -- contracts ----------------------------------------------------------------------------------
    def instalments(self, total_fen: int) -> list[dict[str, Any]]:
        quarters, q = [], parse_period(quarter_of(self.start))
        while q.start <= self.end:
            quarters.append(q)
            q = parse_period(quarter_of(q.end + timedelta(days=1)))
        share = total_fen // len(quarters)
        out: list[dict[str, Any]] = [
            {"due_on": q.end + timedelta(days=15), "amount_fen": share, "linked_period": q.name} for q in quarters
        ]
        out[-1]["amount_fen"] += total_fen - share * len(quarters)
        return out

    async def contract(self, plan: Plan, awarded: tuple[int, int] | None) -> int | None:
        reference = f"DCHT-DEMO-{plan.key}"
        async with self.sessionmaker() as s:
            if await ContractRepository(s).by_reference(reference) is not None:
                return None
            oid = self.ops[plan.operator]
            total = awarded[1] if awarded else plan.annual_yuan * 3 * 100
            common = {
                "reference": reference,
                "title": plan.title,
                "starts_on": self.start,
                "ends_on": self.end,
                "amount_fen": total,
                "instalments": self.instalments(total),
                "kpi_targets": TARGETS,
                "service_standards": [
                    "基本公共文化服务免费开放",
                    "每周开放不少于42小时",
                    "每月至少8场公益活动",
                    "投诉2个工作日内答复",
                ],
            }
            if awarded:
                data = ContractCreate(selection_id=awarded[0], **common)
            else:
                data = ContractCreate(
                    operator_id=oid,
                    facility_ids=plan.facility_ids,
                    procurement_method="single_source",
                    purchaser_subdistrict=plan.purchaser,
                    justification="原运营单位延续运营，服务具有连续性和不可替代性（演示数据）。",
                    **common,
                )
            c = await contracts.create_contract(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(self.start - timedelta(days=40)),
                data=data,
                unknown_facilities=unknown_in_demo_registry,
            )
            await contracts.change_status(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(self.start - timedelta(days=10)),
                contract_id=c.contract.id,
                data=ContractStatusChange(status="active", reason="合同签订生效（演示数据）"),
                if_match=ANY_VERSION,
            )
            # Signed ten days ahead: the facilities are handed over by the contract sweep on the start date.
            await contracts.start_due(s, principal=SWEEP, clock=self.sim.on(self.start, hour=0))
            self.inputs.add(plan.facility_ids, TARGETS, partial(self.level, plan))
            self.bump("contracts")
            return c.contract.id

    # -- management ---------------------------------------------------------------------------------
    async def reports(self, plan: Plan, contract_id: int) -> None:
        oid = self.ops[plan.operator]
        month = self.start
        last = add_months(self.m0, -1)
        while month < self.m0:
            if plan.key == "C" and month == last:
                break  # left for the demo operator to file
            end = month_end(month.year, month.month)
            lines = [self.inputs.report_figures(fid, month, end) for fid in plan.facility_ids]
            if plan.key == "D" and month == add_months(self.m0, -2):
                lines[0]["participants"] = int(
                    lines[0]["participants"] * 1.4
                )  # over-reported: the cross-check flags it
            async with self.sessionmaker() as s:
                await reports.file_report(
                    s,
                    principal=staff(oid, plan.operator),
                    clock=self.sim.on(end + timedelta(days=3)),
                    data=ReportCreate(
                        contract_id=contract_id,
                        month=f"{month:%Y-%m}",
                        lines=lines,
                        summary="本月运营平稳（演示数据）。",
                    ),
                    inputs=self.inputs,
                    tolerance=10,
                )
            self.bump("service_reports")
            month = add_months(month, 1)

    async def inspection(
        self, plan: Plan, contract_id: int, day: date, n: int, orders: list[dict[str, Any]] | None = None
    ) -> list[int]:
        fraction = LEVELS[self.level(plan, day)]["inspection"]
        items = [
            {"key": k, "score": (Decimal(points) * fraction).quantize(Decimal("0.1")), "finding": ""}
            for k, (_, points) in CHECKLIST.items()
        ]
        async with self.sessionmaker() as s:
            out = await inspections.record_inspection(
                s,
                principal=INSPECTOR,
                clock=self.sim.on(day, 15),
                data=InspectionCreate(
                    contract_id=contract_id,
                    facility_id=plan.facility_ids[n % len(plan.facility_ids)],
                    inspected_on=day,
                    announced=n % 2 == 0,
                    summary="季度督查（演示数据）",
                    items=items,
                    rectifications=orders or [],
                ),
            )
        self.bump("inspections")
        return list(out.rectification_ids)

    async def evaluate(self, plan: Plan, contract_id: int, q: Period) -> None:
        oid = self.ops[plan.operator]
        day = q.end + timedelta(days=10)
        async with self.sessionmaker() as s:
            e = await evaluations.create_evaluation(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(day),
                contract_id=contract_id,
                period_name=q.name,
                inputs=self.inputs,
            )
            level = LEVELS[self.level(plan, q.end)]
            e = await evaluations.set_expert_score(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(day, 14),
                evaluation_id=e.evaluation.id,
                data=ExpertScore(score=Decimal(level["expert"]), assessor="北京文化发展评估中心（演示）"),
                if_match=IfMatch("*"),
            )
            e = await evaluations.publish(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(day + timedelta(days=2)),
                evaluation_id=e.evaluation.id,
                data=Publish(),
                if_match=IfMatch("*"),
            )
            self.bump("evaluations")
            inst = e.evaluation.consequences.get("instalment")
            due = q.end + timedelta(days=15)
            if inst and inst.get("adjusted_amount_fen") is not None and due < self.today:
                await contracts.record_payment(
                    s,
                    principal=FINANCE,
                    clock=self.sim.on(due, 16),
                    contract_id=contract_id,
                    seq=inst["seq"],
                    data=PaymentCreate(paid_on=due, payment_reference=f"DC-PAY-{contract_id}-{inst['seq']}"),
                )
            rid = e.evaluation.consequences.get("rectification_id")
            if rid:  # the operator answers a failed quarter's rectification, and it is accepted
                await inspections.respond(
                    s,
                    principal=staff(oid, plan.operator),
                    clock=self.sim.on(day + timedelta(days=12)),
                    rectification_id=rid,
                    data=RectificationResponse(response="已制定整改方案：增加活动场次、延长开放时间、建立投诉台账。"),
                )
                await inspections.review(
                    s,
                    principal=OFFICIAL,
                    clock=self.sim.on(day + timedelta(days=14)),
                    rectification_id=rid,
                    data=RectificationReview(decision="accepted", reason="整改方案可行，持续跟踪（演示数据）"),
                )

    async def manage(self, plan: Plan, contract_id: int) -> None:
        await self.reports(plan, contract_id)
        for n, q in enumerate(self.quarters):
            mid = q.start + timedelta(days=40)
            orders = None
            if plan.key == "D" and n == 1:
                orders = [
                    {
                        "finding": "消防通道堆放杂物",
                        "required_action": "清理通道并建立每日巡查制度",
                        "deadline_on": mid + timedelta(days=14),
                    }
                ]
            rids = await self.inspection(plan, contract_id, mid, n, orders)
            for rid in rids:
                async with self.sessionmaker() as s:
                    await inspections.respond(
                        s,
                        principal=staff(self.ops[plan.operator], plan.operator),
                        clock=self.sim.on(mid + timedelta(days=7)),
                        rectification_id=rid,
                        data=RectificationResponse(response="杂物已清理，巡查台账已建立。"),
                    )
                    await inspections.review(
                        s,
                        principal=OFFICIAL,
                        clock=self.sim.on(mid + timedelta(days=9)),
                        rectification_id=rid,
                        data=RectificationReview(decision="accepted", reason="现场复查合格（演示数据）"),
                    )
        if plan.key == "C":  # a recent unannounced visit leaves one rectification open for the demo operator
            day = self.today - timedelta(days=3)
            await self.inspection(
                plan,
                contract_id,
                day,
                1,
                [
                    {
                        "finding": "免费开放时间未在入口显著位置公示",
                        "required_action": "在入口及线上平台公示免费开放时间和优惠收费项目",
                        "deadline_on": self.today + timedelta(days=20),
                    }
                ],
            )
        quarters = (
            self.quarters[:-1] if plan.key == "C" else self.quarters
        )  # 美后肆时's latest quarter is left for the demo official
        for q in quarters:
            await self.evaluate(plan, contract_id, q)

    async def fees(self, contract_ids: dict[str, int]) -> None:
        async def service_of(facility_id: int, service_id: int) -> dict[str, Any] | None:
            found = next((sv for sv in DEMO_SERVICES.get(facility_id, []) if sv.get("id") == service_id), None)
            return None if found is None else {"basic_periods": [], **found}

        plan_of = {p.key: p for p in PLANS}
        cases = [
            ("C", 114, 11401, 16_000, 6_000, "approved", "收费标准低于指南上限，特殊群体免费名额充足"),
            ("B", 118, 11801, 12_000, 6_000, "rejected", "亲子阅读属于基本公共文化服务范畴，应免费提供"),
            ("D", 110, 11001, 20_000, 8_000, "approved", "深度导览为非基本服务，价格合理"),
            ("C", 114, 11402, 10_000, 4_000, None, None),
        ]
        for n, (key, fid, service_id, market, fee, decision, reason) in enumerate(cases):
            plan = plan_of[key]
            oid = self.ops[plan.operator]
            day = self.today - timedelta(days=200 - 60 * n) if decision else self.today - timedelta(days=2)
            async with self.sessionmaker() as s:
                app = await fees.submit(
                    s,
                    principal=staff(oid, plan.operator),
                    clock=self.sim.on(day),
                    service_of=service_of,
                    data=FeeApplicationCreate(
                        contract_id=contract_ids[key],
                        facility_id=fid,
                        service_id=service_id,
                        market_price_fen=market,
                        proposed_fee_fen=fee,
                        special_group_free_percent=20,
                        special_group_fee_fen=fee // 2,
                        justification="按材料和师资成本测算（演示数据）",
                    ),
                )
                if decision:
                    await fees.decide(
                        s,
                        principal=OFFICIAL,
                        clock=self.sim.on(day + timedelta(days=7)),
                        application_id=app.id,
                        data=Decision(decision=decision, reason=reason),
                        service_of=service_of,
                    )
            self.bump("fee_applications")

    # -- cultivation --------------------------------------------------------------------------------
    async def cultivate(self) -> None:
        async with self.sessionmaker() as s:
            if await ProgrammeRepository(s).by_title("文化类社会组织运营能力提升培训班（第一期）") is not None:
                return
            first = add_months(self.m0, -4) + timedelta(days=7)
            p = await cultivation.create_programme(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(first - timedelta(days=20)),
                data=ProgrammeCreate(
                    title="文化类社会组织运营能力提升培训班（第一期）",
                    organiser="北京市东城区文化和旅游局",
                    audience="operators",
                    capacity=40,
                    min_sessions_for_completion=2,
                    description="政策解读、活动策划、志愿者管理（演示数据）",
                    sessions=[
                        {
                            "topic": t,
                            "starts_at": datetime.combine(first + timedelta(days=7 * i), time(9), tzinfo=DISTRICT_TZ),
                            "ends_at": datetime.combine(
                                first + timedelta(days=7 * i), time(11, 30), tzinfo=DISTRICT_TZ
                            ),
                            "place": "东城区文化馆",
                        }
                        for i, t in enumerate(["公共文化服务政策解读", "活动策划与品牌建设", "志愿者招募与管理"])
                    ],
                ),
            )
            enrolled = []
            for code in (
                "meihou-sishi-culture",
                "shuhai-reading",
                "hutong-heritage-society",
                "qingnian-arts-studio",
                "dongcheng-volunteer-union",
            ):
                e = await cultivation.enrol(
                    s,
                    principal=OFFICIAL,
                    clock=self.sim.on(first - timedelta(days=10)),
                    programme_id=p.programme.id,
                    data=EnrolmentCreate(
                        participant_name=f"{code} 项目负责人", organisation_name=code, operator_id=self.ops[code]
                    ),
                )
                enrolled.append(e.enrolment.id)
            guest = await cultivation.enrol(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(first - timedelta(days=10)),
                programme_id=p.programme.id,
                data=EnrolmentCreate(participant_name="刘晓", organisation_name="东四青年戏剧社"),
            )
            enrolled.append(guest.enrolment.id)
            for i, session in enumerate(p.sessions):
                present = enrolled if i < 2 else enrolled[:3]
                if i == 1:
                    present = [e for e in enrolled if e != enrolled[3]]  # one participant missed the second session
                await cultivation.set_attendance(
                    s,
                    principal=OFFICIAL,
                    clock=self.sim.on(first + timedelta(days=7 * i), 12),
                    programme_id=p.programme.id,
                    session_id=session.id,
                    data=AttendanceSet(enrolment_ids=present),
                )
            await cultivation.complete(
                s, principal=OFFICIAL, clock=self.sim.on(first + timedelta(days=20)), programme_id=p.programme.id
            )
            upcoming = self.today + timedelta(days=20)
            await cultivation.create_programme(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(self.today - timedelta(days=1)),
                data=ProgrammeCreate(
                    title="文化志愿服务骨干培训（第二期）",
                    organiser="东城区文化志愿者联合会",
                    audience="volunteers",
                    capacity=60,
                    min_sessions_for_completion=1,
                    sessions=[
                        {
                            "topic": "文化志愿服务规范与礼仪",
                            "starts_at": datetime.combine(upcoming, time(14), tzinfo=DISTRICT_TZ),
                            "ends_at": datetime.combine(upcoming, time(16), tzinfo=DISTRICT_TZ),
                            "place": "角楼图书馆",
                        }
                    ],
                ),
            )
            for name, kind, fid, mentor, graduated in (
                ("胡同记忆口述史小组", "team", 115, "常德昆", False),
                ("东四青年戏剧社", "social_organisation", 40, "沈一诺", True),
            ):
                inc = await cultivation.create_incubation(
                    s,
                    principal=OFFICIAL,
                    clock=self.sim.on(self.start + timedelta(days=30)),
                    data=IncubationCreate(
                        organisation_name=name,
                        kind=kind,
                        facility_id=fid,
                        mentor=mentor,
                        started_on=self.start + timedelta(days=30),
                        planned_end_on=self.start + timedelta(days=395),
                    ),
                )
                if graduated:
                    await cultivation.change_incubation(
                        s,
                        principal=OFFICIAL,
                        clock=self.sim.on(self.start + timedelta(days=380)),
                        incubation_id=inc.id,
                        data=IncubationStatusChange(
                            status="graduated", reason="已在区民政局登记为民办非企业单位（演示数据）"
                        ),
                    )
            await credit.add_honour(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(add_months(self.m0, -2)),
                operator_id=self.ops["shuhai-reading"],
                data=HonourCreate(
                    title="东城区公共文化设施社会化运营优秀单位",
                    awarded_by="北京市东城区文化和旅游局",
                    awarded_on=add_months(self.m0, -2),
                ),
            )
            self.bump("trainings", 2)

    async def volunteer(self) -> None:
        teams = [
            ("书海听涛阅读志愿服务队", "shuhai-reading", 39, "林书涵", ["周阳", "吴桐", "郑雨"]),
            ("胡同文化讲解志愿服务队", "hutong-heritage-society", 110, "常德昆", ["冯远", "陈曦"]),
            ("东城区文化志愿者总队", "dongcheng-volunteer-union", 126, "杜红", ["何敏", "吕强", "施琳", "孔亮"]),
        ]
        async with self.sessionmaker() as s:
            if await TeamRepository(s).by_name(teams[0][0]) is not None:
                return
            for n, (name, code, fid, leader, members) in enumerate(teams):
                oid = self.ops[code]
                who = staff(oid, code)
                t = await volunteers.create_team(
                    s,
                    principal=who,
                    clock=self.sim.on(self.start),
                    data=TeamCreate(
                        name=name,
                        facility_id=fid,
                        leader_name=leader,
                        founded_on=self.start - timedelta(days=365 * (n + 1)),
                    ),
                )
                for m, member in enumerate(members):
                    v = await volunteers.add_member(
                        s,
                        principal=who,
                        clock=self.sim.on(self.start),
                        team_id=t.team.id,
                        data=VolunteerCreate(
                            name=member, phone=f"1390000{n}{m:03d}", joined_on=self.start - timedelta(days=30)
                        ),
                    )
                    sessions = 6 if (n, m) == (0, 0) else 2 + m
                    for k in range(sessions):
                        day = self.start + timedelta(days=20 + 35 * k)
                        rec = await volunteers.submit_record(
                            s,
                            principal=who,
                            clock=self.sim.on(day + timedelta(days=1)),
                            volunteer_id=v.volunteer.id,
                            data=ServiceCreate(
                                facility_id=fid,
                                served_on=day,
                                hours=Decimal(18 if (n, m) == (0, 0) else 4),
                                activity="阅读推广与导览",
                            ),
                        )
                        await volunteers.verify_record(
                            s,
                            principal=OFFICIAL,
                            clock=self.sim.on(day + timedelta(days=2)),
                            volunteer_id=v.volunteer.id,
                            record_id=rec.id,
                            data=VerificationCreate(decision="verified"),
                            thresholds=THRESHOLDS,
                        )
                self.bump("volunteer_teams")

    async def suspend_qingnian(self, contract_id: int) -> None:
        async with self.sessionmaker() as s:
            await contracts.change_status(
                s,
                principal=OFFICIAL,
                clock=self.sim.on(self.today - timedelta(days=5)),
                contract_id=contract_id,
                data=ContractStatusChange(
                    status="suspended", reason="承接主体演出许可证过期，暂停运营待续证（演示数据）"
                ),
                if_match=ANY_VERSION,
            )

    async def run(self) -> dict[str, int]:
        async with self.sessionmaker() as s:
            repo = OperatorRepository(s)
            for code in {p.operator for p in PLANS} | {c for spec in SELECTIONS.values() for c, _, _ in spec["bids"]}:
                op = await repo.by_code(code)
                assert op is not None, f"demo operator {code} is missing"
                self.ops[code] = op.id
        awarded = {}
        for key in SELECTIONS:
            plan = next(p for p in PLANS if p.selection == key)
            awarded[key] = await self.selection(key, plan)
        contract_ids: dict[str, int] = {}
        for plan in PLANS:
            if plan.selection and awarded[plan.selection] is None:
                continue  # already seeded
            cid = await self.contract(plan, awarded.get(plan.selection) if plan.selection else None)
            if cid is not None:
                contract_ids[plan.key] = cid
        for plan in PLANS:
            if plan.key in contract_ids:
                await self.manage(plan, contract_ids[plan.key])
        if {"B", "C", "D"} <= set(contract_ids):
            await self.fees(contract_ids)
        await self.cultivate()
        await self.volunteer()
        if "E" in contract_ids:
            await self.suspend_qingnian(contract_ids["E"])
        return self.counts


async def load_lifecycle(sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock) -> dict[str, int]:
    return await Demo(sessionmaker, clock).run()
