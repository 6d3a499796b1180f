"""The time limit is the limit of the whole run, shared by every solve (issue 8, point 9).

A fake clock that advances 10 s at every solve makes the test independent of
this machine's speed.
"""

import pytest

from models import highs
from models.data import Instrument
from models.highs import DEFAULT_MIP_GAP
from models.session import Deadline, Session
from models.solve import OPTIMAL, optimise
from optimiser import pipeline
from tests.conftest import EXAMPLE
from tests.helpers import case


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_each_solve_gets_what_is_left_and_late_tie_breaks_are_left_out(monkeypatch):
    """Limit 25 s, each solve takes 10 s: the objective gets 25, the tie-breaks 15 and 5; the third is skipped."""
    clock, limits = Clock(), []
    real_solve = highs.HighsModel.solve

    def timed_solve(self, time_limit, prices=False, warm=True, **more):
        limits.append(time_limit)
        clock.now += 10
        return real_solve(self, None, prices, warm, **more)

    monkeypatch.setattr(highs.HighsModel, "solve", timed_solve)
    data = case([Instrument("A", retention=0)], {("A", "PB"): 1}, {"PB": 10})
    result = optimise(Session(data), deadline=Deadline(25, clock=clock))
    assert result.status == OPTIMAL
    assert limits == [pytest.approx(25), pytest.approx(15), pytest.approx(5)]
    assert [p["status"] for p in result.phases] == [OPTIMAL, OPTIMAL, OPTIMAL, "overgeslagen (tijdslimiet)"]


def test_a_spent_deadline_still_lets_highs_return_its_best():
    clock = Clock()
    deadline = Deadline(5, clock=clock)
    clock.now = 7
    assert deadline.expired()
    assert deadline.left() == pytest.approx(0.01)
    assert not Deadline(None).expired() and Deadline(None).left() is None


def test_verantwoording_records_the_limit_and_gap_that_were_used():
    """The option overrides the workbook's setting; the audit shows the value the run's deadline used."""
    outcome = pipeline.run(EXAMPLE, pipeline.RunOptions(time_limit=7))
    audit = outcome.audit()
    assert audit["Tijdslimiet (s), voor de hele berekening"] == 7
    assert audit["MIP-gap gevraagd"] == DEFAULT_MIP_GAP
    assert "/" not in str(audit["Invoerbestand"])  # the file's name, not its path
