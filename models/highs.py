"""The one place that talks to HiGHS, through Pyomo's ``pyomo.contrib.solver`` interface.

Solver name ``highs``: it honours a time limit and reports infeasible,
unbounded and time limit as distinct outcomes when told not to raise
(see ``tests/test_solver_interface.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from models.status import ERROR, INFEASIBLE, INFEASIBLE_OR_UNBOUNDED, NUMERICAL, OPTIMAL, TIME_LIMIT, UNBOUNDED

__all__ = ["ERROR", "INFEASIBLE", "INFEASIBLE_OR_UNBOUNDED", "NUMERICAL", "OPTIMAL", "TIME_LIMIT", "UNBOUNDED"]

_HIGHS_OPTIONS = {"output_flag": False}


@dataclass
class Outcome:
    """Status, whether values were loaded, objective and bound of one solve."""

    status: str
    has_solution: bool
    objective: float | None
    bound: float | None
    results: object
    solver: object = None
    """The Pyomo HiGHS interface that solved it (for ranging)."""


def _solver():
    solver = SolverFactory("highs")
    if not solver.available():
        raise RuntimeError("HiGHS (highspy) is not available")
    return solver


def _status(termination, solution_status) -> str:
    if termination == TerminationCondition.convergenceCriteriaSatisfied:
        return OPTIMAL
    if termination in (TerminationCondition.provenInfeasible, TerminationCondition.locallyInfeasible):
        return INFEASIBLE
    if termination == TerminationCondition.unbounded:
        return UNBOUNDED
    if termination == TerminationCondition.infeasibleOrUnbounded:
        return INFEASIBLE_OR_UNBOUNDED
    if termination in (TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit):
        return TIME_LIMIT
    return ERROR


def run(model: pyo.ConcreteModel, time_limit: float | None) -> Outcome:
    """One HiGHS solve; never raises on a non-optimal outcome."""
    options = dict(_HIGHS_OPTIONS)
    kwargs = {}
    if time_limit is not None:
        kwargs["time_limit"] = max(time_limit, 0.01)
    solver = _solver()
    results = solver.solve(
        model,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        solver_options=options,
        **kwargs,
    )
    status = _status(results.termination_condition, results.solution_status)
    has_solution = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if status == UNBOUNDED:
        has_solution = False
    if has_solution:
        results.solution_loader.load_vars()
    return Outcome(status, has_solution, results.incumbent_objective, results.objective_bound, results, solver)


def tell_infeasible_from_unbounded(model: pyo.ConcreteModel, time_limit: float | None) -> str:
    """HiGHS may say 'infeasible or unbounded'; a zero objective tells which."""
    model.objective.deactivate()
    model._feasibility = pyo.Objective(expr=0)
    outcome = run(model, time_limit)
    model.del_component(model._feasibility)
    model.objective.activate()
    return UNBOUNDED if outcome.has_solution else INFEASIBLE


def integer_vars(model: pyo.ConcreteModel) -> list:
    """The active integer and binary variables of a model."""
    return [v for v in model.component_data_objects(pyo.Var, active=True) if v.is_integer() or v.is_binary()]


def solver_version() -> str:
    """'HiGHS x.y.z' as reported by the interface."""
    try:
        version = _solver().version()
    except RuntimeError:
        return "HiGHS (niet beschikbaar)"
    return "HiGHS " + ".".join(str(x) for x in version)


def rhs_ranges(outcome: Outcome, constraints) -> dict:
    """How far each constraint's right-hand side may move (down, up) with the same shadow price.

    From HiGHS's ranging of the LP the outcome solved; ``None`` for an
    unlimited direction. Empty when ranging is not available (a MIP, or an
    interface without the row map).
    """
    highs = getattr(outcome.solver, "_solver_model", None)
    mapping = getattr(outcome.solver, "_pyomo_con_to_solver_con_map", None)
    if highs is None or mapping is None:
        return {}
    status, ranging = highs.getRanging()
    if status != highspy.HighsStatus.kOk or not ranging.valid:
        return {}
    lp = highs.getLp()
    # Each attribute access copies the whole array: take them once.
    uppers, lowers = list(lp.row_upper_), list(lp.row_lower_)
    downs, ups = list(ranging.row_bound_dn.value_), list(ranging.row_bound_up.value_)
    ranges = {}
    for con in constraints:
        row = mapping.get(con)
        if row is None:
            continue
        upper, lower = uppers[row], lowers[row]
        current = upper if upper < highspy.kHighsInf else lower
        down, up = downs[row], ups[row]
        ranges[con] = (None if down <= -highspy.kHighsInf else down - current,
                       None if up >= highspy.kHighsInf else up - current)
    return ranges
