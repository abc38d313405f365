from __future__ import annotations

from datetime import date

from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field


def _figure(name: str) -> AliasChoices:
    return AliasChoices(name, AliasPath("figures", name))


class OperationsFigures(BaseModel):
    """What the platform itself recorded at a facility (or over an operator's facilities) in a range
    of local days: the evidence operators-api uses for KPI attainment and report cross-checks."""

    facility_id: int | None = Field(description="The facility asked about (null when asked by operator).")
    operator_id: int | None = None
    facility_ids: list[int] = Field(description="The facilities counted.")
    from_: date = Field(validation_alias=AliasChoices("from", "from_"), serialization_alias="from")
    to: date
    activities_held: int = Field(
        validation_alias=_figure("activities_held"),
        description="Published activities that ended in the range, not cancelled.",
    )
    participants: int = Field(
        validation_alias=_figure("participants"), description="Check-ins at activities that started in the range."
    )
    bookings: int = Field(
        validation_alias=_figure("bookings"), description="Confirmed bookings at activities that started in the range."
    )
    no_shows: int = Field(
        validation_alias=_figure("no_shows"),
        description="Confirmed bookings never checked in, at activities over by now.",
    )
    scheduled_open_hours: float = Field(
        validation_alias=_figure("scheduled_open_hours"),
        description="From the weekly hours and their exceptions, day by day.",
    )
    special_group_services_done: int = Field(
        validation_alias=_figure("special_group_services_done"),
        description="Special-group requests done in the range.",
    )

    model_config = ConfigDict(populate_by_name=True, from_attributes=True)
