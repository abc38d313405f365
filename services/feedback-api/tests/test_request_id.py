"""The request id a caller (the gateway) gave follows the request to facilities-api."""

from tests.factories import rating_body


async def test_a_rating_passes_its_request_id_to_facilities(client, auth, standin):
    resp = await client.post(
        "/api/v1/ratings",
        json=rating_body(1),
        headers={**auth(), "X-Request-ID": "rid-rating-1"},
    )
    assert resp.status_code == 201, resp.text
    assert standin.request_ids and set(standin.request_ids) == {"rid-rating-1"}
