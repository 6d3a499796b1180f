"""A reserve carries unspent money of budget lines over the years (issue 12, point 3).

Each docstring shows the arithmetic behind the numbers.
"""

from dataclasses import replace

import openpyxl
import pytest

from models.data import BudgetYear, Instrument, ProblemData, Reserve
from models.session import Session
from models.solve import OPTIMAL, optimise, solve
from optimiser.report import json_summary, write_workbook
from tests.helpers import budget, case, volumes
from tests.test_budgets import _check
from tests.test_session import _same_model

Y2 = (2021, 2022)


def _carried(cap: float | None = None, start: float = 0.0, reserve: str | None = "ER") -> ProblemData:
    """A one-year traject A at €10 a unit, at most 10 units; PB has €200 in 2021 and €40 in 2022."""
    budgets = {(line, t): BudgetYear(line, t, amount, reserve=reserve) for line, t, amount in
               (("PB", 2021, 200), ("PB", 2022, 40))}
    return case([Instrument("A", retention=0, max_volume=10)], {("A", "PB"): 10}, {}, Y2, budgets=budgets,
                reserves={"ER": Reserve("ER", start, cap)})


def test_without_a_reserve_unspent_money_lapses():
    """2021: A = 10 uses €100, €100 lapses; 2022: €40 buys A = 4. Participation 14."""
    result = solve(_carried(reserve=None))
    assert volumes(result, "A") == [10, 4]
    assert budget(result, "PB", 2021, "slack") == pytest.approx(100)


def test_unspent_money_carried_to_a_short_year():
    """€100 unspent in 2021 goes into the reserve; 2022 is €60 short of A = 10 and draws €60.

    Participation 10 + 10 = 20. The last tie-break keeps as much as possible in the reserve:
    balance 2021 = 0 + 100 = 100, balance 2022 = 100 - 60 = 40. Used is €100 in both years (a deposit
    is not used), and neither year has room left.
    """
    result = solve(_carried())
    assert result.status == OPTIMAL
    assert volumes(result, "A") == [10, 10]
    assert [budget(result, "PB", t, "to_reserve") for t in Y2] == pytest.approx([100, 0])
    assert [budget(result, "PB", t, "from_reserve") for t in Y2] == pytest.approx([0, 60])
    assert [budget(result, "PB", t, "reserve_balance") for t in Y2] == pytest.approx([100, 40])
    assert [budget(result, "PB", t, "used") for t in Y2] == pytest.approx([100, 100])
    assert [budget(result, "PB", t, "slack") for t in Y2] == pytest.approx([0, 0])
    assert result.phases[-1]["phase"] == "maximale reserve"
    assert result.check_failures == []


def test_the_cap_limits_what_is_carried():
    """max_saldo €50: 2021 deposits 50 (€50 lapses); 2022 has 40 + 50 = €90: A = 9, the reserve is empty.

    One more euro in 2022 buys 0.1 unit: shadow price 100 per €1,000; in 2021 it buys nothing.
    """
    result = solve(_carried(cap=50))
    assert volumes(result, "A") == [10, 9]
    assert [budget(result, "PB", t, "reserve_balance") for t in Y2] == pytest.approx([50, 0])
    assert budget(result, "PB", 2021, "slack") == pytest.approx(50)
    assert [budget(result, "PB", t, "shadow_price") for t in Y2] == pytest.approx([0, 100])


def test_the_starting_balance_counts_against_the_cap():
    """Start €30, cap €50: 2021 may deposit only 20; 2022 draws all 50: 40 + 50 = €90, A = 9."""
    result = solve(_carried(cap=50, start=30))
    assert volumes(result, "A") == [10, 9]
    assert [budget(result, "PB", t, "to_reserve") for t in Y2] == pytest.approx([20, 0])
    assert [budget(result, "PB", t, "from_reserve") for t in Y2] == pytest.approx([0, 50])


