from datetime import date

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from service_kit.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    service_name: str = "feedback-api"
    # facilities-api: facilities, activities and services checked before a rating or case is saved.
    facilities_url: str = "http://127.0.0.1:8001"
    facilities_timeout_s: float = Field(
        3.0, gt=0, le=30, description="Deadline for one lookup, retries included."
    )
    facilities_cache_ttl_s: float = Field(
        60.0, ge=0, description="How long a found target is remembered (per process)."
    )
    facilities_cache_size: int = Field(
        16384, ge=1, description="Most targets remembered at once (per process)."
    )
    facilities_feed_interval_s: float = Field(
        2.0, gt=0, description="How often facilities-api's event feed is read."
    )

    # --- satisfaction index (满意度指数) ---
    index_prior_strength: int = Field(
        10,
        ge=0,
        le=10_000,
        description="Weight of the district mean in the smoothed mean, in ratings.",
    )
    index_min_sample: int = Field(
        10,
        ge=1,
        le=10_000,
        description="Below this many ratings the index says insufficient data.",
    )

    # --- abuse resistance ---
    ratings_per_hour: int = Field(
        20, ge=1, description="Most ratings one resident may make in an hour."
    )
    ratings_per_day: int = Field(
        60, ge=1, description="Most ratings one resident may make in a day."
    )
    cases_per_day: int = Field(
        10, ge=1, description="Most cases one resident may file in a day."
    )
    demands_per_day: int = Field(
        10, ge=1, description="Most demand requests one resident may file in a day."
    )
    open311_requests_per_hour: int = Field(
        600,
        ge=1,
        description="Most Open311 requests one client key may file in an hour.",
    )
    burst_window_minutes: int = Field(
        60,
        ge=1,
        description="The window in which ratings of one target are counted for a burst.",
    )
    burst_threshold: int = Field(
        5,
        ge=2,
        description="This many ratings of one target in the window from new accounts, or from one network, is a burst.",
    )
    new_account_days: int = Field(
        7,
        ge=0,
        description="A resident whose first rating here is younger than this counts as a new account (0: the rule is off).",
    )
    # The gateway forwards X-Forwarded-For; only when this is on is its first hop taken as the client's network.
    trust_forwarded: bool = False

    # --- moderation ---
    moderation_words: list[str] = Field(
        default_factory=lambda: [
            "傻逼",
            "操你",
            "去死",
            "垃圾东西",
            "滚蛋",
            "fuck",
            "shit",
        ],
        description="Built-in abuse words (officials add more through /api/v1/moderation/words).",
    )

    # --- cases ---
    # Deadlines in working days per category code (overrides the built-in ones, e.g. {"fee_overcharge": 1}).
    case_deadlines: dict[str, int] = Field(default_factory=dict)
    cases_auto_accept: bool = Field(
        True,
        description="Accept and route a new case at once (else an official accepts it).",
    )
    escalation_working_days: int = Field(
        1, ge=1, le=30, description="Deadline for the official after an escalation."
    )
    sweep_interval_s: float = Field(
        300.0, gt=0, description="How often the overdue sweep runs in the background."
    )
    # Holidays and make-up working days from settings, on top of the ones officials keep in the database.
    holidays: list[date] = Field(default_factory=list)
    makeup_workdays: list[date] = Field(default_factory=list)

    # --- Open311 ---
    open311_jurisdiction_id: str = "dongcheng.beijing.gov.cn"
    open311_base_url: str = "http://127.0.0.1:8000/open311/v2"
