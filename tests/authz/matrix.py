"""The authorization matrix: who may call each operation of the merged OpenAPI, written down once in
`matrix.csv` (read by the platform test and by scripts/authz_table.py).

One row per operation (`METHOD path`), one column per kind of caller. A cell is

- `ok`: the caller passes authorization (any answer but 401, 403 and a server error: a minimal body may get 422,
  404 or 409);
- `401`: the caller must sign in;
- `403`: the caller is refused;
- `404`: the record is hidden from the caller (it is not theirs to see);
- `403r`: the caller's role passes the gate, and this record refuses it (403): a rule of the record,
  decided by the service (a panel's ranking is read by its members, whatever their role; the official
  who filed a special-group request for a resident confirms it, not another official);
- `-`: not applicable (the `integration` column of an operation no integration scope opens).

The `scope` column names the scope an API key needs for the operation (empty: keys are refused, or
seen as anonymous on a public operation). Keys are not columns of their own: an operator's key acts
for its operator, so a key holding the row's scope answers like the `operator` column, and an
integration key holding it like the `integration` column; a key holding any other scope is refused
(403) on an operation that needs a signed-in caller, and is anonymous on a public one.

The test sends a minimal body. A rule that depends on the record and is only decided after the body
is read (another operator's bid, when the body is incomplete) cannot show there: such a caller's cell
is `ok` when its role passes the gate, and the services' adversary scenarios test the record rule.
A rule that does not depend on the record (only district officials change district-wide settings,
only officials accept cases) belongs in the gate, before the body: its cell is 403.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from service_kit.scopes import SCOPES, issuable_to

MATRIX = Path(__file__).with_name("matrix.csv")

# The people of the matrix, in its column order, and the role each signs in with.
PEOPLE: dict[str, str] = {
    "anonymous": "",
    "resident": "resident",
    "other_resident": "resident",
    "operator": "operator",
    "other_operator": "operator",
    "subdistrict_official": "official",
    "district_official": "official",
    "auditor": "auditor",
}
COLUMNS = ("operation", "area", "scope", *PEOPLE, "integration")
CELLS = {"ok", "401", "403", "404", "403r", "-"}
# The areas of the README's "Who may do what" table, in its order.
AREAS = {
    "facilities": "Facilities, services and opening hours",
    "activities": "Activities and bookings",
    "special-requests": "Special-group requests",
    "operators": "Operators, selections and contracts",
    "reports": "Service reports, inspections and rectifications",
    "evaluations": "Evaluations and appeals",
    "fees": "Preferential fees",
    "cultivation": "Training, incubation and volunteers",
    "cases": "Feedback cases (and Open311)",
    "demands": "Demands and menu rounds",
    "ratings": "Ratings, moderation and satisfaction",
    "statistics": "Statistics, coverage and areas",
    "accounts": "Accounts and API keys",
    "events": "Events and webhooks",
}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    area: str
    scope: str | None
    cells: dict[str, str]  # person → cell, and "integration"

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return self.cells["anonymous"] != "401"

    def expected(self, caller: str) -> str:
        """The answer for a caller: a person of PEOPLE, `operator_key:<scope>` or `integration_key:<scope>`."""
        if caller in self.cells:
            return self.cells[caller]
        kind, _, scope = caller.partition(":")
        if scope == self.scope:
            return self.cells["operator" if kind == "operator_key" else "integration"]
        return self.cells["anonymous"] if self.public else "403"


def load(path: Path = MATRIX) -> tuple[list[Row], list[str]]:
    """The rows, and what is wrong with the file itself (unknown cells, scopes, areas, duplicates)."""
    rows: list[Row] = []
    problems: list[str] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.reader(lines, skipinitialspace=True)
    header = [c.strip() for c in next(reader)]
    if tuple(header) != COLUMNS:
        return [], [f"matrix.csv: the header must be {', '.join(COLUMNS)}"]
    for raw in reader:
        cells = [c.strip() for c in raw]
        if len(cells) != len(COLUMNS):
            problems.append(f"matrix.csv: {cells[0] if cells else '?'}: {len(cells)} cells, not {len(COLUMNS)}")
            continue
        record = dict(zip(COLUMNS, cells, strict=True))
        method, _, route = record["operation"].partition(" ")
        operation = f"{method} {route}"
        if operation in seen:
            problems.append(f"matrix.csv: {operation} appears twice")
        seen.add(operation)
        scope = record["scope"] or None
        if scope is not None and scope not in SCOPES:
            problems.append(f"matrix.csv: {operation}: unknown scope {scope}")
        if record["area"] not in AREAS:
            problems.append(f"matrix.csv: {operation}: unknown area {record['area']}")
        values = {k: record[k] for k in (*PEOPLE, "integration")}
        for k, v in values.items():
            if v not in CELLS or (v == "-") != (k == "integration" and scope not in issuable_to("integration")):
                problems.append(f"matrix.csv: {operation}: {k}: {v!r} is not a cell here")
        if values["anonymous"] not in ("ok", "401", "404"):
            problems.append(f"matrix.csv: {operation}: anonymous callers get ok, 404 or 401")
        rows.append(Row(method, route, record["area"], scope, values))
    return rows, problems


def documented_gate(row: Row) -> dict[str, object]:
    """The `x-authorization` the row implies: the roles whose people pass the gate (their cell is ok,
    404 or 403r, not 403), whether a signed-in caller is needed, and the scope."""
    if row.public:
        return {"roles": [], "scope": row.scope, "signed_in": False}
    roles = sorted({role for person, role in PEOPLE.items() if role and row.cells[person] in ("ok", "404", "403r")})
    return {"roles": roles, "scope": row.scope, "signed_in": True}
