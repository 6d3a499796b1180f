"""Elastic copies of the model: every rule gets a priced slack.

Used twice: to explain an infeasible model (the smallest relaxation that
makes a plan possible) and to evaluate a given plan (which rules it breaks,
and by how much). Every budget, requirement, group, step limit and volume or
inflow bound gets a slack in the direction that relaxes it. Money is priced
per €1,000 so that one unit of volume weighs about as much as €1,000.
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
FAMILIES = ("budget", "requirement", "group_capacity", "step_up", "step_down", "bound")
COLUMNS = ["kind", "name", "year", "change", "direction", "unit"]


@dataclass(frozen=True)
class Soft:
    """One relaxed rule: its slack, what it is, and its original body and bound."""

    slack: pyo.Var
    kind: str
    name: str
    year: object
    direction: str
    """``+`` when the bound or budget must go up, ``-`` when it must go down."""
    unit: str
    body: object
    bound: float
    weight: float


def _soften_bounds(m: pyo.ConcreteModel, inflow_may_be_negative: bool) -> None:
    """Turn volume and inflow bounds into constraints, so they can be relaxed too.

    With ``inflow_may_be_negative`` the inflow's own lower bound of 0 becomes
    a rule as well (a given plan may shrink faster than retention allows).
    """
    rows = []
    for var_name, label in (("v", "volume"), ("u", "instroom")):
        for (i, t), var in getattr(m, var_name).items():
            lower, upper = var.lb, var.ub
            if var_name == "u" and inflow_may_be_negative:
                rows.append((f"min_{label}", i, t, var, ">=", lower or 0.0))
                var.domain = pyo.Reals
            elif lower is not None and lower > 0:
                rows.append((f"min_{label}", i, t, var, ">=", lower))
            if upper is not None:
                rows.append((f"max_{label}", i, t, var, "<=", upper))
            var.setlb(None if (var_name == "u" and inflow_may_be_negative) else 0)
            var.setub(None)
    m.BOUNDS = pyo.Set(initialize=range(len(rows)))
    m.bound = pyo.Constraint(
        m.BOUNDS, rule=lambda _m, k: rows[k][3] >= rows[k][5] if rows[k][4] == ">=" else rows[k][3] <= rows[k][5]
    )
    m.bound_info = rows


def requirement_unit(data: ProblemData, key: tuple[str, object]) -> str:
    """The unit a requirement counts in: persons, or its instruments' common unit."""
    req = next(r for r in data.requirements if (r.name, r.year if r.year is not None else "totaal") == key)
    if req.kind == "aandeel":
        return "%"
    if req.quantity == "personen":
        return "personen"
    units = {data.instruments[i].unit for i, _ in req.terms}
    return units.pop() if len(units) == 1 else "eenheden"


def _describe(m: pyo.ConcreteModel, data: ProblemData, family: str, index) -> tuple[str, str, object, str]:
    """(kind, name, year, unit) of a constraint."""
    if family == "budget":
        return "budget", index[0], index[1], "€"
    if family == "requirement":
        return "eis", index[0], index[1], requirement_unit(data, index)
    if family == "group_capacity":
        return "doelgroep", index[0], index[1], "personen"
    if family in ("step_up", "step_down"):
        return "max_verandering", index[0], index[1], data.instruments[index[0]].unit
    kind, instrument, year, _, _, _ = m.bound_info[index]
    return kind, instrument, year, data.instruments[instrument].unit


def make_elastic(data: ProblemData, inflow_may_be_negative: bool = False) -> tuple[pyo.ConcreteModel, list[Soft]]:
    """The model with a slack on every rule; its objective is switched off."""
    m = build(data)
    _soften_bounds(m, inflow_may_be_negative)
    m.slack = pyo.VarList(domain=pyo.NonNegativeReals)
    soft: list[Soft] = []
    for family in FAMILIES:
        for index, con in getattr(m, family).items():
            kind, name, year, unit = _describe(m, data, family, index)
            weight = MONEY_WEIGHT if kind == "budget" else 1.0
            body, lower, upper = con.body, con.lower, con.upper
            if con.equality:
                up, down = m.slack.add(), m.slack.add()
                con.set_value(body + up - down == upper)
                soft.append(Soft(up, kind, name, year, "-", unit, body, pyo.value(upper), weight))
                soft.append(Soft(down, kind, name, year, "+", unit, body, pyo.value(upper), weight))
            elif upper is not None:
                s = m.slack.add()
                con.set_value(body - s <= upper)
                soft.append(Soft(s, kind, name, year, "+", unit, body, pyo.value(upper), weight))
            else:
                s = m.slack.add()
                con.set_value(body + s >= lower)
                soft.append(Soft(s, kind, name, year, "-", unit, body, pyo.value(lower), weight))
    m.objective.deactivate()
    return m, soft


def slack_penalty(soft: list[Soft]):
    """The weighted sum of slacks: what the elastic model minimises."""
    return sum(s.weight * s.slack for s in soft)


def broken(soft: list[Soft]) -> list[Soft]:
    """The rules whose slack is in use after a solve."""
    return [s for s in soft if pyo.value(s.slack) > TOLERANCE * (1 / MONEY_WEIGHT if s.kind == "budget" else 1.0)]


def explain_infeasibility(data: ProblemData, time_limit: float | None = None) -> pd.DataFrame:
    """The smallest relaxation that makes ``data`` feasible, one row per change.

    Columns: ``kind``, ``name``, ``year``, ``change`` (always positive),
    ``direction`` (``+`` raise, ``-`` lower), ``unit``. Empty when even the
    elastic model finds nothing to relax (then integrality is the cause).
    """
    m, soft = make_elastic(data)
    m.smallest_relaxation = pyo.Objective(expr=slack_penalty(soft), sense=pyo.minimize)
    outcome = run(m, time_limit)
    rows = []
    if outcome.has_solution:
        rows = [{"kind": s.kind, "name": s.name, "year": s.year, "change": pyo.value(s.slack),
                 "direction": s.direction, "unit": s.unit} for s in broken(soft)]
    return pd.DataFrame(rows, columns=COLUMNS)
