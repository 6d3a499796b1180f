"""A persistent model: built once from the data, changed in place, solved again warm.

A :class:`Session` holds the Pyomo model (the formulation of record), its
compiled form and one HiGHS instance. Once HiGHS has the model, the Pyomo
constraints are deleted (:func:`models.allocation.drop_rows`: at 342
municipalities their expression trees are the largest part of the model);
a row that changes is built again from its family's rule. The rows
only the later phases use (spending caps, change against a reference) are
built and compiled while HiGHS solves the first objective
(:meth:`Session.complete`). A change of an input number (money of
a budget line, a cost, an instrument's bounds, a requirement level, a group
size, the fixed scenario) updates the session's copy of the data, the Pyomo
parameter or bound it feeds, and exactly the HiGHS rows, columns or
coefficients that number reaches:

================================  =====================================  ===============================
change                            Pyomo                                  HiGHS
================================  =====================================  ===============================
available, savings, committed     ``available``/``savings``/``committed``  bounds of ``budget[b,t]``
funding per realised unit         ``funding[b,t]``                        coefficients in ``budget[b,t]``
cost or one-off cost              ``direct[b,t]`` rebuilt                 coefficients in ``budget[b,t]``
scenario cost                     ``scenario_cost[s,b,t]``                coefficient of ``y[s]``
instrument bounds                 bounds of ``v[i,*]``, ``u[i,*]``         column bounds, big-M rows
maximum change                    ``max_change[i]``                       bounds of ``step_*[i,*]``
requirement level or share        ``requirement_level``, the row          bounds or coefficients
group size                        ``group_size[g,t]``                     bounds, big-M rows
fixed scenario                    bounds of ``y``                         column bounds
retention in a year, given volume ``stock[i,t]`` rebuilt, ``given[i,t]``   the row ``stock[i,t]``
chosen plan (reference)           ``deviation[i,*]`` rebuilt              bounds of ``deviation[i,t]``
spending caps (a comparison)      ``cap[b,t]``                            bounds of ``spending_cap[b,t]``
a reserve's start (in the data)   ``reserve_start[R]``                    bounds of ``reserve[R,t0]``
================================  =====================================  ===============================

Money and costs also sit in the measures (total cost, money per bearer); those
are compiled again when next read, and a phase's hold (:meth:`Session.hold`)
is a row HiGHS gets from the measure at each solve. Anything else (a new budget line, a cost
where the model has no term, another objective setting for integers) is
rebuilt from the data, and :attr:`Session.rebuilds` counts it, so a caller can
show that it happened. A test checks every kind of change against a fresh
build of the changed data.
"""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import fields, replace

import numpy as np

from models import allocation
from models.data import ProblemData, Requirement, inflow_bound
from models.highs import (
    INF,
    INFEASIBLE,
    INFEASIBLE_OR_UNBOUNDED,
    MAXIMIZE,
    MINIMIZE,
    UNBOUNDED,
    Block,
    CompiledModel,
    HighsModel,
    Solution,
    SolverOptions,
    TriviallyInfeasible,
    bounds_at,
)

UNSET = object()
"""Marks an argument that was not given (``None`` means: no bound)."""

CHEAPEST = "minimale_kosten"
LEAST_GEMEENTE_MONEY = "minimale_gemeentelijke_inzet"
LEAST_TOPUP = "minimale_aanvulling"
LEAST_CHANGE = "minimale_verandering"
MOST_RESERVE = "maximale_reserve"
FEASIBILITY = "haalbaarheid"
OBJECTIVES = {
    LEAST_TOPUP: ("topup", MINIMIZE),
    LEAST_CHANGE: ("change", MINIMIZE),
    MOST_RESERVE: ("reserve_end", MAXIMIZE),
    "participatie": ("participation", MAXIMIZE),
    "lexicografisch": ("participation", MAXIMIZE),
    "maatschappelijke_waarde": ("societal_value", MAXIMIZE),
    LEAST_GEMEENTE_MONEY: ("gemeente_spending", MINIMIZE),
    CHEAPEST: ("total_cost", MINIMIZE),
}
INSTRUMENT_BOUNDS = ("min_volume", "max_volume", "min_inflow", "max_inflow")


class Deadline:
    """The time left of a whole run, shared by its solves; ``clock`` is for tests (seconds, increasing)."""

    def __init__(self, seconds: float | None, clock=time.perf_counter):
        self.clock = clock
        self.seconds = seconds
        self.end = None if seconds is None else clock() + seconds

    def left(self) -> float | None:
        """Seconds left (at least a hundredth, so HiGHS gets to return its best), or ``None``."""
        return None if self.end is None else max(self.end - self.clock(), 0.01)

    def expired(self) -> bool:
        """True once the whole run's time is spent: optional work (tie-breaks) is then left out."""
        return self.end is not None and self.clock() >= self.end


