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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from models.changes import BOUND_FIELDS, Change, Setting, WhatIf, expand, settings_of
from models.diagnose import explain_infeasibility
from models.highs import INF, INFEASIBLE, OPTIMAL, TIME_LIMIT, Solution, row_key
from models.session import LEAST_GEMEENTE_MONEY, Deadline, Session, own_copy

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


def solve_plain(session: Session, objective: str, deadline: Deadline | None = None) -> Solution:
    """One solve for ``objective`` without prices or tables; the lexicographic one in its two phases."""
    first = session.solve(objective, deadline)
    if objective != "lexicografisch" or not first.has_solution:
        return first
    best = first.objective
    session.set_floor(best - session.data.settings.lexicographic_tolerance * max(abs(best), 1.0))
    try:
        second = session.solve(LEAST_GEMEENTE_MONEY, deadline)
    finally:
        session.set_floor(None)
    return second if second.has_solution else first


class Reader:
    """Index arrays of one compiled model, so that a solution is summarised with a few vector operations."""

    def __init__(self, session: Session):
        compiled, data = session.compiled, session.data
        self.compiled = compiled
        self.budget_keys = list(data.budgets)
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
        watched = [r for r, con in enumerate(compiled.constraints) if row_key(con)[0] in WATCHED]
        self.watched_rows = np.array(watched, dtype=np.int32)
        self.row_labels = [row_key(compiled.constraints[r]) for r in watched]
        bounded = [j for j, key in enumerate(compiled.cols) if key[0] in BOUNDED]
        self.bounded_cols = np.array(bounded, dtype=np.int32)
        keys = list(compiled.cols)
        self.col_labels = [keys[j] for j in bounded]
        self.v_keys = [key[1] for key in keys if key[0] == "v"]
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

    def money(self, session: Session, solution: Solution) -> tuple[np.ndarray, np.ndarray]:
        """Money used and top-up per (line, year), in the order of ``budget_keys`` (as ``tables.budget_table``)."""
        body = self._take(solution.activity + self.compiled.offset, self.budget_rows)
        surplus = self._take(solution.x, self.surplus_cols)
        topup = self._take(solution.x, self.topup_cols)
        received = np.zeros(len(self.budget_keys))
        np.add.at(received, self.takers, surplus[self.givers])
        committed = np.array([session.data.budgets[key].committed for key in self.budget_keys])
        return body - surplus + topup + received + committed, topup

    def binding(self, session: Session, solution: Solution) -> frozenset:
        """Labels of the watched rows and bounded columns that are at an inequality bound."""
        highs = session.highs
        lower, upper = highs.row_bounds(self.watched_rows)
        active = solution.activity[self.watched_rows]
        found = _at_bound(active, lower, upper)
        labels = {self.row_labels[k] for k in np.flatnonzero(found)}
        lower, upper = highs.col_bounds(self.bounded_cols)
        values = solution.x[self.bounded_cols]
        at = _at_bound(values, np.where(lower > 0, lower, -INF), upper)  # a lower bound of 0 is no rule
        labels |= {("bound_" + self.col_labels[k][0], self.col_labels[k][1]) for k in np.flatnonzero(at)}
        return frozenset(labels)

    def volumes(self, solution: Solution) -> np.ndarray:
        """``v`` in the order of ``v_keys``."""
        return solution.x[self.v_cols]


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
    used: dict[tuple[str, int], float] = field(default_factory=dict)
    """Money used per (line, year)."""
    topup: dict[tuple[str, int], float] = field(default_factory=dict)
    binding: frozenset = frozenset()
    """``(family, index)`` of each rule at its bound; ``("bound_v", (i, t))`` for a variable's bound."""
    volumes: dict[tuple[str, int], float] = field(default_factory=dict)
    scenario: str | None = None
    settings: list[Setting] = field(default_factory=list)
    infeasibility: pd.DataFrame | None = None
    """For an infeasible what-if: the smallest relaxation (:func:`models.diagnose.explain_infeasibility`)."""
    conflict: pd.DataFrame | None = None
    """For an infeasible what-if: the rules that cannot hold together (HiGHS's IIS)."""
    rebuilt: bool = False
    seconds: float = 0.0

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


