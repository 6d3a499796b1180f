"""Native Excel charts of the chosen plan against the optimum.

One line chart per unit of volume (FTE, plekken, trajecten: a unit is data),
one of participation per year and one of the money used as a share of what
each budget line had. Every instrument and budget line keeps one colour:
solid for the optimal plan, dashed for the chosen one. The figures behind
the charts are formatted, titled tables on a hidden helper sheet.
"""

from __future__ import annotations

import pandas as pd

from models.compare import Comparison
from models.data import ProblemData
from optimiser.texts import DUTCH, Texts
from optimiser.xlsx import Book

PALETTE = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22",
           "#17BECF")
CHART_WIDTH, CHART_HEIGHT, GAP = 500, 300, 12
"""Pixels: two charts side by side fill a landscape A4 page."""
COLUMN_PIXELS, ROW_PIXELS = 64, 20
"""Excel's default column width and row height in pixels, to place charts and set the print area."""
PLANS = (("chosen", "label.chosen"), ("optimal", "label.optimal"))


def _share_used(budgets: pd.DataFrame) -> dict[tuple[str, int], float | None]:
    """Money used as a fraction of what the line may spend: available after savings, plus what it receives.

    Received: surplus, top-up and a withdrawal from its reserve. Without them, a line funded by a transfer would
    look overspent.
    """
    had = budgets.available - budgets.savings_target + budgets.surplus_received + budgets.topup
    if "from_reserve" in budgets.columns:  # money a line draws from its reserve is money it may spend too
        had = had + budgets.from_reserve
    return {(r.line, int(r.year)): (r.used / h if h > 0 else None)
            for r, h in zip(budgets.itertuples(), had, strict=True)}


def _series_table(book: Book, ws, top: int, title: str, years: list[int], names: list[str],
                  values: dict[str, dict[str, dict[int, float | None]]], number_format: str, tx: Texts) -> tuple:
    """A titled table: a year column, then a chosen and an optimal column per name; returns its header row and end."""
    headers = [tx("col.year")] + [tx(f"series.{plan}", name=name) for name in names for plan, _ in PLANS]
    rows = [[str(t)] + [values[name][plan].get(t) for name in names for plan, _ in PLANS] for t in years]
    formats = dict.fromkeys(range(1, len(headers)), number_format)
    end = book.table(ws, top, headers, rows, formats, title=title, navigate=False)
    return end - len(rows), end


def _line_chart(book: Book, data_sheet: str, header: int, end: int, names: list[str], title: str,
                axis: str, number_format: str, tx: Texts):
    """A line chart of a series table: one colour per name, the optimal plan solid and the chosen plan dashed."""
    chart = book.workbook.add_chart({"type": "line"})
    column = 1
    for k, _name in enumerate(names):
        colour = PALETTE[k % len(PALETTE)]
        for plan, _ in PLANS:
            line = {"color": colour, "width": 2.25} if plan == "optimal" else {"color": colour, "width": 1.5,
                                                                                 "dash_type": "dash"}
            chart.add_series({"name": [data_sheet, header, column],
                              "categories": [data_sheet, header + 1, 0, end, 0],
                              "values": [data_sheet, header + 1, column, end, column],
                              "line": line, "marker": {"type": "none"}})
            column += 1
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
    chart.set_x_axis({"name": tx("chart.year"), "num_format": "@"})
    chart.set_y_axis({"name": axis, "num_format": number_format, "min": 0,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
    return chart


def add_chart_sheets(book: Book, data: ProblemData, comparison: Comparison, tx: Texts = DUTCH) -> None:
    """The charts sheet and, hidden after it, the sheet with the figures the charts draw."""
    charts_ws = book.sheet(tx("sheet.charts"))
    data_name = tx("sheet.chart_data")
    data_ws = book.sheet(data_name)
    data_ws.hide()
    years = list(data.years)
    volumes = comparison.volumes
    formats = book.formats
    charts = []
    top = 0
    units = list(dict.fromkeys(volumes.unit))
    for unit in units:
        names = list(dict.fromkeys(volumes[volumes.unit == unit].instrument))
        values = {name: {plan: {int(r.year): float(getattr(r, f"{plan}_volume"))
                                for r in volumes[volumes.instrument == name].itertuples()} for plan, _ in PLANS}
                  for name in names}
        title = tx("chart.volume", unit=unit)
        header, end = _series_table(book, data_ws, top, title, years, names, values, formats.number, tx)
        charts.append(_line_chart(book, data_name, header, end, names, title, unit, formats.whole, tx))
        top = end + 2
    persons_name = tx("col.persons")
    persons = {persons_name: {plan: {int(t): float(v) for t, v in volumes.groupby("year")[f"{plan}_persons"].sum()
                                     .items()} for plan, _ in PLANS}}
    title = tx("chart.persons")
    header, end = _series_table(book, data_ws, top, title, years, [persons_name], persons, formats.number, tx)
    charts.append(_line_chart(book, data_name, header, end, [persons_name], title, tx("chart.persons_axis"),
                              formats.whole, tx))
    top = end + 2
    shares = {"chosen": _share_used(comparison.chosen.budgets), "optimal": _share_used(comparison.optimum.budgets)}
    lines = list(dict.fromkeys(line for line, _ in data.budgets))
    money = {line: {plan: {t: shares[plan].get((line, t)) for t in years} for plan, _ in PLANS} for line in lines}
    title = tx("chart.money")
    header, end = _series_table(book, data_ws, top, title, years, lines, money, formats.percent, tx)
    charts.append(_line_chart(book, data_name, header, end, lines, title, tx("chart.share"),
                              formats.percent.replace("0.0%", "0%"), tx))
    _place(book, charts_ws, charts, tx)


def _place(book: Book, ws, charts: list, tx: Texts) -> None:
    """Two charts a row below the sheet's title; the print area covers them all."""
    columns = -(-2 * (CHART_WIDTH + GAP) // COLUMN_PIXELS)
    book.heading(ws, tx("title.charts"), tx("note.charts", sheet=tx("sheet.chart_data")), [8.43] * columns)
    for k, chart in enumerate(charts):
        ws.insert_chart(3, 0, chart, {"x_offset": (k % 2) * (CHART_WIDTH + GAP),
                                      "y_offset": (k // 2) * (CHART_HEIGHT + GAP), "object_position": 3})
    rows = -(-((len(charts) + 1) // 2) * (CHART_HEIGHT + GAP) // ROW_PIXELS)
    ws.print_area(0, 0, 3 + rows, columns - 1)
    ws.fit_to_pages(1, 1)
