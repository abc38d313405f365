"""Idempotency-Key on a creating POST: same key and body → the first answer again."""


async def test_same_key_same_body_replays_the_first_answer(client, auth):
    headers = {**auth(), "Idempotency-Key": "k-1"}
    first = await client.post("/api/v1/notes", json={"text": "hello"}, headers=headers)
    second = await client.post("/api/v1/notes", json={"text": "hello"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    feed = (await client.get("/api/v1/events", headers=auth())).json()["items"]
    assert len(feed) == 1, "the replay wrote nothing"


async def test_same_key_other_body_is_422(client, auth):
    headers = {**auth(), "Idempotency-Key": "k-2"}
    assert (await client.post("/api/v1/notes", json={"text": "a"}, headers=headers)).status_code == 201
    resp = await client.post("/api/v1/notes", json={"text": "b"}, headers=headers)
    assert resp.status_code == 422
    assert resp.json()["type"] == "/problems/idempotency-key-reused"


async def test_keys_are_scoped_to_the_caller(client, auth):
    a = await client.post("/api/v1/notes", json={"text": "mine"}, headers={**auth(sub="a"), "Idempotency-Key": "same"})
    b = await client.post("/api/v1/notes", json={"text": "yours"}, headers={**auth(sub="b"), "Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_a_refusal_is_replayed_too(client, auth):
    await client.post("/api/v1/notes", json={"text": "dup"}, headers=auth())
    headers = {**auth(), "Idempotency-Key": "k-3"}
    first = await client.post("/api/v1/notes", json={"text": "dup"}, headers=headers)
    again = await client.post("/api/v1/notes", json={"text": "dup"}, headers=headers)
    assert first.status_code == again.status_code == 409
