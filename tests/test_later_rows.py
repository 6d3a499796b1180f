"""The later phases' rows, added while HiGHS solves the first objective (Session.solve, Session.complete).

The case: one instrument A costing €1 per unit per year on line PB with €10
a year, 2021-2022, no run-off carried over (retention 0). The best plan
places 10 units each year: 20 person-years. The chosen plan (the reference
of the last tie-break) says 4 in 2021 and 12 in 2022, so the change columns
of the deviation rows ``v - up + down = reference`` are up = 6 in 2021 and
down = 2 in 2022: a change of 8.
"""

import math
import threading

import highspy
import numpy as np
import pytest

from models import allocation, highs
from models.data import Instrument
from models.highs import Block, CompiledModel, extended_basis
from models.session import Session
from models.solve import INFEASIBLE, OPTIMAL, optimise
from tests.helpers import budget, case

CHOSEN = {("A", 2021): 4.0, ("A", 2022): 12.0}


def _case(**instrument):
    return case([Instrument("A", retention=0, **instrument)], {("A", "PB"): 1}, {"PB": 10}, years=(2021, 2022),
                chosen_plan=dict(CHOSEN))


def test_the_first_solve_gives_the_whole_model_its_optimum_without_another_solve(monkeypatch):
    threads = []
    real_solve = highs.HighsModel.solve

    def solve(self, *args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real_solve(self, *args, **kwargs)

    monkeypatch.setattr(highs.HighsModel, "solve", solve)
    session = Session(_case())
    first = session.solve("participatie", duals=True)
    assert threads == [False]  # one solve, beside the build of the later rows
    compiled = session.compiled
    assert ("deviation", ("A", 2021)) in compiled.rows and ("spending_cap", ("PB", 2022)) in compiled.rows
    assert first.status == OPTIMAL and first.objective == pytest.approx(20)
    assert len(first.x) == compiled.num_col and len(first.activity) == compiled.num_row
    x = {key: first.x[col] for key, col in compiled.cols.items()}
    assert x["v", ("A", 2021)] == pytest.approx(10) and x["v", ("A", 2022)] == pytest.approx(10)
    assert x["change_up", ("A", 2021)] == pytest.approx(6) and x["change_down", ("A", 2022)] == pytest.approx(2)
    assert x["change_down", ("A", 2021)] == 0 and x["change_up", ("A", 2022)] == 0
    assert session.measure("change", first.x) == pytest.approx(8)
    for t in (2021, 2022):  # each deviation row holds at its reference, and prices nothing
        row = compiled.rows["deviation", ("A", t)]
        assert first.activity[row] == pytest.approx(CHOSEN["A", t])
        assert first.row_dual[row] == 0
    assert first.row_dual[compiled.rows["budget", ("PB", 2021)]] == pytest.approx(1)  # a euro more: a unit more
    # HiGHS holds that optimum as its basis: solving again takes no iteration
    again = real_solve(session.highs, None)
    assert again.objective == pytest.approx(20)
    assert session.highs.highs.getInfo().simplex_iteration_count == 0


def test_the_tie_breaks_see_the_later_rows():
    """Every plan places 10 a year; the least change against the chosen plan is the 8 above."""
    result = optimise(Session(_case()))
    last = result.phases[-1]
    assert last["phase"] == "minimale verandering" and last["objective"] == pytest.approx(8)


def test_with_the_change_aside_the_rows_bind_nothing_and_come_back_after():
    """Within ``change_aside`` the change columns stay at 0 and the deviation rows are free; after, all is back.

    The best plan is 10 a year either way (20 person-years). Inside, the
    deviation rows' activity is the plan's volume (10), not the reference
    (4 and 12), and the change is 0. After, HiGHS holds the rows at the
    reference again and the least change is the 8 above.
    """
    session = Session(_case())
    compiled = session.compiled
    rows = [compiled.rows["deviation", ("A", t)] for t in (2021, 2022)]
    changes = [compiled.cols[name, ("A", t)] for name in ("change_up", "change_down") for t in (2021, 2022)]
    with session.change_aside():
        lp = session.highs.highs.getLp()
        assert all(lp.row_lower_[r] == -highspy.kHighsInf and lp.row_upper_[r] == highspy.kHighsInf for r in rows)
        assert all(lp.col_lower_[c] == 0 and lp.col_upper_[c] == 0 for c in changes)
        inside = session.solve("participatie")
        assert inside.objective == pytest.approx(20)
        assert [inside.activity[r] for r in rows] == pytest.approx([10, 10])
        assert session.measure("change", inside.x) == 0
    lp = session.highs.highs.getLp()
    assert [(lp.row_lower_[r], lp.row_upper_[r]) for r in rows] == [(4, 4), (12, 12)]
    assert all(lp.col_upper_[c] == highspy.kHighsInf for c in changes)
    assert optimise(session).phases[-1]["objective"] == pytest.approx(8)


def test_a_first_solve_without_a_plan_is_not_solved_again(monkeypatch):
    """At least 15 units a year cost €15 of the €10: no plan without the later rows, so none with them.

    One solve, and the session has every row all the same.
    """
    solves = []
    real_solve = highs.HighsModel.solve

    def solve(self, *args, **kwargs):
        solves.append(self)
        return real_solve(self, *args, **kwargs)

    monkeypatch.setattr(highs.HighsModel, "solve", solve)
    session = Session(_case(min_volume=15))
    first = session.solve("participatie")
    assert first.status == INFEASIBLE and len(solves) == 1
    assert ("deviation", ("A", 2022)) in session.compiled.rows


def _one_row_block(upper: float) -> Block:
    """After a model of one column x0: the row ``x0 - c = 4`` with a new column ``0 <= c <= upper``."""
    return Block(first_col=1, first_row=0, columns=[None], col_lower=np.array([0.0]), col_upper=np.array([upper]),
                 integer=np.array([False]), row_lower=np.array([4.0]), row_upper=np.array([4.0]),
                 offset=np.array([0.0]), entry_rows=np.array([0, 0], dtype=np.int32),
                 entry_cols=np.array([0, 1], dtype=np.int32), entry_values=np.array([1.0, -1.0]))


@pytest.mark.parametrize(("upper", "mended"), [(math.inf, True), (1.0, False)])
def test_the_basis_is_extended_only_as_far_as_a_new_column_can_mend_a_row(upper, mended):
    """x0 = 10 (basic): the row needs c = 6; with c at most 1 it cannot hold, and no plan is claimed."""
    basis = highspy.HighsBasis()
    basis.col_status, basis.row_status = [highspy.HighsBasisStatus.kBasic], []
    extension = extended_basis(basis, np.array([10.0]), _one_row_block(upper))
    assert extension.feasible == mended
    if mended:
        assert extension.values.tolist() == [6.0] and extension.activity.tolist() == [4.0]
        assert list(basis.col_status) == [highspy.HighsBasisStatus.kBasic] * 2  # x0 and c
        assert list(basis.row_status) == [highspy.HighsBasisStatus.kUpper]  # 10 was above 4: it rests at its upper


def test_reading_the_model_before_a_solve_adds_the_later_rows_first():
    session = Session(_case())
    assert ("spending_cap", ("PB", 2021)) in session.compiled.rows
    first = session.solve("participatie")
    assert first.status == OPTIMAL and session.measure("change", first.x) == pytest.approx(8)


def test_the_later_rows_added_apart_give_the_model_built_at_once():
    """With the first solve, or read before it: the arrays and maps of the model built whole in one go."""
    whole_model = allocation.build(_case(), later_phases=True)
    whole = CompiledModel(whole_model, allocation.measures(whole_model))
    solved, read = Session(_case()), Session(_case())
    solved.solve("participatie")
    read.complete()
    for session in (solved, read):
        for name in ("col_lower", "col_upper", "row_lower", "row_upper", "offset", "a_start", "a_index", "a_value"):
            assert np.array_equal(getattr(session.compiled, name), getattr(whole, name)), name
        assert list(session.compiled.rows) == list(whole.rows) and list(session.compiled.cols) == list(whole.cols)
        for name, (vector, constant) in whole.measures.items():
            ours, offset = session.compiled.measures[name]
            assert np.array_equal(ours, vector) and offset == constant, name


@pytest.mark.parametrize("integer", [False, True])
def test_a_shadow_price_holds_as_far_as_the_money_buys_and_not_as_far_as_the_chosen_plan(integer):
    """Ranges are those of the plan's objective, not bounded by the change against the chosen plan.

    A (at most 7, €1 a unit) and B (€2 a unit) share €11 on PB in 2021: the
    best plan is A 7 and B 2. A euro more buys half a unit of B: a price of
    500 per €1.000, as long as B exists: down by €4 (B at 0), up without end.
    The chosen plan has B at 3; the change column B - 3 < 0 would reach 0
    after €2 more, which changes nothing the price is about (it was the range
    reported before the later rows were set aside). As an LP the range comes
    from the first solve, as a MIP (A integer) from the LP with A fixed.
    """
    data = case([Instrument("A", retention=0, max_volume=7, integer=integer), Instrument("B", retention=0)],
                {("A", "PB"): 1, ("B", "PB"): 2}, {"PB": 11}, chosen_plan={("A", 2021): 7, ("B", 2021): 3})
    result = optimise(Session(data))
    assert result.is_mip == integer
    assert budget(result, "PB", 2021, "shadow_price") == pytest.approx(500)
    assert budget(result, "PB", 2021, "valid_down") == pytest.approx(4)
    assert budget(result, "PB", 2021, "valid_up") == math.inf
