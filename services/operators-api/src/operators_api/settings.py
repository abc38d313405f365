from pydantic_settings import SettingsConfigDict

from service_kit.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPERATORS_", extra="ignore")

    service_name: str = "operators-api"
    # The other services (evaluations pull evidence from them; not called yet).
    facilities_url: str = "http://127.0.0.1:8001"
    feedback_url: str = "http://127.0.0.1:8003"
