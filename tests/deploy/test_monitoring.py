"""deploy/monitoring/: the alert rules are a valid Prometheus rule file (promtool when installed,
the rule file's documented structure always), their unit tests pass, and every metric the rules
and the Grafana dashboard ask for is one a running service serves on /metrics."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Column, Integer, Table

from service_kit.app import create_service_app
from service_kit.db import make_engine, new_metadata
from service_kit.infra_tables import define_infra_tables
from service_kit.settings import BaseServiceSettings
from service_kit.testing import running_app

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
RULES = MONITORING / "alerts.yml"
RULE_TESTS = MONITORING / "alerts.test.yml"
DASHBOARD = MONITORING / "dashboard.json"
DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
SUFFIXES = ("", "_total", "_bucket", "_count", "_sum", "_created")


def rule_file() -> dict:
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))


def rules() -> list[dict]:
    return [rule for group in rule_file()["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [t["expr"] for panel in board["panels"] for t in panel.get("targets", [])]


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression reads: ours, by prefix (culture_ops_, http_) or recorded."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values and strings are not names
    expr = re.sub(r"\{[^}]*\}", "", expr)  # nor label names in matchers
    return {n for n in NAME.findall(expr) if n.startswith(("culture_ops_", "http_")) or ":" in n}


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules_and_their_unit_tests_pass():
    checked = subprocess.run(["promtool", "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        ["promtool", "test", "rules", RULE_TESTS.name], cwd=MONITORING, capture_output=True, text=True, timeout=60
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_rule_file_has_the_documented_structure():
    document = rule_file()
    assert set(document) == {"groups"}
    names = [group["name"] for group in document["groups"]]
    assert len(names) == len(set(names)), "group names are unique"
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "limit", "rules"}, group["name"]
        assert group["rules"], group["name"]
        for rule in group["rules"]:
            assert ("alert" in rule) != ("record" in rule), rule
            assert isinstance(rule["expr"], str) and rule["expr"].strip(), rule
            assert rule["expr"].count("(") == rule["expr"].count(")"), rule
            if "record" in rule:
                assert set(rule) <= {"record", "expr", "labels"}, rule
                assert NAME.fullmatch(rule["record"]), rule
            else:
                assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, rule
                assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"]), rule
                assert "for" not in rule or DURATION.match(rule["for"]), rule
                assert rule["labels"]["severity"] in ("warning", "critical"), rule
                assert rule["annotations"]["summary"], rule
            for key in ("labels", "annotations"):
                assert all(isinstance(v, str) for v in rule.get(key, {}).values()), rule


def test_every_alert_the_operators_asked_for_is_there():
    alerts = {rule["alert"]: rule["expr"] for rule in rules() if "alert" in rule}
    wanted = {
        "OutboxEventsNotPublished": "culture_ops_outbox_oldest_unpublished_age_seconds",
        "WebhookDeadLetters": "culture_ops_webhook_dead_letters",
        "FeedConsumerBehind": "culture_ops_feed_consumer_seconds_behind",
        "BackgroundTaskStale": "culture_ops_background_task_last_success_timestamp_seconds",
        "DatabasePoolExhausted": "culture_ops_db_pool_waiting",
        "HighServerErrorRate": "http_5xx_ratio",
    }
    for alert, metric in wanted.items():
        assert metric in alerts[alert], alert


def test_dashboard_is_grafana_json_with_a_query_in_every_panel():
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert board["uid"] and board["title"] and isinstance(board["schemaVersion"], int)
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
        assert set(panel["gridPos"]) == {"x", "y", "w", "h"}, panel["title"]


async def _scrape() -> str:
    """/metrics of a service built on the kit, on a fresh SQLite database, after a request."""
    import tempfile

    metadata = new_metadata()
    infra = define_infra_tables(metadata)
    Table("thing", metadata, Column("id", Integer, primary_key=True))
    folder = Path(tempfile.mkdtemp(prefix="monitoring-"))
    url = f"sqlite+aiosqlite:///{folder / 'svc.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    (folder / "migrations" / "versions").mkdir(parents=True)
    settings = BaseServiceSettings(
        service_name="scraped", database_url=url, environment="test", run_background_tasks=False
    )
    app = create_service_app(
        settings=settings,
        title="scraped",
        description="",
        version="0",
        routers=[],
        infra=infra,
        event_types={},
        migrations_dir=folder / "migrations",
    )
    from sqlalchemy.ext.asyncio import async_sessionmaker

    try:
        async with running_app(app, engine, async_sessionmaker(engine)) as client:
            app.state.dispatcher.start()  # a background task, as where background work runs
            await client.get("/healthz")
            await client.get("/nothing-here")
            resp = await client.get("/metrics")
            assert resp.status_code == 200
            return resp.text
    finally:
        await engine.dispose()


def test_every_metric_the_rules_and_dashboard_read_is_served():
    served: set[str] = set()
    for family in text_string_to_metric_families(asyncio.run(_scrape())):
        served |= {family.name + suffix for suffix in SUFFIXES}
    recorded = {rule["record"] for rule in rules() if "record" in rule}
    used: dict[str, set[str]] = {}
    for where, exprs in (("rules", [r["expr"] for r in rules()]), ("dashboard", dashboard_exprs())):
        for expr in exprs:
            for name in metric_names(expr):
                used.setdefault(name, set()).add(where)
    unknown = {name: sorted(where) for name, where in used.items() if name not in served | recorded}
    assert not unknown, f"not served by the services: {unknown}"
    assert "culture_ops_outbox_unpublished_events" in used and "http_requests_total" in used
