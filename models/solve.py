"""Solve the allocation model and return plain tables.

:func:`optimise` runs the objective the settings ask for on a
:class:`~models.session.Session` (so what-ifs and the comparison re-use one
built model); :func:`solve` is the same for one data set, building its own
session. The lexicographic objective solves twice: first maximum
participation, then, holding it within the settings' tolerance, the least
net money of the gemeente.

Among plans equally good on the objective, the one reported is chosen by
later phases (:data:`TIE_BREAKS`), each holding the value every earlier
phase reached, so none can change the objective's value: the least top-up
(no line is topped up while it has room of its own), then the least net
money of the gemeente, then the least change against the chosen plan (or,
without one, against the previous year), and where lines have a reserve the
most money left in the reserves at the end (unspent money is kept, not lapsed;
withdrawals only where they are needed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from models.data import ProblemData
from models.diagnose import explain_infeasibility
from models.highs import (
    ERROR,
    INFEASIBLE,
    NUMERICAL,
    OPTIMAL,
    TIME_LIMIT,
    UNBOUNDED,
    Solution,
    SolverOptions,
    solver_version,
)
from models.session import (
    CHEAPEST,
    LEAST_CHANGE,
    LEAST_GEMEENTE_MONEY,
    LEAST_TOPUP,
    MOST_RESERVE,
    OBJECTIVES,
    Deadline,
    Session,
)
from models.tables import PlanValues, Tables, plan_dicts, read_tables, totals
from models.verify import residuals

__all__ = ["CHEAPEST", "ERROR", "INFEASIBLE", "NUMERICAL", "OPTIMAL", "TIME_LIMIT", "UNBOUNDED", "Result", "optimise",
           "solve"]


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
    """For an infeasible model: the smallest relaxation in money (see :mod:`models.diagnose`)."""
    conflict: pd.DataFrame = field(default_factory=pd.DataFrame)
    """For an infeasible model: rules that cannot hold together (HiGHS's IIS)."""
    integer_only: bool = False
    """For an infeasible model: it has plans without whole numbers; integrality alone is the conflict."""
    rebuilt: bool = False
    """True when the session built the model again since its previous result (a change it could not make in place)."""
    unlimited: list[str] = field(default_factory=list)
    """For an unbounded model: the instruments without a limit (see :mod:`models.unbounded`), when named."""


def solve(data: ProblemData, time_limit: float | None = None, participation_floor: float | None = None,
          options: SolverOptions | None = None) -> Result:
    """Build, solve and report the model for ``data`` (see :func:`optimise`)."""
    session = Session(data, options)
    limit = Deadline(data.settings.time_limit if time_limit is None else time_limit)
    if participation_floor is not None:
        return cheapest(session, participation_floor, limit)
    return optimise(session, deadline=limit)


TIE_BREAKS = (LEAST_TOPUP, LEAST_GEMEENTE_MONEY, LEAST_CHANGE, MOST_RESERVE)
"""Later phases, in order, that pick one plan among the optima (see the module docstring)."""


HOLD_TOLERANCE = 1e-9
"""Relative give of a value held for a later phase (see :func:`hold_reached`)."""


def hold_reached(session: Session, objective: str, value: float) -> None:
    """Hold the value ``objective`` reached in a phase, so that a later phase cannot make it worse.

    Held up to ``HOLD_TOLERANCE`` of its size: held exactly, a row over
    every volume of a large model (342 municipalities) left HiGHS without an
    answer (status unknown, measured); the give is far below what a result
    shows (0,004 on a participation of 3,8 million).
    """
    measure, sense = OBJECTIVES[objective]
    give = HOLD_TOLERANCE * abs(value)
    if sense == "max":
        session.hold(measure, lower=value - give)
    else:
        session.hold(measure, upper=value + give)


def break_ties(session: Session, objective: str, solution: Solution, phases: list[dict],
               deadline: Deadline, done: tuple[str, ...] = ()) -> Solution:
    """The plan the tie-break phases pick among those as good as ``solution`` on ``objective``.

    Each phase holds what the previous one reached. A phase without a plan
    (the time is up) leaves the previous phase's plan; one stopped by the time
    limit with a plan still holds every earlier value, so its plan is taken.
    ``done`` names phases already solved as the objective itself.
    """
    final = solution
    for phase in TIE_BREAKS:
        if phase in done or OBJECTIVES[phase][0] not in session.compiled.measures:
            continue  # done already, or nothing to choose (no reserve)
        if deadline.expired():
            phases.append({"phase": phase.replace("_", " "), "status": "overgeslagen (tijdslimiet)",
                           "objective": None})
            continue
        on_face = final.col_dual is not None  # an LP's optimum: solve the next phase over its optimal face
        if on_face:
            session.restrict_to_face(final)
        hold_reached(session, objective, final.objective)  # kept on the face too: it guards the tolerance
        # Warm: on the face the three phases took 0,8 s at 342 municipalities (20 s with the hold row alone,
        # 3,4 s on the face cold); the last phase without the face took 216 s cold.
        found = session.solve(phase, deadline, duals=on_face)
        phases.append({"phase": phase.replace("_", " "), "status": found.status, "objective": found.objective})
        if not found.has_solution:
            break
        final, objective = found, phase
        if found.status != OPTIMAL:
            break
    return final


def optimise(session: Session, objective: str | None = None, deadline: Deadline | None = None,
             prices: bool = True, tie_breaks: bool = True, tables: bool = True) -> Result:
    """The best plan for the session's data, with prices, the re-check and, when infeasible, the diagnosis.

    Without ``prices`` no shadow prices are computed and an infeasible model
    is not diagnosed; without ``tie_breaks`` the later phases are left out;
    without ``tables`` only the totals are read (a comparison's extra plans
    need none of these: only their totals are reported).
    """
    started = time.perf_counter()
    data = session.data
    objective = objective or data.settings.objective
    deadline = deadline or Deadline(data.settings.time_limit)
    result = Result(status=ERROR, objective_name=objective, is_mip=session.is_mip, solver=solver_version())
    lexicographic = objective == "lexicografisch"
    # An LP's prices come with its solve; a MIP's need their own LP below.
    first = session.solve(objective, deadline, prices=prices and not session.is_mip,
                          duals=tie_breaks and not session.is_mip)
    phase = {"maatschappelijke_waarde": objective}.get(objective, "participatie")
    result.phases.append({"phase": phase, "status": first.status, "objective": first.objective})
    decisive, last = first, objective
    try:
        if lexicographic and first.has_solution:
            best = first.objective
            session.hold("participation", lower=best - data.settings.lexicographic_tolerance * max(abs(best), 1.0))
            second = session.solve(LEAST_GEMEENTE_MONEY, deadline, duals=tie_breaks and not session.is_mip)
            result.phases.append({"phase": "minimale gemeentelijke inzet", "status": second.status,
                                  "objective": second.objective})
            if second.has_solution:  # else phase 1's plan stands
                decisive, last = second, LEAST_GEMEENTE_MONEY
        final = decisive
        if tie_breaks and decisive.status == OPTIMAL:  # ties are only broken among proven optima
            final = break_ties(session, last, decisive, result.phases, deadline,
                               done=(LEAST_GEMEENTE_MONEY,) if last == LEAST_GEMEENTE_MONEY else ())
    finally:
        session.release()
    priced = first if prices and not session.is_mip else None
    if prices and session.is_mip and final.has_solution:
        priced = session.prices_at(final.x, "participatie" if lexicographic else objective, deadline)
    _fill(result, session, final, priced if priced is not None and priced.row_dual is not None else None,
          decisive, tables)
    if final.status == INFEASIBLE and prices:
        diagnosis = explain_infeasibility(data, deadline.left(), session.options, session)
        result.infeasibility, result.conflict = diagnosis.relaxation, diagnosis.conflict
        result.integer_only = diagnosis.integer_only
    if result.has_plan:
        result.objective_value = result.totals["societal_value" if objective == "maatschappelijke_waarde"
                                               else "participation"]
    result.rebuilt = session.rebuilt_since_last_asked()
    result.solve_seconds = time.perf_counter() - started
    return result


def cheapest(session: Session, participation_floor: float, deadline: Deadline | None = None,
             tables: bool = True) -> Result:
    """The plan of least total cost with at least ``participation_floor``; no prices (none are reported).

    Without ``tables`` only the totals are read (see :func:`optimise`).
    """
    started = time.perf_counter()
    result = Result(status=ERROR, objective_name=CHEAPEST, is_mip=session.is_mip, solver=solver_version())
    session.hold("participation", lower=participation_floor)
    try:
        solution = session.solve(CHEAPEST, deadline, warm=False)  # another objective and a floor: presolve pays
        result.phases.append({"phase": CHEAPEST, "status": solution.status, "objective": solution.objective})
    finally:
        session.release()
    # No tie-breaks: only this plan's total cost is reported, and that is its objective.
    _fill(result, session, solution, None, tables=tables)
    if result.has_plan:
        result.objective_value = result.totals["total_cost"]
    result.rebuilt = session.rebuilt_since_last_asked()
    result.solve_seconds = time.perf_counter() - started
    return result


def _fill(result: Result, session: Session, solution: Solution, priced: Solution | None,
          decisive: Solution | None = None, tables: bool = True) -> None:
    """Status, gap, scenario, the re-check and every table of a solution (only the totals without ``tables``).

    ``decisive`` is the solve of the objective itself (status and gap come
    from it); ``solution`` the plan the tie-break phases picked among its optima.
    """
    decisive = decisive or solution
    result.status = decisive.status if solution.has_solution else solution.status
    result.has_plan = solution.has_solution
    if not solution.has_solution:
        return
    data = session.data
    if decisive.status == TIME_LIMIT and decisive.bound is not None and decisive.objective is not None:
        result.objective_bound = decisive.bound
        result.gap = abs(decisive.bound - decisive.objective) / max(abs(decisive.objective), 1e-9)
    else:
        result.gap = decisive.gap if decisive.gap is not None else (0.0 if decisive.status == OPTIMAL else None)
    values = PlanValues(session.compiled, solution.x, solution.activity + session.compiled.offset, session.measure)
    if priced is not None:
        values.row_dual, values.col_dual = priced.row_dual, priced.col_dual
        values.rhs_down, values.rhs_up, values.row_basic = priced.rhs_down, priced.rhs_up, priced.row_basic
    result.duals_conditional = session.is_mip
    result.scenario = next((s for s in data.scenarios if round(values.var("y", s)) == 1), None)
    plan = plan_dicts(values)
    result.check_failures = residuals(data, plan["v"], plan["u"], plan["topup"], plan["surplus"], result.scenario,
                                      plan["reserve_flow"])
    if result.check_failures:
        result.status = NUMERICAL
    if not tables:
        result.totals = totals(values)
        return
    for name, table in read_tables(values, data, session.model.links).tables().items():
        setattr(result, name, table)
