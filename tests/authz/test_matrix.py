"""Every operation of the merged OpenAPI × every kind of caller, against the expected answers in
matrix.csv: the rules that bind operators, subdistrict officials, auditors, keys and residents, tried
by each of them through the gateway.

Each operation is called with a minimal body (authorization is decided before the body is read, so a
refused caller gets 401/403 whatever it sends; an allowed one typically 422, 404 or 409). The calls the
matrix expects refused all go first, so that an allowed call that succeeds cannot change their answer;
reads go before writes, deletions last."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from authz.conftest import World
from authz.matrix import PEOPLE, Row, documented_gate, load
from service_kit.scopes import SCOPES

# How many requests are in flight at once, and how long the whole run may take.
CONCURRENCY = 12
# About 45 s on an idle 2-core machine; the bound is for a run that hangs, not a benchmark.
RUN_BUDGET_S = 300
HUMAN_ROLES = {"resident", "operator", "official", "auditor"}
# Path parameters with no record of their own in the demo data: an id nobody has (an allowed caller
# then gets 404, which passes authorization) or a fixed value.
ABSENT = "2147480000"
FIXED = {
    "seq": "1",
    "letter_id": ABSENT,
    "day": "2027-01-04",
    "fmt": "json",
    "code": "jingshan",
    "round_id": "1",
    "item_id": "1",
    "programme_id": "1",
    "session_id": "1",
    "incubation_id": "1",
    "scheme_id": ABSENT,
    "burst_id": ABSENT,
    "word_id": ABSENT,
    "client_id": ABSENT,
    "exception_id": ABSENT,
    "proposal_id": ABSENT,
    "user_id": ABSENT,
    "token": "matrix-no-such-token",
    "service_code": "opening_hours",
}


def _openapi_operations(spec: dict) -> dict[str, dict]:
    return {
        f"{method.upper()} {path}": op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def _resolve(path: str, world: World, extra: dict[str, str]) -> str:
    def value(m: re.Match) -> str:
        name = m.group(1)
        parts = path.split("/")
        for key in (f"{parts[3] if parts[1] == 'api' else parts[1]}.{name}", name):
            if key in world.ids:
                return world.ids[key]
            if key in extra:
                return extra[key]
        if name in FIXED:
            return FIXED[name]
        raise AssertionError(f"no value for the path parameter {name} of {path}: give it one in tests/authz")

    return re.sub(r"\{([a-z_]+)\}", value, path)


def _extra_ids(world: World) -> dict[str, str]:
    """Ids found in the demo data that are not the resident's or the operator's (volunteers)."""
    extra: dict[str, str] = {}
    with httpx.Client(base_url=world.platform.url, timeout=30, headers=world.headers["district_official"]) as c:
        services = c.get("/api/v1/facilities/114/services").json()
        services = services.get("items", services) if isinstance(services, dict) else services
        extra["service_id"] = str(services[0]["id"])
        teams = [t for t in c.get("/api/v1/volunteer-teams").json()["items"] if t["operator_id"] not in (1, 2)]
        extra["team_id"] = str(teams[0]["id"])
        volunteers = [
            v
            for v in c.get("/api/v1/volunteers", params={"limit": 100}).json()["items"]
            if v["team_id"] == teams[0]["id"]
        ]
        extra["volunteer_id"] = str(volunteers[0]["id"])
        records = c.get(f"/api/v1/volunteers/{volunteers[0]['id']}/service-records").json()
        records = records.get("items", records) if isinstance(records, dict) else records
        extra["record_id"] = str(records[0]["id"]) if records else ABSENT
        # Open311's requests are the feedback cases.
        extra["open311.request_id"] = world.ids["case_id"]
    return extra


def _callers_for(row: Row, callers: list[str]) -> list[str]:
    """Every caller, except on an operation open to everyone with nothing hidden (every cell `ok`):
    there a key holding another scope is simply anonymous, so one key of each kind stands for the rest
    (the key holding the row's scope is still tried)."""
    if any(v not in ("ok", "-") for v in row.cells.values()):
        return callers
    kept: list[str] = []
    kinds: set[str] = set()
    for caller in callers:
        kind, _, scope = caller.partition(":")
        if scope and scope != row.scope:
            if kind in kinds:
                continue
            kinds.add(kind)
        kept.append(caller)
    return kept


def _passes(expected: str, status: int) -> bool:
    if expected == "ok":
        # A server error says nothing about authorization: it is reported, not passed.
        return status not in (401, 403) and status < 500
    if expected == "403r":
        return status == 403
    return str(status) == expected


def _order(method: str) -> int:
    return {"GET": 0, "DELETE": 2}.get(method, 1)


async def _run(rows: list[Row], world: World, extra: dict[str, str]) -> list[str]:
    failures: list[str] = []
    callers = world.callers()
    limit = asyncio.Semaphore(CONCURRENCY)

    async with httpx.AsyncClient(base_url=world.platform.url, timeout=30) as client:

        async def call(row: Row, url: str, caller: str) -> None:
            kwargs: dict = {"headers": world.headers[caller]}
            if row.method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = {}
            async with limit:
                resp = await client.request(row.method, url, **kwargs)
            expected = row.expected(caller)
            if not _passes(expected, resp.status_code):
                failures.append(f"{row.operation} {caller}: expected {expected}, got {resp.status_code}")

        # Every refused call of every operation first, then the allowed ones: an allowed call that
        # succeeds (a cancellation, a revoked key) cannot change a refused caller's answer. Within each
        # half, reads, then writes, then deletions, each stage's calls together.
        calls = [(row, _resolve(row.path, world, extra), c) for row in rows for c in _callers_for(row, callers)]
        for refused in (True, False):
            for stage in (0, 1, 2):
                await asyncio.gather(
                    *(
                        call(row, url, c)
                        for row, url, c in calls
                        if (row.expected(c) != "ok") == refused and _order(row.method) == stage
                    )
                )
    return failures


def test_the_matrix_file_is_well_formed():
    rows, problems = load()
    assert rows and not problems, "\n".join(problems)
    named = {r.scope for r in rows if r.scope}
    assert named == set(SCOPES), f"scopes no operation of the matrix names: {sorted(set(SCOPES) - named)}"


def test_every_operation_has_a_row_and_every_row_an_operation(merged_openapi):
    operations = set(_openapi_operations(merged_openapi))
    rows, _ = load()
    listed = {r.operation for r in rows}
    missing = sorted(operations - listed)
    stale = sorted(listed - operations)
    assert not missing and not stale, "\n".join(
        [
            *(f"{op}: in the OpenAPI, no row in tests/authz/matrix.csv" for op in missing),
            *(f"{op}: a row in tests/authz/matrix.csv, not in the OpenAPI" for op in stale),
        ]
    )


def test_the_documented_gates_agree_with_the_matrix(merged_openapi):
    operations = _openapi_operations(merged_openapi)
    rows, _ = load()
    disagreements = []
    for row in rows:
        op = operations.get(row.operation)
        if op is None:
            continue
        documented = dict(op.get("x-authorization") or {"roles": [], "scope": None, "signed_in": False})
        documented["roles"] = sorted(set(documented["roles"]) & HUMAN_ROLES)
        wanted = documented_gate(row)
        if any(documented.get(key) != wanted[key] for key in wanted):
            said = {key: documented.get(key) for key in wanted}
            disagreements.append(f"{row.operation}: x-authorization says {said}, the matrix {wanted}")
    assert not disagreements, "\n".join(disagreements)


def test_every_caller_gets_the_answer_the_matrix_expects(world: World):
    rows, problems = load()
    assert not problems, "\n".join(problems)
    extra = _extra_ids(world)
    assert set(world.callers()) >= set(PEOPLE)
    started = time.monotonic()
    failures = asyncio.run(_run(rows, world, extra))
    took = time.monotonic() - started
    calls = sum(len(_callers_for(r, world.callers())) for r in rows)
    print(
        f"authorization matrix: {len(rows)} operations, {len(world.callers())} callers, {calls} calls in {took:.1f} s"
    )
    failures += [f"{caller}: {why}" for caller, why in world.unavailable.items()]
    assert not failures, f"{len(failures)} of {calls} cells disagree with tests/authz/matrix.csv:\n" + "\n".join(
        sorted(failures)
    )
    if took > RUN_BUDGET_S:
        pytest.fail(f"the matrix took {took:.0f} s, more than its {RUN_BUDGET_S} s")
