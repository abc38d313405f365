"""Demo data: a year of residents' ratings of the demo facilities (facilities-api's demo data, ids 1–130).

Idempotent: ratings are added only when there are none. Deterministic: the same random seed gives the
same ratings (their times count back from now). Loaded straight into the database: facilities-api is
not asked, and no events are recorded (the demo starts with an empty feed, like facilities-api's).
Authors are synthetic residents `demo-resident-N`, plus some from the demo account `demo-resident`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from feedback_api.periods import quarter_of
from feedback_api.ratings.models import DIMENSIONS, Rating
from feedback_api.settings import Settings
from service_kit.clock import utcnow
from service_kit.db import make_engine, make_sessionmaker

SEED = 20261123
FACILITY_IDS = range(1, 131)
RESIDENTS = 240
RATINGS = 420
DEMO_ACCOUNT = "demo-resident"

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
    1: [
        "到了发现临时闭馆，也没有任何通知😞",
        "噪音太大，根本没法看书。",
    ],
}


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.8))))


def _ratings(now_utc: datetime) -> list[tuple[Rating, int | None]]:
    """The demo ratings in time order, each with the index of the later rating that replaced it."""
    rng = random.Random(SEED)
    # Each facility has its own quality (mean score) and popularity (how often it is rated); some
    # facilities get no ratings at all.
    quality = {fid: min(4.8, max(2.2, rng.gauss(3.9, 0.55))) for fid in FACILITY_IDS}
    weights = [rng.choice([0, 1, 1, 2, 2, 3, 4, 6, 9]) for _ in FACILITY_IDS]
    residents = [f"demo-resident-{n}" for n in range(1, RESIDENTS + 1)]
    drafts = []
    for _ in range(RATINGS):
        facility_id = rng.choices(list(FACILITY_IDS), weights=weights)[0]
        author = DEMO_ACCOUNT if rng.random() < 0.04 else rng.choice(residents)
        created_at = now_utc - timedelta(days=rng.uniform(0, 365))
        drafts.append((created_at, author, facility_id))
        if rng.random() < 0.06:  # a resident who comes back a few days later and rates again
            again = created_at + timedelta(days=rng.uniform(1, 20))
            if again < now_utc:
                drafts.append((again, author, facility_id))
    drafts.sort()
    made: list[tuple[Rating, int | None]] = []
    live: dict[tuple[str, int, str], int] = {}
    for created_at, author, facility_id in drafts:
        overall = _score(rng, quality[facility_id])
        rating = Rating(
            resident_sub=author,
            target_type="facility",
            target_id=facility_id,
            period=quarter_of(created_at),
            overall=overall,
            comment=rng.choice(COMMENTS[overall]) if rng.random() < 0.45 else None,
            live=True,
            created_at=created_at,
        )
        if rng.random() < 0.7:  # most residents also score some of the dimensions
            for d in DIMENSIONS:
                if rng.random() < 0.85:
                    setattr(rating, d, max(1, min(5, overall + rng.choice([-1, 0, 0, 0, 1]))))
        key = (author, facility_id, rating.period)
        if key in live:  # rated again the same quarter: the earlier one is replaced
            older, _ = made[live[key]]
            older.live, older.replaced_at = False, created_at
            made[live[key]] = (older, len(made))
        live[key] = len(made)
        made.append((rating, None))
    return made


async def seed_demo(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as session:
            if (await session.execute(select(func.count(Rating.id)))).scalar_one():
                return "feedback-api demo data: ratings exist already, nothing added"
            made = _ratings(utcnow())
            ratings = [r for r, _ in made]
            session.add_all(ratings)
            await session.flush()  # ids in time order
            for r, successor in made:
                if successor is not None:
                    r.replaced_by = ratings[successor].id
            await session.commit()
            replaced = sum(1 for r in ratings if not r.live)
    finally:
        await engine.dispose()
    return f"feedback-api demo data: {len(ratings)} ratings added ({replaced} of them replaced by a later one)"