def test_a_reserve_never_goes_below_zero():
    """No borrowing from later years: 2021 has €40 and 2022 €200; the empty reserve cannot lend 2021 the €60.

    2021: A = 4, nothing drawn; 2022: A = 10, and its €100 unspent goes into the reserve (balance 100).
    """
    data = _carried()
    data.budgets["PB", 2021] = replace(data.budgets["PB", 2021], available=40)
    data.budgets["PB", 2022] = replace(data.budgets["PB", 2022], available=200)
    result = solve(data)
    assert volumes(result, "A") == [4, 10]
    assert budget(result, "PB", 2021, "from_reserve") == pytest.approx(0)
    assert budget(result, "PB", 2022, "reserve_balance") == pytest.approx(100)


def test_a_changed_reserve_rebuilds_visibly():
    """A reserve's numbers are not changed in place: the session rebuilds and says so, and matches a fresh build."""
    session = Session(_carried())
    assert optimise(session).objective_value == pytest.approx(20)
    changed = _carried(cap=50)
    session.update(changed)
    assert session.rebuilds == 1
    _same_model(session, Session(changed))
    assert optimise(session).objective_value == pytest.approx(19)


def test_result_workbook_and_json_show_the_reserve(tmp_path):
    data = _carried()
    result = solve(data)
    out = tmp_path / "uit.xlsx"
    write_workbook(out, data, result, tmp_path / "in.xlsx", [])
    sheet = openpyxl.load_workbook(out)["Budgetgebruik"]
    header = list(next(sheet.iter_rows(min_row=4, max_row=4, values_only=True)))
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert [r["Saldo reserve eind jaar (€)"] for r in rows] == pytest.approx([100, 40])
    assert [r["Uit reserve (€)"] for r in rows] == pytest.approx([0, 60])
    year = json_summary(data, result, None, [], None)["budgets"]["PB"]["2022"]
    left = year["available"] - year["savings_target"] + year["surplus_received"] + year["topup"] + year["from_reserve"]
    assert left == pytest.approx(year["used"] + year["surplus"] + year["to_reserve"] + year["slack"])


def test_reserves_are_read_and_checked(tmp_path, example_content):
    budgets = example_content["Budgetten"]
    pb = [r for r in budgets if r["budgetregel"] == "Participatiebudget"]
    example_content["Reserves"] = [{"reserve": "Egalisatiereserve", "beginsaldo": 1000, "max_saldo": 50000}]
    for row in pb:
        row["reserve"] = "egalisatiereserve"
    data, errors = _check(tmp_path, example_content)
    assert errors == []
    assert data.reserves == {"Egalisatiereserve": Reserve("Egalisatiereserve", 1000, 50000)}
    assert {data.budgets["Participatiebudget", t].reserve for t in data.years} == {"Egalisatiereserve"}
    assert solve(data).check_failures == []

    pb[0]["reserve"] = "Algemene reserve"
    buig = next(r for r in budgets if r["budgetregel"] == "BUIG")
    buig["reserve"] = "Egalisatiereserve"  # BUIG also sends its surplus to the algemene middelen
    data, errors = _check(tmp_path, example_content)
    assert data is None
    messages = " ".join(m for _, _, m in errors)
    assert "Onbekende reserve 'Algemene reserve'" in messages
    assert "niet besteed geld kan maar één kant op" in messages


def test_lines_of_one_reserve_share_their_bearer(tmp_path, example_content):
    example_content["Reserves"] = [{"reserve": "ER"}]
    for row in example_content["Budgetten"]:
        if row["budgetregel"] in ("Participatiebudget", "Algemene middelen"):
            row["reserve"] = "ER"
            row["drager"] = "rijk" if row["budgetregel"] == "Participatiebudget" else "gemeente"
    data, errors = _check(tmp_path, example_content)
    assert data is None
    assert any("alle regels van één reserve hebben dezelfde drager" in m for _, _, m in errors), errors
