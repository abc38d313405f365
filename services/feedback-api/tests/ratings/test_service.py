"""The rules under the API: quarters on Beijing time, exact means, and the database's own guard of
"one live rating per resident, target and period"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from feedback_api.periods import quarter_of
from feedback_api.ratings.models import Rating
from feedback_api.ratings.service import mean_2dp


@pytest.mark.parametrize(
    ("moment", "quarter"),
    [
        (datetime(2026, 3, 31, 15, 59, tzinfo=UTC), "2026Q1"),  # 23:59 in Beijing
        (datetime(2026, 3, 31, 16, 0, tzinfo=UTC), "2026Q2"),  # midnight in Beijing
        (datetime(2026, 9, 30, 16, 0, tzinfo=UTC), "2026Q4"),
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), "2027Q1"),
        (
            datetime(2026, 7, 1, 0, 0),
            "2026Q3",
        ),  # naive times are UTC, as SQLite gives them back
    ],
)
def test_quarter_on_beijing_time(moment, quarter):
    assert quarter_of(moment) == quarter


@pytest.mark.parametrize(
    ("total", "count", "mean"),
    [
        (0, 0, None),
        (5, 1, "5.00"),
        (13, 3, "4.33"),
        (14, 3, "4.67"),
        (33, 8, "4.13"),
        (1, 8, "0.13"),
        (7, 2, "3.50"),
    ],
)
def test_mean_is_exact_and_rounds_half_up(total, count, mean):
    assert mean_2dp(total, count) == mean


def _rating(**overrides) -> Rating:
    fields = {
        "resident_sub": "r-1",
        "target_type": "facility",
        "target_id": 1,
        "facility_id": 1,
        "period": "2026Q4",
        "month": "2026-11",
        "overall": 4,
        "live": True,
        "created_at": datetime(2026, 11, 23, tzinfo=UTC),
    }
    return Rating(**{**fields, **overrides})


class TestDatabaseGuards:
    async def test_a_second_live_rating_for_the_same_period_is_refused(
        self, sessionmaker
    ):
        async with sessionmaker() as session:
            session.add(_rating())
            await session.flush()
            session.add(_rating())
            with pytest.raises(IntegrityError):
                await session.flush()

    async def test_replaced_ratings_and_other_periods_may_coexist(self, sessionmaker):
        async with sessionmaker() as session:
            session.add_all(
                [
                    _rating(live=False),
                    _rating(live=False),
                    _rating(),
                    _rating(period="2027Q1"),
                ]
            )
            await session.flush()

    @pytest.mark.parametrize(
        "overrides", [{"overall": 0}, {"overall": 6}, {"staff": 9}, {"convenience": 0}]
    )
    async def test_scores_outside_one_to_five_are_refused_by_the_database_too(
        self, sessionmaker, overrides
    ):
        async with sessionmaker() as session:
            session.add(_rating(**overrides))
            with pytest.raises(IntegrityError):
                await session.flush()
