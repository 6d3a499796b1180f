"""One hand-solvable case per constraint family and per objective.

Each docstring shows the arithmetic behind the expected numbers.
"""

import math

import pytest

from models.data import BudgetYear, GroupYear, Instrument, Requirement, Scenario
from models.solve import INFEASIBLE, OPTIMAL, UNBOUNDED, solve
from tests.helpers import budget, case, inflows, volumes

Y2 = (2021, 2022)


def test_stock_dynamics_retention_and_inflow():
    """r = 0.5, start 10, €10 a unit, €100 a year: v <= 10; v = 0.5*10 + u -> u = 5; then 0.5*10 + 5."""
    data = case([Instrument("A", retention=0.5, start=10)], {("A", "PB"): 10}, {"PB": 100}, Y2)
    result = solve(data)
    assert result.status == OPTIMAL
    assert volumes(result, "A") == [10, 10]
    assert inflows(result, "A") == [5, 5]
    assert result.objective_value == pytest.approx(20)


def test_persons_per_unit_counts_in_participation():
    """1.5 persons per FTE, 10 FTE affordable: 15 persons."""
    data = case([Instrument("A", retention=0, persons_per_unit=1.5)], {("A", "PB"): 10}, {"PB": 100})
    result = solve(data)
    assert result.objective_value == pytest.approx(15)
    assert result.plan.persons.tolist() == [pytest.approx(15)]


def test_budget_committed_savings_topup_and_surplus():
    """PB room = 1000 - 200 committed - 300 savings = 500 -> 5 units at €100.

    A top-up from AM (cap 200) adds what AM has: AM's own 50 plus BUIG's surplus
    of 80 that flows to AM = 130 -> 6.3 units.
    """
    years = (2021,)
    budgets = {
        ("PB", 2021): BudgetYear("PB", 2021, 1000, committed=200, savings_target=300, topup_from="AM",
                                 topup_cap=200),
        ("AM", 2021): BudgetYear("AM", 2021, 50),
        ("BUIG", 2021): BudgetYear("BUIG", 2021, 80, surplus_to="AM", bearer="rijk"),
    }
    data = case([Instrument("A", retention=0)], {("A", "PB"): 100}, {}, years, budgets=budgets)
    result = solve(data)
    assert volumes(result, "A") == [6.3]
    assert budget(result, "PB", 2021, "topup") == pytest.approx(130)
    assert budget(result, "BUIG", 2021, "surplus") == pytest.approx(80)
    assert budget(result, "AM", 2021, "used") == pytest.approx(130)
    assert budget(result, "AM", 2021, "surplus_received") == pytest.approx(80)
    assert budget(result, "PB", 2021, "used") == pytest.approx(200 + 630)
    # One extra euro on AM buys 1/100 unit: 10 persons per €1,000.
    assert budget(result, "AM", 2021, "shadow_price") == pytest.approx(10)


def test_topup_cap_binds():
    """Cap 100 < the 130 AM could give: 5 + 1 = 6 units; the cap leaves AM slack."""
    budgets = {
        ("PB", 2021): BudgetYear("PB", 2021, 500, topup_from="AM", topup_cap=100),
        ("AM", 2021): BudgetYear("AM", 2021, 130),
    }
    result = solve(case([Instrument("A", retention=0)], {("A", "PB"): 100}, {}, budgets=budgets))
    assert volumes(result, "A") == [6]
    assert budget(result, "AM", 2021, "slack") == pytest.approx(30)


def test_step_limits_up_and_down():
    """A grows at most 2 a year from 10 (12, 14). B (weight 0) must fall at most 3 a year from 10: 7, 4.

    C (weight 1, €10) gets what B leaves of €100: (100 - 70)/10 = 3, then 6. Objective 12+14+3+6 = 35.
    """
    data = case(
        [Instrument("A", retention=1, start=10, max_change=2),
         Instrument("B", retention=0, start=10, max_change=3, weight=0),
         Instrument("C", retention=0)],
        {("B", "PB"): 10, ("C", "PB"): 10},
        {"PB": 100},
        Y2,
    )
    result = solve(data)
    assert volumes(result, "A") == [12, 14]
    assert volumes(result, "B") == [7, 4]
    assert volumes(result, "C") == [3, 6]
    assert result.objective_value == pytest.approx(35)


