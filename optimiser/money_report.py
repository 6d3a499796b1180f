"""The result sheet 'Geld per regel': the money used per budget line and year, part by part.

Reads the breakdown of :mod:`models.money` and writes it in the run's
language, so that the money a line uses reconciles with the begroting line
by line.
"""

from __future__ import annotations

from models.data import ProblemData
from models.money import COLUMNS, money_table
from models.solve import Result
from optimiser.texts import Texts
from optimiser.xlsx import Book, table_widths

HEADERS = ("col.line", "col.year", "col.source", "col.name", "col.component", "col.amount")


def add_money_sheet(book: Book, data: ProblemData, result: Result, tx: Texts) -> None:
    """The sheet 'Geld per regel' for a result with a plan; nothing without one."""
    if not result.has_plan:
        return
    frame = money_table(data, result.plan, result.budgets, result.scenario)
    ws = book.sheet(tx("sheet.money_lines"))
    headers = [tx(h) for h in HEADERS]
    sources = {s: tx.get(f"source.{s}", s) for s in set(frame.source)}
    # Whole columns as lists: iterating a frame row by row costs more than writing the rows.
    rows = [[line, int(year), sources[source], name or None, component or None, float(amount)]
            for line, year, source, name, component, amount in zip(*(frame[c].tolist() for c in COLUMNS),
                                                                    strict=True)]
    top = book.heading(ws, tx("title.money_lines"), tx("note.money_lines"), table_widths(headers, rows))
    book.table(ws, top, headers, rows, {5: book.formats.euro}, freeze_columns=1)
