"""Every route's gate, tried as the party who gains by passing it: an operator's system with a narrow key,
a subdistrict official using the district's administration, a resident probing an official's route for
its field list. The OpenAPI document says who may call each operation (x-authorization)."""

from __future__ import annotations

import pytest

from tests.factories import file_case, rate, step

# Operations anyone may call without signing in: their answers are public (some show a signed-in reader
# their own records too, through `viewer()`). Open311 GeoReport v2 has its own keys (api_key).
PUBLIC = {
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/api/v1/events/types"),
    ("get", "/api/v1/ratings"),
    ("get", "/api/v1/ratings/summary"),
    ("get", "/api/v1/ratings/{rating_id}"),
    ("get", "/api/v1/cases/calendar"),
    ("get", "/api/v1/cases/categories"),
    ("get", "/api/v1/demands/stats"),
    ("get", "/api/v1/menu-rounds"),
    ("get", "/api/v1/menu-rounds/{round_id}"),
    ("get", "/api/v1/satisfaction"),
    ("get", "/api/v1/satisfaction/rankings"),
}


def key(scopes: list[str], operator_id: int = 7) -> dict:
    """An operator's system: a credential the gateway made from an API key holding `scopes`."""
    return {
        "role": "operator",
        "operator_id": operator_id,
        "sub": "apikey:31",
        "scopes": scopes,
    }


class TestTheDocumentSaysWhoMayCall:
    async def test_every_operation_has_a_gate_or_is_public_on_purpose(self, client):
        schema = (await client.get("/openapi.json")).json()
        public = set()
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                gate = operation["x-authorization"]
                if not gate["signed_in"] and not path.startswith("/open311/v2/"):
                    public.add((method, path))
        assert public == PUBLIC

    async def test_the_operators_scopes_are_named_on_their_routes(self, client):
        paths = (await client.get("/openapi.json")).json()["paths"]
        assert (
            paths["/api/v1/ratings/{rating_id}/reply"]["post"]["x-authorization"][
                "scope"
            ]
            == "ratings:reply"
        )
        assert (
            paths["/api/v1/cases/{case_id}/respond"]["post"]["x-authorization"]["scope"]
            == "cases:respond"
        )
        assert (
            paths["/api/v1/cases"]["get"]["x-authorization"]["scope"] == "cases:respond"
        )
        assert (
            paths["/api/v1/demands"]["get"]["x-authorization"]["scope"]
            == "operator:read"
        )
        assert (
            paths["/api/v1/satisfaction/operators/{operator_id}"]["get"][
                "x-authorization"
            ]["scope"]
            == "operator:read"
        )


class TestAnOperatorsKey:
    async def test_a_key_for_activities_neither_replies_nor_answers_nor_reads_cases(
        self, client, auth
    ):
        rating = await rate(client, auth(sub="r-1"), 2)
        case = await file_case(client, auth(sub="r-1"))
        narrow = auth(**key(["activities:write"]))
        reply = await client.post(
            f"/api/v1/ratings/{rating['id']}/reply",
            json={"text": "感谢您的评价"},
            headers=narrow,
        )
        assert reply.status_code == 403
        assert (await client.get("/api/v1/cases", headers=narrow)).status_code == 403
        assert (
            await client.get(f"/api/v1/cases/{case['id']}", headers=narrow)
        ).status_code == 403
        await step(client, case, "respond", narrow, text="已处理", status=403)
        assert (
            await client.get("/api/v1/satisfaction/operators/7", headers=narrow)
        ).status_code == 403

    async def test_each_scope_opens_its_own_routes(self, client, auth):
        rating = await rate(client, auth(sub="r-1"), 2)
        case = await file_case(client, auth(sub="r-1"))
        replier = auth(**key(["ratings:reply"]))
        assert (
            await client.post(
                f"/api/v1/ratings/{rating['id']}/reply",
                json={"text": "感谢您的评价"},
                headers=replier,
            )
        ).status_code == 200
        assert (await client.get("/api/v1/cases", headers=replier)).status_code == 403
        responder = auth(**key(["cases:respond"]))
        assert [
            c["id"]
            for c in (await client.get("/api/v1/cases", headers=responder)).json()[
                "items"
            ]
        ] == [case["id"]]
        await step(client, case, "respond", responder, text="已补发闭馆通知")
        assert (
            await client.get(
                "/api/v1/satisfaction/operators/7",
                headers=auth(**key(["operator:read"])),
            )
        ).status_code == 200

    async def test_a_key_cannot_act_as_a_resident(self, client, auth):
        # A resident's credential made from a key (none is issued, but none may pass either): the rating
        # route's gate and the layer that serves valid ratings before routing refuse it alike.
        forged = auth("resident", sub="apikey:77")
        resp = await client.post(
            "/api/v1/ratings",
            json={"target_type": "facility", "target_id": 1, "overall": 5},
            headers=forged,
        )
        assert resp.status_code == 403
        assert (
            await client.get(
                "/api/v1/ratings", params={"target_id": 1, "target_type": "facility"}
            )
        ).json()["items"] == []