def test_volume_and_inflow_bounds():
    """Max inflow 3 a year from start 0 (r = 1): 3, 6; min volume 2 on B (weight 0) costs 2 of the €10."""
    data = case(
        [Instrument("A", retention=1, max_inflow=3), Instrument("B", retention=0, weight=0, min_volume=2)],
        {("A", "PB"): 1, ("B", "PB"): 1},
        {"PB": 10},
        Y2,
    )
    result = solve(data)
    assert volumes(result, "A") == [3, 6]
    assert volumes(result, "B") == [2, 2]


def test_group_capacity_at_most_and_exactly():
    """Group of 10 persons: A has 2 persons per unit, B 1 and weight 2 -> B fills it (10 persons, objective 20).

    Group 'W' exactly 10 persons with C at 2 persons per unit and weight 0: C = 5.
    """
    data = case(
        [Instrument("A", retention=0, persons_per_unit=2, group="G"),
         Instrument("B", retention=0, weight=2, group="G"),
         Instrument("C", retention=0, persons_per_unit=2, weight=0, group="W")],
        {("A", "PB"): 1, ("B", "PB"): 1, ("C", "PB"): 1},
        {"PB": 100},
        groups={("G", 2021): GroupYear("G", 2021, 10), ("W", 2021): GroupYear("W", 2021, 10, exact=True)},
    )
    result = solve(data)
    assert volumes(result, "B") == [10]
    assert volumes(result, "A") == [0]
    assert volumes(result, "C") == [5]
    assert result.objective_value == pytest.approx(20)
    assert result.groups.set_index("group").loc["G", "persons"] == pytest.approx(10)


def test_share_requirement():
    """A >= 30% of A + B; B has weight 2; €100 at €1 each: A = 30, B = 70, objective 30 + 140 = 170."""
    share = Requirement("aandeel A", 2021, (("A", 0.7), ("B", -0.3)), ">=", 0.0, kind="aandeel", share=0.3,
                        share_part=("A",), share_base=("A", "B"))
    data = case([Instrument("A", retention=0), Instrument("B", retention=0, weight=2)],
                {("A", "PB"): 1, ("B", "PB"): 1}, {"PB": 100}, requirements=[share])
    result = solve(data)
    assert volumes(result, "A") == [30]
    assert volumes(result, "B") == [70]
    assert result.objective_value == pytest.approx(170)
    row = result.requirements.iloc[0]
    assert row.value == pytest.approx(0.3)
    assert row.bound == pytest.approx(0.3)


def test_share_requirement_room_is_a_fraction():
    """A (weight 3) >= 30% of A + B, €100 at €1 each: all on A (100), a share of 100%.

    The room is 100% - 30% = 0,7 as a fraction, as value and bound are; the linear row's slack
    (0,7 * 100 - 0,3 * 0 = 70 units of volume) would read as 7.000% on the Eisen sheet.
    """
    share = Requirement("aandeel A", 2021, (("A", 0.7), ("B", -0.3)), ">=", 0.0, kind="aandeel", share=0.3,
                        share_part=("A",), share_base=("A", "B"))
    data = case([Instrument("A", retention=0, weight=3), Instrument("B", retention=0)],
                {("A", "PB"): 1, ("B", "PB"): 1}, {"PB": 100}, requirements=[share])
    row = solve(data).requirements.iloc[0]
    assert row.value == pytest.approx(1.0)
    assert row.slack == pytest.approx(0.7)


def test_target_with_shadow_prices():
    """A >= 40 at €2, B at €1, €100: A = 40, B = 20, objective 60.

    One more unit of target costs €2 = 2 units of B for 1 unit of A: shadow price -1.
    One more euro buys one B: 1,000 persons per €1,000.
    """
    target = Requirement("doel A", 2021, (("A", 1.0),), ">=", 40.0, kind="doel")
    data = case([Instrument("A", retention=0), Instrument("B", retention=0)],
                {("A", "PB"): 2, ("B", "PB"): 1}, {"PB": 100}, requirements=[target])
    result = solve(data)
    assert volumes(result, "A") == [40]
    assert volumes(result, "B") == [20]
    assert result.requirements.iloc[0].shadow_price == pytest.approx(-1)
    assert budget(result, "PB", 2021, "shadow_price") == pytest.approx(1000)
    assert result.duals_conditional is False
    # The prices hold while the budget falls at most €20 (then B = 0) and for any rise;
    # the target may fall by 40 (A = 0) or rise by 10 (then B = 0). Both as positive amounts (issue 8).
    assert budget(result, "PB", 2021, "valid_down") == pytest.approx(20)
    assert budget(result, "PB", 2021, "valid_up") == math.inf
    assert result.requirements.iloc[0].valid_down == pytest.approx(40)
    assert result.requirements.iloc[0].valid_up == pytest.approx(10)


