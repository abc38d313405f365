"""A near-free upstream (raw ASGI, fixed JSON) for measuring the gateway's own ceiling.

    python bench/gateway/run.py --upstream-cmd "{python} bench/gateway/raw_upstream.py --port {port}"

With this upstream the gateway, not the service, is the bottleneck, so "% of direct" shows
how much the hop costs relative to the cheapest possible Python HTTP server.
"""

from __future__ import annotations

import argparse

BODY = (
    '{"id":42,"name":"第42社区文化站 🎭","kind":"文化站","subdistrict":"街道7",'
    '"address":"上海市某区文化路42号","lon":121.442,"lat":31.242,"operator_id":0,'
    '"open":true,"updated_at":"2026-11-01T09:30:00+08:00"}'
).encode()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="off",
    )
