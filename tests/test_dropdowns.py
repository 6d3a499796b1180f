"""Cross-sheet dropdowns of the template are valid Excel formulas (issue 8, points 9 and 10)."""

import re

import openpyxl

from optimiser.template import build_workbook

REFERENCE = re.compile(r"^'((?:[^']|'')+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$")


def _cross_sheet(workbook):
    for ws in workbook.worksheets:
        for validation in ws.data_validations.dataValidation:
            if not validation.formula1.startswith('"'):
                yield ws.title, validation.formula1


def test_every_cross_sheet_dropdown_names_an_existing_sheet_quoted_as_excel_wants(tmp_path):
    path = tmp_path / "sjabloon.xlsx"
    build_workbook().save(path)
    workbook = openpyxl.load_workbook(path)
    found = list(_cross_sheet(workbook))
    assert found, "the template has dropdowns that refer to another sheet"
    for sheet, formula in found:
        match = REFERENCE.match(formula)
        assert match, (sheet, formula)
        assert match.group(1).replace("''", "'") in workbook.sheetnames, (sheet, formula)
    scenario = [formula for sheet, formula in found if sheet == "Scenariokosten" and "Scenario" in formula]
    assert scenario and scenario[0].startswith("'Scenario''s'!$A$")
