"""Why is a model infeasible? The smallest relaxation, from an elastic model.

The usual model is built, then every budget, requirement, group, step limit
and volume or inflow bound gets a priced slack in the direction that
relaxes it. Minimising the slacks gives the smallest set of changes that
makes a plan possible, in the user's units. Money is priced per €1,000 so
that one unit of volume weighs about as much as €1,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from models.allocation import build
from models.data import ProblemData
from models.highs import run

MONEY_WEIGHT = 1 / 1000
TOLERANCE = 1e-6


@dataclass(frozen=True)
class _Soft:
    kind: str
    name: str
    year: object
    direction: str
    """``+`` when the bound or budget must go up, ``-`` when it must go down."""
    unit: str


def _soften_bounds(m: pyo.ConcreteModel) -> None:
    """Turn volume and inflow bounds into constraints, so they can be relaxed too."""
    m.bound_keys = []
    rows = []
    for var_name, label in (("v", "volume"), ("u", "instroom")):
        var = getattr(m, var_name)
        for (i, t), data in var.items():
            lower, upper = data.lb, data.ub
            if lower is not None and lower > 0:
                rows.append((f"min_{label}", i, t, data, ">=", lower))
            if upper is not None:
                rows.append((f"max_{label}", i, t, data, "<=", upper))
            data.setlb(0)
            data.setub(None)
    m.BOUNDS = pyo.Set(initialize=range(len(rows)))

    def rule(_m, k):
        _, _, _, var, sense, value = rows[k]
        return var >= value if sense == ">=" else var <= value

    m.bound = pyo.Constraint(m.BOUNDS, rule=rule)
    m.bound_info = rows


def _describe(m: pyo.ConcreteModel, data: ProblemData, family: str, index) -> tuple[str, str, object, str]:
    """(kind, name, year, unit) of a constraint, for the message."""
    if family == "budget":
        return "budget", index[0], index[1], "€"
    if family == "requirement":
        return "eis", index[0], index[1], ""
    if family == "group_capacity":
        return "doelgroep", index[0], index[1], "personen"
    if family in ("step_up", "step_down"):
        return "max_verandering", index[0], index[1], data.instruments[index[0]].unit
    kind, instrument, year, _, _, _ = m.bound_info[index]
    return kind, instrument, year, data.instruments[instrument].unit


def explain_infeasibility(data: ProblemData, time_limit: float | None = None) -> pd.DataFrame:
    """The smallest relaxation that makes ``data`` feasible, one row per change.

    Columns: ``kind``, ``name``, ``year``, ``change`` (always positive),
    ``direction`` (``+`` raise, ``-`` lower), ``unit``. Empty when even the
    elastic model finds nothing to relax (then integrality is the cause).
    """
    m = build(data)
    _soften_bounds(m)
    soft: list[tuple[pyo.Var, _Soft, float]] = []
    m.slack = pyo.VarList(domain=pyo.NonNegativeReals)
    for family in ("budget", "requirement", "group_capacity", "step_up", "step_down", "bound"):
        component = getattr(m, family)
        for index, con in component.items():
            kind, name, year, unit = _describe(m, data, family, index)
            weight = MONEY_WEIGHT if kind == "budget" else 1.0
            body, lower, upper = con.body, con.lower, con.upper
            if con.equality:
                up, down = m.slack.add(), m.slack.add()
                con.set_value(body + up - down == upper)
                soft.append((up, _Soft(kind, name, year, "-", unit), weight))
                soft.append((down, _Soft(kind, name, year, "+", unit), weight))
            elif upper is not None:
                s = m.slack.add()
                con.set_value(body - s <= upper)
                soft.append((s, _Soft(kind, name, year, "+", unit), weight))
            else:
                s = m.slack.add()
                con.set_value(body + s >= lower)
                soft.append((s, _Soft(kind, name, year, "-", unit), weight))
    m.objective.deactivate()
    m.smallest_relaxation = pyo.Objective(expr=sum(w * s for s, _, w in soft), sense=pyo.minimize)
    outcome = run(m, time_limit)
    rows = []
    if outcome.has_solution:
        for var, info, _ in soft:
            amount = pyo.value(var)
            if amount > TOLERANCE * max(1.0, 1 / MONEY_WEIGHT if info.kind == "budget" else 1.0):
                rows.append({"kind": info.kind, "name": info.name, "year": info.year, "change": amount,
                             "direction": info.direction, "unit": info.unit})
    return pd.DataFrame(rows, columns=["kind", "name", "year", "change", "direction", "unit"])
