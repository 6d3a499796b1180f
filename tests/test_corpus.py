"""Every workbook of the corpus gets its Dutch message, names its cell, and is left unchanged."""

import hashlib
import re
import time

import pytest

from optimiser.cli import EXIT_INPUT, EXIT_OK, main
from tests.corpus import CASES, build


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
