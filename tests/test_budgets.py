"""Hand-solvable cases for what real budgets need the workbook to say (issue 12).

Run-off per year, given series, units, cost components, reserves and funding
per realised place; each docstring shows the arithmetic behind the numbers.
"""

import pytest

from models.data import Instrument
from models.session import Session
from models.solve import OPTIMAL, optimise, solve
from optimiser.template import build_workbook
from optimiser.validate import check
from tests.helpers import case, inflows, volumes
from tests.test_session import _same_model

Y2 = (2021, 2022)


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
