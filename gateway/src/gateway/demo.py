"""Demo accounts, loaded only by the demo seed (never in production): the password of each is
`demo-password`. Idempotent: existing accounts are left as they are."""

from __future__ import annotations

from sqlalchemy import select

from gateway.identity.models import User
from gateway.identity.passwords import hash_password
from gateway.settings import Settings
from service_kit.clock import utcnow
from service_kit.db import make_engine, make_sessionmaker

DEMO_PASSWORD = "demo-password"
# (username, display name, role, operator id, subdistrict). Operator 1 is the first operator of the
# operators-api demo data; 'demo-subdistrict-official' shows the subdistrict-bound view.
DEMO_ACCOUNTS = [
    ("demo-resident", "李华 (demo resident)", "resident", None, None),
    ("demo-operator", "美后肆时运营 (demo operator)", "operator", 1, None),
    ("demo-official", "区文旅局 王科长 (demo official)", "official", None, None),
    ("demo-auditor", "审计 赵老师 (demo auditor)", "auditor", None, None),
    ("demo-subdistrict-official", "景山街道 刘主任 (demo)", "official", None, "jingshan"),
]


async def seed_demo(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    maker = make_sessionmaker(engine)
    added = 0
    try:
        async with maker() as session:
            existing = set((await session.execute(select(User.username))).scalars())
            password_hash = await hash_password(DEMO_PASSWORD)
            for username, name, role, operator_id, subdistrict in DEMO_ACCOUNTS:
                if username in existing:
                    continue
                session.add(
                    User(
                        username=username,
                        password_hash=password_hash,
                        display_name=name,
                        role=role,
                        operator_id=operator_id,
                        subdistrict=subdistrict,
                        active=True,
                        created_at=utcnow(),
                    )
                )
                added += 1
            await session.commit()
    finally:
        await engine.dispose()
    return f"gateway demo data: {added} demo accounts added (password {DEMO_PASSWORD!r})"
