"""What feedback-api runs in the background (only when settings.run_background_tasks is on):

- a FeedConsumer of facilities-api's event feed: checkin.recorded (verified ratings),
  facility.operator_changed (the local facility → operator map) and activity.cancelled (the demand
  requests it delivered are reopened);
- the overdue sweep of cases, every `sweep_interval_s`, on the app's clock."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI

from feedback_api.cases.service import sweep
from feedback_api.demand.service import on_activity_cancelled
from feedback_api.operations.service import on_operator_changed
from feedback_api.ratings.verification import on_checkin
from service_kit.auth import service_token
from service_kit.events.consumer import FeedConsumer, Handler
from service_kit.periodic import PeriodicTask

log = logging.getLogger("feedback_api.background")

HANDLERS: dict[str, Handler] = {
    "checkin.recorded": on_checkin,
    "facility.operator_changed": on_operator_changed,
    "activity.cancelled": on_activity_cancelled,
}


def facilities_consumer(app: FastAPI) -> FeedConsumer:
    settings = app.state.settings
    return FeedConsumer(
        name="facilities-api",
        base_url=settings.facilities_url,
        http=app.state.http,
        sessionmaker=app.state.sessionmaker,
        infra=app.state.infra,
        handlers=HANDLERS,
        token=lambda: service_token(settings),
        interval_s=settings.facilities_feed_interval_s,
    )


class OverdueSweeper(PeriodicTask):
    """Escalates overdue cases now and then (the first time one interval after start); the time
    comes from the app's clock."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__(
            "feedback-overdue-sweep",
            interval_s=lambda: app.state.settings.sweep_interval_s,
            first_wait=True,
            logger=log,
        )
        self.app = app

    async def run_once(self) -> dict[str, Any]:
        state = self.app.state
        async with state.sessionmaker() as session:
            return await sweep(session, settings=state.settings, now=state.clock.now())

    def succeeded(self, result: dict[str, Any]) -> None:
        if result["escalated"]:
            log.info("escalated overdue cases", extra={"cases": result["escalated"]})
