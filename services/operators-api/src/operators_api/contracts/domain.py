"""What the contract use cases hand back besides bare records: a contract with its facilities,
instalments and operator's name. The schemas decide how it is shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from operators_api.contracts.models import Contract, Instalment


@dataclass(frozen=True, slots=True)
class ContractView:
    contract: Contract
    facility_ids: list[int]
    instalments: Sequence[Instalment]
    operator_name: str