def own_copy(data: ProblemData) -> ProblemData:
    """A copy whose tables the session may change without touching the caller's data."""
    return replace(data, instruments=dict(data.instruments), budgets=dict(data.budgets), cost=dict(data.cost),
                   once=dict(data.once), groups=dict(data.groups), requirements=list(data.requirements),
                   scenarios=dict(data.scenarios), friction=dict(data.friction), fixed_cost=dict(data.fixed_cost),
                   retention_by_year=dict(data.retention_by_year), given_volume=dict(data.given_volume))


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off within the block.

    A build and its compile make some 700,000 objects at 342 municipalities
    and no garbage cycles (none collected, measured); each collection in
    between walks the objects made so far, a fifth of the build's time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Session:
    """The allocation model for one data set, kept between solves.

    ``compiled`` and ``highs`` give the whole model: reading them adds the
    later phases' rows first (:meth:`complete`). Inside, ``_compiled`` and
    ``_highs`` are the model as it is, for the few steps that run before
    those rows are there (the first solve and what it needs).
    """

    def __init__(self, data: ProblemData, options: SolverOptions | None = None):
        self.options = options or SolverOptions()
        self.data = own_copy(data)
        self.rebuilds = 0
        self._reported_rebuilds = 0
        self._holds: dict[str, tuple[float, float]] = {}
        """Measure -> (lower, upper) that the following solves keep (see :meth:`hold`)."""
        self._build()

    # -- building --------------------------------------------------------------------
    def _build(self) -> None:
        self.trivially_infeasible = False
        self._scratch = None
        """The constraint :meth:`_row` builds rows in (one object, reused; none from a previous model)."""
        self._bounds: dict[tuple[str, object], tuple] = {}
        """Row ``(family, key)`` -> (row, lower, upper): its bound expressions, see :meth:`_push_bounds`."""
        self._later = False
        """True while the later phases' rows are still to be added (see :meth:`complete`)."""
        self._later_from: tuple[int, int] | None = None
        """Their first column and row, once added."""
        self._measures_stale = False
        self._objective: str | None = None
        """The objective HiGHS holds now."""
        self._cold_next = False
        with _collector_paused():
            self.model = allocation.build(self.data)
            try:
                self._compiled = CompiledModel(self.model, allocation.measures(self.model))
            except TriviallyInfeasible:
                self._infeasible()
                return
        self._highs = HighsModel(self._compiled, self.options)
        # HiGHS has the rows now; a row that changes is built again from its rule (:meth:`_row`)
        allocation.drop_rows(self.model)
        self._later = True

    def _infeasible(self) -> None:
        self.trivially_infeasible = True
        self._compiled = self._highs = None

    @property
    def compiled(self) -> CompiledModel | None:
        """The compiled model, whole: the later phases' rows are added first (see :meth:`complete`)."""
        self.complete()
        return self._compiled

    @property
    def highs(self) -> HighsModel | None:
        """The HiGHS instance, holding the whole model (see :meth:`complete`)."""
        self.complete()
        return self._highs

    def complete(self) -> None:
        """Add the rows only the later phases use (:data:`models.allocation.LATER_FAMILIES`) now.

        A session is built without them; its first solve adds them while
        HiGHS solves (see :meth:`_solve_beside_later`), and anything that
        reads or changes the model before that adds them first. They are
        built from the data and parameters as they are then, so a change
        made before counts in them too.
        """
        if self._later:
            self._add_later(self._later_block())

    def _later_block(self) -> Block | None:
        """The later phases' rows and columns in Pyomo, compiled apart (``None``: a row that cannot hold)."""
        before = set(self.model.component_map())
        with _collector_paused():
            try:
                allocation.add_later_phases(self.model, self.data)
                measures = allocation.measures(self.model)
                new = {name: expr for name, expr in measures.items() if name not in self._compiled.measures}
                return self._compiled.block(self.model, new, allocation.LATER_FAMILIES)
            except TriviallyInfeasible:
                return None
            except BaseException:  # a stop (Ctrl-C) halfway: the model as it was, so they can be added again
                for name in set(self.model.component_map()) - before:
                    self.model.del_component(name)
                raise

    def _add_later(self, block: Block | None, solution: Solution | None = None) -> Solution | None:
        """Give the compiled model and HiGHS the later rows; ``solution``: see :meth:`HighsModel.add_block`."""
        self._later = False
        if block is None:
            self._infeasible()
            return None
        self._highs.set_extra_rows([])  # the holds' rows come after the compiled ones: added again at each solve
        self._later_from = (block.first_col, block.first_row)
        self._compiled.add(block)
        whole = self._highs.add_block(block, solution)
        allocation.drop_rows(self.model)
        if self._objective is not None and self._objective != FEASIBILITY:
            vector, _ = self._compiled.measures[OBJECTIVES[self._objective][0]]
            if vector[block.first_col:].any():  # HiGHS gave the new columns no cost
                self._objective = None
        return whole

    def rebuild(self) -> None:
        """Build everything again from the session's data (a change the session cannot make in place)."""
        self.rebuilds += 1
        self._build()

    def rebuilt_since_last_asked(self) -> bool:
        """True when the model was built again since the previous call: each result says so once."""
        rebuilt = self.rebuilds > self._reported_rebuilds
        self._reported_rebuilds = self.rebuilds
        return rebuilt

    @property
    def is_mip(self) -> bool:
        """True when the model has integer or binary variables."""
        return self._compiled is not None and bool(self._compiled.integer.any())

    # -- reading -----------------------------------------------------------------------
    def measure(self, name: str, x: np.ndarray) -> float:
        """A measure (participation, total_cost, money_gemeente, ...) at column values ``x``."""
        self._refresh_measures()
        return self.compiled.measure(name, x)

    def _refresh_measures(self) -> None:
        """Compile the measures again when a cost or committed money in them changed."""
        if self._measures_stale:
            self._compiled.recompile_measures(allocation.measures(self.model))
            self._measures_stale = False
            self._objective = None

    # -- solving ------------------------------------------------------------------------
    def solve(self, objective: str, deadline: Deadline | None = None, prices: bool = False,
              warm: bool = True, duals: bool = False) -> Solution:
        """One solve with ``objective`` (a key of :data:`OBJECTIVES`, or :data:`FEASIBILITY`).

        ``prices`` asks for duals and ranging, ``duals`` for the duals alone
        (an optimal LP's; see :meth:`restrict_to_face`).

        ``warm=False`` starts without the previous basis, so HiGHS presolves:
        faster after a change of objective or a new coupling row than a warm
        start from a basis that is far from the new optimum (measured).
        """
        warm, self._cold_next = warm and not self._cold_next, False
        if self._later:
            if self._may_solve_beside(objective):
                return self._solve_beside_later(objective, deadline, prices, warm, duals)
            self.complete()
        if self.trivially_infeasible:
            return Solution(status=INFEASIBLE, has_solution=False)
        self._set_objective(objective)
        self._sync_holds()
        return self._solve_now(deadline, prices, warm, duals)

    def _solve_now(self, deadline: Deadline | None, prices: bool, warm: bool, duals: bool) -> Solution:
        solution = self.highs.solve((deadline or Deadline(None)).left(), prices=prices, warm=warm, duals=duals)
        if solution.status == INFEASIBLE_OR_UNBOUNDED:
            solution.status = self._infeasible_or_unbounded(deadline)
        return solution

    def _may_solve_beside(self, objective: str) -> bool:
        """Whether a solve may run while the later rows are built (see :meth:`_solve_beside_later`).

        Not for a MIP (a basis of its relaxation says nothing of the rows
        added after), with holds (their rows come after the compiled ones,
        where the later rows go), on the optimal face (lifting it restores
        the whole model's bounds), nor for the least change (its measure is
        in the later rows).
        """
        return not (self.is_mip or self._holds or self._highs.face or objective == LEAST_CHANGE)

    def _solve_beside_later(self, objective: str, deadline: Deadline | None, prices: bool, warm: bool,
                            duals: bool) -> Solution:
        """Solve the model without the later rows while they are built and compiled here; then add them.

        HiGHS lets go of Python's lock while it solves, so both run at once
        on two cores: at 342 municipalities the later rows take some 2 s to
        build and compile, the solve 3 to 4 s. The later rows bound nothing
        of the model without them (a spending cap is free until a comparison
        sets it; a change column of its own mends each deviation row), so
        its plan, extended to them, is the whole model's, an optimum stays
        optimal (see :meth:`HighsModel.add_block`), and without them there
        is a plan exactly when there is one with them.
        """
        self._set_objective(objective)
        with ThreadPoolExecutor(max_workers=1) as pool:
            running = pool.submit(self._highs.solve, (deadline or Deadline(None)).left(), prices=prices, warm=warm,
                                  duals=duals)
            block = self._later_block()
            first = running.result()
        whole = self._add_later(block, first if first.has_solution else None)
        if self.trivially_infeasible:
            return Solution(status=INFEASIBLE, has_solution=False)
        if whole is not None:
            return whole
        if first.status in (INFEASIBLE, UNBOUNDED, INFEASIBLE_OR_UNBOUNDED):
            if first.status == INFEASIBLE_OR_UNBOUNDED:
                first.status = self._infeasible_or_unbounded(deadline)
            return first
        return self._solve_now(deadline, prices, True, duals)  # from the extended basis, or what HiGHS kept

    def _set_objective(self, objective: str) -> None:
        """Give HiGHS the objective's cost vector, unless it has it already (a batch keeps one objective)."""
        self._refresh_measures()
        if objective == self._objective:
            return
        if objective == FEASIBILITY:
            self._highs.set_objective(np.zeros(self._compiled.num_col), 0.0, MINIMIZE)
        else:
            name, sense = OBJECTIVES[objective]
            self._highs.set_objective(*self._compiled.measures[name], sense)
        self._objective = objective

    def _infeasible_or_unbounded(self, deadline: Deadline | None) -> str:
        """HiGHS may say 'infeasible or unbounded'; a zero objective tells which."""
        self._set_objective(FEASIBILITY)
        check = self.highs.solve((deadline or Deadline(None)).left())
        return UNBOUNDED if check.has_solution else INFEASIBLE

    def write_model(self, path, objective: str | None = None) -> None:
        """Write the model as HiGHS receives it (``.lp`` or ``.mps`` by the extension), with the objective set."""
        if self.trivially_infeasible:
            raise ValueError("the model has a constraint without variables that cannot hold; nothing to write")
        self.complete()  # the whole model, as the run solves it
        self._set_objective(objective or self.data.settings.objective)
        self.highs.write(path)

    def set_floor(self, floor: float | None) -> None:
        """``participation >= floor``; ``None`` removes the floor."""
        self.model.floor = -INF if floor is None else floor
        self._push_bounds("participation_floor", None)

    def hold(self, measure: str, lower: float | None = None, upper: float | None = None) -> None:
        """``lower <= measure <= upper`` in the following solves (``None``: no bound), until :meth:`release`.

        A measure is any of :func:`models.allocation.measures`; the row is
        added to HiGHS from its compiled vector at each solve (so it follows
        a changed cost) and is not part of the Pyomo model.
        """
        self._holds[measure] = (-INF if lower is None else float(lower), INF if upper is None else float(upper))

    def restrict_to_face(self, solution: Solution) -> None:
        """Only plans as good as ``solution`` (an optimal LP solve with duals) on its objective, until :meth:`release`.

        The later phases then solve over the optimal face alone (see
        :meth:`models.highs.HighsModel.restrict_to_face`): at 100
        municipalities each phase took a third of the time it took with
        only a hold row, and none gives up anything of an earlier phase.
        """
        self.highs.restrict_to_face(solution)

    def release(self) -> None:
        """Remove every bound :meth:`hold` and :meth:`restrict_to_face` set (from HiGHS too)."""
        self._holds.clear()
        if self._highs is not None:
            self._highs.set_extra_rows([])
            self._highs.lift_face()

    def _sync_holds(self) -> None:
        rows = []
        for measure, (lower, upper) in self._holds.items():
            vector, offset = self._compiled.measures[measure]
            rows.append((vector, lower - offset, upper - offset))
        self._highs.set_extra_rows(rows)

    def cap_spending(self, caps: dict[tuple[str, int], float] | None) -> None:
        """At most ``caps[b,t]`` used from line ``b`` in year ``t`` (cost, top-ups paid, committed); None: no caps."""
        self.complete()  # the caps are rows of the later phases
        m = self.model
        for key in m.BT:
            m.cap[key] = INF if caps is None else float(caps.get(key, INF))
        if caps is None:  # ``used <= inf``: free rows, nothing to evaluate (0,4 s at 342 municipalities)
            self.highs.set_rows_bounds(np.fromiter(self.compiled.rows.positions("spending_cap").values(), np.int32),
                                       -INF, INF)
        else:
            for key in m.BT:
                self._push_if_row("spending_cap", key)
        self.start_cold()  # a bound on every line at once: measured 25 s warm against 4 s cold at 342 municipalities

    def _push_if_row(self, family: str, key) -> None:
        """Push the bounds of a row of ``family`` that exists (a line nothing touches has none)."""
        if self.compiled is not None and (family, key) in self.compiled.rows:
            self._push_bounds(family, key)

    def prices_at(self, x: np.ndarray, objective: str, deadline: Deadline | None = None) -> Solution | None:
        """Duals, reduced costs and ranges of the LP with every integer fixed at its value in ``x``.

        For a MIP these are conditional prices: they hold for that choice of
        integers and scenario. The later phases' rows are set aside meanwhile
        (the first solve of an LP is priced without them too): they bound
        nothing the objective prices, but a change column in the basis ends a
        range where it reaches 0, long before the price changes (measured on
        the example with continuous volumes: Participatiebudget 2021 up by
        69.177,5 where the price holds to 429.177,5). The model is restored
        afterwards.
        """
        self.complete()
        later_rows = np.arange(self._later_from[1], self._compiled.num_row, dtype=np.int32)
        with self.integers_fixed(x), self._aside(later_rows):
            solution = self.solve(objective, deadline, prices=True)
        return solution if solution.row_dual is not None else None

    def change_aside(self):
        """Within the block the change against a reference is out of the model: its columns at 0, its rows free.

        Only the least-change tie-break uses it. A solve that neither
        minimises nor reads it is faster without: the best plan for the
        chosen plan's money at 342 municipalities took 60.840 simplex
        iterations (3,1 to 4,2 s) with it and 27.402 (1,7 to 2,2 s) without,
        to the same optimum. :meth:`release` brings it back too.
        """
        self.complete()
        if self._compiled is None:  # trivially infeasible: nothing to set aside
            return nullcontext()
        return self._aside(np.fromiter(self._compiled.rows.positions("deviation").values(), dtype=np.int32))

    @contextmanager
    def _aside(self, rows: np.ndarray):
        """Within the block the later phases' columns (the change columns) at 0 and ``rows`` free."""
        self._highs.set_aside(np.arange(self._later_from[0], self._compiled.num_col, dtype=np.int32), rows)
        try:
            yield
        finally:
            self._highs.lift_face()

    @contextmanager
    def integers_fixed(self, x: np.ndarray):
        """Within the block the model is the LP with every integer column fixed at its value in ``x``."""
        integer = self.highs.integer.copy()
        cols = np.flatnonzero(integer)
        for j in cols:
            value = round(float(x[j]))
            self.highs.set_col_bounds(j, value, value)
        self.highs.set_integrality(np.zeros_like(integer))
        try:
            yield
        finally:
            self.highs.set_integrality(integer)
            for j in cols:
                self._push_col_bounds(self.compiled.columns[j])

    def solve_vector(self, vector: np.ndarray, sense: str, deadline: Deadline | None = None) -> Solution:
        """One solve with an objective of the caller's (a cost per column), e.g. one instrument's total volume."""
        if self.trivially_infeasible:
            return Solution(status=INFEASIBLE, has_solution=False)
        self._refresh_measures()
        self.highs.set_objective(vector, 0.0, sense)
        self._objective = None
        return self.highs.solve((deadline or Deadline(None)).left())

    def start_cold(self) -> None:
        """Let the next solve start without the basis (after a change to many rows or columns, when presolve pays)."""
        self._cold_next = True

    def forget_objective(self) -> None:
        """The caller gave HiGHS another objective: set ours again at the next solve."""
        self._objective = None

    # -- in-place changes ---------------------------------------------------------------
    def _row(self, family: str, key):
        """The compiled row ``(family, key)`` and its constraint, built again from the family's rule.

        ``(None, None)`` when either is missing (a row without variables, or
        no compiled model): only a rebuild can follow the change then.
        """
        row = self.compiled.rows.get((family, key)) if self.compiled else None
        con = allocation.row_constraint(self.model, family, key, self._scratch) if row is not None else None
        if con is None:
            return None, None
        self._scratch = con  # one constraint object for every row built again
        return row, con

    def _push_bounds(self, family: str, key) -> None:
        """Bounds of one row, from its rule at the parameters' current values.

        The row's bound expressions are kept from the first push when they
        hold parameters, so the next push of the same row evaluates them
        without building the row again: a batch of what-ifs changes the same
        lines over and over, and building a budget row took as long as half a
        warm re-solve of one gemeente (measured). A bound that is a plain
        number came from the data (the chosen plan's volume in ``deviation``)
        and is not kept; :meth:`_push_row` forgets what was kept.
        """
        bounds = self._bounds.get((family, key))
        if bounds is None:
            row, con = self._row(family, key)
            if row is None:
                self.rebuild()
                return
            lower, _, upper = con.to_bounded_expression()
            bounds = (row, lower, upper)
            if not (_number(lower) or _number(upper)):  # a plain number came from the data, not a parameter
                self._bounds[family, key] = bounds
        self.highs.set_row_bounds(bounds[0], *bounds_at(self.compiled, *bounds))

    def _push_row(self, family: str, key) -> None:
        """Coefficients and bounds of one row, from its rule at the data's and parameters' current values."""
        row, con = self._row(family, key)
        if row is None:
            self.rebuild()
            return
        new, constant = self.compiled.linear(con.body)
        for col in self.highs.row_entries(row).keys() - new.keys():
            self.highs.set_coefficient(row, col, 0.0)
        for col, coef in new.items():
            self.highs.set_coefficient(row, col, coef)
        self.compiled.offset[row] = constant
        lower, _, upper = con.to_bounded_expression()
        self._bounds.pop((family, key), None)  # built again: the next push of its bounds starts from the rule
        self.highs.set_row_bounds(row, *bounds_at(self.compiled, row, lower, upper))

    def _push_col_bounds(self, var) -> None:
        col = self.compiled.col(var) if self.compiled else None
        if col is not None:
            self.highs.set_col_bounds(col, var.lb, var.ub)

    def _built(self) -> bool:
        """False (after rebuilding) when there is no compiled model to change."""
        if self._compiled is None:
            self.rebuild()
            return False
        return True

    def change_budget(self, line: str, year: int, *, available=UNSET, savings_target=UNSET, committed=UNSET,
                      funding_per_unit=UNSET) -> None:
        """Change the money of one budget line in one year (funding per unit only where the line has funding)."""
        key = (line, year)
        changes = {k: float(v) for k, v in (("available", available), ("savings_target", savings_target),
                                            ("committed", committed), ("funding_per_unit", funding_per_unit))
                   if v is not UNSET}
        self.data.budgets[key] = replace(self._budget(key), **changes)
        if not self._built():
            return
        m = self.model
        for name, param in (("available", m.available), ("savings_target", m.savings), ("committed", m.committed)):
            if name in changes:
                param[key] = changes[name]
        if "committed" in changes:
            self._measures_stale = True
            self._push_if_row("spending_cap", key)
        if "funding_per_unit" in changes:
            if key not in m.FUNDED:  # no funding term in the row yet
                self.rebuild()
                return
            m.funding[key] = changes["funding_per_unit"]
            self._push_row("budget", key)
            return
        self._push_bounds("budget", key)

    def change_cost(self, instrument: str, line: str, year: int, *, cost=UNSET, once=UNSET) -> None:
        """Change the yearly cost per unit and/or the one-off cost per inflow of an instrument on a line."""
        key = (instrument, line, year)
        self._budget((line, year))
        if cost is not UNSET:
            self.data.cost[key] = float(cost)
        if once is not UNSET:
            self.data.once[key] = float(once)
        if not self._built():
            return
        m = self.model
        if instrument not in m.links.terms.get((line, year), ()):  # no term in the row yet
            self.rebuild()
            return
        m.direct[line, year].set_value(allocation.direct_cost_rule(m, line, year))  # the costs are constants in it
        self._measures_stale = True
        self._push_row("budget", (line, year))
        self._push_row("spending_cap", (line, year))

    def change_scenario_cost(self, scenario: str, line: str, year: int, *, friction=UNSET, fixed=UNSET) -> None:
        """Change the friction and/or fixed cost a scenario puts on a line in a year."""
        key = (scenario, line, year)
        if friction is not UNSET:
            self.data.friction[key] = float(friction)
        if fixed is not UNSET:
            self.data.fixed_cost[key] = float(fixed)
        if not self._built():
            return
        m = self.model
        if key not in m.SCENARIO_COST or (line, year) not in m.BT:
            self.rebuild()
            return
        m.scenario_cost[key] = self.data.scenario_cost(*key)
        self._measures_stale = True
        self._push_row("budget", (line, year))
        self._push_row("spending_cap", (line, year))

    def change_instrument(self, instrument: str, **bounds) -> None:
        """Change bounds of an instrument (``None`` removes a bound).

        Any of ``min_volume``, ``max_volume``, ``min_inflow``, ``max_inflow`` and ``max_change``.
        """
        unknown = set(bounds) - {*INSTRUMENT_BOUNDS, "max_change"}
        if unknown:
            raise ValueError(f"not an instrument bound: {', '.join(sorted(unknown))}")
        old = self._instrument(instrument)
        self.data.instruments[instrument] = replace(old, **bounds)
        if not self._built():
            return
        m, data = self.model, self.data
        if "max_change" in bounds and (old.max_change is None) != (bounds["max_change"] is None):
            self.rebuild()  # step rows appear or disappear
            return
        for t in m.T:
            allocation.set_instrument_bounds(m, data, instrument, t)
            self._push_col_bounds(m.v[instrument, t])
            self._push_col_bounds(m.u[instrument, t])
        if bounds.get("max_change") is not None:
            m.max_change[instrument] = bounds["max_change"]
            for t in m.T:
                self._push_bounds("step_up", (instrument, t))
                self._push_bounds("step_down", (instrument, t))
        self._refresh_big_m([(instrument, t) for t in m.T])

    def change_run_off(self, instrument: str, year: int, *, retention=UNSET, volume=UNSET) -> None:
        """Change an instrument's retention in one year or its given volume (``None`` removes either).

        A year that gains or loses its given volume changes the form of its stock row: rebuilt.
        """
        key = (instrument, year)
        self._instrument(instrument)
        given_before = key in self.data.given_volume
        for table, value in ((self.data.retention_by_year, retention), (self.data.given_volume, volume)):
            if value is None:
                table.pop(key, None)
            elif value is not UNSET:
                table[key] = float(value)
        if not self._built():
            return
        m = self.model
        if (key in self.data.given_volume) != given_before:
            self.rebuild()
            return
        if key in m.GIVEN:
            m.given[key] = self.data.given_volume[key]
        self._push_row("stock", key)  # the retention is a constant in the row

    def change_requirement(self, name: str, year: int | str | None, level: float) -> None:
        """Change the level of a requirement (a share in percent, as the workbook has it)."""
        key = (name, "totaal" if year is None else year)
        m = self.model
        req = self._requirement(key)
        if req.kind == "aandeel":
            share = float(level) / 100
            terms = tuple((i, (1.0 if i in req.share_part else 0.0) - share) for i in req.share_base)
            new = replace(req, share=share, terms=terms)
        else:
            new = replace(req, rhs=float(level))
        self.data.requirements[self.data.requirements.index(req)] = new
        if not self._built():
            return
        m.links.requirements[key] = new
        m.requirement_level[key] = new.rhs
        if req.kind == "aandeel":
            self._push_row("requirement", key)
        else:
            self._push_bounds("requirement", key)

    def change_group(self, group: str, year: int, size: float) -> None:
        """Change the size of a target group in a year."""
        key = (group, year)
        if key not in self.data.groups:
            raise KeyError(f"no group {group!r} in {year}")
        self.data.groups[key] = replace(self.data.groups[key], size=float(size))
        if not self._built():
            return
        m = self.model
        if key not in m.GT:
            self.rebuild()
            return
        m.group_size[key] = float(size)
        self._push_bounds("group_capacity", key)
        self._refresh_big_m([(i, year) for i in m.links.members.get(group, ())])

    def fix_scenario(self, scenario: str | None) -> None:
        """Fix the organisational scenario (``None``: the model chooses)."""
        if scenario is not None and scenario not in self.data.scenarios:
            raise KeyError(f"no scenario {scenario!r}")
        for name, sc in self.data.scenarios.items():
            self.data.scenarios[name] = replace(sc, fixed=name == scenario)
        if not self._built():
            return
        allocation.fix_scenario(self.model, scenario)
        for s in self.model.S:
            self._push_col_bounds(self.model.y[s])

    def set_reference(self, plan: dict[tuple[str, int], float]) -> None:
        """A new chosen plan: the reference the last tie-break measures change against."""
        self.data.chosen_plan = dict(plan)
        if not self._built():
            return
        m = self.model
        for i in m.I:
            for t in m.T:  # the reference is a constant in each row
                self._push_bounds("deviation", (i, t))

    def _refresh_big_m(self, keys) -> None:
        """Rows ``u <= M * sum y`` whose ``M`` follows bounds and group sizes."""
        m = self.model
        for key in keys:
            if self.data.scenarios and key in m.RESTRICTED:
                if not np.isfinite(inflow_bound(self.data, *key)):
                    raise ValueError(f"{key[0]!r} is restricted by a scenario and needs an upper bound")
                self._push_row("scenario_allows", key)

    def _budget(self, key):
        if key not in self.data.budgets:
            raise KeyError(f"no budget line {key[0]!r} in {key[1]}")
        return self.data.budgets[key]

    def _instrument(self, name: str):
        if name not in self.data.instruments:
            raise KeyError(f"no instrument {name!r}")
        return self.data.instruments[name]

    def _requirement(self, key) -> Requirement:
        found = next((r for r in self.data.requirements if allocation.requirement_key(r) == key), None)
        if found is None:
            raise KeyError(f"no requirement {key[0]!r} for {key[1]}")
        return found

    # -- whole data ---------------------------------------------------------------------
    def update(self, data: ProblemData) -> None:
        """Make the session's data equal to ``data``: in place where it can, by a rebuild where it cannot."""
        if not self._apply_in_place(data):
            self.data = own_copy(data)
            self.rebuild()

    def _apply_in_place(self, new: ProblemData) -> bool:
        old = self.data
        same_settings = replace(old.settings, objective=new.settings.objective, time_limit=new.settings.time_limit,
                                chosen_scenario=new.settings.chosen_scenario,
                                lexicographic_tolerance=new.settings.lexicographic_tolerance)
        if (same_settings != new.settings or old.instruments.keys() != new.instruments.keys()
                or old.budgets.keys() != new.budgets.keys() or old.groups.keys() != new.groups.keys()
                or old.scenarios.keys() != new.scenarios.keys() or old.reserves != new.reserves
                or [allocation.requirement_key(r) for r in old.requirements]
                != [allocation.requirement_key(r) for r in new.requirements]):
            return False
        changes = []
        for name, inst in new.instruments.items():
            diff = _diff(old.instruments[name], inst)
            if diff - {*INSTRUMENT_BOUNDS, "max_change"}:
                return False
            if diff:
                changes.append(lambda n=name, i=inst, d=diff: self.change_instrument(n, **{k: getattr(i, k)
                                                                                           for k in d}))
        if old.given_volume.keys() != new.given_volume.keys():
            return False
        for key in new.retention_by_year.keys() | old.retention_by_year.keys():
            if new.retention_by_year.get(key) != old.retention_by_year.get(key):
                changes.append(lambda k=key: self.change_run_off(*k, retention=new.retention_by_year.get(k)))
        for key, value in new.given_volume.items():
            if value != old.given_volume[key]:
                changes.append(lambda k=key, v=value: self.change_run_off(*k, volume=v))
        for key, budget in new.budgets.items():
            diff = _diff(old.budgets[key], budget)
            if diff - {"available", "savings_target", "committed", "funding_per_unit"}:
                return False
            if diff:
                changes.append(lambda k=key, b=budget, d=diff: self.change_budget(*k, **{f: getattr(b, f)
                                                                                         for f in d}))
        for key in (new.cost.keys() | new.once.keys() | old.cost.keys() | old.once.keys()):
            cost, once = new.cost.get(key, 0.0), new.once.get(key, 0.0)
            if (cost, once) != (old.cost.get(key, 0.0), old.once.get(key, 0.0)):
                changes.append(lambda k=key, c=cost, o=once: self.change_cost(*k, cost=c, once=o))
        for key in new.friction.keys() | new.fixed_cost.keys() | old.friction.keys() | old.fixed_cost.keys():
            if new.scenario_cost(*key) != old.scenario_cost(*key):
                changes.append(lambda k=key: self.change_scenario_cost(
                    *k, friction=new.friction.get(k, 0.0), fixed=new.fixed_cost.get(k, 0.0)))
        for key, group in new.groups.items():
            diff = _diff(old.groups[key], group)
            if diff - {"size"}:
                return False
            if diff:
                changes.append(lambda k=key, g=group: self.change_group(*k, g.size))
        for before, after in zip(old.requirements, new.requirements, strict=True):
            diff = _diff(before, after)
            level = "share" if before.kind == "aandeel" else "rhs"
            allowed = {"share", "terms"} if level == "share" else {"rhs"}
            if diff - allowed:
                return False
            if diff:
                value = after.share * 100 if level == "share" else after.rhs
                changes.append(lambda r=after, v=value: self.change_requirement(r.name, r.year, v))
        old_fixed = next((s for s, sc in old.scenarios.items() if sc.fixed), None)
        new_fixed = next((s for s, sc in new.scenarios.items() if sc.fixed), None)
        if any(_diff(old.scenarios[s], sc) - {"fixed"} for s, sc in new.scenarios.items()):
            return False
        if old_fixed != new_fixed:
            changes.append(lambda: self.fix_scenario(new_fixed))
        if bool(old.chosen_plan) != bool(new.chosen_plan):
            return False  # the change is measured against another reference: other rows
        if old.chosen_plan != new.chosen_plan:
            changes.append(lambda: self.set_reference(new.chosen_plan))
        for change in changes:
            change()
        self.data.settings = new.settings
        return True


def _number(bound) -> bool:
    """True for a bound that is a plain number: no parameter in it, so kept it would not follow a change."""
    return isinstance(bound, (int, float))


def _diff(a, b) -> set[str]:
    """Names of the dataclass fields in which ``a`` and ``b`` differ."""
    return {f.name for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)}
