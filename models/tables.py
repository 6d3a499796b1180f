"""A solved (or evaluated) plan as plain tables with English column names.

Built from the solver's arrays (:class:`PlanValues`: column values, row
bodies, duals, ranges, each looked up by constraint family and data index)
and the data; no Pyomo expression is evaluated here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.allocation import Links, requirement_key
from models.data import ProblemData
from models.highs import CompiledModel


def clean(x: float | None, digits: int = 9) -> float | None:
    """Round away solver noise (``-0.0``, ``1e-12``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    x = round(float(x), digits)
    return 0.0 if x == 0 else x


@dataclass(kw_only=True)
class Tables:
    """A plan as tables (English column names); the base of a solve's and an evaluation's result."""

    plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    budgets: pd.DataFrame = field(default_factory=pd.DataFrame)
    requirements: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    totals: dict[str, float] = field(default_factory=dict)

    def tables(self) -> dict:
        """The five tables by field name, to copy onto another result."""
        return {name: getattr(self, name) for name in ("plan", "budgets", "requirements", "groups", "totals")}


@dataclass
class PlanValues:
    """A solution read by the model's names.

    ``body`` holds each row's own left-hand side at the solution (for an
    elastic model: without its slacks). Prices are ``None`` when not asked
    for or not available.
    """

    compiled: CompiledModel
    x: np.ndarray
    body: np.ndarray
    measure: Callable[[str, np.ndarray], float]
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None
    rhs_down: np.ndarray | None = None
    rhs_up: np.ndarray | None = None
    row_basic: np.ndarray | None = None

    def var(self, name: str, index) -> float:
        """Value of a variable; 0 when the model has no such column."""
        col = self.compiled.cols.get((name, index))
        return float(self.x[col]) if col is not None else 0.0

    def column(self, name: str, keys: list, duals: bool = False) -> list[float | None]:
        """:meth:`var` (or with ``duals`` :meth:`reduced_cost`) at every index of ``keys``, in one pass."""
        vector = self.col_dual if duals else self.x
        if vector is None:
            return [None] * len(keys)
        positions, values = self.compiled.cols.positions(name), vector.tolist()
        missing = None if duals else 0.0
        return [values[positions[k]] if k in positions else missing for k in keys]

    def row(self, name: str, index) -> float:
        """A row's left-hand side; 0 for a row without variables."""
        row = self.compiled.rows.get((name, index))
        return float(self.body[row]) if row is not None else 0.0

    def dual(self, name: str, index) -> float | None:
        """The row's shadow price (objective per unit of right-hand side)."""
        row = self.compiled.rows.get((name, index))
        return None if row is None or self.row_dual is None else float(self.row_dual[row])

    def reduced_cost(self, name: str, index) -> float | None:
        """The column's reduced cost."""
        col = self.compiled.cols.get((name, index))
        return None if col is None or self.col_dual is None else float(self.col_dual[col])

    def rhs_range(self, name: str, index, sense: str, slack: float) -> tuple[float, float]:
        """How far the row's right-hand side may (fall, rise) at its price; ``inf``: unlimited, ``nan``: unknown.

        A row that does not bind (basic in the priced LP) keeps its price, 0,
        for a fall of a ``<=`` row up to its slack in the plan and any rise
        (the reverse for ``>=``); a binding row's ranges come from HiGHS.
        """
        row = self.compiled.rows.get((name, index))
        if row is None or self.rhs_down is None or self.row_basic is None:
            return math.nan, math.nan
        if self.row_basic[row]:
            room = max(slack, 0.0)
            return {"<=": (room, math.inf), ">=": (math.inf, room)}.get(sense, (math.nan, math.nan))
        return float(self.rhs_down[row]), float(self.rhs_up[row])

    def is_basic(self, name: str, index) -> bool:
        """True when the row does not bind in the priced LP (False as well when there are no prices)."""
        row = self.compiled.rows.get((name, index))
        return row is not None and self.row_basic is not None and bool(self.row_basic[row])

    def total(self, name: str) -> float:
        """A measure of the plan (participation, total_cost, ...)."""
        return self.measure(name, self.x)

    def quantity(self, data: ProblemData, kind: str, i: str, t: int) -> float:
        """``v``, ``u`` or persons ``ppu * v`` of an instrument in a year."""
        if kind == "instroom":
            return self.var("u", (i, t))
        volume = self.var("v", (i, t))
        return data.instruments[i].persons_per_unit * volume if kind == "personen" else volume


def read_tables(values: PlanValues, data: ProblemData, links: Links) -> Tables:
    """Every table of a plan."""
    return Tables(plan=plan_table(values, data), budgets=budget_table(values, data, links),
                  requirements=requirement_table(values, data), groups=group_table(values, data),
                  totals=totals(values))


def _range(values: PlanValues, name: str, index, sense: str, slack: float, digits: int = 6) -> dict:
    """``valid_down``, ``valid_up``: both amounts >= 0; ``inf`` unlimited, ``None`` unknown (no prices)."""
    down, up = values.rhs_range(name, index, sense, slack)
    return {"valid_down": clean(down, digits), "valid_up": clean(up, digits)}


def totals(values: PlanValues) -> dict[str, float]:
    """Participation, person-years, benefit, money: the plan's totals."""
    names = [name for name in values.compiled.measures
             if name in ("participation", "person_years", "benefit", "societal_value", "gemeente_spending", "topup",
                         "total_cost") or name.startswith("money_")]
    return {name: clean(values.total(name)) for name in names}


def plan_table(values: PlanValues, data: ProblemData) -> pd.DataFrame:
    """Volume, inflow and persons per instrument and year."""
    keys = [(i, t) for i in data.instruments for t in data.years]
    if not keys:
        return pd.DataFrame()
    # Column by column: at 342 municipalities a dict per row took twice as long.
    instruments = [data.instruments[i] for i, _ in keys]
    volume = values.column("v", keys)
    columns = {"instrument": [i for i, _ in keys]}
    if data.gemeenten:
        columns["gemeente"] = [inst.gemeente for inst in instruments]
    columns |= {
        "year": [t for _, t in keys],
        "unit": [inst.unit for inst in instruments],
        "volume": [clean(v) for v in volume],
        "inflow": [clean(u) for u in values.column("u", keys)],
        "persons": [clean(inst.persons_per_unit * v) for inst, v in zip(instruments, volume, strict=True)],
        "reduced_cost": [clean(r) for r in values.column("v", keys, duals=True)],
    }
    return pd.DataFrame(columns)


def budget_table(values: PlanValues, data: ProblemData, links: Links) -> pd.DataFrame:
    """Use of every budget line per year; ``slack`` < 0 where a given plan overspends.

    The budget row is ``cost + top-ups paid + surplus + flow - top-up - received - funding``,
    so the money used from the line is that minus its own surplus and its
    reserve flow, plus its top-up, the surplus it received and its funding,
    plus what is committed. With reserves, each line shows its deposit, its
    withdrawal and its reserve's balance at the end of the year.
    """
    rows = []
    region = bool(data.gemeenten)  # once: a property over every line (per row it took 23 s at 342 municipalities)
    for (b, t), budget in data.budgets.items():
        topup = values.var("topup", (b, t))
        surplus = values.var("surplus", (b, t))
        received = sum(values.var("surplus", (o, t)) for o in links.receivers.get((b, t), ()))
        funding = budget.funding_per_unit * sum(values.var("v", (i, t)) for i in budget.funding_instruments)
        flow = values.var("reserve_flow", (b, t))
        deposit, withdrawal = max(flow, 0.0), max(-flow, 0.0)
        used = values.row("budget", (b, t)) - surplus + topup + received + budget.committed + funding - flow
        room = budget.available - budget.savings_target + topup + received + funding + withdrawal
        dual = values.dual("budget", (b, t))
        slack = room - used - surplus - deposit
        if data.reserves:
            reserve = {"reserve": budget.reserve, "to_reserve": clean(deposit, 2),
                       "from_reserve": clean(withdrawal, 2),
                       "reserve_balance": clean(values.var("reserve_balance", (budget.reserve, t)), 2)
                       if budget.reserve is not None else None}
        else:
            reserve = {}
        rows.append({
            "line": b,
            "year": t,
            **({"gemeente": budget.gemeente} if region else {}),
            "bearer": budget.bearer,
            "available": clean(budget.available, 2),
            "savings_target": clean(budget.savings_target, 2),
            "committed": clean(budget.committed, 2),
            "topup": clean(topup, 2),
            "surplus_received": clean(received, 2),
            "funding": clean(funding, 2),
            "used": clean(used, 2),
            "surplus": clean(surplus, 2),
            **reserve,
            "slack": clean(slack, 2),
            "shadow_price": clean(dual * 1000 if dual is not None else None, 6),
            **_range(values, "budget", (b, t), "=" if budget.surplus_to is not None else "<=", slack, 2),
        })
    return pd.DataFrame(rows)


def requirement_table(values: PlanValues, data: ProblemData) -> pd.DataFrame:
    """Every requirement with its value, bound and slack (a share as a fraction)."""
    rows = []
    for req in data.requirements:
        key = requirement_key(req)
        value = values.row("requirement", key)
        slack = {">=": value - req.rhs, "<=": req.rhs - value, "=": -abs(value - req.rhs)}[req.sense]
        share = None
        ranges = _range(values, "requirement", key, req.sense, slack)
        if req.kind == "aandeel":
            years = data.years if req.year is None else (req.year,)
            part = sum(values.quantity(data, req.quantity, i, t) for i in req.share_part for t in years)
            whole = sum(values.quantity(data, req.quantity, i, t) for i in req.share_base for t in years)
            share = part / whole if whole > 1e-9 else None
            # The linear row's right-hand side is 0: only a share that does not bind has a range in percent.
            ranges = {"valid_down": None, "valid_up": None}
            if share is not None:
                room = {">=": share - req.share, "<=": req.share - share}.get(req.sense, -abs(share - req.share))
                slack = room  # a fraction as value and bound are, not the linear row's volume
                if values.is_basic("requirement", key):
                    ranges = _range(values, "requirement", key, req.sense, room)
        rows.append({
            "requirement": req.name,
            "year": key[1],
            "kind": req.kind,
            "quantity": req.quantity,
            "sense": req.sense,
            "value": clean(share if req.kind == "aandeel" else value, 6),
            "bound": clean(req.share if req.kind == "aandeel" else req.rhs, 6),
            "slack": clean(slack, 6),
            "shadow_price": clean(values.dual("requirement", key), 6),
            **ranges,
        })
    return pd.DataFrame(rows)


def group_table(values: PlanValues, data: ProblemData) -> pd.DataFrame:
    """Persons placed per target group and year."""
    rows = []
    for (g, t), group in data.groups.items():
        if ("group_capacity", (g, t)) not in values.compiled.rows:
            continue
        persons = values.row("group_capacity", (g, t))
        rows.append({
            "group": g,
            "year": t,
            "size": group.size,
            "unit": group.unit,
            "exact": group.exact,
            "persons": clean(persons, 6),
            "slack": clean(group.size - persons, 6),
            "shadow_price": clean(values.dual("group_capacity", (g, t)), 6),
        })
    return pd.DataFrame(rows)


def plan_dicts(values: PlanValues) -> dict[str, dict]:
    """``v``, ``u``, ``topup``, ``surplus`` and ``reserve_flow`` as dicts by index (for the independent re-check)."""
    x = values.x.tolist()
    return {name: {index: x[col] for index, col in values.compiled.cols.positions(name).items()}
            for name in ("v", "u", "topup", "surplus", "reserve_flow")}
