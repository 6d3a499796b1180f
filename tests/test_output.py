"""Writing results: atomic, never over the input, locked targets, text that looks like a formula."""

import os
import stat
import zipfile
from dataclasses import replace

import openpyxl
import pytest
from openpyxl import Workbook

from optimiser import pipeline
from optimiser.problems import InputError, Problem
from optimiser.xlsx import EURO, Book, save_atomically
from optimiser.xlsx_input import put
from tests.conftest import EXAMPLE

FORMULA_LIKE = ["=SOM(A1:A3)", "+31 6 1234", "-stelpost", "@gemeente", "#N/A"]


def _xlsxwriter_book(path):
    with Book(path) as book:
        book.put(book.sheet("Blad"), 0, 0, "inhoud")


# The result is written by XlsxWriter, the template by openpyxl: both go through save_atomically.
WRITERS = {"xlsxwriter": _xlsxwriter_book, "openpyxl": lambda path: Workbook().save(path)}


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_a_locked_target_gives_a_message_and_leaves_nothing_behind(tmp_path, monkeypatch, writer):
    target = tmp_path / "resultaat.xlsx"
    target.write_bytes(b"old result")

    def locked(*_args):
        raise PermissionError("in use")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(InputError) as error:
        save_atomically(writer, target)
    assert "in gebruik" in str(error.value)
    assert target.read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resultaat.xlsx"]


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_the_input_is_never_the_output(tmp_path, writer):
    source = tmp_path / "invoer.xlsx"
    Workbook().save(source)
    before = source.read_bytes()
    with pytest.raises(InputError):
        save_atomically(writer, tmp_path / "." / "invoer.xlsx", protect=source)
    assert source.read_bytes() == before


def test_an_error_while_writing_leaves_the_old_result_and_no_temporary_file(tmp_path):
    target = tmp_path / "resultaat.xlsx"
    target.write_bytes(b"old result")

    def half_written(path):
        with Book(path) as book:
            book.put(book.sheet("Blad"), 0, 0, "half")
            raise ValueError("stuk")

    with pytest.raises(ValueError):
        save_atomically(half_written, target)
    assert target.read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resultaat.xlsx"]


def test_the_result_gets_the_usual_file_mode(tmp_path):
    previous = os.umask(0o022)
    try:
        target = save_atomically(_xlsxwriter_book, tmp_path / "resultaat.xlsx")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_that_looks_like_a_formula_stays_text(tmp_path, text):
    workbook = Workbook()
    put(workbook.active, 1, 1, text)
    path = tmp_path / "t.xlsx"
    workbook.save(path)
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.value == text
    assert cell.data_type == "s"


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_that_looks_like_a_formula_stays_text_in_the_result_writer(tmp_path, text):
    path = tmp_path / "t.xlsx"
    with Book(path) as book:
        book.put(book.sheet("Blad"), 0, 0, text)
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.value == text
    assert cell.data_type == "s"
    assert cell.quotePrefix  # stays text when edited in Excel


def test_result_workbook_read_back(tmp_path):
    """The example with its chosen plan, a name that looks like a formula and a remark, read back with openpyxl."""
    source = tmp_path / "invoer.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    outcome = pipeline.run(source)
    outcome.data = replace(outcome.data, settings=replace(outcome.data.settings, name="=SOM(A1:A3)"))
    outcome.problems = [Problem("Budgetten", "C4", "-stelpost is geen budgetregel", severity="waarschuwing")]
    target = pipeline.write(outcome, tmp_path / "resultaat.xlsx", source)

    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["Raadsvoorstel", "Samenvatting", "Plan", "Budgetgebruik", "Geld per regel",
                                   "Eisen", "Doelgroepen",
                                   "Vergelijking", "Geld per budgetregel", "Overtredingen gekozen plan",
                                   "Wie betaalt", "Grafieken", "Opmerkingen", "Verantwoording"]
    summary = workbook["Samenvatting"]
    assert summary.freeze_panes == "A2"
    assert (summary["A2"].value, summary["B2"].value, summary["B2"].data_type) == ("Berekening", "=SOM(A1:A3)", "s")
    assert workbook["Opmerkingen"]["D2"].value == "-stelpost is geen budgetregel"
    budgets = workbook["Budgetgebruik"]
    assert budgets.freeze_panes == "A4"
    assert (budgets["A3"].value, budgets["D3"].value) == ("budgetregel", "beschikbaar")
    assert budgets["A3"].font.b and budgets["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert isinstance(budgets["D4"].value, (int, float)) and budgets["D4"].number_format == EURO
    assert budgets.column_dimensions["A"].width > 20  # fitted to "Gemeentelijke bijdrage NWG"
    assert len(workbook["Grafieken"]._charts) == 3
    with zipfile.ZipFile(target) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
    assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]
