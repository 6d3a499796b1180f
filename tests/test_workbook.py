"""Reading, validating and writing input workbooks."""

import datetime as dt

import openpyxl
import pytest

from optimiser import parse
from optimiser.schema import sheets
from optimiser.template import build_workbook, write_template
from optimiser.validate import check


def _write(tmp_path, content, name="invoer.xlsx"):
    path = tmp_path / name
    build_workbook(content).save(path)
    return path


def _messages(problems):
    return [(p.sheet, p.cell, p.message) for p in problems if p.severity == "fout"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234,56", 1234.56), ("€ 2.000,-", 2000), ("(150)", -150), ("1\u00a0000", 1000), ("0,95", 0.95),
     ("0.95", 0.95), ("12.500", 12500), ("1,234.5", 1234.5), (" 7 ", 7)],
)
def test_dutch_numbers_as_text(text, expected):
    assert parse.number(text) == pytest.approx(expected)


def test_percent_in_a_fraction_column():
    assert parse.number("95%", "fractie") == pytest.approx(0.95)


def test_year_typed_into_a_date_cell_is_recovered():
    assert parse.year(dt.datetime(1905, 7, 13)) == 2021


@pytest.mark.parametrize("bad", ["#DEEL/0!", "#DIV/0!", "abc", float("nan"), float("inf"), True])
def test_bad_numbers_are_refused_with_a_reason(bad):
    with pytest.raises(parse.ParseError):
        parse.number(bad)


