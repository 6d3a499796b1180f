"""Writing results: atomic, never over the input, locked targets, text that looks like a formula."""

import os
import stat

import openpyxl
import pytest
from openpyxl import Workbook

from optimiser.problems import InputError
from optimiser.xlsx import save_atomically
from optimiser.xlsx_input import put


def test_a_locked_target_gives_a_message_and_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "resultaat.xlsx"
    target.write_bytes(b"old result")

    def locked(*_args):
        raise PermissionError("in use")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(InputError) as error:
        save_atomically(Workbook().save, target)
    assert "in gebruik" in str(error.value)
    assert target.read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resultaat.xlsx"]


def test_the_input_is_never_the_output(tmp_path):
    source = tmp_path / "invoer.xlsx"
    Workbook().save(source)
    before = source.read_bytes()
    with pytest.raises(InputError):
        save_atomically(Workbook().save, tmp_path / "." / "invoer.xlsx", protect=source)
    assert source.read_bytes() == before


def test_an_error_while_writing_leaves_the_old_result_and_no_temporary_file(tmp_path):
    target = tmp_path / "resultaat.xlsx"
    target.write_bytes(b"old result")

    def half_written(path):
        path.write_bytes(b"half")
        raise ValueError("stuk")

    with pytest.raises(ValueError):
        save_atomically(half_written, target)
    assert target.read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resultaat.xlsx"]


def test_the_result_gets_the_usual_file_mode(tmp_path):
    previous = os.umask(0o022)
    try:
        target = save_atomically(Workbook().save, tmp_path / "resultaat.xlsx")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.parametrize("text", ["=SOM(A1:A3)", "+31 6 1234", "-stelpost", "@gemeente", "#N/A"])
def test_text_that_looks_like_a_formula_stays_text(tmp_path, text):
    workbook = Workbook()
    put(workbook.active, 1, 1, text)
    path = tmp_path / "t.xlsx"
    workbook.save(path)
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.value == text
    assert cell.data_type == "s"
