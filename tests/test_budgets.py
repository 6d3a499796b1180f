"""Hand-solvable cases for what real budgets need the workbook to say (issue 12).

Run-off per year, given series, units, cost components, reserves and funding
per realised place; each docstring shows the arithmetic behind the numbers.
"""

from dataclasses import replace

import openpyxl
import pytest

from models.data import BudgetYear, GroupYear, Instrument, ProblemData
from models.money import money_table
from models.session import Session
from models.solve import INFEASIBLE, OPTIMAL, optimise, solve
from optimiser.report import write_workbook
from optimiser.template import build_workbook
from optimiser.texts import relaxation_text
from optimiser.validate import check, load
from tests.conftest import EXAMPLE
from tests.helpers import budget, case, inflows, volumes
from tests.test_session import _same_model

Y2 = (2021, 2022)


@pytest.fixture(scope="module")
def example_data():
    return load(EXAMPLE)


def test_retention_differs_per_year():
    """r = 0.5 in 2021, 0.8 in 2022 (sheet Verloop), start 10, €10 a unit, €100 a year: v <= 10.

    2021: v = 0.5*10 + u = 10 -> u = 5. 2022: v = 0.8*10 + u = 10 -> u = 2.
    """
    data = case([Instrument("A", retention=0.5, start=10)], {("A", "PB"): 10}, {"PB": 100}, Y2,
                retention_by_year={("A", 2022): 0.8})
    result = solve(data)
    assert result.status == OPTIMAL
    assert volumes(result, "A") == [10, 10]
    assert inflows(result, "A") == [5, 2]


def test_given_series_has_no_inflow_and_leaves_the_rest_to_others():
    """Wsw follows its prognosis 90, 80 (start 100) with no inflow, although more would be affordable.

    PB €2,000 a year, €10 a unit for both: Wsw uses 900 and 800, B gets (2000 - 900)/10 = 110 and
    (2000 - 800)/10 = 120. Participation 90 + 80 + 110 + 120 = 400.
    """
    data = case([Instrument("Wsw", retention=1, start=100), Instrument("B", retention=0)],
                {("Wsw", "PB"): 10, ("B", "PB"): 10}, {"PB": 2000}, Y2,
                given_volume={("Wsw", 2021): 90, ("Wsw", 2022): 80})
    result = solve(data)
    assert result.status == OPTIMAL
    assert volumes(result, "Wsw") == [90, 80]
    assert inflows(result, "Wsw") == [0, 0]
    assert volumes(result, "B") == [110, 120]
    assert result.objective_value == pytest.approx(400)


# -- the session changes run-off in place -------------------------------------------------------------------------

def _run_off_case(**extra):
    return case([Instrument("Wsw", retention=0.9, start=100), Instrument("B", retention=0.5, start=4)],
                {("Wsw", "PB"): 10, ("B", "PB"): 10}, {"PB": 2000}, Y2, **extra)


@pytest.mark.parametrize(("change", "changed"), [
    ({"retention": 0.6}, {"retention_by_year": {("B", 2022): 0.6}}),
    ({"retention": None}, {}),
], ids=["retention", "retention removed"])
def test_session_changes_retention_in_a_year_in_place(change, changed):
    session = Session(_run_off_case(retention_by_year={("B", 2022): 0.7}))
    optimise(session)
    session.change_run_off("B", 2022, **change)
    assert session.rebuilds == 0
    _same_model(session, Session(_run_off_case(**changed)))


def test_session_changes_a_given_volume_in_place_and_rebuilds_when_a_year_gains_one():
    session = Session(_run_off_case(given_volume={("Wsw", 2021): 90}))
    session.change_run_off("Wsw", 2021, volume=85)
    assert session.rebuilds == 0
    _same_model(session, Session(_run_off_case(given_volume={("Wsw", 2021): 85})))
    session.change_run_off("Wsw", 2022, volume=70)
    assert session.rebuilds == 1
    _same_model(session, Session(_run_off_case(given_volume={("Wsw", 2021): 85, ("Wsw", 2022): 70})))


