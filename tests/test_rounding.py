"""Rounding is not a breach (issue 8, point 7), and a duplicate row's advice keeps a second cost."""

import io

from models.compare import compare
from models.data import Instrument, Requirement
from optimiser.comparison_report import violation_rows
from optimiser.template import build_workbook
from optimiser.validate import check_bytes
from tests.helpers import case


def _data(plan):
    """A at €1 from PB (€100.4); target A >= 10 fte; the chosen plan gives A."""
    target = Requirement("doel A", 2021, (("A", 1.0),), ">=", 10.0, kind="doel")
    return case([Instrument("A", retention=0)], {("A", "PB"): 1}, {"PB": 100.4}, requirements=[target],
                chosen_plan={("A", 2021): plan})


def test_a_miss_within_the_tolerance_is_not_a_broken_rule():
    """9,96 fte against 10 (0,04 short) and €100,6 against €100,4 (€0,2 over) are rounding."""
    assert violation_rows(compare(_data(9.96))) == []
    assert compare(_data(100.6)).over_budget.empty
    assert [r["name"] for r in violation_rows(compare(_data(100.6)))] == []


def test_a_real_miss_is_shown_to_one_decimal():
    """9,8 fte is 0,2 short: a breach, in one decimal; €101,5 is €1,1 over: named, to the euro."""
    [row] = violation_rows(compare(_data(9.8)))
    assert row["message"] == "doel A 2021: 9,8 fte, eis 10 fte: 0,2 fte te weinig."
    over = compare(_data(101.5)).over_budget.to_dict("records")
    assert [(r["line"], round(r["shortfall"], 2)) for r in over] == [("PB", 1.1)]


def test_a_duplicate_cost_row_is_not_advised_away():
    """Two Kosten rows for one instrument, line and year: the advice is to add them up, not to drop one."""
    sheets = {
        "Instellingen": [{"naam": "dubbel", "eerste_jaar": 2030, "laatste_jaar": 2030}],
        "Budgetten": [{"budgetregel": "PB", "jaar": 2030, "beschikbaar": 100}],
        "Instrumenten": [{"instrument": "A", "blijfkans": 0}],
        "Kosten": [{"instrument": "A", "budgetregel": "PB", "kosten_per_eenheid": 1},
                   {"instrument": "A", "budgetregel": "PB", "kosten_per_eenheid": 2}],
    }
    buffer = io.BytesIO()
    build_workbook(sheets).save(buffer)
    _, problems = check_bytes(buffer.getvalue(), "dubbel.xlsx")
    [message] = [p.message for p in problems if "Dubbele regel" in p.message]
    assert "zet dan hun som in één regel" in message and "Laat één van beide staan" not in message
