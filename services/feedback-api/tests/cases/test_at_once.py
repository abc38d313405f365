"""Cases filed at the same moment: residents reporting a facility the service has never seen get each
their own case, none a server error (PostgreSQL: each request on its own connection, committing)."""

from __future__ import annotations

import asyncio

from tests.factories import case_body
from tests.ratings.test_at_once import committing, own_database_url  # noqa: F401  (fixtures)


async def test_residents_reporting_an_unseen_facility_at_once_each_get_their_case(
    committing,  # noqa: F811
    auth,
):
    """The first request about a facility writes it into the local operator map; requests arriving
    with it must not fail on the row the first one wrote."""
    client, _app = committing
    answers = await asyncio.wait_for(
        asyncio.gather(
            *(
                client.post(
                    "/api/v1/cases",
                    json=case_body(target_id=3, title=f"第{i}位居民的反映"),
                    headers=auth(sub=f"reporter-{i}"),
                )
                for i in range(12)
            )
        ),
        timeout=60,
    )
    assert [a.status_code for a in answers] == [201] * 12, [
        a.text for a in answers if a.status_code != 201
    ]
    assert len({a.json()["id"] for a in answers}) == 12
