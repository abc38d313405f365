"""The operator registry as officials, auditors, operators' staff and the public use it, through HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from operators_api.operators.rules import TRANSITIONS
from operators_api.operators.uscc import complete
from tests.factories import create_operator, move_status, new_uscc, operator_body

URL = "/api/v1/operators"


async def _count(client) -> int:
    return len((await client.get(URL, params={"limit": 500})).json()["items"])


class TestRegisterOperator:
    async def test_official_registers_and_anyone_reads_it_back(self, client, auth):
        created = await create_operator(client, auth("official"), code="shuxiang-culture")
        resp = await client.get(f"{URL}/{created['id']}")
        assert resp.status_code == 200
        body = resp.json()
        assert body["code"] == "shuxiang-culture"
        assert body["legal_name"] == "东城区书香文化发展有限公司"
        assert body["type"] == "enterprise"
        assert body["status"] == "registered"
        assert body["version"] == 1
        assert resp.headers["etag"] == '"v1"'
        assert body["created_at"] == "2026-06-01T02:00:00Z"

    async def test_location_and_etag_headers(self, client, auth):
        resp = await client.post(URL, json=operator_body(), headers=auth("official"))
        assert resp.status_code == 201
        assert resp.headers["location"] == f"{URL}/{resp.json()['id']}"
        assert resp.headers["etag"] == '"v1"'

    async def test_code_defaults_to_the_uscc_in_lower_case(self, client, auth):
        uscc = new_uscc()
        created = await create_operator(client, auth("official"), uscc=uscc)
        assert created["code"] == uscc.lower()

    async def test_a_public_institution_and_a_social_organisation(self, client, auth):
        museum = await create_operator(client, auth("official"), type="public_institution", uscc=new_uscc("12110101"))
        society = await create_operator(client, auth("official"), type="social_organisation", uscc=new_uscc("51110101"))
        assert (museum["type"], society["type"]) == ("public_institution", "social_organisation")

    async def test_type_must_match_what_the_uscc_says(self, client, auth):
        resp = await client.post(
            URL, json=operator_body(type="social_organisation", uscc=new_uscc("91110101")), headers=auth("official")
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "type"
        assert resp.json()["errors"][0]["code"] == "uscc-type-mismatch"
        assert await _count(client) == 0

    @pytest.mark.parametrize("role", ["resident", "operator", "auditor", "integration"])
    async def test_only_officials_register(self, client, auth, role):
        resp = await client.post(URL, json=operator_body(), headers=auth(role, operator_id=1))
        assert resp.status_code == 403
        assert resp.headers["content-type"] == "application/problem+json"
        assert await _count(client) == 0

    async def test_anonymous_register_is_401(self, client):
        resp = await client.post(URL, json=operator_body())
        assert resp.status_code == 401
        assert resp.json()["title"] == "Not signed in"

    async def test_a_refused_caller_learns_nothing_about_the_body(self, client, auth):
        resp = await client.post(URL, json={"legal_name": ""}, headers=auth("resident"))
        assert resp.status_code == 403

    async def test_idempotency_key_replays_the_first_answer(self, client, auth):
        headers = {**auth("official"), "Idempotency-Key": "register-shuxiang-1"}
        body = operator_body()
        first = await client.post(URL, json=body, headers=headers)
        again = await client.post(URL, json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert await _count(client) == 1

    async def test_idempotency_key_reused_for_another_body_is_422(self, client, auth):
        headers = {**auth("official"), "Idempotency-Key": "register-shuxiang-2"}
        assert (await client.post(URL, json=operator_body(), headers=headers)).status_code == 201
        other = await client.post(URL, json=operator_body(legal_name="另一家公司"), headers=headers)
        assert other.status_code == 422
        assert other.json()["type"] == "/problems/idempotency-key-reused"
        assert await _count(client) == 1


class TestReadWithMasking:
    """Phones and emails are personal data: in full only for officials, auditors and the operator's own staff."""

    @pytest.mark.parametrize(
        ("role", "claims"),
        [(None, {}), ("resident", {}), ("operator", {"operator_id": 999}), ("integration", {}), ("service", {})],
        ids=["anonymous", "resident", "another-operator", "integration", "service"],
    )
    async def test_others_see_masked_contacts(self, client, auth, role, claims):
        created = await create_operator(client, auth("official"))
        headers = auth(role, **claims) if role else {}
        contacts = (await client.get(f"{URL}/{created['id']}", headers=headers)).json()["contacts"]
        assert contacts[0] == {
            "name": "王丽",
            "role": "项目负责人",
            "phone": "138****5678",
            "email": "w***@shuxiang.example",
        }
        assert contacts[1]["phone"] == "010-****1234"
        assert contacts[1]["email"] == ""

    @pytest.mark.parametrize("role", ["official", "auditor", "own-staff"])
    async def test_officials_auditors_and_own_staff_see_them_in_full(self, client, auth, role):
        created = await create_operator(client, auth("official"))
        headers = auth("operator", operator_id=created["id"]) if role == "own-staff" else auth(role)
        contacts = (await client.get(f"{URL}/{created['id']}", headers=headers)).json()["contacts"]
        assert contacts[0]["phone"] == "13812345678"
        assert contacts[0]["email"] == "wang.li@shuxiang.example"
        assert contacts[1]["phone"] == "010-64001234"

    async def test_the_list_masks_each_operator_for_its_reader(self, client, auth):
        mine = await create_operator(client, auth("official"))
        other = await create_operator(client, auth("official"))
        items = (await client.get(URL, headers=auth("operator", operator_id=mine["id"]))).json()["items"]
        phones = {o["id"]: o["contacts"][0]["phone"] for o in items}
        assert phones == {mine["id"]: "13812345678", other["id"]: "138****5678"}

    async def test_the_registering_official_gets_the_full_record_back(self, client, auth):
        created = await create_operator(client, auth("official"))
        assert created["contacts"][0]["phone"] == "13812345678"

    async def test_a_bad_token_on_a_public_read_is_401_not_a_silent_downgrade(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.get(f"{URL}/{created['id']}", headers={"Authorization": "Bearer not-a-token"})
        assert resp.status_code == 401

    async def test_missing_operator_is_404_problem(self, client):
        resp = await client.get(f"{URL}/999999")
        assert resp.status_code == 404
        assert resp.json()["detail"] == "No operator 999999."


class TestQualificationExpiry:
    async def test_expired_is_computed_from_the_clock_in_beijing(self, client, auth, clock):
        created = await create_operator(
            client,
            auth("official"),
            qualifications=[
                {"name": "甲证", "number": "A-1", "issued_by": "东城区文旅局", "expires_date": "2026-05-31"},
                {"name": "乙证", "number": "B-1", "issued_by": "东城区文旅局", "expires_date": "2026-06-01"},
                {"name": "丙证", "number": "C-1", "issued_by": "东城区文旅局"},
            ],
        )
        url = f"{URL}/{created['id']}"
        # 2026-06-01 in Beijing: a certificate is valid through its expiry date.
        assert [q["expired"] for q in (await client.get(url)).json()["qualifications"]] == [True, False, False]
        # 2026-06-01 23:30 UTC is already 2026-06-02 in Beijing.
        clock.fixed = datetime(2026, 6, 1, 16, 30, tzinfo=UTC)
        assert [q["expired"] for q in (await client.get(url)).json()["qualifications"]] == [True, True, False]
        # And the day before, nothing had expired yet.
        clock.fixed = datetime(2026, 5, 30, 16, 30, tzinfo=UTC)
        assert [q["expired"] for q in (await client.get(url)).json()["qualifications"]] == [False, False, False]

    async def test_the_list_flags_them_too(self, client, auth):
        await create_operator(
            client,
            auth("official"),
            qualifications=[{"name": "甲证", "number": "A-1", "issued_by": "文旅局", "expires_date": "2020-01-01"}],
        )
        items = (await client.get(URL)).json()["items"]
        assert items[0]["qualifications"][0] == {
            "name": "甲证",
            "number": "A-1",
            "issued_by": "文旅局",
            "expires_date": "2020-01-01",
            "expired": True,
        }


class TestListOperators:
    async def _registry(self, client, auth):
        official = auth("official")
        a = await create_operator(
            client,
            official,
            legal_name="胡同文化促进会",
            name_en="Hutong Culture Society",
            type="social_organisation",
            uscc=new_uscc("51110101"),
            code="hutong-society",
        )
        b = await create_operator(
            client,
            official,
            legal_name="书海阅读推广中心",
            name_en="Shuhai Reading Centre",
            type="social_organisation",
            uscc=new_uscc("52110101"),
        )
        c = await create_operator(
            client, official, legal_name="京城文化服务有限公司", name_en="Jingcheng Culture Services"
        )
        await move_status(client, official, a["id"], "qualified")
        await move_status(client, official, c["id"], "qualified", "suspended")
        return a, b, c

    async def test_filters(self, client, auth):
        _, _, c = await self._registry(client, auth)

        async def names(**params):
            return [o["legal_name"] for o in (await client.get(URL, params=params)).json()["items"]]

        assert await names(type="social_organisation") == ["胡同文化促进会", "书海阅读推广中心"]
        assert await names(status="qualified") == ["胡同文化促进会"]
        assert await names(status="suspended", type="enterprise") == ["京城文化服务有限公司"]
        assert await names(q="阅读") == ["书海阅读推广中心"]
        assert await names(q="jingcheng") == ["京城文化服务有限公司"]
        assert await names(q=c["uscc"]) == ["京城文化服务有限公司"]
        assert await names(code="hutong-society") == ["胡同文化促进会"]
        assert await names(q="%") == []
        assert await names(status="blacklisted") == []

    async def test_cursor_pagination(self, client, auth):
        for i in range(5):
            await create_operator(client, auth("official"), legal_name=f"文化公司{i}")
        page1 = (await client.get(URL, params={"limit": 3})).json()
        page2 = (await client.get(URL, params={"limit": 3, "cursor": page1["next_cursor"]})).json()
        assert len(page1["items"]) == 3 and len(page2["items"]) == 2
        assert page2["next_cursor"] is None
        ids = [o["id"] for o in page1["items"] + page2["items"]]
        assert ids == sorted(set(ids))

    @pytest.mark.parametrize(
        "cursor", ["not-a-cursor", "WyJhYmMiXQ", "WzFlKzMwXQ", "WzIxNDc0ODM2NDhd", "Wy0xXQ", "W3RydWVd"]
    )
    async def test_a_forged_cursor_is_422(self, client, cursor):
        # ["abc"], [1e+30], [2147483648], [-1], [true]
        resp = await client.get(URL, params={"cursor": cursor})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "cursor"

    async def test_an_unknown_status_filter_is_422(self, client):
        resp = await client.get(URL, params={"status": "closed"})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "query.status"


class TestEditOperator:
    async def test_edit_with_if_match_bumps_version_and_keeps_history(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}",
            json={"legal_name": "东城区书香文化有限公司", "registered_address": "北京市东城区东四北大街2号"},
            headers={**auth("official", sub="official-wang"), "If-Match": '"v1"'},
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["legal_name"] == "东城区书香文化有限公司"
        assert resp.headers["etag"] == '"v2"'
        history = (await client.get(f"{URL}/{created['id']}/history", headers=auth("auditor"))).json()
        assert [h["action"] for h in history] == ["registered", "updated"]
        assert history[1]["actor"] == "official-wang"
        assert history[1]["changes"] == {
            "legal_name": ["东城区书香文化发展有限公司", "东城区书香文化有限公司"],
            "registered_address": ["北京市东城区交道口东大街1号", "北京市东城区东四北大街2号"],
        }

    async def test_stale_etag_is_412_and_changes_nothing(self, client, auth):
        created = await create_operator(client, auth("official"))
        url = f"{URL}/{created['id']}"
        first = await client.patch(url, json={"name_en": "First"}, headers={**auth("official"), "If-Match": '"v1"'})
        assert first.status_code == 200
        second = await client.patch(url, json={"name_en": "Second"}, headers={**auth("official"), "If-Match": '"v1"'})
        assert second.status_code == 412
        assert second.json()["current_etag"] == '"v2"'
        assert (await client.get(url)).json()["name_en"] == "First"

    async def test_edit_without_if_match_is_428(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(f"{URL}/{created['id']}", json={"name_en": "X"}, headers=auth("official"))
        assert resp.status_code == 428
        assert (await client.get(f"{URL}/{created['id']}")).json()["version"] == 1

    async def test_merge_patch_content_type_is_accepted(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}",
            content=b'{"name_en": "Merge"}',
            headers={**auth("official"), "If-Match": '"v1"', "content-type": "application/merge-patch+json"},
        )
        assert resp.status_code == 200 and resp.json()["name_en"] == "Merge"

    async def test_a_patch_that_changes_nothing_keeps_the_version(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}",
            json={"legal_name": created["legal_name"]},
            headers={**auth("official"), "If-Match": '"v1"'},
        )
        assert resp.status_code == 200 and resp.headers["etag"] == '"v1"'

    async def test_a_corrected_uscc_is_checked_again(self, client, auth):
        created = await create_operator(client, auth("official"))
        url = f"{URL}/{created['id']}"
        bad = created["uscc"][:17] + ("0" if created["uscc"][17] != "0" else "1")
        resp = await client.patch(url, json={"uscc": bad}, headers={**auth("official"), "If-Match": '"v1"'})
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "uscc-check-character"
        good = new_uscc()
        resp = await client.patch(url, json={"uscc": good}, headers={**auth("official"), "If-Match": '"v1"'})
        assert resp.status_code == 200 and resp.json()["uscc"] == good

    async def test_changing_type_must_still_match_the_uscc(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}",
            json={"type": "public_institution"},
            headers={**auth("official"), "If-Match": '"v1"'},
        )
        assert resp.status_code == 422 and resp.json()["errors"][0]["code"] == "uscc-type-mismatch"

    @pytest.mark.parametrize("field", ["legal_name", "type", "uscc", "registered_address", "name_en", "contacts"])
    async def test_null_cannot_empty_a_field(self, client, auth, field):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}", json={field: None}, headers={**auth("official"), "If-Match": '"v1"'}
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == field

    @pytest.mark.parametrize("body", [{"status": "qualified"}, {"code": "new-code"}, {"version": 7}])
    async def test_status_code_and_version_are_not_patchable(self, client, auth, body):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(f"{URL}/{created['id']}", json=body, headers={**auth("official"), "If-Match": '"v1"'})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == next(iter(body))

    @pytest.mark.parametrize("role", ["resident", "auditor", "integration"])
    async def test_others_cannot_edit(self, client, auth, role):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}", json={"name_en": "X"}, headers={**auth(role), "If-Match": '"v1"'}
        )
        assert resp.status_code == 403

    async def test_editing_a_missing_operator_is_404(self, client, auth):
        resp = await client.patch(
            f"{URL}/999999", json={"name_en": "X"}, headers={**auth("official"), "If-Match": '"v1"'}
        )
        assert resp.status_code == 404


