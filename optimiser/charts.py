"""Native Excel charts of the chosen plan against the optimum.

One line chart per unit of volume (FTE, plekken, trajecten: a unit is data),
one of participation per year and one of the money used as a share of what
each budget line had. Every instrument and budget line keeps one colour:
solid for the optimal plan, dashed for the chosen one; beyond eight, the
largest are drawn on their own and the rest as one "Overige" line, so a
large model stays readable and within Excel's 255 series. The figures behind
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
MAX_NAMES = 8
"""Instruments or budget lines a chart draws on their own; the others are one 'overige' line (two series each)."""
OTHERS_COLOUR = "#404040"
LEGEND_PAIRS = 4
"""Up to this many names the legend has both plans' entries; beyond it only the optimal plan's."""


def _money_had_used(budgets: pd.DataFrame) -> dict[tuple[str, int], tuple[float, float]]:
    """What each line may spend and what it used, per year.

    May spend: available after savings, plus surplus and top-up received and
    a withdrawal from its reserve; without what it receives, a line funded by
    a transfer would look overspent.
    """
    had = budgets.available - budgets.savings_target + budgets.surplus_received + budgets.topup
    if "from_reserve" in budgets.columns:  # money a line draws from its reserve is money it may spend too
        had = had + budgets.from_reserve
    return {(r.line, int(r.year)): (float(h), float(r.used)) for r, h in zip(budgets.itertuples(), had, strict=True)}


def _share(pairs: list[tuple[float, float]]) -> float | None:
    """Money used as a fraction of what the lines together may spend; none when they may spend nothing."""
    had = sum(h for h, _ in pairs)
    return sum(u for _, u in pairs) / had if had > 0 else None


def _largest(names: list[str], size: dict[str, float]) -> tuple[list[str], list[str]]:
    """The names drawn on their own (the largest first, in their own order) and the rest, drawn together.

    At most :data:`MAX_NAMES` lines keep a chart readable and far below
    Excel's 255 series; when one name is left over it is drawn itself.
    """
    if len(names) <= MAX_NAMES + 1:
        return names, []
    keep = set(sorted(names, key=lambda n: -size[n])[:MAX_NAMES])
    return [n for n in names if n in keep], [n for n in names if n not in keep]


def _series_table(book: Book, ws, top: int, title: str, years: list[int], names: list[str],
                  values: dict[str, dict[str, dict[int, float | None]]], number_format: str, tx: Texts) -> tuple:
    """A titled table: a year column, then a chosen and an optimal column per name; returns its header row and end."""
    headers = [tx("col.year")] + [tx(f"series.{plan}", name=name) for name in names for plan, _ in PLANS]
    rows = [[str(t)] + [values[name][plan].get(t) for name in names for plan, _ in PLANS] for t in years]
    formats = dict.fromkeys(range(1, len(headers)), number_format)
    end = book.table(ws, top, headers, rows, formats, title=title, navigate=False)
    return end - len(rows), end


def _line_chart(book: Book, data_sheet: str, header: int, end: int, names: list[str], title: str,
                axis: str, number_format: str, tx: Texts, others: str | None = None):
    """A line chart of a series table: one colour per name, the optimal plan solid and the chosen plan dashed.

    The name ``others`` (the rest together) is drawn in dark grey.
    """
    chart = book.workbook.add_chart({"type": "line"})
    column = 1
    for k, name in enumerate(names):
        colour = OTHERS_COLOUR if name == others else PALETTE[k % len(PALETTE)]
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
    legend = {"position": "bottom", "font": {"size": 8}}
    if len(names) > LEGEND_PAIRS:  # a legend entry per name only; the sheet's title says dashed is the chosen plan
        legend["delete_series"] = list(range(0, 2 * len(names), 2))
    chart.set_legend(legend)
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
        rows = volumes[volumes.unit == unit]
        per_name = {name: {plan: {} for plan, _ in PLANS} for name in dict.fromkeys(rows.instrument)}
        for name, year, chosen, optimal in zip(rows.instrument, rows.year, rows.chosen_volume, rows.optimal_volume,
                                               strict=True):
            per_name[name]["chosen"][int(year)] = float(chosen)
            per_name[name]["optimal"][int(year)] = float(optimal)
        size = {n: sum(sum(v.values()) for v in plans.values()) for n, plans in per_name.items()}
        names, rest = _largest(list(per_name), size)
        values = {name: per_name[name] for name in names}
        others = tx("series.others", count=len(rest)) if rest else None
        if rest:
            values[others] = {plan: {t: sum(per_name[n][plan].get(t, 0.0) for n in rest) for t in years}
                              for plan, _ in PLANS}
            names = names + [others]
        title = tx("chart.volume", unit=unit)
        header, end = _series_table(book, data_ws, top, title, years, names, values, formats.number, tx)
        charts.append(_line_chart(book, data_name, header, end, names, title, unit, formats.whole, tx, others))
        top = end + 2
    persons_name = tx("col.persons")
    persons = {persons_name: {plan: {int(t): float(v) for t, v in volumes.groupby("year")[f"{plan}_persons"].sum()
                                     .items()} for plan, _ in PLANS}}
    title = tx("chart.persons")
    header, end = _series_table(book, data_ws, top, title, years, [persons_name], persons, formats.number, tx)
    charts.append(_line_chart(book, data_name, header, end, [persons_name], title, tx("chart.persons_axis"),
                              formats.whole, tx))
    top = end + 2
    money = {"chosen": _money_had_used(comparison.chosen.budgets),
             "optimal": _money_had_used(comparison.optimum.budgets)}
    lines = list(dict.fromkeys(line for line, _ in data.budgets))
    size = {line: sum(money["optimal"].get((line, t), (0.0, 0.0))[0] for t in years) for line in lines}
    names, rest = _largest(lines, size)
    groups = {line: [line] for line in names}
    others = tx("series.others", count=len(rest)) if rest else None
    if rest:
        groups[others] = rest
    shares = {name: {plan: {t: _share([money[plan][line, t] for line in group if (line, t) in money[plan]])
                            for t in years} for plan, _ in PLANS} for name, group in groups.items()}
    title = tx("chart.money")
    header, end = _series_table(book, data_ws, top, title, years, list(groups), shares, formats.percent, tx)
    charts.append(_line_chart(book, data_name, header, end, list(groups), title, tx("chart.share"),
                              formats.percent.replace("0.0%", "0%"), tx, others))
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
