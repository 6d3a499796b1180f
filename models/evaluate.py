"""Evaluate a given plan (the council's chosen volumes) on the optimiser's own data and rules.

The volumes are fixed in the elastic model (:mod:`models.diagnose`), so the
money, persons and objective come from the very same expressions the
optimiser uses. Top-ups and surpluses are what the plan needs; every rule the
plan breaks shows up as a slack in use, with its year and amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from models.data import ProblemData
from models.diagnose import ElasticModel, Soft
from models.highs import SolverOptions
from models.tables import Tables, clean, read_tables

TOPUP_WEIGHT = 1e-6
"""Top-ups cost almost nothing: used where needed, never where not."""


@dataclass(kw_only=True)
class Evaluation(Tables):
    """A given plan's tables (see :class:`Tables`) and the rules it breaks."""

    status: str
    has_plan: bool
    scenario: str | None = None
    objective_value: float | None = None
    violations: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per broken rule: kind, name, year, value, bound, shortfall, direction, unit."""


def _violation(soft: Soft, amount: float, body: float, requirements: pd.DataFrame) -> dict:
    """A broken rule as a row; a share is given in percent, as the user wrote it."""
    row = {"kind": soft.kind, "name": soft.name, "year": soft.year, "value": clean(body, 6),
           "bound": clean(soft.bound + soft.shift, 6), "shortfall": clean(amount, 6),
           "direction": soft.direction, "unit": soft.unit}
    if soft.unit == "%":
        match = requirements[(requirements.requirement == soft.name) & (requirements.year == soft.year)].iloc[0]
        value, bound = match.value * 100, match.bound * 100
        row.update(value=clean(value, 6), bound=clean(bound, 6), shortfall=clean(abs(bound - value), 6))
    return row


VIOLATION_COLUMNS = ["kind", "name", "year", "value", "bound", "shortfall", "direction", "unit"]


def evaluate(data: ProblemData, plan: dict[tuple[str, int], float], scenario: str | None = None,
             time_limit: float | None = None, options: SolverOptions | None = None) -> Evaluation:
    """Figures and violations of ``plan`` (volume per instrument and year; missing counts as 0).

    ``scenario`` fixes the organisational scenario; without it the scenario
    that suits the plan best is taken. The elastic model is compiled once;
    the plan enters as bounds on the volumes.
    """
    elastic = ElasticModel(data, inflow_may_be_negative=True, topup_weight=TOPUP_WEIGHT, options=options)
    m, highs = elastic.model, elastic.highs
    for (i, t), var in m.v.items():
        col = elastic.compiled.col(var)
        if col is not None:
            volume = plan.get((i, t), 0.0)
            highs.set_col_bounds(col, volume, volume)
    if scenario is not None:
        for s in m.S:
            col = elastic.compiled.col(m.y[s])
            if col is not None:
                highs.set_col_bounds(col, 1 if s == scenario else 0, 1 if s == scenario else 0)
    solution = elastic.solve("fit", time_limit)
    if not solution.has_solution:
        return Evaluation(status=solution.status, has_plan=False)
    values = elastic.values(solution)
    tables = read_tables(values, data, m.links)
    objective = data.settings.objective
    value = tables.totals["societal_value" if objective == "maatschappelijke_waarde" else "participation"]
    rows = [_violation(soft, amount, body, tables.requirements) for soft, amount, body in elastic.broken(solution)]
    return Evaluation(
        status=solution.status,
        has_plan=True,
        scenario=next((s for s in m.S if round(values.var("y", s)) == 1), None),
        objective_value=value,
        **tables.tables(),
        violations=pd.DataFrame(rows, columns=VIOLATION_COLUMNS),
    )
