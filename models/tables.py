"""Read a solved (or evaluated) model into plain tables with English column names."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from models.allocation import quantity, requirement_lhs, spending
from models.data import ProblemData


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


def read_tables(m: pyo.ConcreteModel, data: ProblemData, duals=None, reduced=None, ranges=None) -> Tables:
    """Every table of the loaded solution.

    ``duals`` and ``reduced`` map components to prices, ``ranges`` constraints
    to how far their right-hand side may move (down, up) at that price.
    """
    duals, reduced, ranges = duals or {}, reduced or {}, ranges or {}
    return Tables(plan=plan_table(m, data, reduced), budgets=budget_table(m, data, duals, ranges),
                  requirements=requirement_table(m, data, duals, ranges), groups=group_table(m, data, duals),
                  totals=totals(m, data))


def _range(ranges, con, column: str, digits: int = 6) -> dict:
    down, up = ranges.get(con, (None, None))
    return {f"{column}_down": clean(down, digits), f"{column}_up": clean(up, digits)}


def totals(m: pyo.ConcreteModel, data: ProblemData) -> dict[str, float]:
    """Participation, person-years, benefit, money: the plan's totals."""
    persons = sum(pyo.value(m.p[i, t]) for i in m.I for t in m.T)
    result = {
        "participation": clean(pyo.value(m.participation)),
        "person_years": clean(persons),
        "benefit": clean(sum(data.benefit(i) * pyo.value(m.p[i, t]) for i in m.I for t in m.T)),
        "societal_value": clean(pyo.value(m.societal_value)),
        "gemeente_spending": clean(pyo.value(m.gemeente_spending)),
        "topup": clean(sum(pyo.value(m.topup[k]) for k in m.TOPUP)),
        "total_cost": clean(pyo.value(m.total_cost)),
    }
    for who in m.BEARERS:
        result[f"money_{who}"] = clean(pyo.value(m.bearer_money[who]))
    return result


def plan_table(m, data, reduced) -> pd.DataFrame:
    """Volume, inflow and persons per instrument and year."""
    rows = []
    for i in m.I:
        inst = data.instruments[i]
        for t in m.T:
            rows.append({
                "instrument": i,
                "year": t,
                "unit": inst.unit,
                "volume": clean(pyo.value(m.v[i, t])),
                "inflow": clean(pyo.value(m.u[i, t])),
                "persons": clean(pyo.value(m.p[i, t])),
                "reduced_cost": clean(reduced.get(m.v[i, t]) if reduced else None),
            })
    return pd.DataFrame(rows)


def budget_table(m, data, duals, ranges=None) -> pd.DataFrame:
    """Use of every budget line per year; ``slack`` < 0 where a given plan overspends."""
    rows = []
    for (b, t), budget in data.budgets.items():
        used = pyo.value(spending(m, data, b, t))
        topup = pyo.value(m.topup[b, t]) if (b, t) in m.TOPUP else 0.0
        surplus = pyo.value(m.surplus[b, t]) if (b, t) in m.SURPLUS else 0.0
        received = sum(pyo.value(m.surplus[o, t]) for o in m.links.receivers.get((b, t), ()))
        room = budget.available - budget.savings_target + topup + received
        dual = duals.get(m.budget[b, t]) if duals else None
        rows.append({
            "line": b,
            "year": t,
            "bearer": budget.bearer,
            "available": clean(budget.available, 2),
            "savings_target": clean(budget.savings_target, 2),
            "committed": clean(budget.committed, 2),
            "topup": clean(topup, 2),
            "surplus_received": clean(received, 2),
            "used": clean(used, 2),
            "surplus": clean(surplus, 2),
            "slack": clean(room - used - surplus, 2),
            "shadow_price": clean(dual * 1000 if dual is not None else None, 6),
            **_range(ranges or {}, m.budget[b, t], "valid", 2),
        })
    return pd.DataFrame(rows)


def requirement_table(m, data, duals, ranges=None) -> pd.DataFrame:
    """Every requirement with its value, bound and slack (a share as a fraction)."""
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
            "value": clean(share if req.kind == "aandeel" else value, 6),
            "bound": clean(req.share if req.kind == "aandeel" else req.rhs, 6),
            "slack": clean(slack, 6),
            "shadow_price": clean(dual, 6),
            # A share's right-hand side is 0 in the linear form; a range there would not read as a percentage.
            **_range({} if req.kind == "aandeel" else ranges or {}, con, "valid"),
        })
    return pd.DataFrame(rows)


def group_table(m, data, duals) -> pd.DataFrame:
    """Persons placed per target group and year."""
    rows = []
    for (g, t), group in data.groups.items():
        if (g, t) not in m.group_capacity:
            continue
        persons = sum(pyo.value(m.p[i, t]) for i, inst in data.instruments.items() if inst.group == g)
        dual = duals.get(m.group_capacity[g, t]) if duals else None
        rows.append({
            "group": g,
            "year": t,
            "size": group.size,
            "exact": group.exact,
            "persons": clean(persons, 6),
            "slack": clean(group.size - persons, 6),
            "shadow_price": clean(dual, 6),
        })
    return pd.DataFrame(rows)