def test_session_update_finds_run_off_changes():
    session = Session(_run_off_case(given_volume={("Wsw", 2021): 90}))
    new = _run_off_case(given_volume={("Wsw", 2021): 80}, retention_by_year={("B", 2021): 0.25})
    session.update(new)
    assert session.rebuilds == 0
    _same_model(session, Session(new))


# -- the workbook ----------------------------------------------------------------------------------------------------

def _check(tmp_path, content):
    path = tmp_path / "invoer.xlsx"
    build_workbook(content).save(path)
    data, problems = check(path)
    return data, [(p.sheet, p.cell, p.message) for p in problems if p.severity == "fout"]


def test_run_off_sheet_fills_retention_per_year_and_given_volumes(tmp_path, example_content):
    example_content["Verloop"] = [
        {"instrument": "LKS bij NWG", "jaar": 2022, "blijfkans": 0.7},
        {"instrument": "Beschut werk", "jaar": 2023, "prognose": 29},
    ]
    data, errors = _check(tmp_path, example_content)
    assert errors == []
    assert data.retention_by_year == {("LKS bij NWG", 2022): 0.7}
    assert data.given_volume == {("Beschut werk", 2023): 29}
    assert data.retention("LKS bij NWG", 2022) == 0.7
    assert data.retention("LKS bij NWG", 2023) == data.instruments["LKS bij NWG"].retention


def test_run_off_rows_that_say_nothing_or_too_much_are_refused(tmp_path, example_content):
    example_content["Instrumenten"][4]["min_instroom"] = 1  # LKS regulier
    example_content["Verloop"] = [
        {"instrument": "LKS bij NWG", "jaar": 2022},
        {"instrument": "LKS bij NWG", "jaar": 2023, "blijfkans": 0.7, "prognose": 50},
        {"instrument": "LKS regulier", "jaar": 2023, "prognose": 30},
    ]
    data, errors = _check(tmp_path, example_content)
    assert data is None
    assert ("Verloop", "C4", "Vul een blijfkans of een prognose in, of haal de regel weg.") in errors
    assert any(s == "Verloop" and c == "D5" and "niet allebei" in m for s, c, m in errors)
    assert any(s == "Verloop" and c == "D6" and "min_instroom" in m for s, c, m in errors)


# -- units -------------------------------------------------------------------------------------------------------------

def _wsw_in_se(available: float, cost: float) -> ProblemData:
    return case([Instrument("Wsw", unit="SE", group="Wsw", persons_per_unit=1.3, retention=0)], {("Wsw", "PB"): cost},
                {"PB": available}, groups={("Wsw", 2021): GroupYear("Wsw", 2021, 100, exact=True, unit="SE")})


def test_a_group_counted_in_se_bounds_the_volume_not_the_persons():
    """Exactly 100 SE: v = 100 (not 100/1.3), persons 1.3 * 100 = 130 = the objective."""
    result = solve(_wsw_in_se(5000, 10))
    assert volumes(result, "Wsw") == [100]
    assert result.objective_value == pytest.approx(130)
    assert result.groups.unit.tolist() == ["SE"]


def test_infeasibility_of_a_group_in_se_speaks_in_se():
    """Exactly 100 SE, but the Wsw (hard: its maximum is the company's capacity) holds at most 69.4 SE.

    Money is plenty and the maximum may not move, so the only relaxation is the
    group itself: 30.6 SE smaller, said in SE. (With money short instead, the
    diagnosis names the budget: see tests/test_diagnose.py.)
    """
    data = _wsw_in_se(100_000_000, 100_000)
    data.instruments["Wsw"] = replace(data.instruments["Wsw"], max_volume=69.4, hard=True)
    result = solve(data)
    assert result.status == INFEASIBLE
    row = result.infeasibility.iloc[0].to_dict()
    assert (row["kind"], row["unit"], row["direction"]) == ("doelgroep", "SE", "-")
    assert row["change"] == pytest.approx(30.6)
    assert relaxation_text(row) == "Doelgroep 'Wsw' 2021: de omvang moet 30,6 SE kleiner zijn om te passen."