def test_template_has_every_sheet_explanation_units_and_dropdowns(tmp_path):
    path = write_template(tmp_path / "sjabloon.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert {"Uitleg", *sheets()} <= set(workbook.sheetnames)
    explained = {row[1] for row in workbook["Uitleg"].iter_rows(min_row=4, values_only=True)}
    assert {c.name for s in sheets().values() for c in s.columns} <= explained
    budgets = workbook["Budgetten"]
    assert budgets["C2"].value == "€"
    assert budgets["A3"].value == "budgetregel"
    drager = [dv for dv in budgets.data_validations.dataValidation if '"gemeente,rijk"' in dv.formula1]
    assert drager, "the choice column 'drager' needs a dropdown"
    settings = workbook["Instellingen"]
    assert any("participatie" in dv.formula1 for dv in settings.data_validations.dataValidation)


def test_empty_template_fails_the_check_with_dutch_messages(tmp_path):
    path = write_template(tmp_path / "sjabloon.xlsx")
    data, problems = check(path)
    assert data is None
    text = " ".join(str(p) for p in problems)
    assert "'naam' is verplicht" in text
    assert "Er staan geen budgetregels" in text


def test_example_content_passes(tmp_path, example_content):
    data, problems = check(_write(tmp_path, example_content))
    assert data is not None, _messages(problems)
    assert len(data.instruments) == 6
    assert data.years == (2021, 2022, 2023, 2024, 2025)


def test_every_problem_is_reported_at_once_with_sheet_and_cell(tmp_path, example_content):
    example_content["Instrumenten"][0]["blijfkans"] = -0.2  # row 4 of the sheet
    example_content["Instrumenten"][2]["personen_per_eenheid"] = "veel"  # row 6
    example_content["Kosten"][0]["budgetregel"] = "Participatiebudjet"  # row 4, typo
    example_content["Budgetten"][1]["beschikbaar"] = "#DEEL/0!"  # row 5
    example_content["Eisen"][-2]["waarde"] = 128  # share above 100%
    example_content["Instrumenten"][3]["min_volume"] = 90
    example_content["Instrumenten"][3]["max_volume"] = 80
    data, problems = check(_write(tmp_path, example_content))
    assert data is None
    found = _messages(problems)
    blijfkans = sheets()["Instrumenten"].columns.index(sheets()["Instrumenten"].column("blijfkans"))
    letter = "ABCDEFGHIJKLMNOP"[blijfkans]
    assert ("Instrumenten", f"{letter}4", "'blijfkans' mag niet negatief zijn (gevonden -0,2)") in found
    assert any(s == "Instrumenten" and c.endswith("6") and "'veel' is geen getal" in m for s, c, m in found)
    assert any(s == "Kosten" and c == "B4" and "Onbekende budgetregel 'Participatiebudjet'" in m for s, c, m in found)
    assert any(s == "Budgetten" and c == "C5" and "Excel-fout #DEEL/0!" in m for s, c, m in found)
    assert any(s == "Eisen" and "percentage tussen 0 en 100" in m for s, c, m in found)
    assert any(s == "Instrumenten" and "min_volume (90) is groter dan max_volume (80)" in m for s, c, m in found)


def test_duplicate_and_case_variant_labels(tmp_path, example_content):
    example_content["Instrumenten"].append(dict(example_content["Instrumenten"][0], instrument="WSW INTERN"))
    data, problems = check(_write(tmp_path, example_content))
    assert data is None
    assert any("Dubbele regel" in m and s == "Instrumenten" and c == "A10" for s, c, m in _messages(problems))


def test_missing_sheet_and_missing_column(tmp_path, example_content):
    path = _write(tmp_path, example_content)
    workbook = openpyxl.load_workbook(path)
    del workbook["Kosten"]
    workbook["Budgetten"]["C3"] = "iets anders"
    workbook.save(path)
    data, problems = check(path)
    text = [str(p) for p in problems]
    assert data is None
    assert any("Het blad 'Kosten' ontbreekt" in t for t in text)
    assert any("blad 'Budgetten', cel A3" in t and "verplichte kolom 'beschikbaar'" in t for t in text)


def test_headers_are_found_below_title_rows_and_matched_loosely(tmp_path, example_content):
    path = _write(tmp_path, example_content)
    workbook = openpyxl.load_workbook(path)
    workbook["Budgetten"]["A3"] = "  Budgetregel "
    workbook["Kosten"]["D3"] = "Kosten per eenheid"
    workbook.save(path)
    data, problems = check(path)
    assert data is not None, _messages(problems)


def test_a_missing_year_for_a_budget_line_is_named(tmp_path, example_content):
    example_content["Budgetten"] = [r for r in example_content["Budgetten"]
                                    if not (r["budgetregel"] == "BUIG" and r["jaar"] == 2023)]
    data, problems = check(_write(tmp_path, example_content))
    assert data is None
    assert any("'BUIG' heeft geen regel voor 2023" in m for _, _, m in _messages(problems))


def test_restricted_instrument_needs_a_bound(tmp_path, example_content):
    example_content["Scenario's"][0]["toegestane_instrumenten"] = "Wsw intern; Wsw detachering"
    for row in example_content["Instrumenten"]:
        if row["instrument"] == "LKS regulier":
            row.pop("max_instroom")
            row.pop("doelgroep")
    data, problems = check(_write(tmp_path, example_content))
    assert data is None
    assert any("'LKS regulier' is niet in elk scenario toegestaan" in m for _, _, m in _messages(problems))


def test_not_an_excel_file(tmp_path):
    path = tmp_path / "budget.xlsx"
    path.write_text("jaar;bedrag\n2021;100\n", encoding="utf-8")
    data, problems = check(path)
    assert data is None
    assert "een tekstbestand (bijvoorbeeld CSV)" in problems[0].message


def test_workbook_docs_are_generated_from_the_schema():
    from optimiser.docs import TARGET, workbook_markdown

    assert TARGET.read_text(encoding="utf-8") == workbook_markdown(), "run python -m optimiser.docs"


def test_a_chosen_plan_with_gaps_is_read_with_a_warning(tmp_path, example_content):
    example_content["Gekozen plan"] = [r for r in example_content["Gekozen plan"] if r["instrument"] != "Trajecten"]
    data, problems = check(_write(tmp_path, example_content))
    assert data is not None
    assert ("Trajecten", 2021) not in data.chosen_plan
    warnings = [str(p) for p in problems if p.severity == "waarschuwing"]
    assert any("noemt 5 combinatie(s)" in w and "tellen als 0" in w for w in warnings)


def test_percentage_formatted_cells_mean_what_they_show(tmp_path, example_content):
    path = _write(tmp_path, example_content)
    workbook = openpyxl.load_workbook(path)
    for ref, value in (("E14", 0.28), ):
        workbook["Eisen"][ref] = value
        workbook["Eisen"][ref].number_format = "0%"
    workbook["Instellingen"]["B11"] = 0.001  # tolerantie shown as 0,1%
    workbook["Instellingen"]["B11"].number_format = "0.0%"
    workbook["Instrumenten"]["F6"] = 0.95  # blijfkans shown as 95%: a fraction column keeps 0.95
    workbook["Instrumenten"]["F6"].number_format = "0%"
    workbook.save(path)
    data, problems = check(path)
    assert data is not None, _messages(problems)
    share = next(r for r in data.requirements if r.kind == "aandeel")
    assert share.share == pytest.approx(0.28)
    assert data.settings.lexicographic_tolerance == pytest.approx(0.001)
    assert data.instruments["Beschut werk"].retention == pytest.approx(0.95)
