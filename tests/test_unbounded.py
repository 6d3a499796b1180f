"""An unbounded model is a gap in the workbook, explained by the instrument that has no limit."""

import openpyxl

from models.data import Instrument
from models.solve import UNBOUNDED
from models.unbounded import unlimited_instruments
from optimiser import pipeline
from optimiser.cli import EXIT_NO_PLAN, main
from tests.conftest import EXAMPLE
from tests.helpers import case


def test_the_free_unlimited_instrument_is_named():
    """'gratis' costs nothing and has no maximum: participation grows without end through it alone.

    'duur' costs 1,000 a unit against 10,000 available, so it stops at 10 units; only 'gratis' reaches the cap.
    """
    data = case([Instrument("gratis", retention=0), Instrument("duur", retention=0)],
                cost={("duur", "Budget"): 1000.0}, available={"Budget": 10_000.0})
    assert unlimited_instruments(data) == ["gratis"]


def test_an_instrument_that_earns_money_is_named_too():
    """'verdiener' brings in 500 a unit on the same line: every unit pays for more of itself and of 'duur'."""
    data = case([Instrument("verdiener", retention=0), Instrument("duur", retention=0, max_volume=5)],
                cost={("verdiener", "Budget"): -500.0, ("duur", "Budget"): 1000.0}, available={"Budget": 0.0})
    assert unlimited_instruments(data) == ["verdiener"]


def _unbounded_example(path):
    """The example with 'Trajecten' free (no cost, no maximum, no target group); its chosen plan stays."""
    workbook = openpyxl.load_workbook(EXAMPLE)
    workbook["Instrumenten"]["B9"] = None  # doelgroep
    workbook["Instrumenten"]["J9"] = None  # max_volume
    for row in workbook["Kosten"].iter_rows(min_row=4):
        if row[0].value == "Trajecten":
            row[3].value = 0
    workbook.save(path)
    return path


def test_an_unbounded_workbook_with_a_chosen_plan_is_explained_not_an_internal_error(tmp_path, capsys):
    path = _unbounded_example(tmp_path / "onbegrensd.xlsx")
    outcome = pipeline.run(path)
    assert outcome.result.status == UNBOUNDED
    assert outcome.result.unlimited == ["Trajecten"]
    assert outcome.comparison is not None and outcome.comparison.chosen.has_plan  # the chosen plan is still evaluated
    assert main(["run", str(path), "-o", str(tmp_path / "uit.xlsx")]) == EXIT_NO_PLAN
    out, err = capsys.readouterr()
    assert "Onbegrensd: in de werkmap kan 'Trajecten' onbeperkt groeien" in out
    assert "Interne fout" not in out + err
