"""The command line through its entry point, and the Steenwijkerland example end to end."""

import hashlib
import json
import shutil

import openpyxl
import pytest

from models.solve import OPTIMAL, solve
from optimiser.cli import EXIT_INPUT, EXIT_NO_PLAN, EXIT_OK, main
from optimiser.template import build_workbook
from optimiser.validate import load
from tests.conftest import EXAMPLE

# Gemeentelijke bijdrage NWG in the documents (k€), 2021-2025.
DOCUMENT_BIJDRAGE = [1030, 1050, 960, 1020, 1040]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def example(tmp_path):
    copy = tmp_path / "steenwijkerland.xlsx"
    shutil.copy(EXAMPLE, copy)
    return copy


def test_bundled_example_is_generated_from_its_source(tmp_path, example_content):
    """The workbook in git must match what inputs/steenwijkerland.py writes."""
    fresh = tmp_path / "fresh.xlsx"
    build_workbook(example_content).save(fresh)
    for name in openpyxl.load_workbook(fresh).sheetnames:
        ours = [list(r) for r in openpyxl.load_workbook(fresh)[name].iter_rows(values_only=True)]
        bundled = [list(r) for r in openpyxl.load_workbook(EXAMPLE)[name].iter_rows(values_only=True)]
        assert ours == bundled, f"sheet {name} differs: run python inputs/steenwijkerland.py"


def test_example_solves_to_optimal_with_scenario_three():
    data = load(EXAMPLE)
    result = solve(data)
    assert result.status == OPTIMAL
    assert result.scenario == "3 Sociale onderneming"
    assert result.solve_seconds < 30
    plan = result.plan.set_index(["instrument", "year"])
    for year, target in zip(data.years, [21.4, 24.9, 28.3, 31.8, 35.2], strict=True):
        assert plan.loc[("Beschut werk", year), "volume"] >= target - 1e-6
    assert len(data.chosen_plan) == 6 * 5


def test_chosen_plan_costs_reproduce_the_documents_gemeentelijke_bijdrage():
    """Committed (risk minus operating result) plus cost per FTE times the NWG plan, per year, within €5k."""
    data = load(EXAMPLE)
    line = "Gemeentelijke bijdrage NWG"
    for year, expected in zip(data.years, DOCUMENT_BIJDRAGE, strict=True):
        spent = data.budgets[line, year].committed + sum(
            data.cost.get((i, line, year), 0.0) * volume
            for (i, t), volume in data.chosen_plan.items() if t == year
        )
        assert spent == pytest.approx(expected * 1000, abs=5000)


def test_run_writes_a_result_workbook_and_json(example, tmp_path, capsys):
    before = _digest(example)
    out = tmp_path / "uit" / "resultaat.xlsx"
    assert main(["run", str(example), "-o", str(out), "--json"]) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "optimaal"
    assert summary["objective"]["name"] == "participatie"
    assert summary["years"] == [2021, 2022, 2023, 2024, 2025]
    assert set(summary["plan"]) == {"Wsw intern", "Wsw detachering", "Beschut werk", "LKS bij NWG",
                                    "LKS regulier", "Trajecten"}
    assert set(summary["persons"]["Beschut werk"]) == {"2021", "2022", "2023", "2024", "2025"}
    assert set(summary["budgets"]["BUIG"]["2021"]) >= {"available", "used", "topup", "surplus", "shadow_price"}
    assert summary["scenario"] == "3 Sociale onderneming"
    assert summary["output"] == str(out.resolve())
    workbook = openpyxl.load_workbook(out)
    assert {"Samenvatting", "Plan", "Budgetgebruik", "Eisen", "Doelgroepen"} <= set(workbook.sheetnames)
    assert _digest(example) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".~")]


def test_run_defaults_to_outputs_folder(example, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(example)]) == EXIT_OK
    assert (tmp_path / "outputs" / "steenwijkerland-resultaat.xlsx").exists()
    assert "Optimaal" in capsys.readouterr().out


def test_run_refuses_to_overwrite_the_input(example, capsys):
    before = _digest(example)
    assert main(["run", str(example), "-o", str(example)]) == EXIT_INPUT
    assert "invoerbestand" in capsys.readouterr().err
    assert _digest(example) == before