def test_organisation_capacity():
    """A + B (at NWG) <= 10 at €1; C costs €5: C = (100 - 10)/5 = 18; objective 28."""
    cap = Requirement("bezetting", 2021, (("A", 1.0), ("B", 1.0)), "<=", 10.0, kind="capaciteit")
    data = case([Instrument("A", retention=0, organisation="NWG"), Instrument("B", retention=0, organisation="NWG"),
                 Instrument("C", retention=0)],
                {("A", "PB"): 1, ("B", "PB"): 1, ("C", "PB"): 5}, {"PB": 100}, requirements=[cap])
    result = solve(data)
    assert volumes(result, "C") == [18]
    assert result.objective_value == pytest.approx(28)


def test_generic_linear_requirement_per_year_and_total():
    """2A - B <= 0 with A + B <= 30: A = 10, B = 20 in each year; a total over both years caps A at 15."""
    per_year = [Requirement("koppeling", t, (("A", 2.0), ("B", -1.0)), "<=", 0.0) for t in Y2]
    data = case([Instrument("A", retention=0), Instrument("B", retention=0, weight=0)],
                {("A", "PB"): 1, ("B", "PB"): 1}, {"PB": 30}, Y2, requirements=per_year)
    result = solve(data)
    assert volumes(result, "A") == [10, 10]
    total = Requirement("totaal A", None, (("A", 1.0),), "<=", 15.0)
    result = solve(case([Instrument("A", retention=0)], {("A", "PB"): 1}, {"PB": 30}, Y2, requirements=[total]))
    assert result.objective_value == pytest.approx(15)
    assert result.requirements.iloc[0].year == "totaal"


def _scenario_case(**extra):
    """A (€1) in every scenario; B (€1, weight 2, at most 50) only in S2, which costs €30 friction in 2021."""
    return case(
        [Instrument("A", retention=0), Instrument("B", retention=0, weight=2, max_volume=50)],
        {("A", "PB"): 1, ("B", "PB"): 1},
        {"PB": 100},
        Y2,
        scenarios=extra.pop("scenarios", {"S1": Scenario("S1", frozenset({"A"})), "S2": Scenario("S2")}),
        friction={("S2", "PB", 2021): 30},
        **extra,
    )


def test_scenario_choice_is_a_mip_with_friction():
    """S1: 100 + 100 = 200. S2: 2021 50*2 + 20 = 120; 2022 50*2 + 50 = 150; 270. S2 wins."""
    result = solve(_scenario_case())
    assert result.status == OPTIMAL
    assert result.is_mip and result.duals_conditional
    assert result.scenario == "S2"
    assert result.objective_value == pytest.approx(270)
    assert volumes(result, "A") == [20, 50]


def test_fixed_scenario():
    """Fixed to S1: only A, 100 a year."""
    scenarios = {"S1": Scenario("S1", frozenset({"A"}), fixed=True), "S2": Scenario("S2")}
    result = solve(_scenario_case(scenarios=scenarios))
    assert result.scenario == "S1"
    assert result.objective_value == pytest.approx(200)
    assert volumes(result, "B") == [0, 0]


def test_integer_inflow():
    """€10 at €3 a unit: 3 whole units (3.33 as an LP); with integers switched off 3.333."""
    data = case([Instrument("A", retention=0, integer=True)], {("A", "PB"): 3}, {"PB": 10})
    assert volumes(solve(data), "A") == [3]
    relaxed = case([Instrument("A", retention=0, integer=True)], {("A", "PB"): 3}, {"PB": 10},
                   s_integer_volumes=False)
    assert volumes(solve(relaxed), "A") == [pytest.approx(10 / 3, abs=1e-6)]


def _societal_case(benefit):
    budgets = {("PB", 2021): BudgetYear("PB", 2021, 1000, topup_from="AM"),
               ("AM", 2021): BudgetYear("AM", 2021, 2000)}
    return case([Instrument("A", retention=0)], {("A", "PB"): 1000}, {}, budgets=budgets,
                s_objective="maatschappelijke_waarde", s_benefit_per_person=benefit)


def test_societal_value_objective_pays_topups_when_worth_it():
    """€5,000 benefit per person, €1,000 a unit: each top-up of €1,000 gains 5,000 - 1,000.

    All 2,000 of AM is used: A = 3, value 15,000 - 2,000 = 13,000.
    """
    result = solve(_societal_case(5000))
    assert volumes(result, "A") == [3]
    assert result.objective_value == pytest.approx(13000)


