"""Money per gemeente of a region, and for the region: from a result's budget table and the data.

A party is a (gemeente, bearer) pair. Its money is the direct cost and committed
money of its own lines (the budget table's ``used`` without the top-ups a line
pays for other lines), plus top-ups it pays into and surpluses it hands to
another party's lines, minus the same flowing towards it: the per-bearer rule
of ``models.allocation.bearer_money`` with the gemeente added to the bearer.
The parties' money adds up to the plan's ``total_cost``; a line without a
gemeente counts for the region (``REGION``).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from models.data import ProblemData

REGION = ""
"""The gemeente of a line that belongs to no single gemeente."""
COLUMNS = ["gemeente", "bearer", "money"]


def region_money(data: ProblemData, budgets: pd.DataFrame) -> pd.DataFrame:
    """Net money per gemeente and bearer; empty for a workbook of one gemeente."""
    if not data.gemeenten or budgets.empty:
        return pd.DataFrame(columns=COLUMNS)

    def party(line: str, year: int) -> tuple[str, str]:
        budget = data.budgets[line, year]
        return budget.gemeente or REGION, budget.bearer

    paid: dict[tuple[str, int], float] = defaultdict(float)
    for r in budgets.itertuples():
        source = data.budgets[r.line, r.year].topup_from
        if source is not None:
            paid[source, r.year] += r.topup or 0.0
    money: dict[tuple[str, str], float] = defaultdict(float)
    for r in budgets.itertuples():
        budget, own = data.budgets[r.line, r.year], party(r.line, r.year)
        money[own] += (r.used or 0.0) - paid[r.line, r.year]
        for other, amount in ((budget.topup_from, -(r.topup or 0.0)), (budget.surplus_to, r.surplus or 0.0)):
            if other is not None and amount and party(other, r.year) != own:
                money[own] += amount  # a top-up received lowers its own money, a surplus handed on raises it
                money[party(other, r.year)] -= amount
    order = {g: k for k, g in enumerate([*data.gemeenten, REGION])}
    rows = sorted(money.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    return pd.DataFrame([(g, who, amount) for (g, who), amount in rows], columns=COLUMNS)
