from pydantic import Field
from pydantic_settings import SettingsConfigDict

from service_kit.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    service_name: str = "feedback-api"
    # facilities-api: asked whether a rated facility exists (clients/facilities.py).
    facilities_url: str = "http://127.0.0.1:8001"
    facilities_timeout_s: float = Field(3.0, gt=0, le=30, description="Deadline for one lookup, retries included.")
    facilities_cache_ttl_s: float = Field(60.0, ge=0, description="How long a found facility is remembered (per process).")
    facilities_cache_size: int = Field(4096, ge=1, description="Most facilities remembered at once (per process).")
