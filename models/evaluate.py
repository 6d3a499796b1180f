"""Evaluate a given plan (the council's chosen volumes) on the optimiser's own model and rules.

The plan is checked on the run's own :class:`~models.session.Session`: no
second model is built. For the evaluation the volumes are fixed to the plan,
inflows may take any value (a plan may shrink faster than retention allows)
and every rule a fixed plan can break (budget lines, requirements, target
groups, step limits) gets a slack column in HiGHS. The solve then chooses
only what the plan leaves open (top-ups, surpluses, the scenario) at the
least weighted breach. Afterwards the slacks are deleted and every bound is
restored, so the session solves as before. Volume and inflow bounds are
checked on the values themselves.

Weights: a euro of budget shortfall weighs ``MONEY_WEIGHT`` times one plus
the number of lines above it in its top-up chain, so money a line may draw
from its payer is drawn (the payer's overspend is reported, not the
receiver's); a top-up itself costs almost nothing (``TOPUP_WEIGHT``), so it
is used where needed and nowhere else.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.allocation import requirement_key
from models.data import ProblemData
from models.highs import INF, INFEASIBLE, MINIMIZE, SolverOptions
from models.session import Deadline, Session
from models.tables import PlanValues, Tables, clean, read_tables

MONEY_WEIGHT = 1 / 1000
TOPUP_WEIGHT = 1e-6
TOLERANCE = 1e-6
"""A breach smaller than this (in units, or in thousands of euros) is solver noise."""
SOFT_FAMILIES = ("budget", "requirement", "group_capacity", "step_up", "step_down")
VIOLATION_COLUMNS = ["kind", "name", "year", "value", "bound", "shortfall", "direction", "unit"]


@dataclass(kw_only=True)
class Evaluation(Tables):
    """A given plan's tables (see :class:`Tables`) and the rules it breaks."""

    status: str
    has_plan: bool
    scenario: str | None = None
    objective_value: float | None = None
    violations: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per broken rule: kind, name, year, value, bound, shortfall, direction, unit."""


@dataclass(frozen=True)
class Slack:
    """One side of a row that the plan may break: ``sign`` is the slack's coefficient in the row."""

    row: int
    family: str
    index: object
    sign: float
    weight: float

    @property
    def direction(self) -> str:
        """``+`` when the bound must go up for the plan to fit, ``-`` when it must go down."""
        return "+" if self.sign < 0 else "-"


def requirement_unit(data: ProblemData, key: tuple[str, object]) -> str:
    """The unit a requirement counts in: %, persons, or its instruments' common unit."""
    req = next(r for r in data.requirements if requirement_key(r) == key)
    if req.kind == "aandeel":
        return "%"
    if req.quantity == "personen":
        return "personen"
    units = {data.instruments[i].unit for i, _ in req.terms}
    return units.pop() if len(units) == 1 else "eenheden"


def describe(data: ProblemData, family: str, index) -> tuple[str, str, object, str]:
    """(kind, name, year, unit) of a row in words the report knows."""
    if family == "budget":
        return "budget", index[0], index[1], "€"
    if family == "requirement":
        return "eis", index[0], index[1], requirement_unit(data, index)
    if family == "group_capacity":
        return "doelgroep", index[0], index[1], data.groups[index].unit
    return "max_verandering", index[0], index[1], data.instruments[index[0]].unit


def topup_depth(data: ProblemData, line: str, year: int) -> int:
    """How many lines stand above ``line`` in its chain of top-ups (a cycle counts once)."""
    depth, seen = 0, {line}
    payer = data.budgets[line, year].topup_from
    while payer is not None and payer not in seen and (payer, year) in data.budgets:
        depth, seen = depth + 1, seen | {payer}
        payer = data.budgets[payer, year].topup_from
    return depth


def _slacks(session: Session, lower: np.ndarray, upper: np.ndarray) -> list[Slack]:
    """Every finite side of every row in :data:`SOFT_FAMILIES`, with its weight."""
    data, rows = session.data, session.compiled.rows
    found = []
    for family in [name for name in rows.names() if name in SOFT_FAMILIES]:  # in row order, the others skipped
        for index, row in rows.positions(family).items():
            weight = MONEY_WEIGHT * (1 + topup_depth(data, *index)) if family == "budget" else 1.0
            if upper[row] < INF:
                found.append(Slack(row, family, index, -1.0, weight))
            if lower[row] > -INF:
                found.append(Slack(row, family, index, 1.0, weight))
    return found


@contextmanager
def _plan_fixed(session: Session, plan: dict, scenario: str | None):
    """The session with the plan's volumes fixed, free inflows, and slack columns; all undone afterwards."""
    highs, compiled = session.highs, session.compiled
    floor = session.model.floor.value
    session.set_floor(None)
    # The model's own column bounds, as HiGHS holds them (kept beside it: no walk over 147,000 Pyomo variables).
    before = highs.col_bounds(np.arange(compiled.num_col))
    lower, upper = before[0].copy(), before[1].copy()
    integer = np.zeros(compiled.num_col, dtype=bool)
    for index, col in compiled.cols.positions("v").items():
        lower[col] = upper[col] = plan.get(index, 0.0)
    inflows = np.fromiter(compiled.cols.positions("u").values(), dtype=np.int64)
    lower[inflows], upper[inflows] = -INF, INF
    for index, col in compiled.cols.positions("y").items():
        integer[col] = True
        if scenario is not None:
            lower[col] = upper[col] = 1.0 if index == scenario else 0.0
    first = None
    try:  # from the first change on, so that whatever fails the model's own bounds come back
        highs.set_col_bounds_all(lower, upper)
        highs.set_integrality(integer)
        slacks = _slacks(session, *highs.row_bounds(np.arange(compiled.num_row)))
        first = highs.add_columns(np.array([s.row for s in slacks]), np.array([s.sign for s in slacks]),
                                  np.zeros(len(slacks)), np.full(len(slacks), INF))
        yield slacks, first
    finally:
        if first is not None:
            highs.drop_columns_from(first)
        highs.set_col_bounds_all(*before)
        highs.set_integrality(compiled.integer)
        session.set_floor(None if math.isinf(floor) else floor)
        session.forget_objective()
        session.start_cold()  # the basis lost its slack columns


