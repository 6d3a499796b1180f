"""Among equally good plans the one a controller would pick (issue 8, point 2).

The tie-break phases hold the objective's value and then take, in order, the
least top-up, the least net gemeente money and the least change against the
chosen plan (or the previous year). Each case has many optima; the expected
plan is the one the phases pick, and the objective is the optimum's.
"""

import pytest

from models.data import BudgetYear, GroupYear, Instrument
from models.solve import OPTIMAL, solve
from tests.helpers import budget, case, volumes

Y3 = (2021, 2022, 2023)


def test_no_top_up_where_the_line_has_room():
    """A (€1 from PB) is capped at 10 persons by its group; PB has €20, AM may top it up without limit.

    Participation 10 in every optimum; any top-up from AM is a tie the solver may return.
    The least top-up is 0: PB uses €10 of its own and keeps €10 room.
    """
    budgets = {("PB", 2021): BudgetYear("PB", 2021, 20, topup_from="AM"),
               ("AM", 2021): BudgetYear("AM", 2021, 1000)}
    data = case([Instrument("A", retention=0, group="G")], {("A", "PB"): 1}, {}, budgets=budgets,
                groups={("G", 2021): GroupYear("G", 2021, 10)})
    result = solve(data)
    assert result.status == OPTIMAL
    assert result.objective_value == pytest.approx(10)
    assert budget(result, "PB", 2021, "topup") == 0
    assert budget(result, "PB", 2021, "slack") == pytest.approx(10)
    assert result.totals["topup"] == 0


def test_least_gemeente_money_among_optima():
    """A (rijk line) and B (gemeente line) at €1 each share a group of 10: participation 10 either way.

    The least gemeente money takes all 10 from A: B = 0, gemeente money 0.
    """
    budgets = {("RIJK", 2021): BudgetYear("RIJK", 2021, 10, bearer="rijk"),
               ("GEM", 2021): BudgetYear("GEM", 2021, 10)}
    data = case([Instrument("A", retention=0, group="G"), Instrument("B", retention=0, group="G")],
                {("A", "RIJK"): 1, ("B", "GEM"): 1}, {}, budgets=budgets,
                groups={("G", 2021): GroupYear("G", 2021, 10)})
    result = solve(data)
    assert result.objective_value == pytest.approx(10)
    assert volumes(result, "A") == [10]
    assert volumes(result, "B") == [0]
    assert result.totals["gemeente_spending"] == pytest.approx(0)


def _twins(**extra):
    """Intern and detachering: same cost (€1, PB €100 a year), one group of 10 persons, 6 and 4 at the start.

    Retention 0: each year's volume is free, so every split of the 10 persons is an optimum (30 person-years).
    """
    return case([Instrument("intern", group="W", start=6, retention=0),
                 Instrument("detachering", group="W", start=4, retention=0)],
                {("intern", "PB"): 1, ("detachering", "PB"): 1}, {"PB": 100}, Y3,
                groups={("W", t): GroupYear("W", t, 10) for t in Y3}, **extra)


def test_least_change_against_the_previous_year():
    """Without a chosen plan the reference is the previous year (the start in 2021): 6 and 4 every year."""
    result = solve(_twins())
    assert result.objective_value == pytest.approx(30)
    assert volumes(result, "intern") == [6, 6, 6]
    assert volumes(result, "detachering") == [4, 4, 4]


def test_least_change_against_the_chosen_plan():
    """The chosen plan has 3 intern and 7 detachering every year, one of the optima: the optimum follows it."""
    chosen = {(i, t): v for i, v in (("intern", 3), ("detachering", 7)) for t in Y3}
    result = solve(_twins(chosen_plan=chosen))
    assert result.objective_value == pytest.approx(30)
    assert volumes(result, "intern") == [3, 3, 3]
    assert volumes(result, "detachering") == [7, 7, 7]
    phases = [p["phase"] for p in result.phases]
    assert phases == ["participatie", "minimale aanvulling", "minimale gemeentelijke inzet",
                      "minimale verandering"]
