"""Months and quarters on the district's clock, and the request parameter types built on them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Query

from service_kit.periods import Month, MonthName, Quarter, QuarterName, months_between
from service_kit.problems import install_problem_handlers


class TestQuarter:
    def test_parse_and_print(self):
        assert str(Quarter.parse("2026Q4")) == "2026Q4"
        assert Quarter.parse("2026-Q2") == Quarter(2026, 2)

    @pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026q1", "26Q1", "2026-05", ""])
    def test_refuses_what_is_not_a_quarter(self, text):
        with pytest.raises(ValueError):
            Quarter.parse(text)

    def test_first_and_last_date(self):
        assert (Quarter(2026, 1).first, Quarter(2026, 1).last) == (date(2026, 1, 1), date(2026, 3, 31))
        assert (Quarter(2026, 4).first, Quarter(2026, 4).last) == (date(2026, 10, 1), date(2026, 12, 31))

    def test_a_moment_counts_on_the_district_clock(self):
        # 16:30 UTC on New Year's Eve is 00:30 on 1 January in Beijing.
        moment = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
        assert Quarter.of(moment) == Quarter(2027, 1)
        assert moment in Quarter(2027, 1)
        assert moment not in Quarter(2026, 4)
        assert Quarter.of(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == Quarter(2026, 4)

    def test_next_and_previous_cross_the_year(self):
        assert Quarter(2026, 4).next() == Quarter(2027, 1)
        assert Quarter(2027, 1).previous() == Quarter(2026, 4)
        assert Quarter(2026, 2).next().previous() == Quarter(2026, 2)

    def test_months_and_instants(self):
        assert [str(m) for m in Quarter(2026, 2).months()] == ["2026-04", "2026-05", "2026-06"]
        assert Quarter(2026, 1).start == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
        assert Quarter(2026, 1).end == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)


class TestMonth:
    def test_parse_print_and_bounds(self):
        feb = Month.parse("2028-02")
        assert str(feb) == "2028-02"
        assert (feb.first, feb.last) == (date(2028, 2, 1), date(2028, 2, 29))
        with pytest.raises(ValueError):
            Month.parse("2026-13")

    def test_of_next_previous(self):
        assert Month.of(datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == Month(2026, 12)
        assert Month(2026, 12).next() == Month(2027, 1)
        assert Month(2027, 1).previous() == Month(2026, 12)
        assert Month(2026, 5).quarter == Quarter(2026, 2)
        assert date(2026, 5, 31) in Month(2026, 5)

    def test_months_between(self):
        assert [str(m) for m in months_between(date(2026, 11, 15), date(2027, 2, 1))] == [
            "2026-11",
            "2026-12",
            "2027-01",
            "2027-02",
        ]


async def test_parameters_answer_422_problems_for_a_malformed_period():
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/report")
    async def report(
        quarter: Annotated[QuarterName, Query()], month: Annotated[MonthName | None, Query()] = None
    ) -> dict[str, str | None]:
        return {"quarter": quarter, "month": month}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/report", params={"quarter": "2026Q4", "month": "2026-10"})).json() == {
            "quarter": "2026Q4",
            "month": "2026-10",
        }
        bad = await client.get("/report", params={"quarter": "2026Q5"})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/report", params={"quarter": "2026Q1", "month": "2026-13"})).status_code == 422
