from pydantic_settings import SettingsConfigDict

from service_kit.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FACILITIES_", extra="ignore")

    service_name: str = "facilities-api"
    # The district's bounding box: coordinates outside it are refused (DOMAIN.md: 116.38–116.45 E, 39.85–39.97 N,
    # with a small margin).
    bbox_min_lat: float = 39.84
    bbox_max_lat: float = 39.98
    bbox_min_lon: float = 116.37
    bbox_max_lon: float = 116.46
    operators_url: str = "http://127.0.0.1:8002"
    feedback_url: str = "http://127.0.0.1:8003"
    # Bookings
    max_seats_per_booking: int = 5
    check_in_opens_minutes: int = 60
    # Coverage: a community is covered when an open facility is within this walk of its centroid.
    walking_radius_m: int = 1000
    # Special-group requests: their sensitive data (group, health notes, contact) is erased this many days
    # after the request is done, rejected or cancelled, by a sweep every `special_request_sweep_interval_s`.
    special_request_retention_days: int = 30
    special_request_sweep_interval_s: float = 3600.0
    # Reading operators-api's events (contract started/ended, fee approved/revoked/expired).
    operators_poll_interval_s: float = 2.0
