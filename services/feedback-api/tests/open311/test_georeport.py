"""Open311 GeoReport v2 over the same cases: documents checked against the standard's JSON schemas
(../shared/standards/open311-georeport-v2/, found relative to the repository), XML twins, errors in the
Open311 array format, client keys."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.factories import file_case, step

REPO = Path(__file__).resolve().parents[4]
STANDARD = REPO.parent / "shared" / "standards" / "open311-georeport-v2"


def _validator(name: str) -> Draft7Validator:
    resources = [
        (
            p.name,
            Resource.from_contents(
                json.loads(p.read_text()), default_specification=DRAFT7
            ),
        )
        for p in STANDARD.glob("*.json")
        if p.name != "swagger.json"
    ]
    registry = Registry().with_resources(resources)
    return Draft7Validator(
        json.loads((STANDARD / name).read_text()),
        registry=registry,
        format_checker=FormatChecker(),
    )


def assert_valid(name: str, document) -> None:
    errors = sorted(_validator(name).iter_errors(document), key=str)
    assert not errors, [e.message for e in errors]


@pytest.fixture
async def api_key(client, auth) -> str:
    resp = await client.post(
        "/api/v1/open311-clients",
        json={"name": "12345 市民服务热线"},
        headers=auth("official"),
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["api_key"]


def test_the_standard_is_found_next_to_the_repository():
    assert (STANDARD / "request.json").is_file()


class TestDiscoveryAndServices:
    async def test_discovery(self, client):
        doc = (await client.get("/open311/v2/discovery.json")).json()
        assert (
            doc["endpoints"][0]["specification"]
            == "http://wiki.open311.org/GeoReport_v2"
        )
        xml = await client.get("/open311/v2/discovery.xml")
        assert xml.headers["content-type"].startswith("text/xml")
        assert (
            ElementTree.fromstring(xml.content)
            .find("endpoints/endpoint/formats/format")
            .text
            == "application/json"
        )

    async def test_services_are_the_case_categories(self, client):
        services = (await client.get("/open311/v2/services.json")).json()
        assert_valid("services.json", services)
        assert {s["service_code"] for s in services} >= {
            "fee_overcharge",
            "opening_hours",
            "praise",
        }
        root = ElementTree.fromstring(
            (await client.get("/open311/v2/services.xml")).content
        )
        assert root.tag == "services" and len(root.findall("service")) == len(services)

    async def test_a_service_definition_models_the_extra_fields(self, client):
        doc = (await client.get("/open311/v2/services/fee_overcharge.json")).json()
        assert_valid("service-definition.json", doc)
        charged = next(a for a in doc["attributes"] if a["code"] == "charged_fen")
        assert (charged["datatype"], charged["required"]) == ("number", True)
        receipt = next(a for a in doc["attributes"] if a["code"] == "receipt")
        assert receipt["values"] == [
            {"key": "yes", "name": "有"},
            {"key": "no", "name": "无"},
        ]
        xml = ElementTree.fromstring(
            (await client.get("/open311/v2/services/fee_overcharge.xml")).content
        )
        assert (
            xml.tag == "service_definition"
            and xml.find("attributes/attribute/code") is not None
        )

    async def test_unknown_service_or_format_is_an_open311_error(self, client):
        resp = await client.get("/open311/v2/services/noise.json")
        assert (
            resp.status_code == 404
            and resp.headers["content-type"] == "application/json"
        )
        assert resp.json()[0]["code"] == 404
        bad_format = await client.get("/open311/v2/services.csv")
        assert bad_format.status_code == 404 and bad_format.json()[0]["code"] == 404


class TestPostRequest:
    async def test_without_a_valid_api_key_is_refused_in_open311_format(
        self, client, api_key
    ):
        form = {
            "service_code": "opening_hours",
            "address_id": "2",
            "description": "周六闭馆",
        }
        missing = await client.post("/open311/v2/requests.json", data=form)
        assert missing.status_code == 403 and missing.json() == [
            {"code": 403, "description": missing.json()[0]["description"]}
        ]
        wrong = await client.post(
            "/open311/v2/requests.json", data={**form, "api_key": api_key[:-2] + "xx"}
        )
        assert wrong.status_code == 403
        xml = await client.post(
            "/open311/v2/requests.xml", data={**form, "api_key": "nonsense"}
        )
        root = ElementTree.fromstring(xml.content)
        assert (
            xml.status_code == 403
            and root.tag == "errors"
            and root.find("error/code").text == "403"
        )
        assert (
            await client.get("/api/v1/cases", headers={"Authorization": "x"})
        ).status_code == 401

    async def test_unknown_service_code_missing_location_bad_fields(
        self, client, api_key, auth
    ):
        unknown = await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": api_key,
                "service_code": "noise",
                "address_id": "2",
                "description": "x",
            },
        )
        assert (
            unknown.status_code == 404 and "noise" in unknown.json()[0]["description"]
        )
        nowhere = await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": api_key,
                "service_code": "opening_hours",
                "description": "x",
            },
        )
        assert nowhere.status_code == 400
        no_fee = await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": api_key,
                "service_code": "fee_overcharge",
                "address_id": "2",
                "description": "x",
            },
        )
        assert (
            no_fee.status_code == 400
            and "charged_fen" in no_fee.json()[0]["description"]
        )
        no_facility = await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": api_key,
                "service_code": "opening_hours",
                "address_id": "999",
                "description": "x",
            },
        )
        assert (
            no_facility.status_code == 400
            and "no such facility: 999" in no_facility.json()[0]["description"]
        )
        too_long = await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": api_key,
                "service_code": "opening_hours",
                "address_id": "2",
                "description": "长" * 4001,
            },
        )
        assert too_long.status_code == 400
        assert (await client.get("/api/v1/cases", headers=auth("official"))).json()[
            "items"
        ] == []

    async def test_a_request_is_the_same_case_as_in_the_app(
        self, client, api_key, auth
    ):
        form = {
            "api_key": api_key,
            "service_code": "fee_overcharge",
            "address_id": "2",
            "description": "普惠讲座收费50元，超过核定标准。联系电话 13800001111",
            "attribute[charged_fen]": "5000",
            "first_name": "小红",
            "last_name": "李",
            "phone": "13800001111",
            "media_url": "https://img.example.cn/receipt.jpg",
        }
        resp = await client.post("/open311/v2/requests.json", data=form)
        assert resp.status_code == 200, resp.text
        [created] = resp.json()
        case_id = int(created["service_request_id"])
        # An overcharge accuses the operator running facility 2: the case is the bureau's, not operator 7's.
        case = (
            await client.get(
                f"/api/v1/cases/{case_id}",
                headers=auth("official", subdistrict="jingshan"),
            )
        ).json()
        assert (
            case["source"],
            case["category"],
            case["status"],
            case["assignee"],
            case["operator_id"],
        ) == (
            "open311",
            "fee_overcharge",
            "assigned",
            {"type": "official", "operator_id": None},
            7,
        )
        assert (
            await client.get(
                f"/api/v1/cases/{case_id}", headers=auth("operator", operator_id=7)
            )
        ).status_code == 404
        assert case["contact"] == {
            "name": "李 小红",
            "phone": "13800001111",
            "email": None,
            "masked": False,
        }
        assert case["attributes"] == {"charged_fen": 5000}
        token = (await client.get(f"/open311/v2/tokens/{created['token']}.json")).json()
        assert token == [
            {"service_request_id": str(case_id), "token": created["token"]}
        ]
        [doc] = (await client.get(f"/open311/v2/requests/{case_id}.json")).json()
        assert_valid("request.json", doc)
        assert (
            doc["status"] == "open"
            and doc["address_id"] == "2"
            and doc["media_url"] == "https://img.example.cn/receipt.jpg"
        )
        assert "13800001111" not in json.dumps(
            doc, ensure_ascii=False
        ) and "小红" not in json.dumps(doc, ensure_ascii=False)

    async def test_query_parameters_work_too(self, client, api_key):
        resp = await client.post(
            "/open311/v2/requests.xml",
            params={
                "api_key": api_key,
                "service_code": "praise",
                "lat": "39.93",
                "long": "116.40",
                "description": "讲解员很专业",
            },
        )
        assert resp.status_code == 200, resp.text
        root = ElementTree.fromstring(resp.content)
        assert (
            root.tag == "service_requests"
            and root.find("request/service_request_id").text.isdigit()
        )

    async def test_a_revoked_key_is_refused(self, client, auth):
        created = (
            await client.post(
                "/api/v1/open311-clients",
                json={"name": "城市数据平台"},
                headers=auth("official"),
            )
        ).json()
        assert (
            "api_key"
            not in (
                await client.get("/api/v1/open311-clients", headers=auth("official"))
            ).text
        )
        assert (
            await client.delete(
                f"/api/v1/open311-clients/{created['id']}", headers=auth("official")
            )
        ).status_code == 204
        resp = await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": created["api_key"],
                "service_code": "praise",
                "address_id": "1",
                "description": "好",
            },
        )
        assert resp.status_code == 403 and "revoked" in resp.json()[0]["description"]
        assert (
            await client.post(
                "/api/v1/open311-clients", json={"name": "x"}, headers=auth()
            )
        ).status_code == 403


class TestGetRequests:
    async def test_app_cases_are_public_in_open311_without_personal_data(
        self, client, auth
    ):
        case = await file_case(client, auth(sub="r-1"))
        case = await step(
            client,
            case,
            "respond",
            auth("operator", operator_id=7),
            text="已处理，来电 13912345678 可咨询",
        )
        case = await step(client, case, "confirm", auth(sub="r-1"))
        await step(client, case, "close", auth("official"))
        await file_case(
            client,
            auth(sub="r-2"),
            category="praise",
            target_id=1,
            contact=None,
            description="馆员很热情",
        )
        docs = (await client.get("/open311/v2/requests.json")).json()
        assert_valid("requests.json", docs)
        assert len(docs) == 2
        text = json.dumps(docs, ensure_ascii=False)
        assert (
            "13812345678" not in text
            and "13912345678" not in text
            and "王小明" not in text
            and "r-1" not in text
        )
        closed = (
            await client.get("/open311/v2/requests.json", params={"status": "closed"})
        ).json()
        assert [d["service_request_id"] for d in closed] == [str(case["id"])]
        assert closed[0]["status_notes"] == "已处理，来电 139****5678 可咨询"
        by_code = (
            await client.get(
                "/open311/v2/requests.json", params={"service_code": "praise"}
            )
        ).json()
        assert [d["service_code"] for d in by_code] == ["praise"]
        by_id = (
            await client.get(
                "/open311/v2/requests.json",
                params={"service_request_id": f"{case['id']},99999"},
            )
        ).json()
        assert [d["service_request_id"] for d in by_id] == [str(case["id"])]
        window = (
            await client.get(
                "/open311/v2/requests.json",
                params={"start_date": "2026-12-01T00:00:00+08:00"},
            )
        ).json()
        assert window == []
        xml = ElementTree.fromstring(
            (await client.get("/open311/v2/requests.xml")).content
        )
        assert xml.tag == "service_requests" and len(xml.findall("request")) == 2

    async def test_the_agency_responsible_is_the_operator_by_name_or_the_bureau(
        self, client, auth, standin
    ):
        standin.facility(
            4,
            operator_id=9,
            operator_name="北京市东城区书海阅读服务中心",
            name_zh="角楼图书馆二层",
        )
        routed = await file_case(client, auth(sub="r-3"), target_id=4)
        bureau = await file_case(client, auth(sub="r-4"), target_id=1)
        docs = {
            d["service_request_id"]: d
            for d in (await client.get("/open311/v2/requests.json")).json()
        }
        assert_valid("requests.json", list(docs.values()))
        assert (
            docs[str(routed["id"])]["agency_responsible"]
            == "北京市东城区书海阅读服务中心"
        )
        assert docs[str(bureau["id"])]["agency_responsible"] == "东城区文化和旅游局"
        # An official hands the first case to the bureau: the operator is no longer named.
        await step(
            client,
            routed,
            "assign",
            auth("official"),
            assignee="official",
            note="转由文旅局处理",
        )
        again = (await client.get(f"/open311/v2/requests/{routed['id']}.json")).json()
        assert again[0]["agency_responsible"] == "东城区文化和旅游局"
        # ... and back to operator 9, whose name the facility map knows.
        await step(
            client,
            routed,
            "assign",
            auth("official"),
            assignee="operator",
            operator_id=9,
        )
        back = (await client.get(f"/open311/v2/requests/{routed['id']}.json")).json()
        assert back[0]["agency_responsible"] == "北京市东城区书海阅读服务中心"

    async def test_bad_filters_and_unknown_ids(self, client):
        for params in (
            {"start_date": "yesterday"},
            {"status": "pending"},
            {"service_request_id": "abc"},
            {"service_code": "noise"},
        ):
            resp = await client.get("/open311/v2/requests.json", params=params)
            assert resp.status_code == 400, params
            assert resp.json()[0]["code"] == 400
        assert (await client.get("/open311/v2/requests/424242.json")).status_code == 404
        assert (await client.get("/open311/v2/requests/abc.json")).status_code == 404
        assert (
            await client.get("/open311/v2/tokens/no-such-token.xml")
        ).status_code == 404
