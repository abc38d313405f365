"""Real servers for the proxy tests: uvicorn (uvloop + httptools) in a background thread."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

HOST = "127.0.0.1"


def bound_socket(port: int = 0) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    return sock


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerThread:
    """Serve an ASGI app on a free loopback port (or ``port``: the same one again) until :meth:`stop`."""

    def __init__(self, app, port: int = 0, **config) -> None:
        self.sock = bound_socket(port)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"
        options = dict(
            loop="uvloop",
            http="httptools",
            access_log=False,
            log_level="warning",
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=2,
        )
        options.update(config)
        self.server = uvicorn.Server(uvicorn.Config(app, **options))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def pattern(n: int) -> bytes:
    """n deterministic bytes that are not all alike (to catch reordered or lost chunks)."""
    block = bytes(range(251)) * 300
    return (block * (n // len(block) + 1))[:n]


def make_upstream(service: str, document: dict[str, Any] | None = None) -> FastAPI:
    """An upstream that reports what it received, and can be slow, big or odd on demand.

    With ``document``, that is what it serves as its OpenAPI document (the gateway routes by it).
    """
    app = FastAPI(openapi_url=None if document is not None else "/openapi.json")
    if document is not None:

        @app.get("/openapi.json")
        async def openapi() -> dict[str, Any]:
            return document

    @app.get("/api/v1/bookings/big")
    async def big(n: int = 8 * 1024 * 1024, chunk: int = 65536) -> StreamingResponse:
        data = pattern(n)

        async def chunks():
            for i in range(0, n, chunk):
                yield data[i : i + chunk]

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @app.get("/api/v1/activities/slow")
    async def slow(s: float = 1.5) -> dict:
        await asyncio.sleep(s)
        return {"service": service, "slept": s}

    @app.get("/api/v1/cases/hop")
    async def hop() -> Response:
        return Response(
            b"{}",
            status_code=201,
            media_type="application/json",
            headers={
                "x-custom": "kept",
                "connection": "x-hop-named",
                "x-hop-named": "must go",
                "keep-alive": "timeout=5",
                "proxy-authenticate": "Basic",
                "x-request-id": "upstream-made-this-up",
            },
        )

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
    async def echo(request: Request, path: str) -> Response:
        body = await request.body()
        return JSONResponse(
            {
                "service": service,
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode("latin-1"),
                "query": request.scope["query_string"].decode("latin-1"),
                "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.scope["headers"]],
                "body_len": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
            },
            status_code=int(request.headers.get("x-want-status", "200")),
        )

    return app


class RawUpstream:
    """A TCP server speaking just enough HTTP to misbehave in a chosen way.

    ``script(connection_number, request_index)`` returns the bytes to answer with, None to
    close the connection without answering, or ``(bytes, "close")`` to answer and then close.
    """

    def __init__(self, script: Callable[[int, int], bytes | tuple[bytes, str] | None]) -> None:
        self.sock = bound_socket()
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"
        self.script = script
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> RawUpstream:
        self.thread.start()
        return self

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            number = self.connections
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, number), daemon=True).start()

    def _handle(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(5)
        buffer = b""
        index = 0
        with conn:
            while True:
                while b"\r\n\r\n" not in buffer:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buffer += data
                _, _, buffer = buffer.partition(b"\r\n\r\n")
                answer = self.script(number, index)
                index += 1
                if answer is None:
                    return
                if isinstance(answer, tuple):
                    conn.sendall(answer[0])
                    return
                conn.sendall(answer)

    def stop(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()
