"""Explaining an infeasible model: the smallest relaxation in money, hard rules, and the conflicting rules (IIS).

Each case is small enough to solve by hand; the docstrings give the arithmetic.
"""

from dataclasses import replace

import pytest

from models.data import GroupYear, Instrument, Requirement
from models.diagnose import RULE_PREMIUM, smallest_relaxation
from models.solve import INFEASIBLE, solve
from tests.helpers import case


def _old_wsw(available: float, hard_group: bool = False):
    """The old Wsw as a 'precies' group of 100 persons (1 person per SE), €100,000 per SE on the PB."""
    return case([Instrument("Wsw", unit="SE", group="Wsw", retention=0)], {("Wsw", "PB"): 100_000},
                {"PB": available},
                groups={("Wsw", 2021): GroupYear("Wsw", 2021, 100, exact=True, hard=hard_group)})


def test_a_short_budget_is_named_in_euros_not_as_a_smaller_group():
    """€6,940,000 pays 69.4 of the 100 SE the group needs.

    Closing the gap with money costs €3,060,000; shrinking the group by 30.6
    persons is priced at 2 x €100,000 per person = €6,120,000. So the
    advice is the Participatiebudget's shortfall in 2021, in euros (the old
    diagnosis weighed €1,000 as one person and said 'the group 30.6 smaller').
    """
    result = solve(_old_wsw(6_940_000))
    assert result.status == INFEASIBLE
    [row] = result.infeasibility.to_dict("records")
    assert (row["kind"], row["name"], row["year"], row["direction"], row["unit"]) == ("budget", "PB", 2021, "+", "€")
    assert row["change"] == pytest.approx(3_060_000)
    assert row["value"] == pytest.approx(3_060_000)


def test_the_conflicting_rules_are_the_group_and_the_budget():
    """HiGHS's IIS: the exact group (v = 100) and the budget (100,000 v <= 6,940,000); nothing else."""
    result = solve(_old_wsw(6_940_000))
    conflict = {(r["kind"], r["name"], r["year"]) for r in result.conflict.to_dict("records")}
    assert conflict == {("doelgroep", "Wsw", 2021), ("budget", "PB", 2021)}


def test_the_iis_leaves_out_rules_that_are_not_part_of_the_conflict():
    """Three instruments, money plenty; only 'A >= 40' against A's maximum of 30 conflicts.

    B's target (B >= 5, max 10) and the C cap hold whatever A does, so the IIS
    holds the requirement on A and A's maximum volume only.
    """
    requirements = [Requirement("doel A", 2021, (("A", 1.0),), ">=", 40.0, kind="doel"),
                    Requirement("doel B", 2021, (("B", 1.0),), ">=", 5.0, kind="doel"),
                    Requirement("plafond C", 2021, (("C", 1.0),), "<=", 3.0, kind="doel")]
    data = case([Instrument("A", retention=0, max_volume=30), Instrument("B", retention=0, max_volume=10),
                 Instrument("C", retention=0)],
                {("A", "PB"): 1, ("B", "PB"): 1, ("C", "PB"): 1}, {"PB": 1_000_000}, requirements=requirements)
    result = solve(data)
    assert result.status == INFEASIBLE
    conflict = {(r["kind"], r["name"], r["side"]) for r in result.conflict.to_dict("records")}
    assert conflict == {("eis", "doel A", "lower"), ("max_volume", "A", "upper")}


def test_a_hard_group_is_never_relaxed():
    """The same shortfall with the group marked hard: still the budget, €3,060,000 (the group may not move)."""
    rows = smallest_relaxation(_old_wsw(6_940_000, hard_group=True)).to_dict("records")
    assert [(r["kind"], round(r["change"])) for r in rows] == [("budget", 3_060_000)]


def test_a_hard_requirement_makes_the_bound_give_way():
    """A >= 40 (hard) against A's maximum of 30 (€10 a unit): the maximum must rise by 10.

    Without 'hard' the two are priced alike (10 units at 2 x €1,000, the
    minimum unit value); with it only the maximum can move.
    """
    target = Requirement("doel A", 2021, (("A", 1.0),), ">=", 40.0, kind="doel", hard=True)
    data = case([Instrument("A", retention=0, max_volume=30)], {("A", "PB"): 10}, {"PB": 1_000_000},
                requirements=[target])
    [row] = smallest_relaxation(data).to_dict("records")
    assert (row["kind"], row["name"], row["direction"]) == ("max_volume", "A", "+")
    assert row["change"] == pytest.approx(10)
    assert row["value"] == pytest.approx(10 * RULE_PREMIUM * 1000)


def test_relaxations_are_priced_by_what_a_unit_costs_not_by_its_unit():
    """A in fte at €50,000 (max 30, hard) and a persons target of 40 with 2 persons per fte.

    40 persons need 20 fte, affordable; asking 80 persons needs 40 fte > 30:
    relax the target by 20 persons, each worth €50,000 / 2 = €25,000,
    times the premium: 20 x 2 x 25,000 = €1,000,000.
    """
    target = Requirement("doel personen", 2021, (("A", 1.0),), ">=", 80.0, quantity="personen", kind="doel")
    a = Instrument("A", retention=0, max_volume=30, persons_per_unit=2, hard=True)
    data = case([a], {("A", "PB"): 50_000}, {"PB": 10_000_000}, requirements=[target])
    [row] = smallest_relaxation(data).to_dict("records")
    assert (row["kind"], row["direction"]) == ("eis", "-")
    assert row["change"] == pytest.approx(20)
    assert row["value"] == pytest.approx(20 * RULE_PREMIUM * 25_000)


def test_an_intake_stop_given_by_a_series_is_never_relaxed():
    """The old Wsw follows a given series (80) without inflow; a target of 90 cannot be met by more intake.

    Only the target can give way, by 10 (the inflow of 0 is the law).
    """
    target = Requirement("Wsw 90", 2021, (("Wsw", 1.0),), ">=", 90.0, kind="doel")
    data = case([Instrument("Wsw", retention=1, start=80)], {("Wsw", "PB"): 1}, {"PB": 1_000_000},
                requirements=[target])
    data = replace(data, given_volume={("Wsw", 2021): 80.0})
    [row] = smallest_relaxation(data).to_dict("records")
    assert (row["kind"], row["name"], row["change"]) == ("eis", "Wsw 90", pytest.approx(10))
