"""The request id a caller (the gateway) gave follows the request to the services operators-api asks."""

from tests.factories import active_contract, report_lines


async def test_a_report_passes_its_request_id_to_facilities_and_feedback(client, auth, facilities_link, feedback_link):
    c = await active_contract(client, auth)
    facilities_link.request_ids.clear()
    feedback_link.request_ids.clear()
    body = {"contract_id": c["id"], "month": "2026-05", "lines": report_lines(c), "summary": "本月运营平稳。"}
    headers = {**auth("operator", operator_id=c["operator_id"]), "X-Request-ID": "rid-report-1"}
    resp = await client.post("/api/v1/service-reports", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    assert facilities_link.request_ids and set(facilities_link.request_ids) == {"rid-report-1"}
    assert feedback_link.request_ids and set(feedback_link.request_ids) == {"rid-report-1"}
