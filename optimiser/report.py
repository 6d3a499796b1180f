"""The result workbook and the JSON summary of a run.

Only this module writes results; it reads a :class:`~models.solve.Result`
and turns its English tables into Dutch sheets.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from models.compare import Comparison
from models.data import ProblemData
from models.solve import Result
from optimiser.comparison_report import add_comparison_sheets, add_council_text_sheet, violation_rows
from optimiser.money_report import add_money_sheet
from optimiser.problems import Problem
from optimiser.texts import OBJECTIVE_LABELS, SHADOW_UNITS, duals_note, number, relaxation_text, status_text
from optimiser.whatif_report import add_sheets as add_whatif_sheets
from optimiser.xlsx import EURO, NUMBER, PRICE, Book, column_widths, save_atomically

# English result columns -> Dutch headers and number formats, per sheet.
PLAN_COLUMNS = {"instrument": ("instrument", None), "year": ("jaar", None), "unit": ("eenheid", None),
                "volume": ("volume", NUMBER), "inflow": ("instroom", NUMBER), "persons": ("personen", NUMBER),
                "reduced_cost": ("gereduceerde kosten", PRICE)}
BUDGET_COLUMNS = {"line": ("budgetregel", None), "year": ("jaar", None), "bearer": ("drager", None),
                  "available": ("beschikbaar", EURO), "savings_target": ("besparingstaakstelling", EURO),
                  "committed": ("vastgelegd", EURO), "topup": ("aanvulling", EURO),
                  "surplus_received": ("overschot ontvangen", EURO), "funding": ("bekostiging", EURO),
                  "used": ("gebruikt", EURO),
                  "surplus": ("overschot afgedragen", EURO), "slack": ("ruimte", EURO),
                  "shadow_price": ("schaduwprijs per €1.000", PRICE),
                  "valid_down": ("mag dalen met (€)", EURO), "valid_up": ("mag stijgen met (€)", EURO)}
REQUIREMENT_COLUMNS = {"requirement": ("eis", None), "year": ("jaar", None), "kind": ("soort", None),
                       "quantity": ("grootheid", None), "sense": ("richting", None), "value": ("waarde", NUMBER),
                       "bound": ("grens", NUMBER), "slack": ("ruimte", NUMBER),
                       "shadow_price": ("schaduwprijs per eenheid", PRICE),
                       "valid_down": ("mag dalen met", NUMBER), "valid_up": ("mag stijgen met", NUMBER)}
GROUP_COLUMNS = {"group": ("doelgroep", None), "year": ("jaar", None), "unit": ("eenheid", None),
                 "size": ("omvang", NUMBER),
                 "exact": ("precies", None), "persons": ("personen", NUMBER), "slack": ("ruimte", NUMBER),
                 "shadow_price": ("schaduwprijs per persoon", PRICE)}


RANGES = ("valid_down", "valid_up")
UNKNOWN_RANGE = "onbekend"
"""Shown where no ranging is available (no prices): never left empty, since empty means unlimited."""


def range_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Ranging columns as the sheets show them: an amount, empty for unlimited, 'onbekend' without ranging."""
    if frame.empty:
        return frame
    frame = frame.copy()
    for column in RANGES:
        if column in frame.columns:
            frame[column] = [None if v == math.inf else UNKNOWN_RANGE if v is None or pd.isna(v) else v
                             for v in frame[column]]
    return frame


def summary_rows(data: ProblemData, result: Result, source: Path) -> list[list[object]]:
    """Label-value rows of the summary sheet."""
    totals = result.totals
    rows = [
        ["Berekening", data.settings.name],
        ["Invoerbestand", source.name],  # the name only: a path may say more about the user than the result needs
        ["Jaren", f"{data.years[0]}-{data.years[-1]}"],
        ["Status", status_text(result)],
        ["Doelstelling", OBJECTIVE_LABELS[result.objective_name]],
        ["Waarde doelstelling", result.objective_value],
    ]
    if result.has_plan:
        rows += [
            ["Gekozen scenario", result.scenario or "(geen scenario's)"],
            ["Persoonsjaren", totals.get("person_years")],
            ["Maatschappelijke baten (€)", totals.get("benefit")],
            ["Aanvullingen totaal (€)", totals.get("topup")],
            ["Geld van de gemeente totaal (€)", totals.get("gemeente_spending")],
            ["Schaduwprijzen", duals_note(result)],
        ]
    if result.gap is not None:
        rows.append(["Afstand tot optimum (MIP-gap)", f"{number(100 * result.gap, 6)}%"])
    rows += [["Rekentijd (s)", round(result.solve_seconds, 3)], ["Rekenmachine", result.solver]]
    for phase in result.phases[1:]:
        rows.append([f"Stap: {phase['phase']}", f"{phase['status']}, waarde {phase['objective']}"])
    return rows