def evaluate(data: ProblemData, plan: dict[tuple[str, int], float], scenario: str | None = None,
             time_limit: float | None = None, options: SolverOptions | None = None, *,
             session: Session | None = None, deadline: Deadline | None = None) -> Evaluation:
    """Figures and violations of ``plan`` (volume per instrument and year; missing counts as 0).

    ``scenario`` fixes the organisational scenario; without it the scenario
    that suits the plan best is taken. ``session`` is the run's session on
    ``data`` (one is built when not given); ``deadline`` the run's time left.
    """
    session = session or Session(data, options)
    deadline = deadline or Deadline(time_limit)
    if session.compiled is None:  # a rule without variables cannot hold: nothing to evaluate on
        return Evaluation(status=INFEASIBLE, has_plan=False)
    compiled = session.compiled
    n = compiled.num_col
    with _plan_fixed(session, plan, scenario) as (slacks, first):
        topups, _ = compiled.measures["topup"]
        cost = np.concatenate([TOPUP_WEIGHT * topups, [s.weight for s in slacks]])
        session.highs.set_objective(cost, 0.0, MINIMIZE)
        solution = session.highs.solve(deadline.left(), warm=False)
    if not solution.has_solution:
        return Evaluation(status=solution.status, has_plan=False)
    amounts = solution.x[first:first + len(slacks)]
    body = solution.activity + compiled.offset
    for slack, amount in zip(slacks, amounts, strict=True):
        body[slack.row] -= slack.sign * amount
    values = PlanValues(compiled, solution.x[:n], body, session.measure)
    tables = read_tables(values, session.data, session.model.links)
    objective = session.data.settings.objective
    row_lower, row_upper = session.highs.row_bounds(np.arange(compiled.num_row))
    rows = [_violation(session, slack, amount, body[slack.row], row_lower[slack.row], row_upper[slack.row],
                       tables.requirements)
            for slack, amount in zip(slacks, amounts, strict=True) if _breaks(slack, amount)]
    rows += _bound_violations(session.data, values)
    return Evaluation(
        status=solution.status,
        has_plan=True,
        scenario=next((s for s in session.data.scenarios if round(values.var("y", s)) == 1), None),
        objective_value=tables.totals["societal_value" if objective == "maatschappelijke_waarde" else "participation"],
        **tables.tables(),
        violations=pd.DataFrame(rows, columns=VIOLATION_COLUMNS),
    )


def _breaks(slack: Slack, amount: float) -> bool:
    return amount > TOLERANCE * (1 / MONEY_WEIGHT if slack.family == "budget" else 1.0)


def _violation(session: Session, slack: Slack, amount: float, body: float, lower: float, upper: float,
               requirements: pd.DataFrame) -> dict:
    """A broken rule as a row; money with what is committed added back, a share in percent as the user wrote it."""
    data = session.data
    kind, name, year, unit = describe(data, slack.family, slack.index)
    bound = (upper if slack.sign < 0 else lower) + session.compiled.offset[slack.row]
    shift = data.budgets[slack.index].committed if slack.family == "budget" else 0.0
    row = {"kind": kind, "name": name, "year": year, "value": clean(body + shift, 6),
           "bound": clean(bound + shift, 6), "shortfall": clean(amount, 6), "direction": slack.direction,
           "unit": unit}
    if unit == "%":
        match = requirements[(requirements.requirement == name) & (requirements.year == year)].iloc[0]
        value, share = match.value * 100, match.bound * 100
        row.update(value=clean(value, 6), bound=clean(share, 6), shortfall=clean(abs(share - value), 6))
    return row


def _bound_violations(data: ProblemData, values: PlanValues) -> list[dict]:
    """Volumes and inflows outside their instrument's bounds (an inflow below 0 is a plan shrinking too fast)."""
    rows = []
    for i, inst in data.instruments.items():
        for t in data.years:
            for label, value, lower, upper in (
                    ("volume", values.var("v", (i, t)), inst.min_volume, inst.max_volume),
                    ("instroom", values.var("u", (i, t)), inst.min_inflow or 0.0, inst.max_inflow)):
                if lower is not None and value < lower - TOLERANCE:
                    rows.append(_bound_row(f"min_{label}", i, t, value, lower, "-", inst.unit))
                if upper is not None and value > upper + TOLERANCE:
                    rows.append(_bound_row(f"max_{label}", i, t, value, upper, "+", inst.unit))
    return rows


def _bound_row(kind: str, instrument: str, year: int, value: float, bound: float, direction: str,
               unit: str) -> dict:
    return {"kind": kind, "name": instrument, "year": year, "value": clean(value, 6), "bound": clean(bound, 6),
            "shortfall": clean(abs(value - bound), 6), "direction": direction, "unit": unit}
