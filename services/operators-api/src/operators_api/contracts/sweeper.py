"""The contract sweep, in the background: a contract whose period is over becomes expired
(contract.ended, its fee approvals fee.expired), and an active contract whose start date has come
hands its facilities over (contract.started). Safe on several replicas: each contract is locked
and re-checked before it moves."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from operators_api.contracts.service import sweep
from service_kit.auth import Principal

log = logging.getLogger("operators_api.contracts.sweeper")
SYSTEM = Principal(sub="system:contract-expiry", role="service", name="contract expiry sweep")


class ContractExpirySweeper:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="contract-expiry")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def sweep_once(self) -> dict[str, list[int]]:
        async with self.app.state.sessionmaker() as session:
            return await sweep(session, principal=SYSTEM, clock=self.app.state.clock)

    async def _run(self) -> None:
        while True:
            try:
                done = await self.sweep_once()
                if done["expired_contract_ids"]:
                    log.info("contracts expired", extra={"contract_ids": done["expired_contract_ids"]})
                if done["started_contract_ids"]:
                    log.info("contracts started", extra={"contract_ids": done["started_contract_ids"]})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("contract expiry sweep failed")
            await asyncio.sleep(self.app.state.settings.contract_expiry_interval_s)


async def install_sweeper(app: FastAPI) -> None:
    """Startup hook: the sweep runs only where background tasks run."""
    app.state.background = [t for t in app.state.background if not isinstance(t, ContractExpirySweeper)]
    if app.state.settings.run_background_tasks:
        app.state.background.append(ContractExpirySweeper(app))