def _sheet_from_frame(book: Book, title: str, intro: str, frame: pd.DataFrame, columns: dict) -> None:
    ws = book.sheet(title)
    book.put(ws, 0, 0, intro, wrap=True)
    if frame.empty:
        book.put(ws, 2, 0, "(geen)")
        return
    names = [c for c in columns if c in frame.columns]
    headers = [columns[c][0] for c in names]
    formats = {k: columns[c][1] for k, c in enumerate(names) if columns[c][1]}
    rows = [[_plain(value) for value in row] for row in frame[names].to_numpy(dtype=object)]
    book.table(ws, 2, headers, rows, formats)


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return value


def _summary_sheet(book: Book, rows: list[list[object]]) -> None:
    """Label and value; fractional values as numbers with two decimals, long texts wrapped."""
    ws = book.sheet("Samenvatting")
    headers = ["onderdeel", "waarde"]
    for c, header in enumerate(headers):
        book.put(ws, 0, c, header, header=True)
    for r, (label, value) in enumerate(rows, start=1):
        book.put(ws, r, 0, label)
        book.put(ws, r, 1, value, NUMBER if isinstance(value, float) else None, wrap=True)
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, column_widths(headers, rows)[0])
    ws.set_column(1, 1, 100)


def write_workbook(path: Path, data: ProblemData, result: Result, source: Path, problems: list[Problem],
                   comparison: Comparison | None = None, audit: dict | None = None, analysis=None) -> None:
    """Write the result workbook to ``path`` (not atomically: see :func:`write_result`)."""
    with Book(path) as book:
        _write_sheets(book, data, result, source, problems, comparison, audit)
        add_whatif_sheets(book, data, result, analysis)


def _write_sheets(book: Book, data: ProblemData, result: Result, source: Path, problems: list[Problem],
                  comparison: Comparison | None, audit: dict | None) -> None:
    """Summary, plan, budget use, requirements, groups, comparison, remarks and audit, in this order."""
    if comparison is not None:
        add_council_text_sheet(book, data, comparison)
    _summary_sheet(book, summary_rows(data, result, source))
    unit = SHADOW_UNITS.get(result.objective_name, "")
    _sheet_from_frame(book, "Plan", "Volume, instroom en personen per instrument en jaar. Gereduceerde kosten: "
                      "hoeveel de doelstelling daalt per eenheid die een instrument boven het plan zou krijgen.",
                      result.plan, PLAN_COLUMNS)
    _sheet_from_frame(book, "Budgetgebruik", "Per budgetregel en jaar. Gebruikt = instrumenten + vastgelegd + "
                      f"scenariokosten + aanvullingen aan andere regels. Schaduwprijs: {unit}; die geldt zolang het "
                      "beschikbare bedrag niet meer daalt of stijgt dan de twee laatste kolommen (leeg: onbeperkt; "
                      "onbekend: geen schaduwprijzen berekend).",
                      range_cells(result.budgets), BUDGET_COLUMNS)
    add_money_sheet(book, data, result)
    _sheet_from_frame(book, "Eisen", "Elke eis met waarde, grens en ruimte (bij een aandeel als fractie). "
                      "Schaduwprijs: verandering van de doelstelling per eenheid hogere grens; die geldt zolang de "
                      "grens niet meer daalt of stijgt dan de twee laatste kolommen (leeg: onbeperkt).",
                      range_cells(result.requirements), REQUIREMENT_COLUMNS)
    _sheet_from_frame(book, "Doelgroepen", "Geplaatste personen per doelgroep en jaar.", result.groups,
                      GROUP_COLUMNS)
    if not result.infeasibility.empty:
        ws = book.sheet("Onhaalbaarheid")
        book.put(ws, 0, 0, "De kleinste versoepeling die een plan mogelijk maakt (€1.000 weegt als één eenheid "
                           "volume).")
        rows = [[r["kind"], r["name"], r["year"], r["change"], r["unit"], relaxation_text(r)]
                for r in infeasibility_rows(result)]
        book.table(ws, 2, ["soort", "naam", "jaar", "versoepeling", "eenheid", "uitleg"], rows, {3: NUMBER})
    if comparison is not None:
        add_comparison_sheets(book, data, comparison)
    if problems:
        remarks = book.sheet("Opmerkingen")
        book.table(remarks, 0, ["soort", "blad", "cel", "melding"],
                   [[p.severity, p.sheet, p.cell, p.message] for p in problems])
    if audit:
        ws = book.sheet("Verantwoording")
        book.table(ws, 0, ["onderdeel", "waarde"], [[k, v] for k, v in audit.items()])


