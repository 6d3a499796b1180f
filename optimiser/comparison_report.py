"""Sheets that set the council's chosen plan next to the optimum.

Adds to a result workbook: the comparison (totals, who pays, per
instrument and year), money per budget line and the rules the chosen plan
breaks; the raadsvoorstel is :mod:`optimiser.council`, the charts
:mod:`optimiser.charts`.
"""

from __future__ import annotations

from models.compare import MONEY_COLUMNS, MONEY_PREFIX, Comparison
from models.data import ProblemData
from optimiser.charts import add_chart_sheets
from optimiser.council import paragraphs
from optimiser.texts import DUTCH, Texts, violation_text
from optimiser.xlsx import Book, Worksheet, table_widths

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


def add_comparison_sheets(book: Book, data: ProblemData, comparison: Comparison, tx: Texts = DUTCH) -> Worksheet | None:
    """The comparison sheets after the result's own; nothing when the chosen plan could not be evaluated.

    The first sheet, the comparison itself, is left empty and returned, to
    be filled by :func:`fill_comparison_sheet`: the rest needs only the
    chosen plan's evaluation, the first also the alternative plans (see
    :func:`models.compare.against_optimum`), which may still be solved.
    """
    if comparison.volumes.empty:
        return None
    ws = book.sheet(tx("sheet.comparison"))
    _money_sheet(book, comparison, tx)
    _violations_sheet(book, comparison, tx)
    add_chart_sheets(book, data, comparison, tx)
    return ws


def fill_comparison_sheet(book: Book, comparison: Comparison, tx: Texts, ws: Worksheet) -> None:
    """Totals, who pays, the headlines and per instrument and year: the sheet :func:`add_comparison_sheets` made."""
    f = book.formats
    rows = [[r["instrument"], r["year"], r["unit"], r["chosen_volume"], r["optimal_volume"], r["volume_difference"],
             r["chosen_persons"], r["optimal_persons"], r["persons_difference"]]
            for r in comparison.volumes.to_dict("records")]
    headers = [tx(f"col.{c}") for c in ("instrument", "year", "unit", "volume_chosen", "volume_optimal",
                                        "volume_difference", "persons_chosen", "persons_optimal",
                                        "persons_difference")]
    totals = [[measure_label(r["measure"], tx), r["chosen"], r["optimal"], r["difference"]]
              for r in comparison.totals.to_dict("records")]
    money = {k for k, r in enumerate(comparison.totals.to_dict("records"))
             if r["measure"] in EURO_MEASURES or r["measure"].startswith(MONEY_PREFIX)}
    # The headlines in the difference column; said in words where no plan within that money meets every rule.
    for key, value, euro in (("extra_person_years", comparison.extra_person_years, False),
                             ("extra_person_years_within_budgets", comparison.extra_person_years_within_budgets, False),
                             ("extra_money_within_budgets", comparison.extra_money_within_budgets, True),
                             ("money_saved", comparison.money_saved, True)):
        if euro:
            money.add(len(totals))
        totals.append([tx(f"measure.{key}"), None, None, tx("measure.no_plan") if value is None else value])
    row_formats = [dict.fromkeys(range(1, 4), f.euro if k in money else f.number) for k in range(len(totals))]
    total_headers = [tx("col.measure"), tx("col.chosen"), tx("col.optimal"), tx("col.difference")]
    both = table_widths(total_headers, totals) + [0] * (len(headers) - len(total_headers))
    widths = [max(a, b) for a, b in zip(table_widths(headers, rows), both, strict=True)]
    top = book.heading(ws, tx("title.comparison"), tx("note.comparison"), widths)
    end = book.table(ws, top, total_headers, totals, row_formats=row_formats, widths=widths, navigate=False)
    book.table(ws, end + 2, headers, rows, dict.fromkeys(range(3, 9), f.number), widths=widths, freeze_columns=1)


def _money_sheet(book: Book, comparison: Comparison, tx: Texts) -> None:
    """Per line, year and plan the amounts that reconcile: what the line had, received, used, passed on, left."""
    ws = book.sheet(tx("sheet.money"))
    plans = ("chosen", "optimal")
    rows = [[r["line"], r["year"], r["bearer"], r["available"], r["savings_target"]]
            + [r[f"{plan}_{c}"] for plan in plans for c in MONEY_COLUMNS] + [r["used_difference"]]
            for r in comparison.money.to_dict("records")]
    headers = ([tx(f"col.{c}") for c in ("line", "year", "bearer", "available", "savings_target")]
               + [tx(f"col.{c}_{plan}") for plan in plans for c in MONEY_COLUMNS] + [tx("col.used_difference")])
    widths = [max(w, 14) if k >= 3 else w for k, w in enumerate(table_widths(headers, rows))]
    top = book.heading(ws, tx("title.money"), tx("note.money"), widths)
    book.table(ws, top, headers, rows, dict.fromkeys(range(3, len(headers)), book.formats.euro), widths=widths,
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
