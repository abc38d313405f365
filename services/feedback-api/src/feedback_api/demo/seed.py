"""Demo data: a year of residents' feedback on the demo facilities (facilities-api's demo registry, ids
1–130), loaded straight into the database in bulk. facilities-api is not asked: who runs each facility
comes from demo/data/facilities.json (a copy of facilities-api's demo data, operator keys mapped to the
operators-api demo ids: meihou-sishi-culture is operator 1, and so on), which also seeds the local
facility → operator map.

- ~5,000 ratings over the past year; each facility has its own quality and popularity, so the index
  ranks them visibly; some are verified, some have comments (a few waiting for moderation), a few were
  replaced; the aggregates are then built from them (the same code as the officials' reconcile);
- cases in every state, some overdue and some escalated, several about operator 1's facility (the
  demo operator account) and several filed by the demo resident (gateway user id "1");
- demand requests in every status, one published menu round and one open;
- example holidays in the officials' calendar (marked 示例: officials load the State Council's list).

Idempotent: each part is added only when its table is empty. Deterministic: a fixed random seed (times
count back from now). No events are recorded: the demo starts with an empty feed."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.cases.categories import CATEGORIES, deadline_days
from feedback_api.cases.models import CaseStep, ResidentCase
from feedback_api.demand.models import DemandRequest
from feedback_api.menu.models import MenuItem, MenuRound, MenuVote
from feedback_api.operations.models import FacilityOperation
from feedback_api.periods import month_of, quarter_of
from feedback_api.ratings.models import DIMENSIONS, Rating
from feedback_api.satisfaction.service import reconcile
from feedback_api.workdays.models import CalendarDay
from feedback_api.workdays.service import WorkCalendar
from service_kit.clock import utcnow
from service_kit.db import make_engine, make_sessionmaker
from service_kit.settings import BaseServiceSettings

SEED = 20261123
RATINGS = 5000
RESIDENTS = 1500
DEMO_RESIDENT = "1"  # the gateway's demo-resident account
DEMO_OPERATOR = 1

COMMENTS: dict[int, list[str]] = {
    5: [
        "环境安静整洁，阅览座位充足，每周都来。",
        "工作人员非常热情，主动帮忙找书👍",
        "周末亲子活动很精彩，孩子特别喜欢🎨",
        "胡同里的小展馆，讲解很用心，值得一去。",
        "书海听涛的讲座质量很高，期待下一期📚",
        "无障碍设施完善，带老人来也很方便。",
    ],
    4: [
        "整体不错，就是周一闭馆有点不方便。",
        "活动丰富，希望能多些晚间场次。",
        "空间漂亮，饮水机偶尔没水。",
        "预约很顺利，现场秩序也好。",
    ],
    3: [
        "一般，座位有点少，去晚了就没位置。",
        "活动通知不够及时，错过了好几次。",
        "设施有些旧了，希望能翻新一下。",
    ],
    2: [
        "开放时间和网上写的不一致，白跑一趟。",
        "厕所卫生需要改进。",
        "工作人员态度冷淡，问路也不理。",
    ],
    1: ["到了发现临时闭馆，也没有任何通知😞", "噪音太大，根本没法看书。"],
}


def load_facilities() -> list[dict[str, Any]]:
    """The demo's facilities, each with its operator's name (None when government-run)."""
    raw = json.loads(
        resources.files("feedback_api.demo")
        .joinpath("data/facilities.json")
        .read_text(encoding="utf-8")
    )
    names = {int(k): v for k, v in raw["operators"].items()}
    return [
        {
            **f,
            "operator_name": names.get(f["operator_id"]) if f["operator_id"] else None,
        }
        for f in raw["facilities"]
    ]


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.85))))


def _ratings(
    now: datetime, facilities: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    ids = sorted(facilities)
    quality = {fid: min(4.8, max(2.3, rng.gauss(3.95, 0.5))) for fid in ids}
    weights = [rng.choice([0, 1, 2, 3, 4, 6, 8, 12, 20]) for _ in ids]
    if (
        114 in facilities
    ):  # operator 1's facility (the demo operator account) is a busy one
        weights[ids.index(114)], quality[114] = 30, 4.3
    residents = [f"demo-{n}" for n in range(1, RESIDENTS + 1)]
    drafts = []
    for _ in range(RATINGS):
        fid = rng.choices(ids, weights=weights)[0]
        author = DEMO_RESIDENT if rng.random() < 0.005 else rng.choice(residents)
        drafts.append((now - timedelta(days=rng.uniform(0.2, 365)), author, fid))
    drafts.sort()
    rows: list[dict[str, Any]] = []
    live: dict[tuple[str, int, str], int] = {}
    for created_at, author, fid in drafts:
        f = facilities[fid]
        # Quality drifts a little over the year, so the monthly trend moves.
        overall = _score(
            rng, quality[fid] + 0.25 * ((now - created_at).days < 120) - 0.1
        )
        has_comment = rng.random() < 0.4
        comment = rng.choice(COMMENTS[overall]) if has_comment else None
        pending = has_comment and rng.random() < 0.01
        row = {
            "resident_sub": author,
            "target_type": "facility",
            "target_id": fid,
            "facility_id": fid,
            "subdistrict": f["subdistrict"],
            "operator_id": f["operator_id"],
            "period": quarter_of(created_at),
            "month": month_of(created_at),
            "overall": overall,
            "comment": ("工作人员就是垃圾东西" if pending else comment),
            "comment_status": "pending"
            if pending
            else ("published" if comment else "none"),
            "status": "visible",
            "verified": rng.random() < 0.3,
            "new_account": False,
            "live": True,
            "created_at": created_at,
            "replaced_at": None,
            **dict.fromkeys(DIMENSIONS),
        }
        if rng.random() < 0.7:
            for d in DIMENSIONS:
                if rng.random() < 0.85:
                    row[d] = max(1, min(5, overall + rng.choice([-1, 0, 0, 0, 1])))
        key = (author, fid, row["period"])
        if key in live:  # rated again the same quarter: the earlier one is replaced
            older = rows[live[key]]
            older["live"], older["replaced_at"] = False, created_at
            older["_successor"] = len(rows)
        live[key] = len(rows)
        rows.append(row)
    return rows


def _case_plan(
    now: datetime, facilities: dict[int, dict[str, Any]]
) -> list[tuple[str, int, str, datetime, str]]:
    """(target state, facility, category, filed at, resident) for each demo case."""
    rng = random.Random(SEED + 1)
    ops = [fid for fid, f in facilities.items() if f["operator_id"]]
    gov = [fid for fid, f in facilities.items() if not f["operator_id"]]
    codes = list(CATEGORIES)
    plan = []
    states = (
        ["submitted"] * 3
        + ["accepted"] * 2
        + ["assigned"] * 8
        + ["overdue"] * 6
        + ["escalated"] * 3
        + ["responded"] * 6
        + ["reopened"] * 3
        + ["confirmed"] * 5
        + ["closed"] * 26
    )
    for i, state in enumerate(states):
        fid = 114 if i % 5 == 0 else rng.choice(ops if rng.random() < 0.6 else gov)
        code = rng.choice(codes)
        if state in ("submitted", "accepted", "assigned", "responded", "reopened"):
            filed = now - timedelta(hours=rng.uniform(2, 20))
        elif state in ("overdue", "escalated"):
            filed = now - timedelta(days=rng.uniform(9, 20))
        else:
            filed = now - timedelta(days=rng.uniform(3, 300))
        resident = DEMO_RESIDENT if i % 7 == 0 else f"demo-{rng.randint(1, RESIDENTS)}"
        plan.append((state, fid, code, filed, resident))
    return plan


DESCRIPTIONS = {
    "complaint": [
        "周六下午按开放时间前往，但大门紧闭，也没有任何通知😞",
        "讲座临时取消，没有短信提醒。",
        "阅览室空调坏了一周还没修。",
    ],
    "suggestion": [
        "建议增加晚间开放时段，方便上班族。",
        "希望多举办面向老年人的智能手机课程。",
    ],
    "praise": [
        "讲解员非常专业耐心，孩子收获很大，点赞👍",
        "馆员帮我找到了绝版书，太感谢了！",
    ],
    "consultation": [
        "请问周末的非遗体验课需要提前多久预约？",
        "残疾人可以申请上门送书服务吗？",
    ],
}


def _cases(
    now: datetime, facilities: dict[int, dict[str, Any]]
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    cal = WorkCalendar(frozenset(), frozenset())
    out = []
    for state, fid, code, filed, resident in _case_plan(now, facilities):
        category = CATEGORIES[code]
        f = facilities[fid]
        operator_id = f["operator_id"]
        due = cal.deadline(filed, deadline_days(code, {}))
        case: dict[str, Any] = {
            "kind": category.kind,
            "category": code,
            "target_type": "facility",
            "target_id": fid,
            "facility_id": fid,
            "subdistrict": f["subdistrict"],
            "operator_id": operator_id,
            "title": None,
            "description": random.Random(fid + filed.toordinal()).choice(
                DESCRIPTIONS[category.kind]
            ),
            "photo_urls": [],
            "attributes": {"charged_fen": 3000} if code == "fee_overcharge" else {},
            "address": None,
            "lat": None,
            "lon": None,
            "contact_name": "王女士" if resident == DEMO_RESIDENT else None,
            "contact_phone": "13800000001" if resident == DEMO_RESIDENT else None,
            "contact_email": None,
            "resident_sub": resident,
            "source": "app",
            "open311_client_id": None,
            "token": str(uuid.uuid4()),
            "status": "submitted",
            "assignee_type": None,
            "assignee_operator_id": None,
            "assignee_name": None,
            "due_at": None,
            "first_responded_at": None,
            "responded_on_time": None,
            "response_text": None,
            "escalated_at": None,
            "reopen_count": 0,
            "answer_rating": None,
            "closed_at": None,
            "version": 1,
            "created_at": filed,
            "updated_at": filed,
        }
        steps = [
            {
                "action": "submit",
                "from_status": None,
                "to_status": "submitted",
                "actor_role": "resident",
                "note": None,
                "at": filed,
            }
        ]

        def move(
            action: str,
            to: str,
            role: str,
            at: datetime,
            note: str | None = None,
            case: dict[str, Any] = case,
            steps: list[dict[str, Any]] = steps,
        ) -> None:
            steps.append(
                {
                    "action": action,
                    "from_status": case["status"],
                    "to_status": to,
                    "actor_role": role,
                    "note": note,
                    "at": at,
                }
            )
            case["status"], case["updated_at"] = to, at
            case["version"] += 1

        if state != "submitted":
            move(
                "accept",
                "accepted",
                "official" if state == "accepted" else "system",
                filed,
                "accepted automatically" if state != "accepted" else None,
            )
        # A complaint about the operator itself is the bureau's (cases.service routes it so).
        handler = None if category.about_operator else operator_id
        if state not in ("submitted", "accepted"):
            case["assignee_type"] = "operator" if handler else "official"
            case["assignee_operator_id"], case["assignee_name"] = (
                handler,
                f["operator_name"] if handler else None,
            )
            case["due_at"] = due
            move(
                "assign",
                "assigned",
                "system",
                filed,
                f"routed to operator {handler}"
                if handler
                else "routed to the culture bureau",
            )
        if state == "escalated" and handler:
            (
                case["assignee_type"],
                case["assignee_operator_id"],
                case["assignee_name"],
            ) = "official", None, None
            case["escalated_at"] = due + timedelta(minutes=5)
            case["due_at"] = cal.deadline(case["escalated_at"], 1)
            steps.append(
                {
                    "action": "escalate",
                    "from_status": "assigned",
                    "to_status": "assigned",
                    "actor_role": "system",
                    "note": f"operator {operator_id} missed the deadline; escalated to the culture bureau",
                    "at": case["escalated_at"],
                }
            )
        if state in ("responded", "reopened", "confirmed", "closed"):
            answered = min(
                now - timedelta(minutes=30),
                filed + timedelta(hours=random.Random(fid).uniform(3, 80)),
            )
            case["first_responded_at"] = answered
            case["responded_on_time"] = answered <= due
            case["response_text"] = "感谢反馈，已核实并整改，欢迎再次光临。"
            move(
                "respond",
                "responded",
                "operator" if handler else "official",
                answered,
                case["response_text"],
            )
            if state == "reopened":
                case["reopen_count"] = 1
                move(
                    "reopen",
                    "reopened",
                    "resident",
                    answered + timedelta(minutes=10),
                    "问题还没有解决。",
                )
                case["due_at"] = cal.deadline(answered, deadline_days(code, {}))
            if state in ("confirmed", "closed"):
                case["answer_rating"] = random.Random(fid + 7).choice([3, 4, 4, 5, 5])
                move("confirm", "confirmed", "resident", answered + timedelta(hours=5))
            if state == "closed":
                case["closed_at"] = answered + timedelta(days=1)
                move("close", "closed", "official", case["closed_at"], "办结")
        out.append((case, steps))
    return out


async def _seed_ratings(
    session: AsyncSession, now: datetime, facilities: dict[int, dict[str, Any]]
) -> str:
    if (await session.execute(select(func.count(Rating.id)))).scalar_one():
        return "ratings exist already"
    rows = _ratings(now, facilities)
    plain = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    await session.execute(insert(Rating), plain)
    ids = (await session.execute(select(Rating.id).order_by(Rating.id))).scalars().all()
    for r, rid in zip(rows, ids, strict=True):
        r["_id"] = rid
    for r in rows:
        if "_successor" in r:
            obj = await session.get(Rating, r["_id"])
            assert obj is not None
            obj.replaced_by = rows[r["_successor"]]["_id"]
    await session.flush()
    await reconcile(
        session, first_month=None, last_month=None
    )  # builds the aggregates; commits
    replaced = sum(1 for r in rows if not r["live"])
    return f"{len(rows)} ratings ({replaced} replaced)"


async def _seed_map(
    session: AsyncSession, now: datetime, facilities: dict[int, dict[str, Any]]
) -> None:
    if (
        await session.execute(select(func.count()).select_from(FacilityOperation))
    ).scalar_one():
        return
    await session.execute(
        insert(FacilityOperation),
        [
            {
                "facility_id": fid,
                "mode": "social" if f["operator_id"] else "government",
                "operator_id": f["operator_id"],
                "operator_name": f["operator_name"],
                "contract_id": None,
                "subdistrict": f["subdistrict"],
                "name_zh": f["name_zh"],
                "source": "seed",
                "updated_at": now,
            }
            for fid, f in facilities.items()
        ],
    )


async def _seed_cases(
    session: AsyncSession, now: datetime, facilities: dict[int, dict[str, Any]]
) -> str:
    if (await session.execute(select(func.count(ResidentCase.id)))).scalar_one():
        return "cases exist already"
    made = _cases(now, facilities)
    for case, steps in made:
        obj = ResidentCase(**case)
        session.add(obj)
        await session.flush()
        session.add_all(CaseStep(case_id=obj.id, actor_sub=None, **s) for s in steps)
    await session.flush()
    return f"{len(made)} cases"


async def _seed_demand(
    session: AsyncSession, now: datetime, facilities: dict[int, dict[str, Any]]
) -> str:
    if (await session.execute(select(func.count(DemandRequest.id)))).scalar_one():
        return "demand exists already"
    rng = random.Random(SEED + 2)
    titles = {
        "elderly": "希望开设老年人智能手机培训",
        "children": "周末亲子绘本共读",
        "reading": "多办读书分享会",
        "performance": "社区小剧场演出",
        "heritage": "非遗剪纸体验",
        "film": "夏季露天电影",
        "sports_fitness": "广场舞场地开放",
        "training": "书法培训班",
        "lecture": "北京中轴线历史讲座",
        "exhibition": "胡同老照片展",
    }
    statuses = (
        ["submitted"] * 12 + ["planned"] * 8 + ["declined"] * 4 + ["delivered"] * 6
    )
    rows = []
    for i, status in enumerate(statuses):
        category = rng.choice(list(titles))
        f = facilities[rng.choice(sorted(facilities))]
        created = now - timedelta(days=rng.uniform(1, 200))
        rows.append(
            {
                "requester": "community" if i % 6 == 0 else "resident",
                "resident_sub": None
                if i % 6 == 0
                else (
                    DEMO_RESIDENT if i % 5 == 0 else f"demo-{rng.randint(1, RESIDENTS)}"
                ),
                "category": category,
                "title": titles[category],
                "description": None,
                "subdistrict": f["subdistrict"],
                "community": f["community"],
                "facility_id": None,
                "place": f["name_zh"],
                "preferred_from": None,
                "preferred_to": None,
                "period": quarter_of(created),
                "status": status,
                "answer_note": {
                    "planned": "已列入下季度活动计划",
                    "declined": "场地条件不具备，建议到区文化馆参加",
                    "delivered": "已举办",
                }.get(status),
                "activity_id": None,
                "answered_by": None if status == "submitted" else "demo-official",
                "answered_at": None
                if status == "submitted"
                else created + timedelta(days=5),
                "version": 1,
                "created_at": created,
            }
        )
    await session.execute(insert(DemandRequest), rows)
    return f"{len(rows)} demand requests"


async def _seed_menu(session: AsyncSession, now: datetime) -> str:
    if (await session.execute(select(func.count(MenuRound.id)))).scalar_one():
        return "menu rounds exist already"
    rng = random.Random(SEED + 3)
    items = [
        ("非遗剪纸体验课", "heritage"),
        ("老年人智能手机培训", "elderly"),
        ("周末亲子绘本共读", "children"),
        ("京剧名段赏析", "performance"),
        ("胡同历史讲座", "lecture"),
        ("书法入门班", "training"),
    ]
    finished = MenuRound(
        title="2026年第四季度景山街道文化服务菜单",
        description="请选出您最希望的3项服务。",
        subdistrict="jingshan",
        offer_from=date(2026, 10, 1),
        offer_to=date(2026, 12, 31),
        voting_opens_at=datetime(2026, 9, 1, tzinfo=UTC),
        voting_closes_at=datetime(2026, 9, 15, tzinfo=UTC),
        max_choices=3,
        status="published",
        created_by="demo-official",
        created_at=datetime(2026, 8, 25, tzinfo=UTC),
        published_at=datetime(2026, 9, 16, tzinfo=UTC),
    )
    upcoming = MenuRound(
        title="2027年第一季度东城区文化服务菜单",
        description="投票进行中。",
        subdistrict=None,
        offer_from=date(2027, 1, 1),
        offer_to=date(2027, 3, 31),
        voting_opens_at=now - timedelta(days=3),
        voting_closes_at=now + timedelta(days=14),
        max_choices=2,
        status="open",
        created_by="demo-official",
        created_at=now - timedelta(days=5),
    )
    session.add_all([finished, upcoming])
    await session.flush()
    for rnd in (finished, upcoming):
        for title, category in items:
            session.add(MenuItem(round_id=rnd.id, title=title, category=category))
    await session.flush()
    menu = (
        (
            await session.execute(
                select(MenuItem)
                .where(MenuItem.round_id == finished.id)
                .order_by(MenuItem.id)
            )
        )
        .scalars()
        .all()
    )
    weights = [9, 14, 11, 4, 7, 3]
    votes: list[dict[str, Any]] = []
    for n in range(1, 181):
        for item in set(rng.choices(menu, weights=weights, k=3)):
            votes.append(
                {
                    "round_id": finished.id,
                    "item_id": item.id,
                    "resident_sub": f"demo-{n}",
                    "community": rng.choice(
                        ["jingshan-weijia", "jingshan-jixiang", None]
                    ),
                    "created_at": datetime(2026, 9, 5, tzinfo=UTC),
                }
            )
    await session.execute(insert(MenuVote), votes)
    counts: dict[int, int] = {}
    for v in votes:
        counts[v["item_id"]] = counts.get(v["item_id"], 0) + 1
    for item in menu:
        item.votes = counts.get(item.id, 0)
    return f"2 menu rounds ({len(votes)} votes in the published one)"


async def _seed_calendar(session: AsyncSession, now: datetime) -> None:
    if (
        await session.execute(select(func.count()).select_from(CalendarDay))
    ).scalar_one():
        return
    # An example only (示例): officials load the State Council's official list through the API.
    days = [(date(2026, 10, d), "holiday", "示例：国庆节") for d in (1, 2, 5, 6, 7)] + [
        (date(2026, 10, 10), "workday", "示例：国庆调休上班"),
        (date(2027, 1, 1), "holiday", "示例：元旦"),
    ]
    session.add_all(
        CalendarDay(day=d, kind=k, name=n, updated_by="demo-seed", updated_at=now)
        for d, k, n in days
    )


async def seed_demo(settings: BaseServiceSettings) -> str:
    """The demo data, loaded into the database the settings name (the command line's `seed-demo`)."""
    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    now = utcnow()
    facilities = {f["id"]: f for f in load_facilities()}
    try:
        async with maker() as session:
            await _seed_map(session, now, facilities)
            await _seed_calendar(session, now)
            cases = await _seed_cases(session, now, facilities)
            demand = await _seed_demand(session, now, facilities)
            menu = await _seed_menu(session, now)
            await session.commit()
            ratings = await _seed_ratings(session, now, facilities)
            await session.commit()
    finally:
        await engine.dispose()
    return f"feedback-api demo data: {ratings}; {cases}; {demand}; {menu}"
