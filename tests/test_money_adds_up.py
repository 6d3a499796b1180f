"""The money adds up on every sheet and in the JSON (issue 8, point 8).

Per line and year: available - savings + surplus received + top-up = used + surplus passed on + room,
where *used* holds the line's own costs, committed money and the top-ups it pays for others.
"""

import pytest

from optimiser import pipeline
from optimiser.report import json_summary
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def run():
    return pipeline.run(EXAMPLE)


def _reconciles(row) -> bool:
    left = row["available"] - row["savings_target"] + row["surplus_received"] + row["topup"]
    return left == pytest.approx(row["used"] + row["surplus"] + row["slack"], abs=0.02)


def test_every_budget_table_reconciles(run):
    for frame in (run.result.budgets, run.comparison.chosen.budgets):
        for row in frame.to_dict("records"):
            assert _reconciles(row), row
    received = run.result.budgets.surplus_received.sum()
    assert received > 0  # the example's BUIG surplus flows to the algemene middelen: the case is exercised


def test_json_budgets_carry_every_amount_and_reconcile(run):
    summary = json_summary(run.data, run.result, None, run.problems, run.comparison)
    for budgets in (summary["budgets"], summary["chosen"]["budgets"]):
        for years in budgets.values():
            for row in years.values():
                assert _reconciles(row), row


def test_the_comparisons_money_table_reconciles_for_both_plans(run):
    for row in run.comparison.money.to_dict("records"):
        for plan in ("chosen", "optimal"):
            amounts = {c: row[f"{plan}_{c}"] for c in ("surplus_received", "topup", "used", "surplus", "slack")}
            assert _reconciles({**amounts, "available": row["available"], "savings_target": row["savings_target"]})
