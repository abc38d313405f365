from pathlib import Path

from pydantic_settings import SettingsConfigDict

from service_kit.settings import BaseServiceSettings, var_dir


def _default_spa_dir() -> str:
    return str(var_dir().parent / "frontend" / "dist")


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    facilities_url: str = "http://127.0.0.1:8001"
    operators_url: str = "http://127.0.0.1:8002"
    feedback_url: str = "http://127.0.0.1:8003"
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

    def spa_path(self) -> Path:
        return Path(self.spa_dir or _default_spa_dir())
