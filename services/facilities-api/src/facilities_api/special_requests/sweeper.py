"""The erasure sweep, in the background: a special-group request's sensitive data is kept only as long
as the request needs it (FACILITIES_SPECIAL_REQUEST_RETENTION_DAYS after it is done, rejected or
cancelled). Safe on several replicas: rows are locked, and those another sweep holds are skipped."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from facilities_api.special_requests.service import erase_expired
from service_kit.periodic import PeriodicTask

log = logging.getLogger("facilities_api.special_requests.sweeper")


class PersonalDataSweeper(PeriodicTask):
    def __init__(self, app: FastAPI) -> None:
        super().__init__(
            "special-request-erasure",
            interval_s=lambda: app.state.settings.special_request_sweep_interval_s,
            logger=log,
        )
        self.app = app

    async def run_once(self) -> list[int]:
        return await self.sweep_once()

    async def sweep_once(self) -> list[int]:
        settings = self.app.state.settings
        async with self.app.state.sessionmaker() as session:
            return await erase_expired(
                session, retention_days=settings.special_request_retention_days, now=self.app.state.clock.now()
            )

    def succeeded(self, result: list[int]) -> None:
        if result:
            log.info("special-group requests erased", extra={"request_ids": result})


async def install_sweeper(app: FastAPI) -> None:
    """Startup hook: the sweep runs only where background tasks run."""
    app.state.background = [t for t in app.state.background if not isinstance(t, PersonalDataSweeper)]
    if app.state.settings.run_background_tasks:
        app.state.background.append(PersonalDataSweeper(app))
