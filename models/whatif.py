"""What-if runs on a session: input numbers changed in place, solved warm, compared with the base.

A what-if (:mod:`models.changes`) expands into concrete settings, one input
number each with its base value, which :func:`apply` hands to the session's
change methods; reverting applies the base values. So a batch re-uses one model and HiGHS's warm start throughout.

:func:`run_batch` solves every what-if against the base and keeps a light
:class:`Outcome` of each (status, objective, totals, money per budget line,
what binds, volumes that differ from the base), read from the solver's arrays
without building full result tables, so that a batch costs little more than
the solves themselves. :func:`sweep` re-solves one change over a range of
values and marks where the plan changes character. Nothing here is Dutch:
the report (``optimiser/whatif_report.py``) words it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from models.changes import BOUND_FIELDS, Change, Setting, WhatIf, expand, settings_of
from models.data import ProblemData
from models.diagnose import explain_infeasibility
from models.highs import INF, INFEASIBLE, OPTIMAL, TIME_LIMIT, Solution
from models.session import LEAST_GEMEENTE_MONEY, Deadline, Session, own_copy
from models.solve import break_ties

WATCHED = ("budget", "requirement", "group_capacity", "step_up", "step_down", "scenario_allows")
"""Constraint families whose binding a comparison reports."""
BOUNDED = ("v", "u", "topup")
"""Variables whose bounds a comparison reports when they bind."""
TOLERANCE = 1e-6


def apply(session: Session, settings: Iterable[Setting], back: bool = False) -> None:
    """Set each number on the session (``back``: return each to its base value, in reverse order)."""
    for s in (reversed(list(settings)) if back else settings):
        value = s.old if back else s.value
        if s.kind == "budget":
            session.change_budget(*s.key, **{s.field: value})
        elif s.kind == "cost":
            session.change_cost(*s.key, **{s.field: value})
        elif s.kind == "instrument" and s.field in BOUND_FIELDS:
            session.change_instrument(s.key, **{s.field: value})
        elif s.kind == "instrument":
            data = session.data
            changed = replace(data.instruments[s.key], **{s.field: value})
            session.update(replace(data, instruments={**data.instruments, s.key: changed}))
        elif s.kind == "group":
            session.change_group(*s.key, value)
        elif s.kind == "requirement":
            session.change_requirement(s.key[0], s.key[1], value)
        elif s.kind == "scenario_cost":
            session.change_scenario_cost(*s.key, **{s.field: value})
        else:
            session.fix_scenario(value)


def solve_plain(session: Session, objective: str, deadline: Deadline | None = None,
                tie_breaks: bool = False) -> Solution:
    """One solve for ``objective`` without prices or tables; the lexicographic one in its two phases.

    With ``tie_breaks`` a proven optimum is followed by the tie-break phases
    of :func:`models.solve.break_ties`, as a run's own plan is: the plan
    returned is theirs, its status and objective the objective's own.
    """
    deadline = deadline or Deadline(None)
    lexicographic = objective == "lexicografisch"
    duals = tie_breaks and not session.is_mip  # an LP's tie-breaks solve over the optimal face its duals give
    decisive = session.solve(objective, deadline, duals=duals)
    last = objective
    try:
        if lexicographic and decisive.has_solution:
            best = decisive.objective
            session.set_floor(best - session.data.settings.lexicographic_tolerance * max(abs(best), 1.0))
            second = session.solve(LEAST_GEMEENTE_MONEY, deadline, duals=duals)
            if second.has_solution:
                decisive, last = second, LEAST_GEMEENTE_MONEY
        if not (tie_breaks and decisive.status == OPTIMAL):
            return decisive
        final = break_ties(session, last, decisive, [], deadline,
                           done=(LEAST_GEMEENTE_MONEY,) if last == LEAST_GEMEENTE_MONEY else ())
        return replace(final, status=decisive.status, objective=decisive.objective)
    finally:
        if lexicographic:
            session.set_floor(None)
        if tie_breaks:
            session.release()


class Reader:
    """Index arrays of one compiled model, so that a solution is summarised with a few vector operations."""

    def __init__(self, session: Session, base: ProblemData | None = None):
        compiled, data = session.compiled, session.data
        base = base or data
        self.compiled = compiled
        self.budget_keys = list(data.budgets)
        self.budget_index = {key: k for k, key in enumerate(self.budget_keys)}
        self.committed = np.array([base.budgets[key].committed for key in self.budget_keys])
        """Committed money in the base; a what-if's own changes of it are laid over (:meth:`money`)."""
        self.lines = data.lines
        line_index = {b: k for k, b in enumerate(self.lines)}
        self.line_of = np.array([line_index[b] for b, _ in self.budget_keys], dtype=np.int64)
        position = {key: k for k, key in enumerate(self.budget_keys)}
        self.budget_rows = self._rows("budget", self.budget_keys)
        self.surplus_cols = self._cols("surplus", self.budget_keys)
        self.topup_cols = self._cols("topup", self.budget_keys)
        # received[k] = surplus of the lines that hand theirs to line k
        self.givers = np.array([k for k, key in enumerate(self.budget_keys) if data.budgets[key].surplus_to], dtype=int)
        self.takers = np.array([position[data.budgets[key].surplus_to, key[1]] for key in
                                (self.budget_keys[k] for k in self.givers)], dtype=int)
        watched = [r for r, key in enumerate(compiled.row_keys) if key[0] in WATCHED]
        self.watched_rows = np.array(watched, dtype=np.int32)
        self.row_labels = [compiled.row_keys[r] for r in watched]
        bounded = [j for j, key in enumerate(compiled.cols) if key[0] in BOUNDED]
        self.bounded_cols = np.array(bounded, dtype=np.int32)
        keys = list(compiled.cols)
        self.col_labels = [keys[j] for j in bounded]
        self.v_keys = [key[1] for key in keys if key[0] == "v"]
        self.v_index = {key: k for k, key in enumerate(self.v_keys)}
        self.v_cols = np.array([compiled.cols[("v", k)] for k in self.v_keys], dtype=np.int64)

    def _rows(self, family: str, keys: list) -> np.ndarray:
        return np.array([self.compiled.rows.get((family, k), -1) for k in keys], dtype=np.int64)

    def _cols(self, name: str, keys: list) -> np.ndarray:
        return np.array([self.compiled.cols.get((name, k), -1) for k in keys], dtype=np.int64)

    @staticmethod
    def _take(values: np.ndarray, index: np.ndarray) -> np.ndarray:
        out = np.zeros(len(index))
        present = index >= 0
        out[present] = values[index[present]]
        return out

    def money(self, solution: Solution, settings: Iterable[Setting] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Money used and top-up per (line, year), in the order of ``budget_keys`` (as ``tables.budget_table``).

        ``settings`` are the numbers set on the base (a what-if): committed money among them counts.
        """
        body = self._take(solution.activity + self.compiled.offset, self.budget_rows)
        surplus = self._take(solution.x, self.surplus_cols)
        topup = self._take(solution.x, self.topup_cols)
        received = np.zeros(len(self.budget_keys))
        np.add.at(received, self.takers, surplus[self.givers])
        committed = self.committed
        changed = [s for s in settings if s.kind == "budget" and s.field == "committed"]
        if changed:
            committed = committed.copy()
            for s in changed:  # in order: a later setting of one number wins, as on the session
                committed[self.budget_index[s.key]] = s.value
        return body - surplus + topup + received + committed, topup

    def binding(self, session: Session, solution: Solution) -> frozenset:
        """Labels of the watched rows and bounded columns that are at an inequality bound."""
        return self.labels(*self.at_bounds(session, solution))

    def at_bounds(self, session: Session, solution: Solution) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``watched_rows`` and ``bounded_cols`` at an inequality bound (:meth:`labels` names them)."""
        highs = session.highs
        lower, upper = highs.row_bounds(self.watched_rows)
        rows = np.flatnonzero(_at_bound(solution.activity[self.watched_rows], lower, upper))
        lower, upper = highs.col_bounds(self.bounded_cols)
        values = solution.x[self.bounded_cols]
        lower = np.where(lower > 0, lower, -INF)  # a lower bound of 0 is no rule
        cols = np.flatnonzero(_at_bound(values, lower, upper))
        return rows, cols

    def labels(self, rows: np.ndarray, cols: np.ndarray) -> frozenset:
        """``(family, index)`` of rows and ``("bound_v", index)`` of columns found by :meth:`at_bounds`."""
        labels = {self.row_labels[k] for k in rows}
        labels |= {("bound_" + self.col_labels[k][0], self.col_labels[k][1]) for k in cols}
        return frozenset(labels)

    def volumes(self, solution: Solution) -> np.ndarray:
        """``v`` in the order of ``v_keys``."""
        return solution.x[self.v_cols]


class ArrayMap(Mapping):
    """A read-only dict over an array and a shared key-to-position map: a batch keeps 1,000 of them cheaply."""

    def __init__(self, index: dict, values: np.ndarray):
        self.index, self.values = index, values

    def __getitem__(self, key) -> float:
        return float(self.values[self.index[key]])

    def __iter__(self) -> Iterator:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def __repr__(self) -> str:
        return repr(dict(self))


def _at_bound(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """At a bound of an inequality (equalities always hold and say nothing about what binds)."""
    inequality = lower < upper
    near_upper = (upper < INF) & (upper - value <= TOLERANCE * np.maximum(1.0, np.abs(upper)))
    near_lower = (lower > -INF) & (value - lower <= TOLERANCE * np.maximum(1.0, np.abs(lower)))
    return inequality & (near_upper | near_lower)


@dataclass
class Outcome:
    """One solve of the base or a what-if, summarised."""

    name: str
    status: str
    objective: float | None = None
    totals: dict[str, float] = field(default_factory=dict)
    used: Mapping[tuple[str, int], float] = field(default_factory=dict)
    """Money used per (line, year)."""
    topup: Mapping[tuple[str, int], float] = field(default_factory=dict)
    volumes: Mapping[tuple[str, int], float] = field(default_factory=dict)
    scenario: str | None = None
    settings: list[Setting] = field(default_factory=list)
    infeasibility: pd.DataFrame | None = None
    """For an infeasible what-if: the smallest relaxation (:func:`models.diagnose.explain_infeasibility`)."""
    conflict: pd.DataFrame | None = None
    """For an infeasible what-if: the rules that cannot hold together (HiGHS's IIS)."""
    rebuilt: bool = False
    seconds: float = 0.0
    found: tuple | None = field(default=None, repr=False)
    """``(reader, rows, columns)`` at a bound, named when :attr:`binding` is first asked (most never are)."""

    @property
    def binding(self) -> frozenset:
        """``(family, index)`` of each rule at its bound; ``("bound_v", (i, t))`` for a variable's bound."""
        if self.found is None:
            return frozenset()
        if len(self.found) == 3:
            reader, rows, cols = self.found
            self.found = (reader.labels(rows, cols),)
        return self.found[0]

    def relaxation(self) -> list[dict]:
        """The smallest relaxation as records (empty when feasible or not explained)."""
        return [] if self.infeasibility is None else self.infeasibility.to_dict("records")

    @property
    def has_plan(self) -> bool:
        """An optimal plan, or the best one within the time limit."""
        return self.status == OPTIMAL or (self.status == TIME_LIMIT and bool(self.volumes))

    def money_per_line(self) -> dict[str, float]:
        """Money used per budget line over all years."""
        out: dict[str, float] = {}
        for (line, _), value in self.used.items():
            out[line] = out.get(line, 0.0) + value
        return out


TOTALS = ("participation", "person_years", "benefit", "societal_value", "gemeente_spending", "topup", "total_cost")


def summarise(session: Session, reader: Reader, name: str, solution: Solution,
              settings: list[Setting] | None = None) -> Outcome:
    """An :class:`Outcome` of a solution (``settings``: the what-if's numbers), read from the solver's arrays."""
    outcome = Outcome(name=name, status=solution.status, objective=solution.objective, settings=settings or [])
    if not solution.has_solution:
        return outcome
    outcome.totals = {t: session.measure(t, solution.x) for t in TOTALS if t in session.compiled.measures}
    used, topup = reader.money(solution, outcome.settings)
    outcome.used = ArrayMap(reader.budget_index, used)
    outcome.topup = ArrayMap(reader.budget_index, topup)
    outcome.found = (reader, *reader.at_bounds(session, solution))
    outcome.volumes = ArrayMap(reader.v_index, reader.volumes(solution))
    y = session.compiled.cols
    outcome.scenario = next((s for s in session.data.scenarios if round(float(solution.x[y["y", s]])) == 1), None)
    return outcome


def plan_differences(base: Outcome, other: Outcome, tolerance: float = TOLERANCE) -> list[tuple]:
    """(instrument, year, base volume, what-if volume) where the volumes differ."""
    if isinstance(base.volumes, ArrayMap) and isinstance(other.volumes, ArrayMap) \
            and base.volumes.index is other.volumes.index:
        b, w = base.volumes.values, other.volumes.values
        keys = list(other.volumes.index)
        return [(*keys[k], float(b[k]), float(w[k]))
                for k in np.flatnonzero(np.abs(w - b) > tolerance * np.maximum(1.0, np.abs(w)))]
    return [(key[0], key[1], base.volumes.get(key, 0.0), value) for key, value in other.volumes.items()
            if abs(value - base.volumes.get(key, 0.0)) > tolerance * max(1.0, abs(value))]


@dataclass
class Batch:
    """The base and each what-if's outcome; ``interrupted`` when a stop (Ctrl-C) ended it early."""

    base: Outcome
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0


Progress = Callable[[int, int, str], None]
"""Called after each what-if with (done, total, name of the one just finished)."""


def _number(s: Setting) -> tuple:
    return s.kind, s.key, s.field


def run_batch(session: Session, whatifs: list[WhatIf], objective: str | None = None,
              time_limit: float | None = None, progress: Progress | None = None,
              explain: bool = True, tie_breaks: bool = True) -> Batch:
    """Solve the base and every what-if on ``session``; the session is back at the base afterwards.

    Each what-if's numbers are set in place and solved warm. A number is set
    back to its base value only when the next what-if does not set it
    anyway (and at the end). An infeasible what-if gets its smallest
    relaxation (``explain``). With ``tie_breaks`` (the default) the base and
    each what-if get the tie-break phases of a run's own plan
    (:func:`models.solve.break_ties`): without them the top-up, the money
    used per line and the totals that count money come from whichever
    optimum HiGHS met first (on the example €1.043,69 of top-up while the
    line had room, in 35 of 40 what-ifs; the volumes were the same) and the
    base would not match the run's result. ``tie_breaks=False`` reports the
    objective's first optimum, for callers that only read status and
    objective. A stop (``KeyboardInterrupt``) ends the batch cleanly: the
    finished outcomes are kept and ``interrupted`` is set.
    """
    started = time.perf_counter()
    base_data = own_copy(session.data)  # the session's own data changes with every what-if
    objective = objective or base_data.settings.objective
    limit = base_data.settings.time_limit if time_limit is None else time_limit
    session.rebuilt_since_last_asked()
    reader = Reader(session, base_data)
    base = summarise(session, reader, "basis", solve_plain(session, objective, Deadline(limit), tie_breaks))
    batch = Batch(base=base)
    pending: list[Setting] = []
    try:
        for k, whatif in enumerate(whatifs):
            mark = time.perf_counter()
            settings = settings_of(base_data, whatif)
            again = {_number(s) for s in settings}
            apply(session, [s for s in pending if _number(s) not in again], back=True)
            if batch.outcomes:  # a rebuild in setting the previous what-if's numbers back is that one's
                batch.outcomes[-1].rebuilt |= session.rebuilt_since_last_asked()
            pending = settings
            apply(session, pending)
            if session.compiled is not reader.compiled:
                reader = Reader(session, base_data)
            solution = solve_plain(session, objective, Deadline(limit), tie_breaks)
            outcome = summarise(session, reader, whatif.name, solution, pending)
            if solution.status == INFEASIBLE and explain:
                diagnosis = explain_infeasibility(session.data, limit, session.options, session)
                outcome.infeasibility, outcome.conflict = diagnosis.relaxation, diagnosis.conflict
            outcome.rebuilt = session.rebuilt_since_last_asked()
            outcome.seconds = time.perf_counter() - mark
            batch.outcomes.append(outcome)
            if progress is not None:
                progress(k + 1, len(whatifs), whatif.name)
        apply(session, pending, back=True)
        if batch.outcomes:
            batch.outcomes[-1].rebuilt |= session.rebuilt_since_last_asked()
    except KeyboardInterrupt:
        batch.interrupted = True
        session.update(base_data)  # wherever the stop came, the session returns to the base
    batch.seconds = time.perf_counter() - started
    return batch


@dataclass
class SweepPoint:
    """One point of a sweep."""

    value: float
    status: str
    objective: float | None
    used: frozenset = frozenset()
    """Instruments with a volume in some year."""
    binding: frozenset = frozenset()
    entered: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    starts_binding: tuple = ()
    stops_binding: tuple = ()

    def compare(self, previous: SweepPoint) -> None:
        """Fill in what entered, left, started or stopped binding since ``previous``."""
        self.entered = tuple(sorted(self.used - previous.used))
        self.left = tuple(sorted(previous.used - self.used))
        self.starts_binding = tuple(sorted(self.binding - previous.binding, key=str))
        self.stops_binding = tuple(sorted(previous.binding - self.binding, key=str))

    @property
    def breakpoint(self) -> bool:
        """The plan changes character here: an instrument enters or leaves, a rule starts or stops binding."""
        return bool(self.entered or self.left or self.starts_binding or self.stops_binding)


def character(session: Session, reader: Reader, solution: Solution, value: float) -> SweepPoint:
    """What a solution looks like at ``value``: objective, instruments in use, what binds."""
    point = SweepPoint(value=float(value), status=solution.status, objective=solution.objective)
    if solution.has_solution:
        volumes = reader.volumes(solution)
        point.used = frozenset(reader.v_keys[k][0] for k in np.flatnonzero(volumes > TOLERANCE))
        point.binding = reader.binding(session, solution)
    return point


def sweep(session: Session, change: Change, values: Iterable[float], objective: str | None = None,
          time_limit: float | None = None) -> list[SweepPoint]:
    """Solve with ``change`` at each of ``values`` in turn (parametric re-solves on one session).

    Each point records the objective, the instruments in use and what binds,
    and against the previous point what entered, left, started or stopped
    binding. The session is back at the base afterwards.
    """
    base_data = own_copy(session.data)
    objective = objective or base_data.settings.objective
    limit = base_data.settings.time_limit if time_limit is None else time_limit
    reader = Reader(session)
    points: list[SweepPoint] = []
    previous: SweepPoint | None = None
    last: list[Setting] = []
    plan = None
    try:
        for value in values:
            last = expand(base_data, change.with_value(value))
            apply(session, last)
            if session.compiled is not reader.compiled:
                reader, plan = Reader(session), None
            solution = _sweep_solve(session, objective, Deadline(limit), plan)
            plan = solution.x if solution.has_solution else None
            point = character(session, reader, solution, value)
            if previous is not None and previous.objective is not None and point.objective is not None:
                point.compare(previous)
            points.append(point)
            previous = point
    finally:
        apply(session, last, back=True)
    return points


SWEEP_MIP_OPTIONS = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}
"""HiGHS options for a sweep's MIP solves. Each point starts from the previous point's plan, so HiGHS's
sub-MIP heuristics (which search for a starting plan) mostly repeat work: on the example they took 60% of a
point's solve (46 against 20 ms of CPU per point, measured), with the same plans at all 50 points. The
branch and bound still proves each point optimal to the same gap."""


def _sweep_solve(session: Session, objective: str, deadline: Deadline, plan: np.ndarray | None) -> Solution:
    """One point of a sweep: for a MIP, started from the previous point's plan and without sub-MIP heuristics."""
    if not session.is_mip:
        return solve_plain(session, objective, deadline)
    if plan is not None and len(plan) == session.compiled.num_col:
        session.highs.start_from(plan)
    with session.highs.options_set(**SWEEP_MIP_OPTIONS):
        return solve_plain(session, objective, deadline)


def linspace(start: float, stop: float, count: int) -> list[float]:
    """``count`` evenly spaced values from ``start`` to ``stop`` (both included)."""
    if count < 2:
        return [float(start)]
    return [float(v) for v in np.linspace(start, stop, count)]


def finite(value: float | None) -> float | None:
    """``None`` for a missing or infinite number."""
    return None if value is None or not math.isfinite(value) else value
