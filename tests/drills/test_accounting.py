"""The drills' figures (scripts/drills/run.py): a drill that could not see a lost or duplicated
acknowledged write would report 0 for every fault. These feed its accounting the cases the drills
must catch."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

DRILLS = Path(__file__).resolve().parents[2] / "scripts" / "drills"
spec = importlib.util.spec_from_file_location("culture_ops_drills", DRILLS / "run.py")
assert spec and spec.loader
drills = importlib.util.module_from_spec(spec)
sys.modules["culture_ops_drills"] = drills
spec.loader.exec_module(drills)

from load import Answer, Write  # noqa: E402  (scripts/drills, on the path once run.py is loaded)


def acked(key: str, at: float = 1.0) -> Write:
    return Write(key=key, started=0.0, acked_at=at, case_id=1, outcome="acked")


def test_an_acknowledged_write_with_no_row_is_lost_and_named():
    result = drills.Result("kill9-feedback-api")
    drills.account(result, [acked("k1"), acked("k2")], [], {"k1": 1}, struck=0.0)
    assert (result.acked, result.found, result.lost, result.lost_keys) == (2, 1, 1, ["k2"])


def test_one_key_saved_twice_is_a_duplicate_even_when_the_client_gave_up():
    gave_up = Write(key="k3", started=0.0, outcome="gave-up")
    result = drills.Result("postgres-restart")
    drills.account(result, [acked("k1"), gave_up], [], {"k1": 2, "k3": 2}, struck=0.0)
    assert (result.duplicated, result.duplicated_keys) == (2, ["k1", "k3"])
    assert (result.not_acked, result.saved_not_acked, result.lost) == (1, 1, 0)


def test_what_the_clients_saw_and_how_long_until_the_last_failure():
    answers = [
        Answer(at=9.5, sent=9.0, label="201"),
        Answer(at=10.2, sent=10.0, label="500"),
        Answer(at=14.0, sent=11.0, label="503+Retry-After"),
        Answer(at=15.0, sent=14.8, label="201"),
    ]
    result = drills.Result("postgres-restart")
    drills.account(result, [], answers, {}, struck=10.0)
    assert result.statuses == {"201": 2, "500": 1, "503+Retry-After": 1}
    assert result.recovery_s == 4.0
    assert result.slowest_error_s == 3.0


def test_only_lines_written_while_serving_a_request_must_carry_its_id():
    assert drills.serving_a_request({"logger": "service_kit.problems", "message": "unhandled error"})
    assert drills.serving_a_request({"logger": "uvicorn.error", "message": "Exception in ASGI application"})
    assert not drills.serving_a_request({"logger": "service_kit.webhooks", "message": "the round failed"})


def test_an_outage_answered_with_500_fails_the_check_and_503_with_retry_after_passes():
    outage = drills.Result("postgres-restart", statuses={"201": 30, "500": 2}, slowest_error_s=0.2)
    found = drills.checks([outage])
    assert found["a database outage answers 503 with Retry-After within 1 s"][0] is False
    outage.statuses = {"201": 30, "409": 1, "503+Retry-After": 5}
    found = drills.checks([outage])
    assert found["a database outage answers 503 with Retry-After within 1 s"][0] is True
    outage.slowest_error_s = 2.5  # answered, but a client waited too long
    assert drills.checks([outage])["a database outage answers 503 with Retry-After within 1 s"][0] is False


def test_a_lost_write_in_a_restored_copy_fails_the_check():
    restored = drills.Result("backup-pitr", details={"lost_in_copy": 1})
    ok, why = drills.checks([drills.Result("baseline"), restored])["no acknowledged write lost or duplicated"]
    assert (ok, why) == (False, "in backup-pitr")