class TestOperatorStaffEditsTheirOwn:
    async def test_own_staff_update_contacts_address_and_english_name(self, client, auth):
        created = await create_operator(client, auth("official"))
        staff = auth("operator", sub="staff-wang", operator_id=created["id"])
        contacts = [{"name": "李华", "role": "新负责人", "phone": "13900001111", "email": "li.hua@shuxiang.example"}]
        resp = await client.patch(
            f"{URL}/{created['id']}",
            json={"contacts": contacts, "registered_address": "北京市东城区新址1号", "name_en": "Shuxiang Culture"},
            headers={**staff, "If-Match": '"v1"'},
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["contacts"] == contacts
        history = (await client.get(f"{URL}/{created['id']}/history", headers=auth("official"))).json()
        assert history[-1]["actor"] == "staff-wang" and history[-1]["actor_role"] == "operator"
        assert set(history[-1]["changes"]) == {"contacts", "registered_address", "name_en"}

    @pytest.mark.parametrize(
        "body",
        [
            {"legal_name": "改名公司"},
            {"uscc": "91110108551385082Q"},
            {"type": "enterprise"},
            {"qualifications": []},
            {"name_en": "X", "legal_name": "改名"},
        ],
    )
    async def test_own_staff_cannot_change_what_officials_keep(self, client, auth, body):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}",
            json=body,
            headers={**auth("operator", operator_id=created["id"]), "If-Match": '"v1"'},
        )
        assert resp.status_code == 403
        assert "only an official may change" in resp.json()["detail"]
        after = (await client.get(f"{URL}/{created['id']}")).json()
        assert after["version"] == 1 and after["legal_name"] == created["legal_name"]

    async def test_staff_of_another_operator_cannot_edit(self, client, auth):
        mine = await create_operator(client, auth("official"))
        other = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{other['id']}",
            json={"contacts": []},
            headers={**auth("operator", operator_id=mine["id"]), "If-Match": '"v1"'},
        )
        assert resp.status_code == 403
        assert f"operator {mine['id']}" in resp.json()["detail"]
        assert len((await client.get(f"{URL}/{other['id']}", headers=auth("official"))).json()["contacts"]) == 2

    async def test_an_operator_token_without_an_operator_cannot_edit(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}", json={"name_en": "X"}, headers={**auth("operator"), "If-Match": '"v1"'}
        )
        assert resp.status_code == 403

    async def test_own_staff_cannot_change_the_status(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.post(
            f"{URL}/{created['id']}/status",
            json={"status": "qualified", "reason": "我们自己认为合格"},
            headers=auth("operator", operator_id=created["id"]),
        )
        assert resp.status_code == 403
        assert (await client.get(f"{URL}/{created['id']}")).json()["status"] == "registered"

    async def test_own_staff_still_need_if_match(self, client, auth):
        created = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{created['id']}", json={"name_en": "X"}, headers=auth("operator", operator_id=created["id"])
        )
        assert resp.status_code == 428


