"""Solve the allocation model with HiGHS and return plain tables.

One public entry point, :func:`solve`: data in, :class:`Result` out; the
Pyomo model is built and dropped inside. HiGHS is reached through Pyomo's
``pyomo.contrib.solver`` interface (name ``highs``), which honours a time
limit and reports infeasible, unbounded and time limit as distinct outcomes
(see ``tests/test_solver_interface.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from models.allocation import build
from models.data import ProblemData
from models.diagnose import explain_infeasibility
from models.highs import (
    ERROR,
    INFEASIBLE,
    INFEASIBLE_OR_UNBOUNDED,
    NUMERICAL,
    OPTIMAL,
    TIME_LIMIT,
    UNBOUNDED,
    Outcome,
    integer_vars,
    rhs_ranges,
    run,
    solver_version,
    tell_infeasible_from_unbounded,
)
from models.tables import Tables, read_tables
from models.verify import residuals

__all__ = ["CHEAPEST", "ERROR", "INFEASIBLE", "NUMERICAL", "OPTIMAL", "TIME_LIMIT", "UNBOUNDED", "Result", "solve"]


@dataclass(kw_only=True)
class Result(Tables):
    """What a solve gives back: the plan's tables (see :class:`Tables`) and how the solve went."""

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
    solve_seconds: float = 0.0
    solver: str = ""
    phases: list[dict] = field(default_factory=list)
    check_failures: list[str] = field(default_factory=list)
    """Rules the independent re-check (:mod:`models.verify`) found broken; empty when all is well."""
    infeasibility: pd.DataFrame = field(default_factory=pd.DataFrame)
    """For an infeasible model: the smallest relaxation (see :mod:`models.diagnose`)."""


CHEAPEST = "minimale_kosten"


def solve(data: ProblemData, time_limit: float | None = None, participation_floor: float | None = None) -> Result:
    """Build, solve and report the model for ``data``.

    The lexicographic objective solves twice: first maximum participation,
    then, holding it within the settings' tolerance, the least net money of
    the gemeente. With ``participation_floor`` the objective is instead the
    least total cost of a plan with at least that participation.
    """
    started = time.perf_counter()
    limit = data.settings.time_limit if time_limit is None else time_limit
    objective = data.settings.objective if participation_floor is None else CHEAPEST
    model = build(data)
    if participation_floor is not None:
        model.objective.deactivate()
        model.participation_floor = pyo.Constraint(expr=model.participation >= participation_floor)
        model.cheapest_total = pyo.Objective(expr=model.total_cost, sense=pyo.minimize)
    is_mip = bool(integer_vars(model))
    result = Result(status=ERROR, objective_name=objective, is_mip=is_mip, solver=solver_version())

    outcome = run(model, limit)
    if outcome.status == INFEASIBLE_OR_UNBOUNDED:
        outcome.status = tell_infeasible_from_unbounded(model, limit)
    first_phase = {"maatschappelijke_waarde": objective, CHEAPEST: objective}.get(objective, "participatie")
    result.phases.append({"phase": first_phase, "status": outcome.status, "objective": outcome.objective})

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

    result.check_failures = _recheck(model, data, result.scenario)
    if result.check_failures:
        result.status = NUMERICAL
    duals, reduced, ranges = _shadow_prices(model, objective, is_mip, outcome, limit)
    result.duals_conditional = is_mip
    for name, table in read_tables(model, data, duals, reduced, ranges).tables().items():
        setattr(result, name, table)
    result.solve_seconds = time.perf_counter() - started
    return result


def _recheck(model: pyo.ConcreteModel, data: ProblemData, scenario: str | None) -> list[str]:
    """Re-check the loaded plan against the data, independently of the formulation."""
    names = ("v", "u", "topup", "surplus")
    values = {name: {k: var.value for k, var in getattr(model, name).items()} for name in names}
    return residuals(data, values["v"], values["u"], values["topup"], values["surplus"], scenario)


def _restore_phase_one(model: pyo.ConcreteModel) -> pyo.ConcreteModel:
    model.cheapest.deactivate()
    model.hold_participation.deactivate()
    model.objective.activate()
    return model


def _objective_value(model: pyo.ConcreteModel, objective: str) -> float:
    if objective == "maatschappelijke_waarde":
        return pyo.value(model.societal_value)
    if objective == CHEAPEST:
        return pyo.value(model.total_cost)
    return pyo.value(model.participation)


def _shadow_prices(model, objective, is_mip, outcome, limit):
    """Duals, reduced costs and right-hand-side ranges in units of the reported objective.

    For a MIP the integer variables are fixed at their values and the LP is
    solved again: the prices hold for that integer choice (conditional). For
    the lexicographic objective the prices are those of maximum participation.
    """
    resolve = is_mip or objective == "lexicografisch"
    priced = list(model.budget.values()) + list(model.requirement.values())
    if not resolve:
        loader = outcome.results.solution_loader
        return loader.get_duals(), loader.get_reduced_costs(), rhs_ranges(outcome, priced)
    plan_values = [(v, v.value) for v in model.component_data_objects(pyo.Var)]
    for var in integer_vars(model):
        var.fix(round(var.value))
        var.domain = pyo.Reals  # HiGHS gives duals only for an LP
    if objective == "lexicografisch" and hasattr(model, "cheapest"):
        _restore_phase_one(model)
    relaxed = run(model, limit)
    duals, reduced, ranges = {}, {}, {}
    if relaxed.has_solution:
        duals = relaxed.results.solution_loader.get_duals()
        reduced = relaxed.results.solution_loader.get_reduced_costs()
        ranges = rhs_ranges(relaxed, priced)
    for var, value in plan_values:  # the reported plan, not the re-solve's vertex
        var.set_value(value, skip_validation=True)
    return duals, reduced, ranges
