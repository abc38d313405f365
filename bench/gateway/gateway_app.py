"""The gateway as the bench runs it: ProxyApp in front of a trivial inner app, under uvicorn.

python bench/gateway/gateway_app.py --port 8100 --upstream http://127.0.0.1:8101 --variant lean
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "gateway" / "src"), str(Path(__file__).resolve().parent)]

from fastapi import FastAPI  # noqa: E402
from variants import TRANSPORTS  # noqa: E402

from gateway.proxy import DEFAULT_ROUTES, ProxyApp  # noqa: E402


def build(upstream: str, variant: str) -> ProxyApp:
    inner = FastAPI(title="bench gateway inner app")

    @inner.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    # Every service points at the one upstream the bench started.
    upstreams = {service: upstream for service in DEFAULT_ROUTES.services}
    return ProxyApp(inner, upstreams, transport_factory=TRANSPORTS[variant])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--variant", choices=sorted(TRANSPORTS), default="lean")
    args = parser.parse_args()
    uvicorn.run(
        build(args.upstream, args.variant),
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