STATUSES = list(TRANSITIONS)
# How to reach each status from a new (registered) operator.
PATH_TO = {
    "registered": [],
    "qualified": ["qualified"],
    "suspended": ["qualified", "suspended"],
    "blacklisted": ["blacklisted"],
}


class TestStatusTransitions:
    async def test_the_whole_life_of_an_operator(self, client, auth):
        created = await create_operator(client, auth("official"))
        body = await move_status(
            client, auth("official"), created["id"], "qualified", "suspended", "qualified", "blacklisted"
        )
        assert body["status"] == "blacklisted" and body["version"] == 5

    @pytest.mark.parametrize(("old", "new"), [(o, n) for o in STATUSES for n in STATUSES])
    async def test_the_transition_table(self, client, auth, old, new):
        created = await create_operator(client, auth("official"))
        await move_status(client, auth("official"), created["id"], *PATH_TO[old])
        resp = await client.post(
            f"{URL}/{created['id']}/status", json={"status": new, "reason": "检查"}, headers=auth("official")
        )
        allowed = {
            ("registered", "qualified"), ("registered", "blacklisted"),
            ("qualified", "suspended"), ("qualified", "blacklisted"),
            ("suspended", "qualified"), ("suspended", "blacklisted"),
        }  # fmt: skip
        if (old, new) in allowed:
            assert resp.status_code == 200, resp.text
            assert resp.json()["status"] == new
        else:
            assert resp.status_code == 409, resp.text
            problem = resp.json()
            assert (problem["from"], problem["to"]) == (old, new)
            assert problem["type"] == "/problems/status-transition"
            assert f"from {old} to {new}" in problem["detail"]
            assert (await client.get(f"{URL}/{created['id']}")).json()["status"] == old

    async def test_blacklisted_is_final(self, client, auth):
        created = await create_operator(client, auth("official"))
        await move_status(client, auth("official"), created["id"], "blacklisted")
        resp = await client.post(
            f"{URL}/{created['id']}/status",
            json={"status": "qualified", "reason": "申诉成功"},
            headers=auth("official"),
        )
        assert resp.status_code == 409
        assert resp.json()["allowed"] == []
        assert "nothing (final)" in resp.json()["detail"]

    async def test_a_reason_is_required(self, client, auth):
        created = await create_operator(client, auth("official"))
        for body in ({"status": "qualified"}, {"status": "qualified", "reason": "   "}):
            resp = await client.post(f"{URL}/{created['id']}/status", json=body, headers=auth("official"))
            assert resp.status_code == 422
            assert resp.json()["errors"][0]["field"] == "reason"

    async def test_if_match_is_checked_when_sent(self, client, auth):
        created = await create_operator(client, auth("official"))
        url = f"{URL}/{created['id']}/status"
        stale = await client.post(
            url, json={"status": "qualified", "reason": "审核通过"}, headers={**auth("official"), "If-Match": '"v0"'}
        )
        assert stale.status_code == 412
        fresh = await client.post(
            url, json={"status": "qualified", "reason": "审核通过"}, headers={**auth("official"), "If-Match": '"v1"'}
        )
        assert fresh.status_code == 200 and fresh.headers["etag"] == '"v2"'

    @pytest.mark.parametrize("role", ["resident", "auditor", "integration"])
    async def test_only_officials_change_status(self, client, auth, role):
        created = await create_operator(client, auth("official"))
        resp = await client.post(
            f"{URL}/{created['id']}/status", json={"status": "qualified", "reason": "x"}, headers=auth(role)
        )
        assert resp.status_code == 403

    async def test_unknown_status_is_422_and_missing_operator_404(self, client, auth):
        created = await create_operator(client, auth("official"))
        bad = await client.post(
            f"{URL}/{created['id']}/status", json={"status": "closed", "reason": "x"}, headers=auth("official")
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
        missing = await client.post(
            f"{URL}/999999/status", json={"status": "qualified", "reason": "x"}, headers=auth("official")
        )
        assert missing.status_code == 404


class TestHistory:
    async def test_who_changed_what_when_and_why(self, client, auth, clock):
        created = await create_operator(client, auth("official", sub="official-li"))
        clock.fixed = datetime(2026, 6, 2, 1, 0, tzinfo=UTC)
        await client.patch(
            f"{URL}/{created['id']}",
            json={"name_en": "Shuxiang"},
            headers={**auth("operator", sub="staff-1", operator_id=created["id"]), "If-Match": '"v1"'},
        )
        clock.fixed = datetime(2026, 6, 3, 1, 0, tzinfo=UTC)
        await client.post(
            f"{URL}/{created['id']}/status",
            json={"status": "blacklisted", "reason": "虚报服务数据，经查属实"},
            headers=auth("official", sub="official-zhang"),
        )
        history = (await client.get(f"{URL}/{created['id']}/history", headers=auth("official"))).json()
        assert history == [
            {
                "version": 1,
                "actor": "official-li",
                "actor_role": "official",
                "action": "registered",
                "changes": {},
                "reason": None,
                "changed_at": "2026-06-01T02:00:00Z",
            },
            {
                "version": 2,
                "actor": "staff-1",
                "actor_role": "operator",
                "action": "updated",
                "changes": {"name_en": ["Dongcheng Shuxiang Culture Development Co., Ltd.", "Shuxiang"]},
                "reason": None,
                "changed_at": "2026-06-02T01:00:00Z",
            },
            {
                "version": 3,
                "actor": "official-zhang",
                "actor_role": "official",
                "action": "status_changed",
                "changes": {"status": ["registered", "blacklisted"]},
                "reason": "虚报服务数据，经查属实",
                "changed_at": "2026-06-03T01:00:00Z",
            },
        ]

    async def test_history_shows_contacts_in_full_to_officials(self, client, auth):
        created = await create_operator(client, auth("official"))
        new = [{"name": "李华", "role": "", "phone": "13900001111", "email": ""}]
        await client.patch(
            f"{URL}/{created['id']}", json={"contacts": new}, headers={**auth("official"), "If-Match": '"v1"'}
        )
        change = (await client.get(f"{URL}/{created['id']}/history", headers=auth("auditor"))).json()[-1]
        assert change["changes"]["contacts"][0][0]["phone"] == "13812345678"
        assert change["changes"]["contacts"][1] == new

    @pytest.mark.parametrize("role", ["resident", "operator", "integration"])
    async def test_only_officials_and_auditors_read_it(self, client, auth, role):
        created = await create_operator(client, auth("official"))
        resp = await client.get(f"{URL}/{created['id']}/history", headers=auth(role, operator_id=created["id"]))
        assert resp.status_code == 403

    async def test_anonymous_history_is_401_and_missing_is_404(self, client, auth):
        created = await create_operator(client, auth("official"))
        assert (await client.get(f"{URL}/{created['id']}/history")).status_code == 401
        assert (await client.get(f"{URL}/999999/history", headers=auth("official"))).status_code == 404


class TestBadInput:
    async def _refused(self, client, auth, body, status=422):
        resp = await client.post(URL, json=body, headers=auth("official"))
        assert resp.status_code == status, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        assert await _count(client) == 0, "nothing may be written"
        return resp.json()

    @pytest.mark.parametrize(
        ("uscc", "code", "says"),
        [
            ("9111010855138508", "uscc-length", "18 characters; this one has 16"),
            ("91110108551385O82Q", "uscc-characters", "Character 15 ('O')"),
            ("91110108551385082q", "uscc-characters", "Character 18 ('q')"),
            ("91110108551385082R", "uscc-check-character", "should be 'Q'"),
            ("91110108561385082Q", "uscc-check-character", "mistyped"),
            (complete("B1110101MA01XK3D"), "uscc-registration-authority", "names no registration authority"),
            (complete("94110101MA01XK3D"), "uscc-organisation-type", "no organisation type of authority 9"),
            (complete("911A0101MA01XK3D"), "uscc-division", "six digits"),
        ],
    )
    async def test_a_wrong_uscc_names_the_field_and_the_rule(self, client, auth, uscc, code, says):
        problem = await self._refused(client, auth, operator_body(uscc=uscc))
        assert problem["errors"][0]["field"] == "uscc"
        assert problem["errors"][0]["code"] == code
        assert says in problem["errors"][0]["message"]

    async def test_a_uscc_with_braces_in_it_is_reported_not_crashed(self, client, auth):
        problem = await self._refused(client, auth, operator_body(uscc="{0}{1}{name}123456789"))
        assert problem["errors"][0]["code"] == "uscc-length"

    async def test_a_uscc_that_is_not_a_string(self, client, auth):
        problem = await self._refused(client, auth, operator_body(uscc=911101085513850820))
        assert problem["errors"][0]["field"] == "uscc"

    async def test_duplicate_uscc_is_409(self, client, auth):
        first = await create_operator(client, auth("official"))
        resp = await client.post(
            URL, json=operator_body(uscc=first["uscc"], code="another-one"), headers=auth("official")
        )
        assert resp.status_code == 409
        problem = resp.json()
        assert problem["type"] == "/problems/duplicate-uscc"
        assert problem["errors"][0]["field"] == "uscc"
        assert problem["existing"] == {"id": first["id"], "code": first["code"]}
        assert await _count(client) == 1

    async def test_duplicate_code_is_409(self, client, auth):
        await create_operator(client, auth("official"), code="shuxiang")
        resp = await client.post(URL, json=operator_body(code="shuxiang"), headers=auth("official"))
        assert resp.status_code == 409
        assert resp.json()["errors"][0]["field"] == "code"

    async def test_patching_in_another_operators_uscc_is_409(self, client, auth):
        first = await create_operator(client, auth("official"))
        second = await create_operator(client, auth("official"))
        resp = await client.patch(
            f"{URL}/{second['id']}", json={"uscc": first["uscc"]}, headers={**auth("official"), "If-Match": '"v1"'}
        )
        assert resp.status_code == 409
        assert (await client.get(f"{URL}/{second['id']}")).json()["uscc"] == second["uscc"]

    @pytest.mark.parametrize("field", ["status", "credit_record", "id"])
    async def test_unknown_fields_are_refused(self, client, auth, field):
        problem = await self._refused(client, auth, operator_body(**{field: "qualified"}))
        assert problem["errors"][0]["field"] == field

    async def test_an_unknown_field_inside_a_contact(self, client, auth):
        contacts = [{"name": "王丽", "phone": "13812345678", "wechat": "wl"}]
        problem = await self._refused(client, auth, operator_body(contacts=contacts))
        assert problem["errors"][0]["field"] == "contacts.0.wechat"

    @pytest.mark.parametrize(
        ("contact", "field", "code"),
        [
            ({"name": "王丽", "phone": "138****5678"}, "contacts.0.phone", "phone"),
            ({"name": "王丽", "phone": "12"}, "contacts.0.phone", "phone"),
            ({"name": "王丽", "email": "not-an-email"}, "contacts.0.email", "email"),
            ({"name": "王丽"}, "contacts.0", "contact-unreachable"),
            ({"name": "", "phone": "13812345678"}, "contacts.0.name", "string_too_short"),
        ],
    )
    async def test_bad_contacts(self, client, auth, contact, field, code):
        problem = await self._refused(client, auth, operator_body(contacts=[contact]))
        assert (problem["errors"][0]["field"], problem["errors"][0]["code"]) == (field, code)

    async def test_a_bad_expiry_date(self, client, auth):
        quals = [{"name": "甲证", "number": "1", "issued_by": "文旅局", "expires_date": "2026-02-30"}]
        problem = await self._refused(client, auth, operator_body(qualifications=quals))
        assert problem["errors"][0]["field"] == "qualifications.0.expires_date"

    @pytest.mark.parametrize("code", ["Shuxiang", "shu_xiang", "-shuxiang", "shuxiang-", "书香", "a"])
    async def test_a_code_must_be_a_slug(self, client, auth, code):
        problem = await self._refused(client, auth, operator_body(code=code))
        assert problem["errors"][0]["field"] == "code"

    async def test_malformed_json_is_400(self, client, auth):
        resp = await client.post(
            URL, content=b'{"legal_name": ', headers={**auth("official"), "content-type": "application/json"}
        )
        assert resp.status_code == 400
        assert resp.json()["detail"] == "The body is not valid JSON."

    async def test_wrong_content_type_is_415(self, client, auth):
        resp = await client.post(
            URL,
            content=b"legal_name=x",
            headers={**auth("official"), "content-type": "application/x-www-form-urlencoded"},
        )
        assert resp.status_code == 415
        assert await _count(client) == 0

    async def test_oversize_body_is_413(self, client, auth):
        resp = await client.post(URL, json=operator_body(name_en="长" * 600_000), headers=auth("official"))
        assert resp.status_code == 413
        assert resp.headers["content-type"] == "application/problem+json"
        assert await _count(client) == 0

    async def test_wrong_type_names_the_field(self, client, auth):
        problem = await self._refused(client, auth, operator_body(type="company"))
        assert problem["errors"][0]["field"] == "type"

    async def test_emoji_and_long_cjk_names_survive(self, client, auth):
        name = "东城区🎭" + "胡同文化" * 49  # 200 characters, some outside the Basic Multilingual Plane
        address = "北京市东城区👨‍👩‍👧" + "胡" * 280
        contacts = [
            {"name": "王🌸" + "丽" * 48, "role": "负责人😀", "phone": "+86 138 1234 5678", "email": "王丽@例子.example"}
        ]
        created = await create_operator(
            client, auth("official"), legal_name=name, registered_address=address, contacts=contacts
        )
        read = (await client.get(f"{URL}/{created['id']}", headers=auth("official"))).json()
        assert (read["legal_name"], read["registered_address"], read["contacts"]) == (name, address, contacts)
        found = (await client.get(URL, params={"q": "🎭胡同"})).json()["items"]
        assert [o["id"] for o in found] == [created["id"]]
        public = (await client.get(f"{URL}/{created['id']}")).json()["contacts"][0]
        assert public["phone"] == "+86 1** **** 5678" and public["email"] == "王***@例子.example"

    async def test_a_name_one_character_too_long_is_422(self, client, auth):
        problem = await self._refused(client, auth, operator_body(legal_name="胡" * 201))
        assert problem["errors"][0]["field"] == "legal_name"

    async def test_an_id_out_of_range_is_422_not_500(self, client):
        resp = await client.get(f"{URL}/99999999999999999999")
        assert resp.status_code == 422
