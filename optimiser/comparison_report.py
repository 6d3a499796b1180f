"""Sheets that set the council's chosen plan next to the optimum.

Adds to a result workbook: the comparison (totals, who pays, per
instrument and year), money per budget line and the rules the chosen plan
breaks; the raadsvoorstel is :mod:`optimiser.council`, the charts
:mod:`optimiser.charts`.
"""

from __future__ import annotations

from models.compare import MONEY_PREFIX, Comparison
from models.data import ProblemData
from optimiser.charts import add_chart_sheets
from optimiser.council import paragraphs
from optimiser.texts import DUTCH, Texts, violation_text
from optimiser.xlsx import Book, table_widths

EURO_MEASURES = ("benefit", "societal_value", "total_cost", "topup")


def violation_rows(comparison: Comparison, tx: Texts = DUTCH) -> list[dict]:
    """The chosen plan's broken rules with a sentence each."""
    rows = comparison.chosen.violations.to_dict("records") if comparison.chosen.has_plan else []
    return [{**row, "message": violation_text(row, tx)} for row in rows]


def measure_label(measure: str, tx: Texts = DUTCH) -> str:
    """A measure of Result.totals in words, e.g. 'geld van gemeente (€)'."""
    if measure.startswith(MONEY_PREFIX):
        who = measure.removeprefix(MONEY_PREFIX)
        return tx("measure.money", bearer=tx.get(f"bearer.{who}", who))
    return tx.get(f"measure.{measure}", measure)


def summary_text(data: ProblemData, comparison: Comparison, tx: Texts = DUTCH) -> list[str]:
    """The raadsvoorstel's paragraphs (what the CLI prints after a run with a chosen plan)."""
    return paragraphs(data, comparison, tx)


def add_comparison_sheets(book: Book, data: ProblemData, comparison: Comparison, tx: Texts = DUTCH) -> None:
    """The comparison sheets after the result's own; nothing when the chosen plan could not be evaluated."""
    if comparison.volumes.empty:
        return
    _comparison_sheet(book, comparison, tx)
    _money_sheet(book, comparison, tx)
    _violations_sheet(book, comparison, tx)
    add_chart_sheets(book, data, comparison, tx)


def _comparison_sheet(book: Book, comparison: Comparison, tx: Texts) -> None:
    ws = book.sheet(tx("sheet.comparison"))
    f = book.formats
    rows = [[r["instrument"], r["year"], r["unit"], r["chosen_volume"], r["optimal_volume"], r["volume_difference"],
             r["chosen_persons"], r["optimal_persons"], r["persons_difference"]]
            for r in comparison.volumes.to_dict("records")]
    headers = [tx(f"col.{c}") for c in ("instrument", "year", "unit", "volume_chosen", "volume_optimal",
                                        "volume_difference", "persons_chosen", "persons_optimal",
                                        "persons_difference")]
    totals = [[measure_label(r["measure"], tx), r["chosen"], r["optimal"], r["difference"]]
              for r in comparison.totals.to_dict("records")]
    totals.append([tx("measure.extra_person_years"), None, None, comparison.extra_person_years])
    totals.append([tx("measure.money_saved"), None, None, comparison.money_saved])
    money = {k for k, r in enumerate(comparison.totals.to_dict("records"))
             if r["measure"] in EURO_MEASURES or r["measure"].startswith(MONEY_PREFIX)} | {len(totals) - 1}
    row_formats = [dict.fromkeys(range(1, 4), f.euro if k in money else f.number) for k in range(len(totals))]
    total_headers = [tx("col.measure"), tx("col.chosen"), tx("col.optimal"), tx("col.difference")]
    both = table_widths(total_headers, totals) + [0] * (len(headers) - len(total_headers))
    widths = [max(a, b) for a, b in zip(table_widths(headers, rows), both, strict=True)]
    top = book.heading(ws, tx("title.comparison"), tx("note.comparison"), widths)
    end = book.table(ws, top, total_headers, totals, row_formats=row_formats, widths=widths, navigate=False)
    book.table(ws, end + 2, headers, rows, dict.fromkeys(range(3, 9), f.number), widths=widths, freeze_columns=1)


def _money_sheet(book: Book, comparison: Comparison, tx: Texts) -> None:
    ws = book.sheet(tx("sheet.money"))
    rows = [[r["line"], r["year"], r["bearer"], r["available"] - r["savings_target"], r["chosen_used"],
             r["chosen_topup"], r["chosen_slack"], r["optimal_used"], r["optimal_topup"], r["optimal_slack"],
             r["used_difference"]] for r in comparison.money.to_dict("records")]
    headers = [tx(f"col.{c}") for c in ("line", "year", "bearer", "available_net", "used_chosen", "topup_chosen",
                                        "slack_chosen", "used_optimal", "topup_optimal", "slack_optimal",
                                        "used_difference")]
    widths = [max(w, 14) if k >= 3 else w for k, w in enumerate(table_widths(headers, rows))]
    top = book.heading(ws, tx("title.money"), tx("note.money"), widths)
    book.table(ws, top, headers, rows, dict.fromkeys(range(3, 11), book.formats.euro), widths=widths,
               freeze_columns=1)


def _violations_sheet(book: Book, comparison: Comparison, tx: Texts) -> None:
    ws = book.sheet(tx("sheet.violations"))
    rows = violation_rows(comparison, tx)
    headers = [tx(f"col.{c}") for c in ("kind", "name", "year", "value", "bound", "shortfall", "unit", "explanation")]
    table = [[tx.get(f"kind.{r['kind']}", r["kind"]), r["name"], r["year"], r["value"], r["bound"], r["shortfall"],
              r["unit"], r["message"]] for r in rows]
    top = book.heading(ws, tx("title.violations"), tx("note.violations" if rows else "note.violations_none"),
                       table_widths(headers, table))
    book.table(ws, top, headers, table, dict.fromkeys((3, 4, 5), book.formats.number))
