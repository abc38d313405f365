"""An Idempotency-Key through the gateway on real processes: the answer to a case filed with a key
outlives the service process, so a retry long after the pending TTL gets that answer, not a second
case."""

from __future__ import annotations

import httpx

from e2e.conftest import running_platform
from e2e.flows import bearer

CASE = {
    "category": "opening_hours",
    "target_type": "facility",
    "target_id": 31,
    "title": "闭馆没有通知",
    "description": "周日上午按开放时间前往，大门紧闭，门口也没有通知",
    "contact": {"name": "李华", "phone": "13812345678"},
}


def test_a_retry_after_the_service_was_killed_gets_the_first_answer(tmp_path_factory):
    # A pending key goes stale at once: whatever a retry finds pending, it would run again.
    env = {"FEEDBACK_IDEMPOTENCY_PENDING_TTL_S": "0.001"}
    with (
        running_platform(tmp_path_factory, name="idempotency", extra_env=env) as platform,
        httpx.Client(base_url=platform.url, timeout=15) as client,
    ):
        resident = bearer(client, "demo-resident")
        headers = {**resident, "Idempotency-Key": "file-closed-gate-1"}
        first = client.post("/api/v1/cases", json=CASE, headers=headers)
        assert first.status_code == 201, first.text

        killed = platform.procs.pop("feedback")
        killed.kill()  # no shutdown: whatever was not committed is gone
        killed.wait(timeout=10)
        platform.start("feedback")

        retry = client.post("/api/v1/cases", json=CASE, headers=headers)
        assert retry.status_code == 201, retry.text
        assert retry.json() == first.json()
        assert retry.headers["idempotent-replayed"] == "true"
        mine = client.get("/api/v1/cases", headers=resident).json()["items"]
        assert [c["id"] for c in mine if c["title"] == CASE["title"]] == [first.json()["id"]]