def test_check_reports_errors_in_dutch_without_traceback(example, capsys):
    workbook = openpyxl.load_workbook(example)
    workbook["Budgetten"]["C4"] = "veel geld"
    workbook.save(example)
    assert main(["check", str(example)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "blad 'Budgetten', cel C4: 'veel geld' is geen getal" in err
    assert "Traceback" not in err


def test_check_and_template_commands(tmp_path, capsys):
    target = tmp_path / "sjabloon.xlsx"
    assert main(["template", str(target)]) == EXIT_OK
    assert main(["template", str(target)]) == EXIT_INPUT  # never over an existing file
    assert main(["check", str(target)]) == EXIT_INPUT
    assert main(["check", str(EXAMPLE)]) == EXIT_OK
    assert "in orde" in capsys.readouterr().out


def test_missing_file_is_a_message(tmp_path, capsys):
    assert main(["run", str(tmp_path / "bestaat-niet.xlsx")]) == EXIT_INPUT
    assert "bestaat niet" in capsys.readouterr().err


def test_infeasible_run_writes_an_explaining_result(example, tmp_path, capsys):
    workbook = openpyxl.load_workbook(example)
    sheet = workbook["Eisen"]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value == "Taakstelling beschut werk":
            row[4].value = 500  # far beyond any budget
    workbook.save(example)
    out = tmp_path / "onhaalbaar.xlsx"
    assert main(["run", str(example), "-o", str(out)]) == EXIT_NO_PLAN
    printed = capsys.readouterr().out
    assert "Onhaalbaar" in printed
    assert "Eis 'Taakstelling beschut werk' 2021: niet haalbaar; verlaag de grens met" in printed
    workbook = openpyxl.load_workbook(out)
    assert any("Onhaalbaar" in str(c.value) for row in workbook["Samenvatting"].iter_rows() for c in row)
    explained = [row[5] for row in workbook["Onhaalbaarheid"].iter_rows(min_row=4, values_only=True)]
    for year in range(2021, 2026):  # every year of the target; other requirements may need room too
        assert any(f"Taakstelling beschut werk' {year}: niet haalbaar" in line for line in explained)


def test_another_municipality_runs_without_code_change(tmp_path, capsys):
    """Other instruments, years and budget lines; only the required sheets; societal value.

    Dagbesteding €8,000, jobcoaching €2,000 (at most 30), €100,000 of Wmo-budget a year and a €5,000
    benefit per person: jobcoaching 30 (€60k), dagbesteding 5 (€40k), value 35 * 5,000 = 175,000 a year.
    """
    content = {
        "Instellingen": [{"naam": "Gemeente Voorbeeld", "eerste_jaar": 2027, "laatste_jaar": 2029,
                          "doelstelling": "maatschappelijke_waarde"}],
        "Budgetten": [{"budgetregel": "Wmo-budget", "jaar": t, "beschikbaar": "€ 100.000,-"}
                      for t in (2027, 2028, 2029)],
        "Instrumenten": [{"instrument": "Arbeidsmatige dagbesteding", "eenheid": "persoon", "blijfkans": 0},
                         {"instrument": "Jobcoaching regulier", "eenheid": "persoon", "blijfkans": 0,
                          "max_volume": 30}],
        "Kosten": [{"instrument": "Arbeidsmatige dagbesteding", "budgetregel": "Wmo-budget",
                    "kosten_per_eenheid": 8000},
                   {"instrument": "Jobcoaching regulier", "budgetregel": "Wmo-budget", "kosten_per_eenheid": 2000}],
    }
    path = tmp_path / "voorbeeld.xlsx"
    workbook = build_workbook(content)
    for optional in ("Doelgroepen", "Eisen", "Eistermen", "Scenario's", "Scenariokosten", "Gekozen plan"):
        del workbook[optional]
    workbook.save(path)
    assert main(["run", str(path), "-o", str(tmp_path / "uit.xlsx"), "--json"]) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["years"] == [2027, 2028, 2029]
    assert summary["plan"]["Jobcoaching regulier"]["2028"] == pytest.approx(30)
    assert summary["plan"]["Arbeidsmatige dagbesteding"]["2028"] == pytest.approx(5)
    assert summary["objective"]["value"] == pytest.approx(3 * 175_000)
    assert summary["scenario"] is None
