"""Evaluate a given plan (the council's chosen volumes) on the optimiser's own data and rules.

The volumes are fixed in the elastic model (:mod:`models.diagnose`), so the
money, persons and objective come from the very same expressions the
optimiser uses. Top-ups and surpluses are what the plan needs; every rule the
plan breaks shows up as a slack in use, with its year and amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from models.data import ProblemData
from models.diagnose import broken, make_elastic, slack_penalty
from models.highs import run
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


def _violation(soft, requirements: pd.DataFrame) -> dict:
    """A broken rule as a row; a share is given in percent, as the user wrote it."""
    row = {"kind": soft.kind, "name": soft.name, "year": soft.year, "value": clean(pyo.value(soft.body), 6),
           "bound": clean(soft.bound, 6), "shortfall": clean(pyo.value(soft.slack), 6),
           "direction": soft.direction, "unit": soft.unit}
    if soft.unit == "%":
        match = requirements[(requirements.requirement == soft.name) & (requirements.year == soft.year)].iloc[0]
        value, bound = match.value * 100, match.bound * 100
        row.update(value=clean(value, 6), bound=clean(bound, 6), shortfall=clean(abs(bound - value), 6))
    return row


VIOLATION_COLUMNS = ["kind", "name", "year", "value", "bound", "shortfall", "direction", "unit"]


def evaluate(data: ProblemData, plan: dict[tuple[str, int], float], scenario: str | None = None,
             time_limit: float | None = None) -> Evaluation:
    """Figures and violations of ``plan`` (volume per instrument and year; missing counts as 0).

    ``scenario`` fixes the organisational scenario; without it the scenario
    that suits the plan best is taken.
    """
    m, soft = make_elastic(data, inflow_may_be_negative=True)
    for (i, t), var in m.v.items():
        var.fix(plan.get((i, t), 0.0))
    for var in m.u.values():
        var.domain = pyo.Reals  # a given plan need not have whole inflows
    if scenario is not None:
        for s in m.S:
            m.y[s].fix(1 if s == scenario else 0)
    topups = sum(m.topup[k] for k in m.TOPUP)
    m.fit = pyo.Objective(expr=slack_penalty(soft) + TOPUP_WEIGHT * topups, sense=pyo.minimize)
    outcome = run(m, time_limit)
    if not outcome.has_solution:
        return Evaluation(status=outcome.status, has_plan=False)
    tables = read_tables(m, data)
    objective = data.settings.objective
    value = tables.totals["societal_value" if objective == "maatschappelijke_waarde" else "participation"]
    rows = [_violation(s, tables.requirements) for s in broken(soft)]
    return Evaluation(
        status=outcome.status,
        has_plan=True,
        scenario=next((s for s in m.S if round(pyo.value(m.y[s])) == 1), None),
        objective_value=value,
        **tables.tables(),
        violations=pd.DataFrame(rows, columns=VIOLATION_COLUMNS),
    )
