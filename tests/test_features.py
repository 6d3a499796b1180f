"""Hand-solved cases for features that had no test of their own (issue 8, point 10)."""

import io

import pytest

from models import highs, session
from models.data import BudgetYear, Instrument, Requirement, Scenario
from models.session import Session
from models.solve import INFEASIBLE, OPTIMAL, UNBOUNDED, optimise, solve
from optimiser import cli
from optimiser.cli import EXIT_INTERNAL, EXIT_NO_PLAN, main
from optimiser.template import build_workbook
from optimiser.validate import check_bytes
from tests.helpers import budget, case, inflows, volumes

Y2 = (2021, 2022)


def test_one_off_cost_per_inflow():
    """A: €1 a year per unit, €4 once per inflow, retention 1, €10 a year.

    2021: v = u, 5u <= 10 -> u = 2. 2022: v = 2 + u, (2 + u) + 4u <= 10 -> u = 1,6, v = 3,6.
    (Fewer in 2021 gives 2 + 1,8*u1 < 5,6 in all: the plan is unique.)
    """
    data = case([Instrument("A")], {("A", "PB"): 1}, {"PB": 10}, Y2, once={("A", "PB", t): 4 for t in Y2})
    result = solve(data)
    assert inflows(result, "A") == [2, 1.6]
    assert volumes(result, "A") == [2, 3.6]
    assert result.objective_value == pytest.approx(5.6)


def test_scenario_fixed_costs_are_paid_by_the_scenario_that_allows_the_instrument():
    """S1 allows A but costs €4 fixed; S2 costs nothing but stops A. A at €1 from €10, at most 20 inflow.

    S1: A = 10 - 4 = 6; S2: A = 0. The model takes S1 and pays its fixed cost.
    """
    scenarios = {"S1": Scenario("S1"), "S2": Scenario("S2", allowed=frozenset())}
    data = case([Instrument("A", retention=0, max_inflow=20)], {("A", "PB"): 1}, {"PB": 10},
                scenarios=scenarios, fixed_cost={("S1", "PB", 2021): 4})
    result = solve(data)
    assert result.scenario == "S1"
    assert volumes(result, "A") == [6]
    assert budget(result, "PB", 2021, "used") == pytest.approx(10)


def test_requirements_on_inflow_at_most_and_on_persons_exactly():
    """A: start 5, retention 1, inflow <= 3 (requirement) -> A = 8. B: 2 persons a unit, persons = 10 -> B = 5.

    Money (€100 at €1) does not bind: participation 8 + 10 = 18.
    """
    reqs = [Requirement("instroom A", 2021, (("A", 1.0),), "<=", 3.0, quantity="instroom", kind="doel"),
            Requirement("personen B", 2021, (("B", 1.0),), "=", 10.0, quantity="personen", kind="doel")]
    data = case([Instrument("A", start=5), Instrument("B", retention=0, persons_per_unit=2)],
                {("A", "PB"): 1, ("B", "PB"): 1}, {"PB": 100}, requirements=reqs)
    result = solve(data)
    assert inflows(result, "A") == [3]
    assert volumes(result, "A") == [8]
    assert volumes(result, "B") == [5]
    assert result.objective_value == pytest.approx(18)


def test_a_year_row_of_costs_overrides_the_all_years_row():
    """A costs €2 in every year, but €5 in 2031 (its own row); €10 a year, retention 0: A = 5, then 2."""
    sheets = {
        "Instellingen": [{"naam": "jaarrij", "eerste_jaar": 2030, "laatste_jaar": 2031, "gehele_aantallen": "nee"}],
        "Budgetten": [{"budgetregel": "PB", "jaar": t, "beschikbaar": 10} for t in (2030, 2031)],
        "Instrumenten": [{"instrument": "A", "blijfkans": 0}],
        "Kosten": [{"instrument": "A", "budgetregel": "PB", "kosten_per_eenheid": 2},
                   {"instrument": "A", "budgetregel": "PB", "jaar": 2031, "kosten_per_eenheid": 5}],
    }
    buffer = io.BytesIO()
    build_workbook(sheets).save(buffer)
    data, problems = check_bytes(buffer.getvalue(), "jaarrij.xlsx")
    assert data is not None, [str(p) for p in problems]
    assert volumes(solve(data), "A") == [5, 2]


