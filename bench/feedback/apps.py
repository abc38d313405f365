"""The two small apps the feedback bench carries (loopback only):

- `standin`: facilities-api's contract for GET /api/v1/facilities/{id} and GET /api/v1/facilities?id=…
  (every id 1..100000 exists; feedback-api caches the answers, and renews those in use by the list);
- `bare`: the reference — POST /ratings parses the JSON body and INSERTs one row into the same `rating`
  table with one asyncpg call: no auth, no validation beyond the JSON, no outbox, no aggregates.

    python bench/feedback/apps.py standin --port 9001
    python bench/feedback/apps.py bare --port 9002 --dsn postgresql://postgres@127.0.0.1:5432/feedback_bench
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import asyncpg
import uvicorn

BEIJING = ZoneInfo("Asia/Shanghai")


def facility(fid: int) -> dict:
    operation = (
        {"mode": "social", "operator_id": fid % 20 + 1, "contract_id": fid}
        if fid % 3
        else {"mode": "government", "operator_id": None, "contract_id": None}
    )
    return {
        "id": fid,
        "name_zh": f"设施{fid}",
        "subdistrict": f"sub-{fid % 17}",
        "status": "open",
        "operation": operation,
    }


def standin_app():
    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope["path"]
        status, body = 404, {"title": "Not found", "status": 404}
        if path.startswith("/api/v1/facilities/"):
            tail = path.rsplit("/", 1)[1]
            if tail.isdigit() and 0 < int(tail) <= 100_000:
                status, body = 200, facility(int(tail))
        elif path == "/api/v1/facilities":  # ?id=…&id=…: those facilities, in id order
            query = parse_qs(scope["query_string"].decode())
            ids = sorted({int(i) for i in query.get("id", []) if i.isdigit() and 0 < int(i) <= 100_000})
            status, body = 200, {"items": [facility(i) for i in ids], "next_cursor": None}
        raw = json.dumps(body, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": raw})

    return app


INSERT = (
    "INSERT INTO rating (resident_sub, target_type, target_id, facility_id, subdistrict, period, month, overall,"
    " comment_status, status, verified, new_account, live, created_at)"
    " VALUES ($1, 'facility', $2, $2, '', $3, $4, $5, 'none', 'visible', false, false, true, $6) RETURNING id"
)


def bare_app(dsn: str):
    state: dict = {}

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    state["pool"] = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await state["pool"].close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["method"] != "POST":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        data = json.loads(body)
        now = datetime.now(UTC)
        local = now.astimezone(BEIJING)
        period = f"{local.year}Q{(local.month - 1) // 3 + 1}"
        async with state["pool"].acquire() as conn:
            rid = await conn.fetchval(
                INSERT,
                data["resident"],
                int(data["target_id"]),
                period,
                f"{local.year}-{local.month:02d}",
                int(data["overall"]),
                now,
            )
        raw = json.dumps({"id": rid}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": raw})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=["standin", "bare"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", default="")
    args = parser.parse_args()
    app = standin_app() if args.which == "standin" else bare_app(args.dsn)
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, loop="uvloop", http="httptools", access_log=False, log_level="warning"
    )


if __name__ == "__main__":
    main()