SUBDISTRICT = {"role": "official", "subdistrict": "jingshan"}


class TestTheDistrictsAdministration:
    async def test_a_subdistrict_official_cannot_change_the_districts_calendar(
        self, client, auth
    ):
        sub = auth(**SUBDISTRICT)
        put = await client.put(
            "/api/v1/cases/calendar/2026-12-31",
            json={"kind": "holiday", "name": "元旦前"},
            headers=sub,
        )
        assert put.status_code == 403
        empty = await client.put(
            "/api/v1/cases/calendar/2026-12-31", json={}, headers=sub
        )
        assert empty.status_code == 403  # decided before the body: no field list
        assert (
            await client.put(
                "/api/v1/cases/calendar/2026-12-31",
                json={"kind": "holiday"},
                headers=auth("official"),
            )
        ).status_code == 200
        assert (
            await client.delete("/api/v1/cases/calendar/2026-12-31", headers=sub)
        ).status_code == 403
        days = (
            await client.get("/api/v1/cases/calendar", params={"year": 2026})
        ).json()
        assert [d["day"] for d in days] == ["2026-12-31"]

    async def test_a_subdistrict_official_cannot_issue_revoke_or_rotate_open311_keys(
        self, client, auth
    ):
        sub = auth(**SUBDISTRICT)
        assert (
            await client.post(
                "/api/v1/open311-clients", json={"name": "街道热线"}, headers=sub
            )
        ).status_code == 403
        created = await client.post(
            "/api/v1/open311-clients",
            json={"name": "12345 市民服务热线"},
            headers=auth("official"),
        )
        client_id = created.json()["id"]
        assert (
            await client.delete(f"/api/v1/open311-clients/{client_id}", headers=sub)
        ).status_code == 403
        assert (
            await client.post(
                f"/api/v1/open311-clients/{client_id}/rotate", headers=sub
            )
        ).status_code == 403
        [listed] = (
            await client.get("/api/v1/open311-clients", headers=auth("official"))
        ).json()
        assert (
            listed["revoked_at"] is None
            and listed["key_prefix"] == created.json()["key_prefix"]
        )

    async def test_a_subdistrict_official_cannot_change_the_districts_moderation_words(
        self, client, auth
    ):
        sub = auth(**SUBDISTRICT)
        assert (
            await client.post(
                "/api/v1/moderation/words", json={"word": "差评"}, headers=sub
            )
        ).status_code == 403
        added = await client.post(
            "/api/v1/moderation/words", json={"word": "骗子"}, headers=auth("official")
        )
        assert (
            await client.delete(
                f"/api/v1/moderation/words/{added.json()['id']}", headers=sub
            )
        ).status_code == 403

    @pytest.mark.parametrize(
        "path", ["/api/v1/satisfaction/reconcile", "/api/v1/cases/sweep"]
    )
    async def test_a_subdistrict_official_does_not_act_on_the_whole_district(
        self, client, auth, path
    ):
        assert (await client.post(path, headers=auth(**SUBDISTRICT))).status_code == 403
        assert (await client.post(path, headers=auth("official"))).status_code == 200


