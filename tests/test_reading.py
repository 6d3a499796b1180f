"""Reading a workbook: from bytes as from a file, bounded, through the schema's fields, with light imports."""

import dataclasses
import subprocess
import sys
from dataclasses import replace
from itertools import takewhile

import pytest

import models.data
from optimiser import reader
from optimiser.schema import sheets
from optimiser.validate import check, check_bytes, load
from tests.conftest import EXAMPLE
from tests.corpus import CASES, build


def test_checking_and_the_template_import_neither_pandas_nor_pyomo():
    _in_fresh_python("import optimiser.validate, optimiser.template, optimiser.docs, optimiser.texts; import sys; "
                     "assert 'pyomo' not in sys.modules and 'pandas' not in sys.modules, "
                     "sorted(m for m in sys.modules if m.split('.')[0] in ('pyomo', 'pandas'))")


def _in_fresh_python(code: str) -> None:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


# Every container case, and those the reader itself handles; after reading, a file and an upload are one.
CONTAINER = list(takewhile(lambda c: c.name != "blad-ontbreekt", CASES))  # the corpus's first group
UPLOADS = CONTAINER + [c for c in CASES if c.name in {"verborgen-blad", "samengevoegd", "formule-zonder-waarde",
                                                     "procent-opgemaakt", "opgemaakte-cel-xfd1048576"}]
HANDLED = [c for c in CASES if c.ok and c.same_data]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each corpus case written once for this module."""
    folder = tmp_path_factory.mktemp("corpus")
    paths = {}

    def get(case):
        if case.name not in paths:
            paths[case.name] = build(case, folder)
        return paths[case.name]

    return get


@pytest.mark.parametrize("case", UPLOADS, ids=[c.name for c in UPLOADS])
def test_an_upload_gets_the_same_answer_as_its_file(case, built):
    path = built(case)
    assert check_bytes(path.read_bytes(), path.name) == check(path)


def test_an_upload_needs_the_name_of_an_excel_workbook():
    data, problems = check_bytes(EXAMPLE.read_bytes(), "budget.txt")
    assert data is None
    assert "'budget.txt' kon niet als Excel-werkmap worden gelezen" in problems[0].message


@pytest.mark.parametrize("case", HANDLED, ids=[c.name for c in HANDLED])
def test_a_handled_oddity_reads_the_data_of_the_clean_example(case, built):
    data, problems = check(built(case))
    expected = load(EXAMPLE)
    if case.name == "getal-als-tekst":  # the one case that changes a value: 5.617.500,00 typed as text
        key = ("Participatiebudget", 2021)
        expected.budgets[key] = replace(expected.budgets[key], available=5_617_500.0)
    assert data == expected


def test_filled_rows_per_sheet_are_capped(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 10)
    data, problems = check(EXAMPLE)
    assert data is None
    assert any(p.sheet == "Budgetten" and p.cell == "A11" and "meer dan 10 gevulde regels" in p.message
               for p in problems)


def test_every_schema_field_names_a_field_of_models_data():
    for sheet in sheets().values():
        for column in sheet.columns:
            if column.field:
                fields = {f.name for f in dataclasses.fields(getattr(models.data, column.record))}
                assert column.attribute in fields, f"{sheet.name}.{column.name}: {column.field}"


@pytest.mark.parametrize("record", ["Settings", "BudgetYear", "Instrument", "GroupYear", "Scenario"])
def test_every_field_of_a_row_record_has_a_column(record):
    fed = {c.attribute for s in sheets().values() for c in s.columns if c.record == record}
    assert {f.name for f in dataclasses.fields(getattr(models.data, record))} == fed


def test_a_value_past_the_last_column_read_is_refused_with_its_cell(tmp_path):
    """Only the first 100 columns are read; a note in column ET must not vanish without a word."""
    import openpyxl

    workbook = openpyxl.load_workbook(EXAMPLE)
    workbook["Budgetten"].cell(row=5, column=150, value="notitie")
    path = tmp_path / "ver.xlsx"
    workbook.save(path)
    data, problems = check(path)
    assert data is None
    assert [(p.sheet, p.cell) for p in problems] == [("Budgetten", "ET5")]
    assert "kolom ET" in problems[0].message


BOMBS = ["opgemaakte-cel-regel-1000000", "opgemaakte-cel-xfd1048576", "dimensie-regel-1000000", "dimensie-xfd1048576"]


@pytest.mark.parametrize("name", BOMBS)
def test_a_small_file_claiming_a_million_rows_is_read_quickly_in_little_memory(name, built):
    """Measured in a fresh process: the peak memory of the whole check, not only of what the test allocates.

    The example alone checks in about 1 s at about 80 MB; openpyxl's normal mode took minutes and gigabytes.
    """
    path = built(next(c for c in CASES if c.name == name))
    code = ("import resource, sys, time; from optimiser.validate import check; t = time.perf_counter(); "
            "data, problems = check(sys.argv[1]); assert data is not None, problems; "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seconds, peak_kb = (float(x) for x in done.stdout.split())
    assert path.stat().st_size < 100_000
    assert seconds < 5
    assert peak_kb < 300_000, f"{peak_kb / 1024:.0f} MB"


ODD_BUT_STREAMED = {"excel-fout", "geen-getal", "samengevoegd", "blad-verkeerd-gespeld", "tekst-van-32000-tekens"}
STREAMED = [c for c in CASES if c.ok or c.name in ODD_BUT_STREAMED]


@pytest.mark.parametrize("case", STREAMED, ids=[c.name for c in STREAMED])
def test_the_fast_reader_reads_what_openpyxl_reads(case, built):
    # Every value, with its type (a percentage stays a PercentValue, 5 an int, 5.0 a float), and every problem.
    path = built(case)
    content = path.read_bytes()
    fast, slow = reader.read_workbook(content, path.name), reader.read_with_openpyxl(content, path.name)
    assert fast == slow
    assert _kinds(fast) == _kinds(slow)


def _kinds(read) -> list[list[type]]:
    return [[type(v) for _, row in rows.rows for v in row.values()] for rows in read[0].values()
            if isinstance(rows, reader.SheetRows)]


def test_an_ordinary_workbook_is_checked_without_importing_openpyxl():
    _in_fresh_python("import sys; from optimiser.validate import check; from tests.conftest import EXAMPLE; "
                     "data, problems = check(EXAMPLE); assert data is not None; "
                     "assert 'openpyxl' not in sys.modules, 'openpyxl imported'")