def test_units_are_read_in_any_usual_spelling_and_checked(tmp_path, example_content):
    instruments = example_content["Instrumenten"]
    instruments[0]["eenheid"] = "standaardeenheid"  # row 4: Wsw intern -> SE
    instruments[1]["eenheid"] = "SE"
    instruments[5]["eenheid"] = "traject"  # row 9: Trajecten
    data, errors = _check(tmp_path, example_content)
    assert errors == []
    assert [data.instruments[i].unit for i in ("Wsw intern", "Wsw detachering", "Trajecten")] == \
           ["SE", "SE", "trajecten"]
    instruments[2]["eenheid"] = "uur"  # row 6
    instruments[3].update(eenheid="persoon", personen_per_eenheid=1.6)  # row 7
    instruments[4]["personen_per_eenheid"] = 0  # row 8
    data, errors = _check(tmp_path, example_content)
    assert data is None
    assert ("Instrumenten", "C6", "Onbekende eenheid 'uur'; kies uit: fte, SE, plekken, trajecten, personen.") in errors
    assert any(c == "D7" and "Bij eenheid 'personen' is personen_per_eenheid 1, niet 1.6" in m for _, c, m in errors)
    assert ("Instrumenten", "D8", "personen_per_eenheid moet groter dan 0 zijn (gevonden 0).") in errors


def test_a_group_counted_in_a_unit_needs_its_instruments_in_that_unit(tmp_path, example_content):
    for row in example_content["Doelgroepen"]:
        if row["doelgroep"] == "Oude Wsw-doelgroep":
            row["eenheid"] = "SE"
    example_content["Instrumenten"][0]["eenheid"] = "SE"  # Wsw intern; Wsw detachering stays in fte (row 5)
    data, errors = _check(tmp_path, example_content)
    assert data is None
    assert errors == [("Instrumenten", "C5", "De doelgroep 'Oude Wsw-doelgroep' telt in SE (blad Doelgroepen), maar "
                                             "'Wsw detachering' telt in fte. Geef de doelgroep eenheid personen, of "
                                             "het instrument eenheid SE.")]


# -- cost components and the money breakdown ---------------------------------------------------------------------

def test_cost_components_are_summed_in_the_model_and_shown_apart():
    """A costs LKS €100 + begeleiding €50 a unit and indicatie €20 per inflow (r = 0, so u = v): €170 a unit.

    PB €2,000 with €300 committed: (2000 - 300)/170 = 10 units. Money used on PB: LKS 1,000, begeleiding 500,
    indicatie 200, committed 300 = 2,000 = the budget table's 'used'.
    """
    components = {("A", "PB", 2021, "LKS"): (100.0, 0.0), ("A", "PB", 2021, "begeleiding"): (50.0, 0.0),
                  ("A", "PB", 2021, "indicatie"): (0.0, 20.0)}
    budgets = {("PB", 2021): BudgetYear("PB", 2021, 2000, committed=300)}
    data = case([Instrument("A", retention=0)], {("A", "PB"): 150}, {}, budgets=budgets,
                once={("A", "PB", 2021): 20.0}, components=components)
    result = solve(data)
    assert volumes(result, "A") == [10]
    money = money_table(data, result.plan, result.budgets, result.scenario)
    parts = {(r.source, r.component): r.amount for r in money.itertuples()}
    assert parts == pytest.approx({("instrument", "LKS"): 1000, ("instrument", "begeleiding"): 500,
                                   ("instrument", "indicatie"): 200, ("vastgelegd", ""): 300})
    assert money.amount.sum() == pytest.approx(budget(result, "PB", 2021, "used"))


def test_money_breakdown_reconciles_every_line_of_the_example(example_data):
    """Scenario costs, top-ups paid and committed money included: per line and year the parts add up to 'used'."""
    result = solve(example_data)
    money = money_table(example_data, result.plan, result.budgets, result.scenario)
    summed = money.groupby(["line", "year"]).amount.sum()
    for row in result.budgets.itertuples():
        assert summed.get((row.line, row.year), 0.0) == pytest.approx(row.used, abs=0.01), (row.line, row.year)


