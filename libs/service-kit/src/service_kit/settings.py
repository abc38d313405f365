"""Settings shared by every service: one BaseSettings subclass per service adds its own prefix."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service_kit.db import PoolSettings

# Who may read /metrics and /readyz outside production: loopback and the private networks.
DEVELOPMENT_METRICS_ALLOW = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
DEFAULT_JWT_SECRET = "culture-ops-development-secret-change-me-0000"
JWT_AUDIENCE = "culture-ops"
JWT_ISSUER = "culture-ops-gateway"


def var_dir() -> Path:
    """The `var/` folder at the repository root (or the working directory) for SQLite files."""
    here = Path.cwd()
    for parent in [here, *here.parents]:
        if (parent / "Makefile").exists() and (parent / "services").is_dir():
            return parent / "var"
    return here / "var"


def default_sqlite_url(name: str) -> str:
    return f"sqlite+aiosqlite:///{var_dir() / f'{name}.db'}"


class BaseServiceSettings(BaseSettings):
    """What every service needs; subclasses set `model_config = SettingsConfigDict(env_prefix=...)`."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    # PostgreSQL connections of one process: `db_pool_size` kept open, up to `db_max_overflow` more under
    # load. So a component holds at most replicas × (size + overflow) connections: keep the sum over
    # the components under the server's max_connections (the budget in deploy/README.md). A request
    # waits `db_pool_timeout_s` for a free connection, then answers 503 with Retry-After; opening a
    # connection gives up after `db_connect_timeout_s`.
    db_pool_size: int = Field(5, ge=1)
    db_max_overflow: int = Field(5, ge=0)
    db_pool_timeout_s: float = Field(5.0, gt=0)
    db_connect_timeout_s: float = Field(5.0, gt=0)
    # The database URL names PgBouncer in transaction mode: asyncpg's and SQLAlchemy's prepared statement
    # caches are off, and the process keeps no pool of its own (PgBouncer's pool is the one that counts).
    db_pgbouncer: bool = False
    log_level: str = "INFO"
    # Tokens: HS256 with a shared secret (the built-in issuer), or an external OIDC provider's JWKS.
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = JWT_ISSUER
    jwt_audience: str = JWT_AUDIENCE
    jwks_url: str | None = None
    oidc_role_claim: str = "role"
    # Requests
    max_body_bytes: int = 1_048_576
    # Webhooks
    # None: allowed in development and test (loopback subscribers), refused in production.
    allow_private_webhook_urls: bool | None = None
    webhook_dispatch_interval_s: float = 1.0
    webhook_timeout_s: float = Field(5.0, gt=0)
    # The waits after each failed attempt at an event (Svix's: 8 attempts over about 28 hours); after
    # the last the event is a dead letter, and the subscription goes on with the next.
    webhook_retry_schedule_s: list[float] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0], max_length=20
    )
    # How many subscriptions are posted to at once (each in order, on its own).
    webhook_concurrency: int = Field(16, ge=1, le=256)
    run_background_tasks: bool = True
    # Idempotency-Key: how long a claimed key whose request never finished (its process died before
    # the commit, which therefore saved nothing) answers 409 before a retry may run it afresh. A client
    # waits at most the gateway's upstream timeout (10 s) for an answer; a first request slower than
    # this commits nothing once its claim is taken over, so a short wait is safe.
    idempotency_pending_ttl_s: float = Field(30.0, gt=0)
    # Calls to other services
    http_timeout_s: float = 5.0
    # The gateway, whose feed carries account facts (account.deleted: erase what is held on that
    # resident), for the services that follow it (service_kit.events.accounts), and how often it is read.
    gateway_url: str = "http://127.0.0.1:8000"
    gateway_feed_interval_s: float = Field(5.0, gt=0)
    # FastAPI's own OpenTelemetry instrumentation (spans, metrics and logs through the globally configured
    # providers). Off by default: the service's /metrics and access log do not need it, and while it is on,
    # every request first asks whether a provider is configured.
    opentelemetry: bool = False
    # Distributed tracing (service_kit.tracing): "off", or "otlp" to export spans with the OTLP exporter
    # (HTTP/protobuf) to `tracing_otlp_endpoint`, the full URL spans are posted to (e.g.
    # http://collector:4318/v1/traces); unset, the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
    # OTEL_EXPORTER_OTLP_ENDPOINT decides (default http://localhost:4318). Off installs nothing.
    # Requests start a trace at `tracing_sample_ratio`; the services called follow the caller's choice.
    tracing: Literal["off", "otlp"] = "off"
    tracing_otlp_endpoint: str | None = None
    tracing_sample_ratio: float = Field(1.0, ge=0.0, le=1.0)
    # Who may read /metrics and /readyz (service_kit.health): networks in CIDR notation, separated by
    # commas or spaces. The peer and every address a proxy forwarded (X-Forwarded-For, Forwarded,
    # X-Real-IP) must be in one; anyone else gets 404. Unset: loopback and the private networks,
    # outside production; production requires it (the scraper's and the probes' networks).
    metrics_allow: str | None = None

    def pool(self) -> PoolSettings:
        """The connection pool these settings ask for (service_kit.db.make_engine)."""
        return PoolSettings(
            size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            timeout_s=self.db_pool_timeout_s,
            connect_timeout_s=self.db_connect_timeout_s,
            pgbouncer=self.db_pgbouncer,
        )

    @model_validator(mode="after")
    def _production_refuses_defaults(self) -> BaseServiceSettings:
        if self.environment == "production":
            if self.jwks_url is None and (self.jwt_secret == DEFAULT_JWT_SECRET or len(self.jwt_secret) < 32):
                raise ValueError(
                    "production refuses the default or a short JWT secret: set a random secret of"
                    " at least 32 characters, or a JWKS URL"
                )
            variable = f"{self.model_config.get('env_prefix', '')}DATABASE_URL"
            if not self.database_url.strip():
                # No silent fallback to a SQLite file beside the code: a forgotten variable would
                # otherwise start a production service on an empty local database.
                raise ValueError(
                    f"production needs a database: {variable} is not set (set it to a"
                    " postgresql+asyncpg:// URL); the SQLite fallback is for development only"
                )
            if self.database_url.startswith("sqlite"):
                raise ValueError(f"production needs PostgreSQL: set {variable} to a postgresql+asyncpg:// URL")
            if not (self.metrics_allow or "").strip():
                raise ValueError(
                    f"production needs {self.model_config.get('env_prefix', '')}METRICS_ALLOW: the networks"
                    " (CIDR) that may read /metrics and /readyz, e.g. the Prometheus and probe networks"
                )
        if self.metrics_allow is None:
            self.metrics_allow = DEVELOPMENT_METRICS_ALLOW
        self.metrics_networks()  # a malformed network fails at start-up, not at the first scrape
        if self.allow_private_webhook_urls is None:
            self.allow_private_webhook_urls = self.environment != "production"
        if not self.database_url:
            self.database_url = default_sqlite_url(self.service_name)
        return self

    def metrics_networks(self) -> list[IPv4Network | IPv6Network]:
        """The networks `metrics_allow` names."""
        text = (self.metrics_allow or "").replace(",", " ")
        try:
            return [ip_network(part, strict=False) for part in text.split()]
        except ValueError as exc:
            raise ValueError(f"METRICS_ALLOW: {exc}") from None
