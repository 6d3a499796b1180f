"""Where the money of every budget line goes: the money used, broken down line by line.

Built from a result's tables (plan and budget use) and the data, so that it
holds for an optimum and for an evaluated chosen plan alike. Per budget line
and year the amounts add up to the budget table's ``used``: instrument costs
per component, scenario costs, committed money, a gemeente's share of a shared organisation's cost (a region)
and top-ups paid to other lines.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from models.data import ProblemData

COLUMNS = ["line", "year", "source", "name", "component", "amount"]
INSTRUMENT, SCENARIO, COMMITTED, TOPUP_PAID, SHARED = "instrument", "scenario", "vastgelegd", "aanvulling", "gedeeld"
"""The sources of money used (the ``source`` column, in Dutch as the report shows it)."""


def _instrument_parts(data: ProblemData, key: tuple[str, str, int], labelled: list[tuple[str, float, float]],
                      volume: float, inflow: float) -> dict[str, float]:
    """Money per component of one instrument on one line in a year; what the components leave is unlabelled."""
    cost, once = data.cost.get(key, 0.0), data.once.get(key, 0.0)
    parts: dict[str, float] = {}
    for label, c, o in labelled:
        parts[label] = c * volume + o * inflow
        cost, once = cost - c, once - o
    if abs(cost) > 1e-9 or abs(once) > 1e-9 or not parts:
        parts[""] = cost * volume + once * inflow
    return parts


def money_table(data: ProblemData, plan: pd.DataFrame, budgets: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    """One row per line, year, source, name and component with the money used; zero amounts are left out."""
    if plan.empty or budgets.empty:
        return pd.DataFrame(columns=COLUMNS)
    volume = {(r.instrument, r.year): (r.volume or 0.0, r.inflow or 0.0) for r in plan.itertuples()}
    labelled: dict[tuple[str, str, int], list[tuple[str, float, float]]] = defaultdict(list)
    for (i, line, t, label), (c, o) in data.components.items():
        labelled[i, line, t].append((label, c, o))
    rows = []
    for i, line, t in dict.fromkeys(list(data.cost) + list(data.once)):
        if (line, t) in data.budgets and (i, t) in volume:
            parts = _instrument_parts(data, (i, line, t), labelled.get((i, line, t), []), *volume[i, t])
            for label, amount in parts.items():
                rows.append((line, t, INSTRUMENT, i, label, amount))
    if scenario is not None:
        for s, line, t in dict.fromkeys(list(data.friction) + list(data.fixed_cost)):
            if s == scenario and (line, t) in data.budgets:
                rows.append((line, t, SCENARIO, s, "", data.scenario_cost(s, line, t)))
    paid: dict[tuple[str, int, str], float] = defaultdict(float)
    for r in budgets.itertuples():
        source = data.budgets[r.line, r.year].topup_from
        if source is not None and r.topup:
            paid[source, r.year, r.line] += r.topup
    rows += [(line, t, TOPUP_PAID, receiver, "", amount) for (line, t, receiver), amount in paid.items()]
    # A gemeente's fixed share of a shared organisation's cost is part of committed: shown apart, by organisation.
    own = {key: b.committed for key, b in data.budgets.items()}
    for (org, line, t, label), amount in data.shared.items():
        rows.append((line, t, SHARED, org, label, amount))
        own[line, t] -= amount
    rows += [(line, t, COMMITTED, "", "", amount) for (line, t), amount in own.items()]
    frame = pd.DataFrame([r for r in rows if abs(r[5]) > 1e-9], columns=COLUMNS)
    order = {key: k for k, key in enumerate(data.budgets)}
    frame["_order"] = [order[line, t] for line, t in zip(frame.line, frame.year, strict=True)]
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
