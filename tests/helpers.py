"""Small builders for hand-solvable cases."""

from __future__ import annotations

from models.data import BudgetYear, Instrument, ProblemData, Settings


def case(
    instruments: list[Instrument],
    cost: dict[tuple[str, str], float],
    available: dict[str, float],
    years: tuple[int, ...] = (2021,),
    **extra,
) -> ProblemData:
    """A problem with the same yearly cost and availability in every year.

    ``cost`` is keyed (instrument, line); ``available`` by line. Any other
    field of :class:`ProblemData` (or ``settings`` keywords prefixed
    ``s_``) may be passed.
    """
    settings = {k[2:]: v for k, v in extra.items() if k.startswith("s_")}
    rest = {k: v for k, v in extra.items() if not k.startswith("s_")}
    budgets = rest.pop("budgets", None) or {
        (line, t): BudgetYear(line, t, amount) for line, amount in available.items() for t in years
    }
    return ProblemData(
        settings=Settings(name="test", years=years, **settings),
        instruments={i.name: i for i in instruments},
        budgets=budgets,
        cost={(i, b, t): c for (i, b), c in cost.items() for t in years},
        **rest,
    )


def volumes(result, instrument: str) -> list[float]:
    plan = result.plan[result.plan.instrument == instrument].sort_values("year")
    return [round(v, 6) for v in plan.volume]


def inflows(result, instrument: str) -> list[float]:
    plan = result.plan[result.plan.instrument == instrument].sort_values("year")
    return [round(v, 6) for v in plan.inflow]


def budget(result, line: str, year: int, column: str) -> float:
    rows = result.budgets[(result.budgets.line == line) & (result.budgets.year == year)]
    return float(rows[column].iloc[0])
