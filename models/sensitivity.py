"""What a solved plan is sensitive to: the answer report, cost ranges, what holds each instrument, room to manoeuvre.

All four work on a :class:`~models.session.Session` at its base data and
leave it there:

- :func:`answer_report`: every row and every variable bound at the plan,
  with its value, bounds, whether it binds, its room and its price;
- :func:`cost_ranges`: per instrument and budget line, how far the cost per
  unit (in every year) may fall or rise before the plan changes character
  (an instrument enters or leaves, a rule starts or stops binding), found by
  parametric re-solves of the LP (for a MIP with the integers and the
  scenario fixed at the plan, so conditional on them);
- :func:`holds`: per instrument and year, the binding rule or bound that
  holds its volume with the largest price, and that price;
- :func:`room`: within a tolerance of the best participation, the lowest and
  highest total volume of each instrument (two solves each).

Prices follow HiGHS: the change of the objective per unit more right-hand
side or per unit more of a variable. For a MIP they are conditional on the
chosen integers and scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.changes import Change, expand
from models.highs import INF, MAXIMIZE, MINIMIZE, OPTIMAL, Solution, col_key
from models.session import Deadline, Session
from models.whatif import WATCHED, Reader, SweepPoint, apply, character, solve_plain

TOLERANCE = 1e-6
MAX_GROWTH_STEPS = 12
"""Doublings of the trial cost change before a range counts as beyond the searched scale."""
BISECTION_STEPS = 14


@dataclass
class Priced:
    """The plan and the prices that go with it (for a MIP: of the LP with its integers fixed)."""

    plan: Solution
    priced: Solution | None
    conditional: bool


def priced_plan(session: Session, objective: str | None = None, deadline: Deadline | None = None) -> Priced:
    """Solve the base and price it (the lexicographic objective's prices are those of participation)."""
    objective = objective or session.data.settings.objective
    plan = solve_plain(session, objective, deadline)
    priced = None
    if plan.has_solution:
        price_objective = "participatie" if objective == "lexicografisch" else objective
        priced = session.prices_at(plan.x, price_objective, deadline)
    return Priced(plan, priced, session.is_mip)


def answer_report(session: Session, priced: Priced) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, bounds): every constraint and every variable bound at the plan.

    Rows: ``family``, ``index``, ``value`` (the row's own left-hand side),
    ``lower``, ``upper`` (``None``: none), ``binding``, ``room`` (distance to
    the nearest bound; 0 for an equality), ``price``. Bounds: ``variable``,
    ``index``, ``value``, ``lower``, ``upper``, ``binding``, ``room``,
    ``reduced_cost``; a bound of 0 below counts as a bound.
    """
    compiled, highs, plan = session.compiled, session.highs, priced.plan
    rows = np.arange(compiled.num_row, dtype=np.int32)
    lower, upper = highs.row_bounds(rows)
    offset = compiled.offset
    value = plan.activity + offset
    low, up = lower + offset, upper + offset
    dual = priced.priced.row_dual if priced.priced is not None else None
    row_frame = _bounded_frame(compiled.row_keys, value, low, up, dual, "family", "price")
    cols = np.arange(compiled.num_col, dtype=np.int32)
    lower, upper = highs.col_bounds(cols)
    reduced = priced.priced.col_dual if priced.priced is not None else None
    col_frame = _bounded_frame([col_key(v) for v in compiled.columns], plan.x, lower, upper, reduced, "variable",
                               "reduced_cost")
    return row_frame, col_frame


def _bounded_frame(keys: list, value: np.ndarray, lower: np.ndarray, upper: np.ndarray, price: np.ndarray | None,
                   name: str, price_name: str) -> pd.DataFrame:
    has_lower, has_upper = lower > -INF / 2, upper < INF / 2
    room_up = np.where(has_upper, upper - value, np.inf)
    room_down = np.where(has_lower, value - lower, np.inf)
    room = np.minimum(room_up, room_down)
    scale = TOLERANCE * np.maximum(1.0, np.abs(np.where(room_up <= room_down, upper, lower)))
    binding = (has_lower | has_upper) & (room <= np.where(np.isfinite(scale), scale, TOLERANCE))
    return pd.DataFrame({
        name: [k[0] for k in keys],
        "index": [k[1] for k in keys],
        "value": value,
        "lower": np.where(has_lower, lower, np.nan),
        "upper": np.where(has_upper, upper, np.nan),
        "binding": binding,
        "room": np.where(np.isfinite(room), np.maximum(room, 0.0), np.nan),
        price_name: price if price is not None else np.full(len(keys), np.nan),
    })


@dataclass
class CostRange:
    """How far one instrument's cost on one line may move (per unit, in every year) before the plan changes."""

    instrument: str
    line: str
    field: str
    """``cost`` (per unit of volume per year) or ``once`` (per unit of inflow)."""
    used: bool
    """The instrument has a volume in some year of the plan."""
    down: float | None
    """Largest fall that keeps the plan's character; ``None``: none found within ``scale``."""
    up: float | None
    scale: float
    """The largest change searched in each direction."""
    down_change: SweepPoint | None = None
    """What changes just past ``down`` (entered, left, starts or stops binding)."""
    up_change: SweepPoint | None = None


def cost_ranges(session: Session, priced: Priced, objective: str | None = None,
                deadline: Deadline | None = None) -> list[CostRange]:
    """Per instrument and budget line with a cost, the cost range that keeps the plan's character.

    The search doubles a trial change from 1/64 of the largest cost until the
    character differs (at most ``MAX_GROWTH_STEPS`` times, so up to 64 times
    that cost) and then bisects. For a MIP the integers and scenario are
    fixed at the plan throughout.
    """
    if not priced.plan.has_solution:
        return []
    data = session.data
    objective = objective or data.settings.objective
    reader = Reader(session)
    found: list[CostRange] = []
    with session.integers_fixed(priced.plan.x):
        base = character(session, reader, solve_plain(session, objective, deadline), 0.0)
        for name in COST_FIELDS_SEARCHED:
            table = getattr(data, name)
            pairs = list(dict.fromkeys((i, b) for (i, b, _), value in table.items() if value and i in data.instruments))
            for instrument, line in pairs:
                largest = max(abs(table.get((instrument, line, t), 0.0)) for t in data.years)
                scale = largest * 64
                change = Change("instrument", instrument, name, "+", 0.0, line=line)
                item = CostRange(instrument, line, name, instrument in base.used, None, None, scale)
                item.down, item.down_change = _edge(session, reader, change, -1, largest, base, objective, deadline)
                item.up, item.up_change = _edge(session, reader, change, 1, largest, base, objective, deadline)
                found.append(item)
    return found


COST_FIELDS_SEARCHED = ("cost", "once")


def _edge(session: Session, reader: Reader, change: Change, sign: int, largest: float, base: SweepPoint,
          objective: str, deadline: Deadline | None) -> tuple[float | None, SweepPoint | None]:
    """The largest change ``sign * delta`` keeping ``base``'s character, and what differs just beyond it."""

    def at(delta: float) -> SweepPoint:
        settings = expand(session.data, change.with_value(sign * delta))
        apply(session, settings)
        try:
            point = character(session, reader, solve_plain(session, objective, deadline), sign * delta)
        finally:
            apply(session, settings, back=True)
        point.compare(base)
        return point

    def same(point: SweepPoint) -> bool:
        return point.status == OPTIMAL and not point.breakpoint

    good, trial, beyond = 0.0, largest / 64, None
    for _ in range(MAX_GROWTH_STEPS + 1):
        point = at(trial)
        if not same(point):
            beyond = point
            break
        good, trial = trial, trial * 2
    if beyond is None:
        return None, None
    bad = trial
    for _ in range(BISECTION_STEPS):
        middle = (good + bad) / 2
        point = at(middle)
        if same(point):
            good = middle
        else:
            bad, beyond = middle, point
    return good, beyond


@dataclass
class Hold:
    """What holds an instrument's volume in a year: a binding rule or bound and its price."""

    instrument: str
    year: int
    volume: float
    family: str | None
    """A constraint family (``budget``, ``requirement``, ...) or ``bound_v``/``bound_u``; ``None``: nothing direct."""
    index: object = None
    price: float | None = None
    """Objective per unit more of the rule's right-hand side (per unit more bound for a bound)."""
    reduced_cost: float | None = None
    at: str = ""
    """For a bound: ``upper`` or ``lower``."""


def holds(session: Session, priced: Priced) -> list[Hold]:
    """Per instrument and year, the binding rule with the largest price on its volume or inflow.

    An own bound of ``v`` or ``u`` that binds with a non-zero reduced cost
    comes first (its reduced cost already holds the rows' prices). Otherwise
    a rule counts when it binds, has a non-zero price and contains the
    instrument's ``v`` or ``u`` of that year; its weight is ``|price x
    coefficient|``.
    ``family`` is ``None`` when nothing binds directly (the volume then
    follows from other years through the stock, or nothing limits it).
    """
    if priced.priced is None:
        return []
    compiled, plan, prices = session.compiled, priced.plan, priced.priced
    rows, bounds = answer_report(session, priced)
    binding_rows = rows["binding"].to_numpy() & (np.abs(prices.row_dual) > TOLERANCE)
    families = rows["family"].to_numpy()
    watched = np.isin(families, WATCHED)
    found = []
    for (i, t), col in ((k[1], j) for k, j in compiled.cols.items() if k[0] == "v"):
        best: Hold | None = None
        weight = 0.0
        for var in ("v", "u"):  # an own bound with a price holds the instrument directly (it includes the rows')
            j = compiled.cols.get((var, (i, t)))
            reduced = 0.0 if j is None else float(prices.col_dual[j])
            if j is not None and bool(bounds["binding"].iat[j]) and abs(reduced) > max(TOLERANCE, weight):
                weight = abs(reduced)
                upper = abs(plan.x[j] - bounds["upper"].iat[j]) <= abs(plan.x[j] - bounds["lower"].iat[j])
                best = Hold(i, t, float(plan.x[col]), f"bound_{var}", (i, t), reduced, at="upper" if upper else "lower")
        for var in ("v", "u") if best is None else ():
            j = compiled.cols.get((var, (i, t)))
            if j is None:
                continue
            start, end = compiled.a_start[j], compiled.a_start[j + 1]
            for r, coef in zip(compiled.a_index[start:end], compiled.a_value[start:end], strict=True):
                w = abs(prices.row_dual[r] * coef)
                if binding_rows[r] and watched[r] and w > weight:
                    weight = w
                    best = Hold(i, t, float(plan.x[col]), str(families[r]), rows["index"].iat[r],
                                float(prices.row_dual[r]))
        if best is None:
            best = Hold(i, t, float(plan.x[col]), None)
        # at zero volume the price of one more unit sits on v or on its inflow u, whichever is nonbasic
        inflow = compiled.cols.get(("u", (i, t)))
        best.reduced_cost = min(float(prices.col_dual[col]),
                                float(prices.col_dual[inflow]) if inflow is not None else 0.0)
        found.append(best)
    return found


@dataclass
class Room:
    """The lowest and highest total volume (over all years) of one instrument within the tolerance."""

    instrument: str
    unit: str
    optimal: float
    lowest: float | None
    highest: float | None
    statuses: tuple[str, str] = ("", "")

    @property
    def fixed(self) -> bool:
        """No room: the instrument cannot move without losing more than the tolerance."""
        return self.lowest is not None and self.highest is not None and self.highest - self.lowest <= 1e-6 * max(
            1.0, abs(self.highest))


@dataclass
class RoomTable:
    """Room to manoeuvre of every instrument, and the floor it was found under."""

    tolerance: float
    best: float | None
    floor: float | None
    rooms: list[Room] = field(default_factory=list)


def room(session: Session, tolerance: float = 0.02, deadline: Deadline | None = None) -> RoomTable:
    """Within ``tolerance`` of the best participation, the lowest and highest total volume of each instrument.

    The participation floor is set to ``best - tolerance * |best|``; for each
    instrument its total volume is minimised and maximised (two solves). The
    floor is removed afterwards.
    """
    compiled, data = session.compiled, session.data
    best_solution = solve_plain(session, "participatie", deadline)
    table = RoomTable(tolerance=tolerance, best=best_solution.objective, floor=None)
    if not best_solution.has_solution:
        return table
    best = best_solution.objective
    table.floor = best - tolerance * abs(best)
    session.set_floor(table.floor)
    try:
        for i, inst in data.instruments.items():
            vector = np.zeros(compiled.num_col)
            cols = [compiled.cols[("v", (i, t))] for t in data.years if ("v", (i, t)) in compiled.cols]
            vector[cols] = 1.0
            optimal = float(best_solution.x[cols].sum())
            low = session.solve_vector(vector, MINIMIZE, deadline)
            high = session.solve_vector(vector, MAXIMIZE, deadline)
            table.rooms.append(Room(i, inst.unit, optimal, low.objective if low.has_solution else None,
                                    high.objective if high.has_solution else None, (low.status, high.status)))
    finally:
        session.set_floor(None)
    return table
