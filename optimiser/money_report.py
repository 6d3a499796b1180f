"""The result sheet 'Geld per regel': the money used per budget line and year, part by part.

Reads the breakdown of :mod:`models.money` and writes it in Dutch, so that
the money a line uses reconciles with the begroting line by line.
"""

from __future__ import annotations

from models.data import ProblemData
from models.money import money_table
from models.solve import Result
from optimiser.xlsx import EURO, Book

TITLE = "Geld per regel"
INTRO = ("Het gebruikte geld per budgetregel en jaar, uitgesplitst naar instrument en kostencomponent, scenariokosten, "
         "vastgelegde uitgaven en aanvullingen aan andere regels. Per regel en jaar telt dit op tot 'gebruikt' op het "
         "blad Budgetgebruik.")
HEADERS = ["budgetregel", "jaar", "bron", "naam", "component", "bedrag"]


def add_money_sheet(book: Book, data: ProblemData, result: Result) -> None:
    """The sheet 'Geld per regel' for a result with a plan; nothing without one."""
    if not result.has_plan:
        return
    frame = money_table(data, result.plan, result.budgets, result.scenario)
    ws = book.sheet(TITLE)
    book.put(ws, 0, 0, INTRO, wrap=True)
    rows = [[r.line, int(r.year), r.source, r.name or None, r.component or None, float(r.amount)]
            for r in frame.itertuples()]
    book.table(ws, 2, HEADERS, rows, {5: EURO})