class TestOpen311Keys:
    async def test_a_rotated_key_replaces_the_old_one(self, client, auth):
        created = (
            await client.post(
                "/api/v1/open311-clients",
                json={"name": "12345 市民服务热线"},
                headers=auth("official"),
            )
        ).json()
        rotated = await client.post(
            f"/api/v1/open311-clients/{created['id']}/rotate", headers=auth("official")
        )
        assert (
            rotated.status_code == 200
            and rotated.json()["api_key"] != created["api_key"]
        )
        form = {
            "service_code": "praise",
            "description": "讲解员很专业",
            "address_id": "1",
        }
        old = await client.post(
            "/open311/v2/requests.json", data={**form, "api_key": created["api_key"]}
        )
        assert old.status_code == 403
        new = await client.post(
            "/open311/v2/requests.json",
            data={**form, "api_key": rotated.json()["api_key"]},
        )
        assert new.status_code == 200, new.text

    async def test_a_revoked_client_is_not_rotated_back_to_life(self, client, auth):
        created = (
            await client.post(
                "/api/v1/open311-clients",
                json={"name": "旧热线"},
                headers=auth("official"),
            )
        ).json()
        assert (
            await client.delete(
                f"/api/v1/open311-clients/{created['id']}", headers=auth("official")
            )
        ).status_code == 204
        assert (
            await client.post(
                f"/api/v1/open311-clients/{created['id']}/rotate",
                headers=auth("official"),
            )
        ).status_code == 409


class TestModerationWithinTheSubdistrict:
    async def test_a_subdistrict_official_moderates_its_own_facilities_only(
        self, client, auth
    ):
        ours = await rate(client, auth(sub="r-1"), 2)  # jingshan
        theirs = await rate(client, auth(sub="r-2"), 3)  # donghuamen
        jingshan = auth("official", subdistrict="jingshan")
        hidden = await client.post(
            f"/api/v1/moderation/ratings/{theirs['id']}",
            json={"action": "hide"},
            headers=jingshan,
        )
        assert hidden.status_code == 404
        assert (
            await client.get(f"/api/v1/ratings/{theirs['id']}")
        ).status_code == 200  # still public
        assert (
            await client.post(
                f"/api/v1/moderation/ratings/{ours['id']}",
                json={"action": "hide"},
                headers=jingshan,
            )
        ).status_code == 200

    async def test_the_queue_holds_its_own_subdistrict(self, client, auth):
        assert (
            await client.post(
                "/api/v1/moderation/words",
                json={"word": "骗子"},
                headers=auth("official"),
            )
        ).status_code == 201
        ours = await rate(client, auth(sub="r-1"), 2, comment="这里的管理员是个骗子")
        theirs = await rate(client, auth(sub="r-2"), 3, comment="讲解员是个骗子")
        queue = (
            await client.get(
                "/api/v1/moderation/queue",
                headers=auth("official", subdistrict="jingshan"),
            )
        ).json()["items"]
        everything = (
            await client.get("/api/v1/moderation/queue", headers=auth("official"))
        ).json()["items"]
        assert [r["id"] for r in queue] == [ours["id"]]
        assert [r["id"] for r in everything] == [theirs["id"], ours["id"]]


class TestAResidentProbingOfficialsRoutes:
    @pytest.mark.parametrize(
        "method,path",
        [
            ("post", "/api/v1/menu-rounds"),
            ("post", "/api/v1/open311-clients"),
            ("post", "/api/v1/moderation/words"),
            ("put", "/api/v1/cases/calendar/2026-12-31"),
            ("post", "/api/v1/cases/1/assign"),
            ("post", "/api/v1/cases/1/respond"),
            ("post", "/api/v1/demands/1/answer"),
            ("post", "/api/v1/ratings/1/reply"),
        ],
    )
    async def test_gets_403_not_the_field_list(self, client, auth, method, path):
        resp = await client.request(
            method, path, json={}, headers={**auth(sub="r-1"), "If-Match": '"1"'}
        )
        assert resp.status_code == 403, resp.text
        assert "errors" not in resp.json()
