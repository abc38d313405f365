"""A small app built on the kit alone (a `note` table and a route that writes it with an event),
on SQLite or on PostgreSQL when TEST_DATABASE_URL is set. The kit has no migrations of its own,
so its test database is built from the metadata here (tests only)."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time

import pytest
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Integer, String, Table

from service_kit.app import create_service_app
from service_kit.auth import CurrentPrincipal, mint_token
from service_kit.db import SessionDep, make_engine, new_metadata
from service_kit.events.outbox import Outbox
from service_kit.infra_tables import define_infra_tables
from service_kit.problems import Conflict, problems
from service_kit.settings import BaseServiceSettings
from service_kit.testing import fresh_database_url

pytest_plugins = ["service_kit.pytest_plugin"]

metadata = new_metadata()
infra = define_infra_tables(metadata)
note = Table("note", metadata, Column("id", Integer, primary_key=True), Column("text", String(200), unique=True))
outbox = Outbox(infra, "kit-test")
EVENT_TYPES = {"note.created": "A note was written.", "note.deleted": "A note was removed."}


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=200)


router = APIRouter(prefix="/api/v1")


@router.post("/notes", status_code=201, responses=problems(401, 409, 422))
async def create_note(body: NoteCreate, session: SessionDep, principal: CurrentPrincipal, response: Response) -> dict:
    from sqlalchemy import select

    if (await session.execute(select(note.c.id).where(note.c.text == body.text))).first():
        raise Conflict("That note exists.")
    result = await session.execute(note.insert().values(text=body.text).returning(note.c.id))
    note_id = result.scalar_one()
    await outbox.record(session, "note.created", {"id": note_id, "text": body.text}, subject=f"note/{note_id}")
    await session.commit()
    return {"id": note_id, "text": body.text}


@router.get("/boom")
async def boom(request: Request) -> dict:
    raise RuntimeError("secret internals /etc/passwd")


class Settings(BaseServiceSettings):
    service_name: str = "kit-test"


@pytest.fixture(scope="session")
def database_url() -> str:
    """The plugin's database, built from the metadata here: the kit has no migrations of its own."""
    url = fresh_database_url("kit")

    async def build() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await engine.dispose()

    asyncio.run(build())
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", run_background_tasks=False)


@pytest.fixture
def app(settings, tmp_path):
    return make_app(settings, tmp_path)


def make_app(settings: Settings, tmp_path):
    """The kit test app with these settings."""
    migrations = tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True, exist_ok=True)
    (migrations / "env.py").touch()
    return create_service_app(
        settings=settings,
        title="kit test",
        description="",
        version="0",
        routers=[router],
        infra=infra,
        event_types=EVENT_TYPES,
        migrations_dir=migrations,
    )


@pytest.fixture
def auth(settings):
    def make(role: str = "official", sub: str = "u1", **claims) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint_token(settings, sub=sub, role=role, ttl_s=600, **claims)}

    return make


class Subscriber:
    """A real HTTP server on loopback that records webhook deliveries; it can be told to fail, or to
    take `delay_s` before answering (`holding` is set while it does)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        self.delay_s = delay_s
        self.holding = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if outer.delay_s:
                    outer.holding.set()
                    time.sleep(outer.delay_s)
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def subscriber():
    s = Subscriber()
    yield s
    s.close()
