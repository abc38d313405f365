"""The contract sweep, in the background: a contract whose period is over becomes expired
(contract.ended, its fee approvals fee.expired), and an active contract whose start date has come
hands its facilities over (contract.started). Safe on several replicas: each contract is locked
and re-checked before it moves."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from operators_api.contracts.service import sweep
from service_kit.auth import Principal
from service_kit.periodic import PeriodicTask

log = logging.getLogger("operators_api.contracts.sweeper")
SYSTEM = Principal(sub="system:contract-expiry", role="service", name="contract expiry sweep")


class ContractExpirySweeper(PeriodicTask):
    def __init__(self, app: FastAPI) -> None:
        super().__init__(
            "contract-expiry", interval_s=lambda: app.state.settings.contract_expiry_interval_s, logger=log
        )
        self.app = app

    async def run_once(self) -> dict[str, list[int]]:
        return await self.sweep_once()

    async def sweep_once(self) -> dict[str, list[int]]:
        async with self.app.state.sessionmaker() as session:
            return await sweep(session, principal=SYSTEM, clock=self.app.state.clock)

    def succeeded(self, result: dict[str, list[int]]) -> None:
        if result["expired_contract_ids"]:
            log.info("contracts expired", extra={"contract_ids": result["expired_contract_ids"]})
        if result["started_contract_ids"]:
            log.info("contracts started", extra={"contract_ids": result["started_contract_ids"]})


async def install_sweeper(app: FastAPI) -> None:
    """Startup hook: the sweep runs only where background tasks run."""
    app.state.background = [t for t in app.state.background if not isinstance(t, ContractExpirySweeper)]
    if app.state.settings.run_background_tasks:
        app.state.background.append(ContractExpirySweeper(app))
