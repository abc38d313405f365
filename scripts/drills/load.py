"""The drills' steady write load and webhook subscriber.

Load: a few residents' apps filing cases through the gateway, each case with its own
Idempotency-Key (also its title, so that the rows can be counted in the database), and retrying
like a real client: the same key again after a transport error, a 5xx, a 408/409/425/429 (waiting
what Retry-After says, at most a second), for at most `give_up_s`. A write is acknowledged when a
201 came back. Every answer (or transport failure) the clients saw is kept with its time.

Receiver: the integrator's webhook endpoint on loopback, which the drills take down, bring back
and slow down; it keeps every delivery's webhook-id and event."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

CASE = {
    "category": "opening_hours",
    "target_type": "facility",
    "target_id": 31,
    "description": "周日上午按开放时间前往，大门紧闭，门口也没有通知",
    "contact": {"name": "李华", "phone": "13812345678"},
}
RETRYABLE = {401, 408, 409, 425, 429, 500, 502, 503, 504}


@dataclass
class Write:
    key: str
    started: float
    acked_at: float | None = None
    case_id: int | None = None
    outcome: str | None = None  # "acked", "gave-up", "rejected <status>"
    attempts: int = 0


@dataclass
class Answer:
    at: float  # when the answer (or failure) came
    sent: float
    label: str  # "201", "503+Retry-After", "refused" (no connection), "cut" (connection lost mid-request), "timeout"
    request_id: str | None = None


def sign_in(base_url: str, username: str, password: str = "demo-password") -> dict[str, str]:
    deadline = time.monotonic() + 60
    while True:
        try:
            resp = httpx.post(
                f"{base_url}/api/v1/auth/token", data={"username": username, "password": password}, timeout=10
            )
            if resp.status_code == 200:
                return {"Authorization": f"Bearer {resp.json()['access_token']}"}
            error = resp.text
        except httpx.HTTPError as exc:
            error = repr(exc)
        if time.monotonic() > deadline:
            raise RuntimeError(f"cannot sign in as {username}: {error[:300]}")
        time.sleep(1)


def label_of(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "refused"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "cut"


class Load:
    def __init__(
        self,
        base_url: str,
        run_id: str,
        *,
        workers: int = 4,
        interval_s: float = 0.5,
        give_up_s: float = 90.0,
        username: str = "demo-resident",
    ) -> None:
        self.base_url = base_url
        self.run_id = run_id
        self.workers = workers
        self.interval_s = interval_s
        self.give_up_s = give_up_s
        self.username = username
        self.headers = sign_in(base_url, username)
        self.writes: list[Write] = []
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for n in range(self.workers):
            thread = threading.Thread(target=self._worker, args=(n,), daemon=True, name=f"load-{n}")
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.1, deadline - time.monotonic()))

    def settle(self, before: float, timeout: float = 100.0) -> bool:
        """Waits until every write started before `before` has its outcome."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(w.outcome for w in self.writes if w.started < before):
                    return True
            time.sleep(0.2)
        return False

    def _worker(self, n: int) -> None:
        seq = 0
        with httpx.Client(base_url=self.base_url, timeout=20) as client:
            while not self.stopping.is_set():
                seq += 1
                write = Write(key=f"drill-{self.run_id}-{n}-{seq}", started=time.monotonic())
                with self.lock:
                    self.writes.append(write)
                self._file(client, write)
                wait = self.interval_s - (time.monotonic() - write.started)
                if wait > 0:
                    self.stopping.wait(wait)

    def _file(self, client: httpx.Client, write: Write) -> None:
        delay = 0.2
        while True:
            write.attempts += 1
            sent = time.monotonic()
            status: int | None = None
            retry_after: float | None = None
            try:
                resp = client.post(
                    "/api/v1/cases",
                    json={**CASE, "title": write.key},
                    headers={**self.headers, "Idempotency-Key": write.key},
                )
                status = resp.status_code
                label = str(status)
                if "retry-after" in resp.headers:
                    label += "+Retry-After"
                    try:
                        retry_after = float(resp.headers["retry-after"])
                    except ValueError:
                        retry_after = 1.0
                answer = Answer(time.monotonic(), sent, label, resp.headers.get("x-request-id"))
            except httpx.HTTPError as exc:
                answer = Answer(time.monotonic(), sent, label_of(exc))
            with self.lock:
                self.answers.append(answer)
            if status == 201:
                write.case_id = resp.json()["id"]
                write.acked_at = answer.at
                write.outcome = "acked"
                return
            if status is not None and status not in RETRYABLE:
                write.outcome = f"rejected {status}"
                return
            if status == 401:
                self.headers = sign_in(self.base_url, self.username)
            if time.monotonic() - write.started > self.give_up_s:
                write.outcome = "gave-up"
                return
            time.sleep(min(retry_after if retry_after is not None else delay, 1.0))
            delay = min(delay * 2, 1.0)


@dataclass
class Delivery:
    at: float
    webhook_id: str
    event: dict[str, Any]


@dataclass
class Receiver:
    """A webhook subscriber on a fixed loopback port; `down()` closes the port, `up()` opens it again."""

    port: int
    path: str = "/culture-events"
    slow_s: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    in_flight: int = 0
    server: http.server.ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def up(self) -> None:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                with outer.lock:
                    outer.in_flight += 1
                try:
                    body = self.rfile.read(int(self.headers["content-length"]))
                    if outer.slow_s:
                        time.sleep(outer.slow_s)
                    with outer.lock:
                        outer.deliveries.append(
                            Delivery(time.monotonic(), self.headers["webhook-id"], json.loads(body))
                        )
                    self.send_response(204)
                    self.end_headers()
                finally:
                    with outer.lock:
                        outer.in_flight -= 1

            def log_message(self, *args: object) -> None:
                pass

        deadline = time.monotonic() + 10
        while True:
            try:
                self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True, name="receiver").start()

    def down(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def case_ids(self) -> dict[int, set[str]]:
        """Each case announced (case.submitted) and the webhook-ids it came under."""
        seen: dict[int, set[str]] = {}
        with self.lock:
            for d in self.deliveries:
                if d.event.get("type") == "case.submitted":
                    seen.setdefault(int(d.event["data"]["id"]), set()).add(d.webhook_id)
        return seen

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.3)
        return predicate()
