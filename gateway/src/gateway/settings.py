from pathlib import Path

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from gateway.proxy.balancer import replica_urls
from service_kit.settings import BaseServiceSettings, var_dir


def _default_spa_dir() -> str:
    return str(var_dir().parent / "frontend" / "dist")


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    # Each service's base URL, or several replicas' separated by commas
    # (GATEWAY_FEEDBACK_URL=http://127.0.0.1:8003,http://127.0.0.1:8013): requests go round-robin to
    # the replicas in service; one that refuses or drops connections is left alone for
    # `upstream_out_base_s`, doubling with each further failure up to `upstream_out_max_s`, then tried
    # again. A request that could not be connected is sent once to another replica when it is safe
    # to repeat (GET, HEAD, OPTIONS, PUT, DELETE, or POST/PATCH with an Idempotency-Key).
    facilities_url: str = "http://127.0.0.1:8001"
    operators_url: str = "http://127.0.0.1:8002"
    feedback_url: str = "http://127.0.0.1:8003"
    upstream_out_base_s: float = 1.0
    upstream_out_max_s: float = 30.0
    # Shared rate limits when several gateway replicas run; in memory when unset.
    redis_url: str | None = None
    rate_limit_per_minute: int = 600
    auth_rate_limit_per_minute: int = 20
    trust_forwarded: bool = False
    # Forwarding: connecting to a service, then until its answer starts (and between chunks).
    upstream_connect_timeout_s: float = 1.0
    upstream_timeout_s: float = 10.0
    # A service whose OpenAPI document (the gateway's routing table) could not be read at start-up
    # is asked again this often; its paths answer 503 until then.
    route_discovery_retry_s: float = 2.0
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 30 * 24 * 3600
    api_key_token_ttl_s: int = 300
    # Failed sign-ins in a row after which an account (or an unknown login) is locked; the lock lasts
    # `base` seconds and doubles with each further failure, up to `max`; failures older than
    # `forgotten_after` no longer count.
    sign_in_lockout_after: int = 5
    sign_in_lockout_base_s: int = 60
    sign_in_lockout_max_s: int = 3600
    sign_in_failures_forgotten_after_s: int = 24 * 3600
    # How old the edge's list of disabled accounts may be, on any replica (seconds); the replica that
    # disables an account refuses its tokens at once.
    access_revocation_refresh_s: float = 5.0
    # A rotated refresh token presented again within this many seconds is a client racing itself (two
    # tabs refreshing at once), refused without revoking the family.
    refresh_reuse_grace_s: float = 10.0
    spa_dir: str = ""
    # Security headers (gateway/security.py): extra image sources for the pages' CSP (a map tile
    # server given at build time; one in the SPA's config.json is found by itself), and the
    # Strict-Transport-Security value sent on HTTPS answers ("" sends none).
    csp_img_sources: str = ""
    hsts: str = "max-age=31536000"

    @field_validator("facilities_url", "operators_url", "feedback_url")
    @classmethod
    def _replica_urls(cls, value: str) -> str:
        return ",".join(replica_urls(value))

    def spa_path(self) -> Path:
        return Path(self.spa_dir or _default_spa_dir())
