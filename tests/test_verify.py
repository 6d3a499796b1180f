"""The independent re-check finds broken rules, and a failed re-check is reported, not hidden."""

import models.solve
from models.data import Instrument, Requirement
from models.solve import NUMERICAL, OPTIMAL, solve
from models.verify import residuals
from optimiser.texts import status_text
from tests.helpers import case


def _data():
    target = Requirement("doel A", 2021, (("A", 1.0),), ">=", 3.0)
    return case([Instrument("A", retention=0.5, start=4, max_volume=9)], {("A", "PB"): 10}, {"PB": 100},
                requirements=[target])


def test_a_correct_plan_has_no_residuals():
    """v = 0.5 * 4 + u: v = 8, u = 6 costs €80 of €100."""
    assert residuals(_data(), {("A", 2021): 8}, {("A", 2021): 6}, {}, {}, None) == []


def test_broken_rules_are_found():
    found = residuals(_data(), {("A", 2021): 11}, {("A", 2021): 5}, {}, {}, None)
    assert any(f.startswith("stock A 2021") for f in found)  # 11 != 2 + 5
    assert any(f.startswith("upper bound A 2021") for f in found)  # 11 > 9
    assert any(f.startswith("budget PB 2021") for f in found)  # 110 > 100
    found = residuals(_data(), {("A", 2021): 2.5}, {("A", 2021): 0.5}, {}, {}, None)
    assert any(f.startswith("requirement doel A") for f in found)  # 2.5 < 3


def test_every_optimal_solve_passes_the_recheck():
    result = solve(_data())
    assert result.status == OPTIMAL and result.check_failures == []


def test_a_failed_recheck_is_a_numerical_problem(monkeypatch):
    monkeypatch.setattr(models.solve, "residuals", lambda *args: ["budget PB 2021: 120.00 > 100.00"])
    result = solve(_data())
    assert result.status == NUMERICAL
    assert "Numeriek probleem" in status_text(result)
    assert "budget PB 2021" in status_text(result)
