"""Solve the allocation model with HiGHS and return plain tables.

One public entry point, :func:`solve`: data in, :class:`Result` out; the
Pyomo model is built and dropped inside. HiGHS is reached through Pyomo's
``pyomo.contrib.solver`` interface (name ``highs``), which honours a time
limit and reports infeasible, unbounded and time limit as distinct outcomes
(see ``tests/test_solver_interface.py``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from models.allocation import build, quantity, requirement_lhs, spending
from models.data import ProblemData
from models.diagnose import explain_infeasibility
from models.highs import (
    ERROR,
    INFEASIBLE,
    OPTIMAL,
    TIME_LIMIT,
    UNBOUNDED,
    Outcome,
    integer_vars,
    run,
    solver_version,
    tell_infeasible_from_unbounded,
)

__all__ = ["ERROR", "INFEASIBLE", "OPTIMAL", "TIME_LIMIT", "UNBOUNDED", "Result", "solve"]


@dataclass
class Result:
    """What a solve gives back; every table has English column names."""

    status: str
    objective_name: str
    objective_value: float | None = None
    objective_bound: float | None = None
    gap: float | None = None
    has_plan: bool = False
    is_mip: bool = False
    duals_conditional: bool = False
    """True when shadow prices come from the LP with the integers fixed."""
    scenario: str | None = None
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    budgets: pd.DataFrame = field(default_factory=pd.DataFrame)
    requirements: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    totals: dict[str, float] = field(default_factory=dict)
    solve_seconds: float = 0.0
    solver: str = ""
    phases: list[dict] = field(default_factory=list)
    infeasibility: pd.DataFrame = field(default_factory=pd.DataFrame)
    """For an infeasible model: the smallest relaxation (see :mod:`models.diagnose`)."""


def solve(data: ProblemData, time_limit: float | None = None) -> Result:
    """Build, solve and report the model for ``data``.

    The lexicographic objective solves twice: first maximum participation,
    then, holding it within the settings' tolerance, the least money charged
    to the gemeente's own budget lines.
    """
    started = time.perf_counter()
    limit = data.settings.time_limit if time_limit is None else time_limit
    objective = data.settings.objective
    model = build(data)
    is_mip = bool(integer_vars(model))
    result = Result(status=ERROR, objective_name=objective, is_mip=is_mip, solver=solver_version())

    outcome = run(model, limit)
    if outcome.status == "onhaalbaar_of_onbegrensd":
        outcome.status = tell_infeasible_from_unbounded(model, limit)
    result.phases.append({"phase": "participatie" if objective != "maatschappelijke_waarde" else objective,
                          "status": outcome.status, "objective": outcome.objective})

    if objective == "lexicografisch":
        if outcome.has_solution:
            best = outcome.objective
            tolerance = data.settings.lexicographic_tolerance * max(abs(best), 1.0)
            model.hold_participation = pyo.Constraint(expr=model.participation >= best - tolerance)
            model.objective.deactivate()
            model.cheapest = pyo.Objective(expr=model.gemeente_spending, sense=pyo.minimize)
            remaining = max(limit - (time.perf_counter() - started), 0.01)
            second = run(model, remaining)
            result.phases.append({"phase": "minimale gemeentelijke inzet", "status": second.status,
                                  "objective": second.objective})
            if second.has_solution:
                outcome = Outcome(second.status, True, pyo.value(model.participation), None, second.results)
            else:
                # Fall back on phase 1's plan, which is still loaded.
                outcome = run(_restore_phase_one(model), remaining)

    result.status = outcome.status
    result.has_plan = outcome.has_solution
    if not outcome.has_solution:
        if outcome.status == INFEASIBLE:
            result.infeasibility = explain_infeasibility(data, limit)
        result.solve_seconds = time.perf_counter() - started
        return result

    result.objective_value = _objective_value(model, objective)
    if outcome.status == TIME_LIMIT and outcome.bound is not None and outcome.objective is not None:
        result.objective_bound = outcome.bound
        result.gap = abs(outcome.bound - outcome.objective) / max(abs(outcome.objective), 1e-9)
    elif outcome.status == OPTIMAL:
        result.gap = 0.0
    result.scenario = next((s for s in data.scenarios if round(pyo.value(model.y[s])) == 1), None)

    values = _Values.capture(model, data)
    duals, reduced = _shadow_prices(model, objective, is_mip, outcome, limit)
    result.duals_conditional = is_mip
    result.plan = values.plan_table(reduced)
    result.budgets = values.budget_table(model, data, duals)
    result.requirements = values.requirement_table(model, data, duals)
    result.groups = values.group_table(model, data, duals)
    result.totals = values.totals
    result.solve_seconds = time.perf_counter() - started
    return result


def _restore_phase_one(model: pyo.ConcreteModel) -> pyo.ConcreteModel:
    model.cheapest.deactivate()
    model.hold_participation.deactivate()
    model.objective.activate()
    return model


def _objective_value(model: pyo.ConcreteModel, objective: str) -> float:
    if objective == "maatschappelijke_waarde":
        return pyo.value(model.societal_value)
    return pyo.value(model.participation)


def _shadow_prices(model, objective, is_mip, outcome, limit):
    """Duals and reduced costs in units of the reported objective.

    For a MIP the integer variables are fixed at their values and the LP is
    solved again: the prices hold for that integer choice (conditional). For
    the lexicographic objective the prices are those of maximum participation.
    """
    resolve = is_mip or objective == "lexicografisch"
    if not resolve:
        loader = outcome.results.solution_loader
        return loader.get_duals(), loader.get_reduced_costs()
    plan_values = [(v, v.value) for v in model.component_data_objects(pyo.Var)]
    for var in integer_vars(model):
        var.fix(round(var.value))
        var.domain = pyo.Reals  # HiGHS gives duals only for an LP
    if objective == "lexicografisch" and hasattr(model, "cheapest"):
        _restore_phase_one(model)
    relaxed = run(model, limit)
    duals, reduced = {}, {}
    if relaxed.has_solution:
        duals = relaxed.results.solution_loader.get_duals()
        reduced = relaxed.results.solution_loader.get_reduced_costs()
    for var, value in plan_values:  # the reported plan, not the re-solve's vertex
        var.set_value(value, skip_validation=True)
    return duals, reduced


def _clean(x: float | None, digits: int = 9) -> float | None:
    """Round away solver noise (``-0.0``, ``1e-12``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    x = round(float(x), digits)
    return 0.0 if x == 0 else x


class _Values:
    """Reads the loaded solution into tables."""

    def __init__(self, model, data):
        self.model = model
        self.data = data
        self.totals: dict[str, float] = {}

    @classmethod
    def capture(cls, model, data) -> _Values:
        values = cls(model, data)
        m = model
        persons = sum(pyo.value(m.p[i, t]) for i in m.I for t in m.T)
        values.totals = {
            "participation": _clean(pyo.value(m.participation)),
            "person_years": _clean(persons),
            "benefit": _clean(sum(data.benefit(i) * pyo.value(m.p[i, t]) for i in m.I for t in m.T)),
            "societal_value": _clean(pyo.value(m.societal_value)),
            "gemeente_spending": _clean(pyo.value(m.gemeente_spending)),
            "topup": _clean(sum(pyo.value(m.topup[k]) for k in m.TOPUP)),
        }
        return values

    def plan_table(self, reduced) -> pd.DataFrame:
        m, data = self.model, self.data
        rows = []
        for i in m.I:
            inst = data.instruments[i]
            for t in m.T:
                rows.append({
                    "instrument": i,
                    "year": t,
                    "unit": inst.unit,
                    "volume": _clean(pyo.value(m.v[i, t])),
                    "inflow": _clean(pyo.value(m.u[i, t])),
                    "persons": _clean(pyo.value(m.p[i, t])),
                    "reduced_cost": _clean(reduced.get(m.v[i, t]) if reduced else None),
                })
        return pd.DataFrame(rows)

    def budget_table(self, model, data, duals) -> pd.DataFrame:
        m = model
        rows = []
        for (b, t), budget in data.budgets.items():
            used = pyo.value(spending(m, data, b, t))
            topup = pyo.value(m.topup[b, t]) if (b, t) in m.TOPUP else 0.0
            surplus = pyo.value(m.surplus[b, t]) if (b, t) in m.SURPLUS else 0.0
            received = sum(
                pyo.value(m.surplus[o, tt]) for o, tt in m.SURPLUS if tt == t and data.budgets[o, tt].surplus_to == b
            )
            room = budget.available - budget.savings_target + topup + received
            dual = duals.get(m.budget[b, t]) if duals else None
            rows.append({
                "line": b,
                "year": t,
                "bearer": budget.bearer,
                "available": _clean(budget.available, 2),
                "savings_target": _clean(budget.savings_target, 2),
                "committed": _clean(budget.committed, 2),
                "topup": _clean(topup, 2),
                "surplus_received": _clean(received, 2),
                "used": _clean(used, 2),
                "surplus": _clean(surplus, 2),
                "slack": _clean(room - used - surplus, 2),
                "shadow_price": _clean(dual * 1000 if dual is not None else None, 6),
            })
        return pd.DataFrame(rows)

    def requirement_table(self, model, data, duals) -> pd.DataFrame:
        m = model
        rows = []
        for req in data.requirements:
            key = (req.name, req.year if req.year is not None else "totaal")
            value = pyo.value(requirement_lhs(m, data, req))
            slack = {">=": value - req.rhs, "<=": req.rhs - value, "=": -abs(value - req.rhs)}[req.sense]
            con = m.requirement[key] if key in m.requirement else None
            dual = duals.get(con) if (duals and con is not None) else None
            share = None
            if req.kind == "aandeel":
                years = data.years if req.year is None else (req.year,)
                part = sum(pyo.value(quantity(m, data, req.quantity, i, t)) for i in req.share_part for t in years)
                whole = sum(pyo.value(quantity(m, data, req.quantity, i, t)) for i in req.share_base for t in years)
                share = part / whole if whole > 1e-9 else None
            rows.append({
                "requirement": req.name,
                "year": key[1],
                "kind": req.kind,
                "quantity": req.quantity,
                "sense": req.sense,
                "value": _clean(share if req.kind == "aandeel" else value, 6),
                "bound": _clean(req.share if req.kind == "aandeel" else req.rhs, 6),
                "slack": _clean(slack, 6),
                "shadow_price": _clean(dual, 6),
            })
        return pd.DataFrame(rows)

    def group_table(self, model, data, duals) -> pd.DataFrame:
        m = model
        rows = []
        for (g, t), group in data.groups.items():
            if (g, t) not in m.group_capacity:
                continue
            persons = pyo.value(m.group_capacity[g, t].body)
            dual = duals.get(m.group_capacity[g, t]) if duals else None
            rows.append({
                "group": g,
                "year": t,
                "size": group.size,
                "exact": group.exact,
                "persons": _clean(persons, 6),
                "slack": _clean(group.size - persons, 6),
                "shadow_price": _clean(dual, 6),
            })
        return pd.DataFrame(rows)
