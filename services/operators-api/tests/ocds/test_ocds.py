"""Open contracting: GET /api/v1/ocds/releases is an OCDS 1.1 release package of every selection and
contract (no sign-in) that passes the official schema, checked offline with lib-cove-ocds against the
schema files in shared/standards/ocds/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.factories import (
    active_contract,
    at,
    awarded_selection,
    bid,
    close_bidding,
    contract_status,
    create_selection,
    file_report,
    inspect,
    open_for_bids,
    qualified_operator,
    selection_status,
)

URL = "/api/v1/ocds/releases"
SCHEMA_ZIP = "ocds-schema-1__1__5.zip"


def repository_root() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / "services").is_dir() and (parent / "libs").is_dir():
            return parent
    raise AssertionError("tests are not inside the culture-ops repository")


def standard_zip() -> Path:
    path = repository_root().parent / "shared" / "standards" / "ocds" / SCHEMA_ZIP
    assert path.is_file(), f"the OCDS schema is expected beside the repository at {path}"
    return path


def libcoveocds() -> str:
    beside = Path(sys.executable).with_name("libcoveocds")
    found = str(beside) if beside.exists() else shutil.which("libcoveocds")
    assert found, "lib-cove-ocds is needed (pip install libcoveocds; it is in requirements-dev.txt)"
    return found


def cove(package: dict, tmp_path: Path) -> dict:
    source = tmp_path / "package.json"
    source.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [libcoveocds(), "--standard-zip", str(standard_zip()), "--output-dir", str(tmp_path / "cove"), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def whole_loop(client, auth, clock) -> dict:
    """An awarded selection whose contract runs and was paid, a failed and a cancelled selection, a
    draft (not published), and a single-source contract with a published evaluation."""
    done = await awarded_selection(client, auth, clock)
    sel = done["selection"]
    body = {
        "title": sel["title"],
        "selection_id": sel["id"],
        "starts_on": "2026-07-01",
        "ends_on": "2028-06-30",
        "amount_fen": 250_000_000,
        "instalments": [
            {"due_on": "2026-06-15", "amount_fen": 100_000_000},
            {"due_on": "2027-07-15", "amount_fen": 150_000_000, "linked_period": "2027"},
        ],
    }
    c = (await client.post("/api/v1/contracts", json=body, headers=auth("official"))).json()
    await contract_status(client, auth, c["id"], "active", "合同签订")
    paid = await client.post(
        f"/api/v1/contracts/{c['id']}/instalments/1/payment", json={"paid_on": "2026-06-11"}, headers=auth("official")
    )
    assert paid.status_code == 200, paid.text
    op = await qualified_operator(client, auth("official"))
    at(clock, "2026-06-01T10:00:00+08:00")
    failed = await open_for_bids(client, auth, clock, method="public_tender", facility_ids=[110])
    await bid(client, auth, failed["id"], op["id"], 10_000_000)
    await close_bidding(client, auth, clock, failed["id"])
    at(clock, "2026-06-01T10:00:00+08:00")
    cancelled = await create_selection(client, auth("official"), title="取消的项目")
    await selection_status(client, auth("official"), cancelled["id"], "published")
    await selection_status(client, auth("official"), cancelled["id"], "cancelled")
    await create_selection(client, auth("official"), title="草稿项目")
    direct = await active_contract(client, auth, facility_ids=[114])
    for m in ("2026-01", "2026-02", "2026-03"):
        await file_report(client, auth, direct, m)
    await inspect(client, auth, direct, "2026-03-10")
    e = (
        await client.post(
            "/api/v1/evaluations", json={"contract_id": direct["id"], "period": "2026-Q1"}, headers=auth("official")
        )
    ).json()
    await client.put(
        f"/api/v1/evaluations/{e['id']}/expert-score",
        json={"score": "85", "assessor": "第三方"},
        headers={**auth("official"), "If-Match": f'"v{e["version"]}"'},
    )
    published = await client.post(f"/api/v1/evaluations/{e['id']}/publish", json={}, headers=auth("official"))
    assert published.status_code == 200, published.text
    return {"awarded": sel, "contract": c, "failed": failed, "cancelled": cancelled, "direct": direct}


class TestReleasePackage:
    async def test_the_package_passes_the_official_schema(self, client, auth, clock, tmp_path):
        await whole_loop(client, auth, clock)
        resp = await client.get(URL)
        assert resp.status_code == 200
        package = resp.json()
        result = cove(package, tmp_path)
        assert result["validation_errors"] == []
        assert result["additional_closed_codelist_values"] == {}
        assert result["all_additional_fields"] == []
        assert result["version_used"] == "1.1"

    async def test_what_the_package_says(self, client, auth, clock):
        made = await whole_loop(client, auth, clock)
        package = (await client.get(URL)).json()
        assert package["version"] == "1.1" and package["publisher"]["name"] == "北京市东城区文化和旅游局"
        releases = {r["ocid"]: r for r in package["releases"]}
        assert len(releases) == 4  # three selections (not the draft) and the single-source contract
        awarded = releases[f"ocds-dcops1-sel-{made['awarded']['id']}"]
        assert awarded["tag"] == ["tender", "award", "contract", "implementation"]
        assert awarded["tender"]["procurementMethod"] == "selective" and awarded["tender"]["numberOfTenderers"] == 2
        assert awarded["tender"]["value"] == {"amount": 3_000_000.0, "currency": "CNY"}
        [award] = awarded["awards"]
        assert award["value"]["amount"] == 2_500_000.0 and award["suppliers"][0]["name"] == "书海阅读推广有限公司"
        [contract] = awarded["contracts"]
        assert contract["status"] == "active" and contract["awardID"] == award["id"]
        [tx] = contract["implementation"]["transactions"]
        assert (tx["value"]["amount"], tx["date"]) == (1_000_000.0, "2026-06-11T00:00:00+08:00")
        roles = {p["name"]: p["roles"] for p in awarded["parties"]}
        assert roles["北京市东城区文化和旅游局"] == ["buyer", "procuringEntity", "payer"]
        assert set(roles["书海阅读推广有限公司"]) == {"tenderer", "supplier", "payee"}
        assert releases[f"ocds-dcops1-sel-{made['failed']['id']}"]["tender"]["status"] == "unsuccessful"
        assert releases[f"ocds-dcops1-sel-{made['cancelled']['id']}"]["tag"] == ["tender", "tenderCancellation"]
        direct = releases[f"ocds-dcops1-ct-{made['direct']['id']}"]
        assert direct["tender"]["procurementMethod"] == "direct"
        milestones = direct["contracts"][0]["implementation"]["milestones"]
        assessment = next(m for m in milestones if m["type"] == "assessment")
        assert assessment["title"] == "2026-Q1 绩效考核" and "优秀" in assessment["description"]

    async def test_it_is_open_data_streamed_as_json(self, client):
        resp = await client.get(URL)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
        assert resp.json()["releases"] == []
