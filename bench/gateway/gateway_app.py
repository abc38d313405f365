"""The real gateway as the bench runs it: ``python -m gateway serve`` (the process `make run`
starts, with its whole middleware stack, rate limit included) on a fresh SQLite database.

The upstream the bench started plays facilities-api: the gateway reads its routes from that
upstream's OpenAPI document, as it does from the real service. The two other services point at a
port nothing listens on (the bench asks only for a facility); the per-client rate limit is set
high enough never to refuse the load generator, but is counted on every request as in production.

    python bench/gateway/gateway_app.py --port 8100 --upstream http://127.0.0.1:8101
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="base URL of the service standing in for facilities-api")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-db-"))
    nowhere = f"http://127.0.0.1:{closed_port()}"
    os.environ.update(
        {
            "GATEWAY_ENVIRONMENT": "development",
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'gateway.db'}",
            "GATEWAY_FACILITIES_URL": args.upstream,
            "GATEWAY_OPERATORS_URL": nowhere,
            "GATEWAY_FEEDBACK_URL": nowhere,
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "1000000000",
            "GATEWAY_RUN_BACKGROUND_TASKS": "false",
            "GATEWAY_LOG_LEVEL": "WARNING",
        }
    )
    subprocess.run([sys.executable, "-m", "gateway", "migrate"], check=True, stdout=subprocess.DEVNULL)
    os.execv(sys.executable, [sys.executable, "-m", "gateway", "serve", "--port", str(args.port)])


if __name__ == "__main__":
    main()