def test_cost_rows_per_component_override_per_year_and_add_up(tmp_path, example_content):
    """Beschut werk on PB: begeleiding €7,000, in 2022 €8,000; plus exploitatietekort €2,000 -> 10,000 in 2022."""
    kosten = example_content["Kosten"]
    pb = ("Beschut werk", "Participatiebudget")
    kosten[:] = [r for r in kosten if (r["instrument"], r["budgetregel"]) != pb]
    kosten += [{"instrument": "Beschut werk", "budgetregel": "Participatiebudget", "component": "begeleiding",
                "kosten_per_eenheid": 7000},
               {"instrument": "Beschut werk", "budgetregel": "Participatiebudget", "component": "begeleiding",
                "jaar": 2022, "kosten_per_eenheid": 8000},
               {"instrument": "Beschut werk", "budgetregel": "Participatiebudget", "component": "exploitatietekort",
                "kosten_per_eenheid": 2000}]
    data, errors = _check(tmp_path, example_content)
    assert errors == []
    assert data.cost["Beschut werk", "Participatiebudget", 2021] == 9000
    assert data.cost["Beschut werk", "Participatiebudget", 2022] == 10000
    assert data.components["Beschut werk", "Participatiebudget", 2022, "begeleiding"] == (8000, 0)


def test_result_workbook_has_the_money_sheet(tmp_path, example_data):
    result = solve(example_data)
    out = tmp_path / "uit.xlsx"
    write_workbook(out, example_data, result, EXAMPLE, [])
    sheet = openpyxl.load_workbook(out)["Geld per regel"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert list(next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))) == \
           ["budgetregel", "jaar", "bron", "naam", "component", "bedrag"]
    used = {(r.line, r.year): r.used for r in result.budgets.itertuples()}
    for key, amount in used.items():
        assert sum(r[5] for r in rows if (r[0], r[1]) == key) == pytest.approx(amount, abs=0.01)


# -- funding per realised place ----------------------------------------------------------------------------------

def _funded(per_unit: float) -> ProblemData:
    budgets = {("BUIG", 2021): BudgetYear("BUIG", 2021, 1000, funding_per_unit=per_unit, funding_instruments=("LKS",))}
    return case([Instrument("LKS", retention=0)], {("LKS", "BUIG"): 100}, {}, budgets=budgets)


def test_funding_per_realised_unit_grows_the_money_available():
    """€100 a unit, €1,000 plus €60 per realised unit: 100 v <= 1000 + 60 v -> v = 25.

    The line shows €1,500 funding, €2,500 used and no room left.
    """
    result = solve(_funded(60))
    assert volumes(result, "LKS") == [25]
    assert budget(result, "BUIG", 2021, "funding") == pytest.approx(1500)
    assert budget(result, "BUIG", 2021, "used") == pytest.approx(2500)
    assert budget(result, "BUIG", 2021, "slack") == pytest.approx(0)
    assert result.check_failures == []


def test_session_changes_funding_per_unit_in_place():
    session = Session(_funded(60))
    optimise(session)
    session.change_budget("BUIG", 2021, funding_per_unit=80)  # 100 v <= 1000 + 80 v -> v = 50
    assert session.rebuilds == 0
    _same_model(session, Session(_funded(80)))
    assert optimise(session).objective_value == pytest.approx(50)
    session.update(_funded(20))
    assert session.rebuilds == 0
    _same_model(session, Session(_funded(20)))


def test_funding_columns_are_read_and_checked(tmp_path, example_content):
    budgets = example_content["Budgetten"]
    buig = [r for r in budgets if r["budgetregel"] == "BUIG"]
    buig[1].update(bekostiging_per_eenheid=1500, bekostiging_instrumenten="LKS bij NWG; lks regulier")
    data, errors = _check(tmp_path, example_content)
    assert errors == []
    assert data.budgets["BUIG", 2022].funding_instruments == ("LKS bij NWG", "LKS regulier")
    assert data.budgets["BUIG", 2022].funding_per_unit == 1500
    buig[2]["bekostiging_per_eenheid"] = 1500
    buig[3]["bekostiging_instrumenten"] = "LKS elders"
    data, errors = _check(tmp_path, example_content)
    assert data is None
    row_2023, row_2024 = budgets.index(buig[2]) + 4, budgets.index(buig[3]) + 4
    assert any(c == f"K{row_2023}" and "geen 'bekostiging_instrumenten'" in m for _, c, m in errors), errors
    assert any(c == f"K{row_2024}" and "Onbekend instrument 'LKS elders'" in m for _, c, m in errors), errors
