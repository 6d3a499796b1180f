"""The later phases' rows, added while HiGHS solves the first objective (Session.solve, Session.complete).

The case: one instrument A costing €1 per unit per year on line PB with €10
a year, 2021-2022, no run-off carried over (retention 0). The best plan
places 10 units each year: 20 person-years. The chosen plan (the reference
of the last tie-break) says 4 in 2021 and 12 in 2022, so the change columns
of the deviation rows ``v - up + down = reference`` are up = 6 in 2021 and
down = 2 in 2022: a change of 8.
"""

import threading

import numpy as np
import pytest

from models import allocation, highs
from models.data import Instrument
from models.highs import CompiledModel
from models.session import Session
from models.solve import INFEASIBLE, OPTIMAL, optimise
from tests.helpers import case

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


def test_a_first_solve_without_an_optimum_still_leaves_the_whole_model():
    """At least 15 units a year cost €15 of the €10: no plan, and the session has every row all the same."""
    session = Session(_case(min_volume=15))
    first = session.solve("participatie")
    assert first.status == INFEASIBLE
    assert ("deviation", ("A", 2022)) in session.compiled.rows


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