def infeasibility_rows(result: Result) -> list[dict]:
    """The diagnosis of an infeasible result as plain dicts."""
    return [{k: _plain(v) for k, v in row.items()} for row in result.infeasibility.to_dict("records")]


def write_result(data: ProblemData, result: Result, source: Path, target: Path, problems: list[Problem],
                 comparison: Comparison | None = None, audit: dict | None = None, analysis=None) -> Path:
    """Write the result workbook atomically; never over the input (``analysis``: see ``optimiser.whatif``)."""
    return save_atomically(lambda path: write_workbook(path, data, result, source, problems, comparison, audit,
                                                       analysis), target, protect=source)


BUDGET_JSON_KEYS = ("available", "savings_target", "committed", "surplus_received", "topup", "used", "surplus",
                    "slack", "shadow_price", "valid_down", "valid_up")
"""Every amount a budget line's money reconciles with: available - savings + received + topup = used + surplus
+ slack (``used`` includes committed money and top-ups this line pays for others)."""


def _budgets_json(frame: pd.DataFrame) -> dict[str, dict[str, dict]]:
    budgets: dict[str, dict[str, dict]] = {}
    for _, row in range_cells(frame).iterrows():
        budgets.setdefault(row["line"], {})[str(row["year"])] = {key: _plain(row.get(key)) for key in BUDGET_JSON_KEYS}
    return budgets


def _comparison_json(comparison: Comparison) -> tuple[dict, dict]:
    chosen = comparison.chosen
    violations = [{"requirement": r["name"], "kind": r["kind"], "year": r["year"], "value": r["value"],
                   "bound": r["bound"], "shortfall": r["shortfall"], "unit": r["unit"], "message": r["message"]}
                  for r in violation_rows(comparison)]
    chosen_json = {
        "status": chosen.status,
        "scenario": chosen.scenario,
        "objective": {"name": comparison.optimum.objective_name, "value": chosen.objective_value},
        "plan": _nested(chosen.plan, "volume") if chosen.has_plan else {},
        "persons": _nested(chosen.plan, "persons") if chosen.has_plan else {},
        "budgets": _budgets_json(chosen.budgets) if chosen.has_plan else {},
        "totals": chosen.totals,
        "violations": violations,
    }
    totals = {r["measure"]: {"chosen": r["chosen"], "optimal": r["optimal"], "difference": r["difference"]}
              for r in comparison.totals.to_dict("records")}
    comparison_json = {
        "totals": totals,
        "extra_person_years_same_money": comparison.extra_person_years,
        "extra_person_years_within_budgets": comparison.extra_person_years_within_budgets,
        "extra_money_within_budgets": comparison.extra_money_within_budgets,
        "over_budget": [{k: _plain(v) for k, v in r.items()} for r in comparison.over_budget.to_dict("records")],
        "money_saved_same_participation": comparison.money_saved,
        "cheapest_status": comparison.cheapest.status if comparison.cheapest else None,
    }
    return chosen_json, comparison_json


def _nested(frame: pd.DataFrame, column: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for _, row in frame.iterrows():
        out.setdefault(row["instrument"], {})[str(row["year"])] = _plain(row[column])
    return out


def json_summary(data: ProblemData, result: Result, output: Path | None, problems: list[Problem],
                 comparison: Comparison | None = None) -> dict:
    """The machine-readable summary printed by ``optimiser run --json`` (see README)."""
    budgets = _budgets_json(result.budgets)
    chosen, compared = _comparison_json(comparison) if comparison is not None else (None, None)
    return {
        "status": result.status,
        "message": status_text(result),
        "objective": {"name": result.objective_name, "value": result.objective_value},
        "gap": result.gap,
        "years": list(data.years),
        "plan": _nested(result.plan, "volume") if result.has_plan else {},
        "persons": _nested(result.plan, "persons") if result.has_plan else {},
        "budgets": budgets,
        "scenario": result.scenario,
        "shadow_prices_conditional": result.duals_conditional,
        "totals": result.totals,
        "infeasibility": [{**row, "message": relaxation_text(row)} for row in infeasibility_rows(result)],
        "warnings": [str(p) for p in problems if p.severity != "fout"],
        "chosen": chosen,
        "comparison": compared,
        "output": str(output) if output else None,
    }
