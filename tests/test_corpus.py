"""Every workbook of the corpus gets its Dutch message, names its cell, and is left unchanged."""

import hashlib
import re
import time

import pytest

from optimiser.cli import EXIT_INPUT, EXIT_OK, main
from optimiser.validate import check, load
from tests.corpus import CASES, EXAMPLE, build


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 35
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case, tmp_path, capsys):
    path = build(case, tmp_path)
    before = _digest(path)
    started = time.perf_counter()
    status = main(["check", str(path)])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert elapsed < 10, "every answer comes within seconds"
    if case.ok:
        assert status == EXIT_OK, err
    else:
        assert status == EXIT_INPUT
        assert "Fout" in err
    if case.expect:
        lines = [line for line in err.splitlines() if case.expect in line]
        assert lines, f"expected '{case.expect}' in:\n{err}"
        if case.cell:
            assert any(f"cel {case.cell}:" in line for line in lines), lines
    assert _digest(path) == before


PYTHON_TEXT = re.compile(r"\b(True|False|None|nan|inf)\b|datetime\.|\w+Error\b|Exception|Traceback|<\w")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_python_text_reaches_the_user(case, tmp_path, capsys):
    """Messages describe values in words: no reprs, Python constants or exception class names."""
    path = build(case, tmp_path)
    main(["check", str(path)])
    out, err = capsys.readouterr()
    lines = (out + err).replace(path.name, "werkmap").splitlines()
    quoted = [line for line in lines if PYTHON_TEXT.search(line)]
    assert not quoted, quoted


@pytest.mark.parametrize(("name", "most"), [("blad-ontbreekt", 2), ("verplicht-blad-verkeerd-gespeld", 2),
                                            ("reuzengetal-in-tekstcel", 25)])
def test_one_cause_gives_few_lines(name, most, tmp_path, capsys):
    """A missing sheet or a bad name is said once, not once per row that refers to it."""
    case = next(c for c in CASES if c.name == name)
    main(["check", str(build(case, tmp_path))])
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) <= most, lines
    assert sum("dergelijke" in line for line in lines) == (name == "reuzengetal-in-tekstcel")


def test_a_long_text_is_shortened_in_its_message(tmp_path, capsys):
    case = next(c for c in CASES if c.name == "tekst-van-32000-tekens")
    main(["check", str(build(case, tmp_path))])
    assert max(len(line) for line in capsys.readouterr().err.splitlines()) < 400


def _read(name, tmp_path):
    data, problems = check(build(next(c for c in CASES if c.name == name), tmp_path))
    return data


def test_a_non_latin_name_keeps_its_own_rows(tmp_path):
    """Every Hebrew, Arabic or Chinese name used to normalise to '', so any unknown name matched it."""
    data = _read("niet-latijnse-naam", tmp_path)
    assert "תעסוקה" in data.instruments and "Trajecten" not in data.instruments
    assert data.cost["תעסוקה", "Participatiebudget", 2021] == 4000  # the example's Trajecten cost
    assert data.chosen_plan["תעסוקה", 2021] == load(EXAMPLE).chosen_plan["Trajecten", 2021]


def test_a_share_typed_as_a_fraction_is_read_as_written_and_warned(tmp_path):
    """0,28 in a share means 0,28% under the workbook's convention (percent for a share): read so, with a warning."""
    share = next(r for r in _read("aandeel-als-fractie", tmp_path).requirements if r.kind == "aandeel")
    assert share.share == pytest.approx(0.0028)