def summarise(session: Session, reader: Reader, name: str, solution: Solution) -> Outcome:
    """An :class:`Outcome` of a solution, read from the solver's arrays."""
    outcome = Outcome(name=name, status=solution.status, objective=solution.objective)
    if not solution.has_solution:
        return outcome
    outcome.totals = {t: session.measure(t, solution.x) for t in TOTALS if t in session.compiled.measures}
    used, topup = reader.money(session, solution)
    outcome.used = dict(zip(reader.budget_keys, used.tolist(), strict=True))
    outcome.topup = dict(zip(reader.budget_keys, topup.tolist(), strict=True))
    outcome.binding = reader.binding(session, solution)
    outcome.volumes = dict(zip(reader.v_keys, reader.volumes(solution).tolist(), strict=True))
    y = session.compiled.cols
    outcome.scenario = next((s for s in session.data.scenarios if round(float(solution.x[y["y", s]])) == 1), None)
    return outcome


def plan_differences(base: Outcome, other: Outcome, tolerance: float = TOLERANCE) -> list[tuple]:
    """(instrument, year, base volume, what-if volume) where the volumes differ."""
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


def run_batch(session: Session, whatifs: list[WhatIf], objective: str | None = None,
              time_limit: float | None = None, progress: Progress | None = None,
              explain: bool = True) -> Batch:
    """Solve the base and every what-if on ``session``; the session is back at the base afterwards.

    Each what-if's numbers are set in place, solved warm and set back. An
    infeasible what-if gets its smallest relaxation (``explain``). A stop
    (``KeyboardInterrupt``) ends the batch cleanly: the finished outcomes are
    kept and ``interrupted`` is set.
    """
    started = time.perf_counter()
    base_data = own_copy(session.data)  # the session's own data changes with every what-if
    objective = objective or base_data.settings.objective
    limit = base_data.settings.time_limit if time_limit is None else time_limit
    session.rebuilt_since_last_asked()
    reader = Reader(session)
    base = summarise(session, reader, "basis", solve_plain(session, objective, Deadline(limit)))
    batch = Batch(base=base)
    pending: list[Setting] = []
    try:
        for k, whatif in enumerate(whatifs):
            mark = time.perf_counter()
            pending = settings_of(base_data, whatif)
            apply(session, pending)
            if session.compiled is not reader.compiled:
                reader = Reader(session)
            solution = solve_plain(session, objective, Deadline(limit))
            outcome = summarise(session, reader, whatif.name, solution)
            outcome.settings = pending
            if solution.status == INFEASIBLE and explain:
                diagnosis = explain_infeasibility(session.data, limit, session.options, session)
                outcome.infeasibility, outcome.conflict = diagnosis.relaxation, diagnosis.conflict
            apply(session, pending, back=True)
            pending = []
            outcome.rebuilt = session.rebuilt_since_last_asked()
            outcome.seconds = time.perf_counter() - mark
            batch.outcomes.append(outcome)
            if progress is not None:
                progress(k + 1, len(whatifs), whatif.name)
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
    try:
        for value in values:
            last = expand(base_data, change.with_value(value))
            apply(session, last)
            if session.compiled is not reader.compiled:
                reader = Reader(session)
            solution = solve_plain(session, objective, Deadline(limit))
            point = character(session, reader, solution, value)
            if previous is not None and previous.objective is not None and point.objective is not None:
                point.compare(previous)
            points.append(point)
            previous = point
    finally:
        apply(session, last, back=True)
    return points


def linspace(start: float, stop: float, count: int) -> list[float]:
    """``count`` evenly spaced values from ``start`` to ``stop`` (both included)."""
    if count < 2:
        return [float(start)]
    return [float(v) for v in np.linspace(start, stop, count)]


def finite(value: float | None) -> float | None:
    """``None`` for a missing or infinite number."""
    return None if value is None or not math.isfinite(value) else value