def test_a_top_up_across_bearers_is_the_payers_money():
    """A at €1 from PB (rijk, €10), at most 12; AM (gemeente) tops PB up by 2.

    Rijk: its line's 12 minus the 2 the gemeente put in = 10; gemeente: 2. Together the total cost, 12.
    """
    budgets = {("PB", 2021): BudgetYear("PB", 2021, 10, topup_from="AM", bearer="rijk"),
               ("AM", 2021): BudgetYear("AM", 2021, 5)}
    data = case([Instrument("A", retention=0, max_volume=12)], {("A", "PB"): 1}, {}, budgets=budgets)
    result = solve(data)
    assert budget(result, "PB", 2021, "topup") == pytest.approx(2)
    assert budget(result, "AM", 2021, "used") == pytest.approx(2)
    assert result.totals["money_rijk"] == pytest.approx(10)
    assert result.totals["money_gemeente"] == pytest.approx(2)
    assert result.totals["total_cost"] == pytest.approx(12)


def test_conditional_duals_of_a_mip_have_the_fixed_choices_values():
    """A whole (€2, 0,5 a euro), B continuous (€4, 0,25 a euro), €11: A = 5, B = 0,25 (5,25 in all).

    With A fixed at 5, one more euro buys a quarter unit of B: 250 per €1.000 (the LP relaxation,
    A = 5,5, would say 500).
    """
    data = case([Instrument("A", retention=0, integer=True), Instrument("B", retention=0)],
                {("A", "PB"): 2, ("B", "PB"): 4}, {"PB": 11})
    result = solve(data)
    assert volumes(result, "A") == [5] and volumes(result, "B") == [0.25]
    assert result.duals_conditional
    assert budget(result, "PB", 2021, "shadow_price") == pytest.approx(250)


def test_the_lexicographic_plan_falls_back_to_phase_one_when_phase_two_finds_nothing(monkeypatch):
    """Phase 2 (least gemeente money) comes back without a plan: phase 1's plan stands, still optimal."""
    data = case([Instrument("A", retention=0)], {("A", "PB"): 1}, {"PB": 10}, s_objective="lexicografisch")
    real = Session.solve

    def no_second_phase(self, objective, deadline=None, prices=False, warm=True, **more):
        if objective == session.LEAST_GEMEENTE_MONEY:
            return highs.Solution(status=highs.TIME_LIMIT, has_solution=False)
        return real(self, objective, deadline, prices, warm, **more)

    monkeypatch.setattr(Session, "solve", no_second_phase)
    result = optimise(Session(data))
    assert result.status == OPTIMAL
    assert volumes(result, "A") == [10]
    assert [(p["phase"], p["status"]) for p in result.phases][:2] == [
        ("participatie", OPTIMAL), ("minimale gemeentelijke inzet", highs.TIME_LIMIT)]


@pytest.mark.parametrize(("instrument", "available", "expected"), [
    (Instrument("A", retention=0, min_volume=20), 10, INFEASIBLE),  # 20 at €1 from €10
    (Instrument("A", retention=0), 10, UNBOUNDED),  # a negative cost: every unit frees money
])
def test_infeasible_or_unbounded_is_told_apart(monkeypatch, instrument, available, expected):
    """HiGHS may answer 'infeasible or unbounded'; the session tells which by a zero objective."""
    cost = -1 if expected == UNBOUNDED else 1
    data = case([instrument], {("A", "PB"): cost}, {"PB": available})
    real = highs.HighsModel.solve
    calls = []

    def unsure_first(self, time_limit, prices=False, warm=True, **more):
        calls.append(1)
        found = real(self, time_limit, prices, warm, **more)
        if len(calls) == 1:
            found.status, found.has_solution = highs.INFEASIBLE_OR_UNBOUNDED, False
        return found

    monkeypatch.setattr(highs.HighsModel, "solve", unsure_first)
    assert Session(data).solve("participatie").status == expected


def test_cli_exit_status_two_without_a_plan_and_three_on_an_internal_error(tmp_path, monkeypatch, capsys):
    sheets = {
        "Instellingen": [{"naam": "geen plan", "eerste_jaar": 2030, "laatste_jaar": 2030}],
        "Budgetten": [{"budgetregel": "PB", "jaar": 2030, "beschikbaar": 10}],
        "Instrumenten": [{"instrument": "A", "blijfkans": 0, "min_volume": 20}],
        "Kosten": [{"instrument": "A", "budgetregel": "PB", "kosten_per_eenheid": 1}],
    }
    source = tmp_path / "geen-plan.xlsx"
    build_workbook(sheets).save(source)
    assert main(["run", str(source), "-o", str(tmp_path / "uit.xlsx")]) == EXIT_NO_PLAN

    def broken(*args, **kwargs):
        raise RuntimeError("kapot")

    monkeypatch.setattr(cli, "_run", broken)
    assert main(["run", str(source), "-o", str(tmp_path / "uit2.xlsx")]) == EXIT_INTERNAL
    assert "Traceback" not in capsys.readouterr().err
