"""The erasure sweep, in the background: a special-group request's sensitive data is kept only as long
as the request needs it (FACILITIES_SPECIAL_REQUEST_RETENTION_DAYS after it is done, rejected or
cancelled). Safe on several replicas: rows are locked, and those another sweep holds are skipped."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from facilities_api.special_requests.service import erase_expired

log = logging.getLogger("facilities_api.special_requests.sweeper")


class PersonalDataSweeper:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="special-request-erasure")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def sweep_once(self) -> list[int]:
        settings = self.app.state.settings
        async with self.app.state.sessionmaker() as session:
            return await erase_expired(
                session, retention_days=settings.special_request_retention_days, now=self.app.state.clock.now()
            )

    async def _run(self) -> None:
        while True:
            try:
                erased = await self.sweep_once()
                if erased:
                    log.info("special-group requests erased", extra={"request_ids": erased})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("special-group request erasure failed")
            await asyncio.sleep(self.app.state.settings.special_request_sweep_interval_s)


async def install_sweeper(app: FastAPI) -> None:
    """Startup hook: the sweep runs only where background tasks run."""
    app.state.background = [t for t in app.state.background if not isinstance(t, PersonalDataSweeper)]
    if app.state.settings.run_background_tasks:
        app.state.background.append(PersonalDataSweeper(app))
