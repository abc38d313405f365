from pydantic import Field
from pydantic_settings import SettingsConfigDict

from service_kit.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPERATORS_", extra="ignore")

    service_name: str = "operators-api"
    # The other services: evaluations and service reports pull the platform's own figures from them.
    facilities_url: str = "http://127.0.0.1:8001"
    feedback_url: str = "http://127.0.0.1:8003"
    # Each call to another service gives up after this long; the evaluation then records the input as missing.
    dependency_timeout_s: float = 3.0
    # At most this many calls to other services at once while evaluating a batch of contracts.
    evaluation_concurrency: int = Field(16, ge=1, le=256)
    # A service report's figure is flagged when it differs from the platform's record by more than this.
    report_tolerance_percent: int = Field(10, ge=0, le=100)
    # Verified volunteer hours that earn recognition (e.g. 100/300/1000 hours).
    volunteer_recognition_hours: list[int] = Field(default_factory=lambda: [100, 300, 1000])
    # Open contracting (OCDS): the ocid prefix (ocds- and six characters) and who publishes.
    ocds_ocid_prefix: str = "ocds-dcops1"
    ocds_publisher_name: str = "北京市东城区文化和旅游局"
    ocds_publisher_uri: str = "https://whlyj.bjdch.gov.cn/"
    # The purchaser (购买主体) named as buyer when a selection or contract names no subdistrict.
    district_buyer_name: str = "北京市东城区文化和旅游局"
    # How often the expiry sweep ends contracts whose period is over (background task).
    contract_expiry_interval_s: float = 3600.0