def test_societal_value_objective_skips_topups_that_cost_more_than_they_bring():
    """€500 benefit per person: a top-up of €1,000 brings 500; none is used: A = 1, value 500."""
    result = solve(_societal_case(500))
    assert volumes(result, "A") == [1]
    assert result.objective_value == pytest.approx(500)


def test_participation_objective_counts_persons_not_money():
    """Same case as the societal one, participation objective: A = 3 (top-up used), objective 3."""
    data = _societal_case(500)
    data.settings = type(data.settings)(**{**data.settings.__dict__, "objective": "participatie"})
    result = solve(data)
    assert result.objective_value == pytest.approx(3)


def test_lexicographic_keeps_participation_and_spares_gemeente_money():
    """A (rijk line) and B (gemeente line) both €1; the group holds 10 persons.

    Maximum participation is 10 either way; phase 2 takes all 10 from A: gemeente money 0.
    """
    budgets = {("RIJK", 2021): BudgetYear("RIJK", 2021, 10, bearer="rijk"),
               ("GEM", 2021): BudgetYear("GEM", 2021, 10, bearer="gemeente")}
    data = case([Instrument("A", retention=0, group="G"), Instrument("B", retention=0, group="G")],
                {("A", "RIJK"): 1, ("B", "GEM"): 1}, {}, budgets=budgets,
                groups={("G", 2021): GroupYear("G", 2021, 10)}, s_objective="lexicografisch",
                s_lexicographic_tolerance=0.0)
    result = solve(data)
    assert result.status == OPTIMAL
    assert result.objective_value == pytest.approx(10)
    assert volumes(result, "A") == [10]
    assert volumes(result, "B") == [0]
    assert result.totals["gemeente_spending"] == pytest.approx(0)
    # then the tie-breaks (issue 8): top-ups, then change; gemeente money was phase 2 already
    assert [p["phase"] for p in result.phases] == ["participatie", "minimale gemeentelijke inzet",
                                                   "minimale aanvulling", "minimale verandering"]


def test_lexicographic_tolerance_lets_phase_two_give_up_a_little():
    """A tolerance of 10% of 10 persons: phase 2 gives up 1 person to save €1 of gemeente money (B = 9)."""
    budgets = {("GEM", 2021): BudgetYear("GEM", 2021, 100, bearer="gemeente")}
    data = case([Instrument("B", retention=0, max_volume=10)], {("B", "GEM"): 1}, {}, budgets=budgets,
                s_objective="lexicografisch", s_lexicographic_tolerance=0.1)
    result = solve(data)
    assert volumes(result, "B") == [9]
    assert result.objective_value == pytest.approx(9)


def test_infeasible_is_a_result_with_the_smallest_relaxation():
    """Start 30 with r = 0.5 forces 15 units at €10 = €150 > €100: the budget is €50 short."""
    data = case([Instrument("A", retention=0.5, start=30)], {("A", "PB"): 10}, {"PB": 100})
    result = solve(data)
    assert result.status == INFEASIBLE
    assert not result.has_plan
    assert result.plan.empty
    rows = result.infeasibility.to_dict("records")
    # The relaxation also says what it is worth in money (issue 8): €50 of budget is worth €50.
    assert rows == [{"kind": "budget", "name": "PB", "year": 2021, "change": pytest.approx(50), "direction": "+",
                     "unit": "€", "value": pytest.approx(50)}]


def test_infeasibility_names_the_requirement_when_money_cannot_help():
    """A >= 40 but A is at most 30 (max_volume): relax the target by 10 or the bound by 10 (equal weight).

    Money is plenty, so no budget appears; the elastic model picks one of the two, 10 units.
    """
    target = Requirement("doel A", 2021, (("A", 1.0),), ">=", 40.0, kind="doel")
    data = case([Instrument("A", retention=0, max_volume=30)], {("A", "PB"): 1}, {"PB": 1000},
                requirements=[target])
    result = solve(data)
    rows = result.infeasibility.to_dict("records")
    assert len(rows) == 1
    assert rows[0]["change"] == pytest.approx(10)
    assert (rows[0]["kind"], rows[0]["direction"]) in {("eis", "-"), ("max_volume", "+")}


def test_unbounded_is_a_result():
    """An instrument without cost and without a bound can grow without end."""
    data = case([Instrument("A", retention=0)], {}, {"PB": 100})
    result = solve(data)
    assert result.status == UNBOUNDED
    assert not result.has_plan
