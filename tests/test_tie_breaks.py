"""Among equally good plans the one a controller would pick (issue 8, point 2).

The tie-break phases hold the objective's value and then take, in order, the
least top-up, the least net gemeente money and the least change against the
chosen plan (or the previous year). Each case has many optima; the expected
plan is the one the phases pick, and the objective is the optimum's.
"""

import numpy as np
import pytest

from models.data import BudgetYear, GroupYear, Instrument
from models.highs import MAXIMIZE
from models.session import Session
from models.solve import OPTIMAL, optimise, solve
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


def _one_column(session, instrument):
    """A cost vector that is 1 on the volume of ``instrument`` in 2021 and 0 elsewhere."""
    vector = np.zeros(session.compiled.num_col)
    vector[session.compiled.col(session.model.v[instrument, 2021])] = 1
    return vector


def test_the_optimal_face_keeps_every_optimum_and_nothing_else():
    """PB €10; A and A2 cost €1 a person, B €2 (retention 0, one year).

    Maximum participation is 10: €10 on A and A2 in any split. PB's price is 1 person per euro, so B's
    reduced cost is 1 - 2 x 1 = -1: no optimum uses B. On the optimal face A2 can still take all 10
    (a tie: its reduced cost is 0) while B is held at 0; once released, B can take €10 / €2 = 5 again.
    """
    data = case([Instrument("A", retention=0), Instrument("A2", retention=0), Instrument("B", retention=0)],
                {("A", "PB"): 1, ("A2", "PB"): 1, ("B", "PB"): 2}, {"PB": 10})
    session = Session(data)
    best = session.solve("participatie", duals=True)
    assert best.objective == pytest.approx(10)
    session.restrict_to_face(best)
    assert session.solve_vector(_one_column(session, "A2"), MAXIMIZE).objective == pytest.approx(10)
    assert session.solve_vector(_one_column(session, "B"), MAXIMIZE).objective == pytest.approx(0)
    session.release()
    assert session.solve_vector(_one_column(session, "B"), MAXIMIZE).objective == pytest.approx(5)


def test_after_the_tie_breaks_the_session_holds_the_model_it_was_built_with():
    """The tie-breaks fix columns and rows on the optimal face; the run's session must get every bound back."""
    data = _twins()
    session = Session(data)
    before = session.highs.highs.getLp()
    optimise(session)
    after = session.highs.highs.getLp()
    for side in ("col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert list(getattr(after, side)) == list(getattr(before, side)), side
