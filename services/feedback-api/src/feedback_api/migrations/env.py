"""Alembic environment: the database URL comes from the service settings (or the caller)."""

from alembic import context

from feedback_api.db import Base
from feedback_api.settings import Settings
from service_kit.migrations import run_env

if not context.config.attributes.get(
    "database_url"
) and not context.config.get_main_option("sqlalchemy.url"):
    context.config.attributes["database_url"] = Settings().database_url

import feedback_api.models  # noqa: F401  (registers every table on Base.metadata)

run_env(Base.metadata)
