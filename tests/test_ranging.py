"""Ranging of shadow prices: one convention for budgets and requirements (issue 8, point 1).

``valid_down`` and ``valid_up`` are how far the right-hand side (money
available, a requirement's bound) may fall and rise with the same shadow
price: both positive, ``inf`` for unlimited. A row that does not bind keeps
price 0 for a fall (``<=``) or rise (``>=``) up to its room; a binding row's
ranges come from HiGHS. Each number is checked by solving again with the
right-hand side moved.
"""

import math
from dataclasses import replace

import pytest

from models.data import Instrument, Requirement
from models.session import Session
from models.solve import INFEASIBLE, optimise, solve
from tests.helpers import budget, case

TARGET = 23.28


def _data(pb=100.0, am=50.0, target=TARGET):
    """A at €1 from PB (at most 94: PB keeps €6 room); B at €2 from AM (€50: B = 25); doel B >= 23,28.

    Objective 94 + 25 = 119. PB does not bind: price 0, may fall by 6, rise without limit.
    AM binds: 0,5 person per euro = 500 per €1.000; it may fall until B meets the target exactly
    (2 * 23,28 = 46,56, a fall of 3,44) and rise without limit.
    The target does not bind (1,72 to spare): price 0, may rise by 1,72, fall without limit.
    """
    target_row = Requirement("doel B", 2021, (("B", 1.0),), ">=", target, kind="doel")
    return case([Instrument("A", retention=0, max_volume=94), Instrument("B", retention=0)],
                {("A", "PB"): 1, ("B", "AM"): 2}, {"PB": pb, "AM": am}, requirements=[target_row])


def test_ranges_of_binding_and_slack_rows_are_positive_amounts():
    result = solve(_data())
    assert result.objective_value == pytest.approx(119)
    assert budget(result, "PB", 2021, "slack") == pytest.approx(6)
    assert budget(result, "PB", 2021, "shadow_price") == pytest.approx(0)
    assert budget(result, "PB", 2021, "valid_down") == pytest.approx(6)
    assert budget(result, "PB", 2021, "valid_up") == math.inf
    assert budget(result, "AM", 2021, "shadow_price") == pytest.approx(500)
    assert budget(result, "AM", 2021, "valid_down") == pytest.approx(3.44)
    assert budget(result, "AM", 2021, "valid_up") == math.inf
    target = result.requirements.iloc[0]
    assert target.slack == pytest.approx(1.72)
    assert target.shadow_price == pytest.approx(0)
    assert target.valid_up == pytest.approx(1.72)
    assert target.valid_down == math.inf


def test_ranges_agree_with_solving_again():
    """Within a range the objective moves by price times the change; just past it, it does not (or fails)."""
    base = 119
    assert solve(_data(pb=94)).objective_value == pytest.approx(base)  # PB -6: price 0 still holds
    assert solve(_data(pb=93)).objective_value == pytest.approx(base - 1)  # past the range: A loses 1
    assert solve(_data(am=50 - 3.44)).objective_value == pytest.approx(base - 3.44 / 2)
    assert solve(_data(target=TARGET + 1.72)).objective_value == pytest.approx(base)
    assert solve(_data(target=TARGET + 1.8)).status == INFEASIBLE


def test_no_prices_means_no_ranges_not_unlimited():
    """A time-limited or unpriced plan has no ranging: unknown (None), never shown as unlimited (inf)."""
    data = _data()
    data = replace(data, settings=replace(data.settings, objective="lexicografisch"))
    result = solve(data)  # the lexicographic objective prices phase 1: still ranged
    assert budget(result, "PB", 2021, "valid_down") == pytest.approx(6)
    unpriced = optimise(Session(_data()), prices=False)
    assert unpriced.budgets.valid_down.isna().all() and unpriced.budgets.valid_up.isna().all()
    assert unpriced.requirements.valid_up.isna().all()
