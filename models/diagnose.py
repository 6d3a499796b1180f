"""Elastic copies of the model: every rule gets a priced slack.

Used twice: to explain an infeasible model (the smallest relaxation that
makes a plan possible) and to evaluate a given plan (which rules it breaks,
and by how much). Every budget, requirement, group, step limit and volume or
inflow bound gets a slack in the direction that relaxes it. Money is priced
per €1,000 so that one unit of volume weighs about as much as €1,000.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.allocation import build, measures
from models.data import ProblemData
from models.evaluate import requirement_unit
from models.highs import MINIMIZE, CompiledModel, HighsModel, Solution, SolverOptions
from models.tables import PlanValues

MONEY_WEIGHT = 1 / 1000
TOLERANCE = 1e-6
FAMILIES = ("budget", "requirement", "group_capacity", "step_up", "step_down", "bound")
COLUMNS = ["kind", "name", "year", "change", "direction", "unit"]


@dataclass(frozen=True)
class Soft:
    """One relaxed rule: its slack, what it is, and its original body and bound."""

    slack: pyo.Var
    con: object
    """The softened constraint; ``sign`` is the slack's coefficient in it."""
    sign: float
    kind: str
    name: str
    year: object
    direction: str
    """``+`` when the bound or budget must go up, ``-`` when it must go down."""
    unit: str
    body: object
    bound: float
    weight: float
    shift: float = 0.0
    """A constant the formulation keeps on the right-hand side (committed money): added to body and bound
    when reported, so a budget reads as money used against money available."""


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


def _describe(m: pyo.ConcreteModel, data: ProblemData, family: str, index) -> tuple[str, str, object, str]:
    """(kind, name, year, unit) of a constraint."""
    if family == "budget":
        return "budget", index[0], index[1], "€"
    if family == "requirement":
        return "eis", index[0], index[1], requirement_unit(data, index)
    if family == "group_capacity":
        return "doelgroep", index[0], index[1], data.groups[index].unit
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
            shift = pyo.value(m.committed[index]) if family == "budget" else 0.0
            body, lower, upper = con.body, con.lower, con.upper
            if con.equality:
                up, down = m.slack.add(), m.slack.add()
                con.set_value(body + up - down == upper)
                soft.append(Soft(up, con, 1.0, kind, name, year, "-", unit, body, pyo.value(upper), weight, shift))
                soft.append(Soft(down, con, -1.0, kind, name, year, "+", unit, body, pyo.value(upper), weight, shift))
            elif upper is not None:
                s = m.slack.add()
                con.set_value(body - s <= upper)
                soft.append(Soft(s, con, -1.0, kind, name, year, "+", unit, body, pyo.value(upper), weight, shift))
            else:
                s = m.slack.add()
                con.set_value(body + s >= lower)
                soft.append(Soft(s, con, 1.0, kind, name, year, "-", unit, body, pyo.value(lower), weight, shift))
    m.objective.deactivate()
    return m, soft


def slack_penalty(soft: list[Soft]):
    """The weighted sum of slacks: what the elastic model minimises."""
    return sum(s.weight * s.slack for s in soft)


def _breaks(soft: Soft, amount: float) -> bool:
    return amount > TOLERANCE * (1 / MONEY_WEIGHT if soft.kind == "budget" else 1.0)


class ElasticModel:
    """The elastic model, compiled once, with its slacks read back by the model's names.

    Measures ``relaxation`` (the weighted slacks) and ``fit`` (the same plus
    ``topup_weight`` per euro of top-up) can be minimised.
    """

    def __init__(self, data: ProblemData, inflow_may_be_negative: bool = False, topup_weight: float = 0.0,
                 options: SolverOptions | None = None):
        self.data = data
        self.model, self.soft = make_elastic(data, inflow_may_be_negative)
        named = measures(self.model)
        named["relaxation"] = slack_penalty(self.soft)
        named["fit"] = named["relaxation"] + topup_weight * self.model.topups
        self.compiled = CompiledModel(self.model, named)
        # One HiGHS instance owns the run's log file (a second would start it again): not this one.
        self.highs = HighsModel(self.compiled, replace(options, log_file=None) if options else None)

    def solve(self, measure: str, time_limit: float | None) -> Solution:
        """Minimise a measure."""
        vector, offset = self.compiled.measures[measure]
        self.highs.set_objective(vector, offset, MINIMIZE)
        return self.highs.solve(time_limit)

    def slack(self, soft: Soft, x: np.ndarray) -> float:
        """The amount a rule is relaxed by at ``x``."""
        col = self.compiled.col(soft.slack)
        return float(x[col]) if col is not None else 0.0

    def values(self, solution: Solution) -> PlanValues:
        """The solution read by the model's names, each row's body without its slacks."""
        body = solution.activity + self.compiled.offset
        for soft in self.soft:
            row = self.compiled.row(soft.con)
            if row is not None:
                body[row] -= soft.sign * self.slack(soft, solution.x)
        return PlanValues(self.compiled, solution.x, body, self.compiled.measure)

    def broken(self, solution: Solution) -> list[tuple[Soft, float, float]]:
        """(rule, amount relaxed, its body's value) of every rule whose slack is in use."""
        values = self.values(solution)
        found = []
        for soft in self.soft:
            amount = self.slack(soft, solution.x)
            if _breaks(soft, amount):
                row = self.compiled.row(soft.con)
                body = float(values.body[row]) if row is not None else 0.0
                found.append((soft, amount, body + soft.shift))
        return found


def explain_infeasibility(data: ProblemData, time_limit: float | None = None,
                          options: SolverOptions | None = None) -> pd.DataFrame:
    """The smallest relaxation that makes ``data`` feasible, one row per change.

    Columns: ``kind``, ``name``, ``year``, ``change`` (always positive),
    ``direction`` (``+`` raise, ``-`` lower), ``unit``. Empty when even the
    elastic model finds nothing to relax (then integrality is the cause).
    """
    elastic = ElasticModel(data, options=options)
    solution = elastic.solve("relaxation", time_limit)
    rows = []
    if solution.has_solution:
        rows = [{"kind": s.kind, "name": s.name, "year": s.year, "change": amount, "direction": s.direction,
                 "unit": s.unit} for s, amount, _ in elastic.broken(solution)]
    return pd.DataFrame(rows, columns=COLUMNS)
