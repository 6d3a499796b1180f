"""The result workbook and the JSON summary of a run.

Only this module writes results; it reads a :class:`~models.solve.Result`
and turns its English tables into Dutch sheets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from models.compare import Comparison
from models.data import ProblemData
from models.region import region_money
from models.solve import Result
from optimiser.comparison_report import add_comparison_sheets, fill_comparison_sheet, violation_rows
from optimiser.council import add_council_sheet
from optimiser.money_report import add_money_sheet
from optimiser.problems import Problem
from optimiser.texts import (
    DUTCH,
    Texts,
    conflict_text,
    duals_note,
    objective_label,
    relaxation_text,
    shadow_unit,
    status_text,
)
from optimiser.whatif_report import add_sheets as add_whatif_sheets
from optimiser.xlsx import Book, NumberFormats, save_atomically, table_widths

# Result columns -> header text id and the name of their number format (see NumberFormats), per sheet.
PLAN_BLOCKS = (("volume", "block.volume", "number"), ("inflow", "block.inflow", "number"),
               ("persons", "block.persons", "number"), ("reduced_cost", "block.reduced_cost", "price"))
BUDGET_COLUMNS = {"line": ("col.line", None), "year": ("col.year", None),
                  "gemeente": ("col.gemeente_name", None), "bearer": ("col.bearer", None),
                  "available": ("col.available", "euro"), "savings_target": ("col.savings_target", "euro"),
                  "committed": ("col.committed", "euro"), "topup": ("col.topup", "euro"),
                  "surplus_received": ("col.surplus_received", "euro"), "funding": ("col.funding", "euro"),
                  "used": ("col.used", "euro"),
                  "surplus": ("col.surplus", "euro"), "reserve": ("col.reserve", None),
                  "to_reserve": ("col.to_reserve", "euro"), "from_reserve": ("col.from_reserve", "euro"),
                  "reserve_balance": ("col.reserve_balance", "euro"), "slack": ("col.slack_money", "euro"),
                  "shadow_price": ("col.shadow_money", "price"), "valid_down": ("col.valid_down_money", "euro"),
                  "valid_up": ("col.valid_up_money", "euro")}
REQUIREMENT_COLUMNS = {"requirement": ("col.requirement", None), "year": ("col.year", None),
                       "kind": ("col.kind", None), "quantity": ("col.quantity", None), "sense": ("col.sense", None),
                       "value": ("col.value", "number"), "bound": ("col.bound", "number"),
                       "slack": ("col.slack", "number"), "shadow_price": ("col.shadow_unit", "price"),
                       "valid_down": ("col.valid_down", "number"), "valid_up": ("col.valid_up", "number")}
SHARE_COLUMNS = ("value", "bound", "slack", "valid_down", "valid_up")
"""Requirement columns that hold a fraction for a share requirement: shown as a percentage."""
GROUP_COLUMNS = {"group": ("col.group", None), "year": ("col.year", None), "unit": ("col.unit", None),
                 "size": ("col.size", "number"),
                 "exact": ("col.exact", None), "persons": ("col.persons", "number"), "slack": ("col.slack", "number"),
                 "shadow_price": ("col.shadow_person", "price")}


T = TypeVar("T")
Later = T | Callable[[], T | None] | None
"""A value, or a function that gives it when the writing gets there (see :func:`write_result`)."""
Staged = Comparison | Callable[[bool], Comparison | None] | None
"""A comparison, or a function that gives it: whole with ``True``; with ``False`` as soon as the chosen plan is
evaluated (see :func:`models.compare.against_optimum`: the two alternative plans may still be missing)."""

RANGES = ("valid_down", "valid_up")
APPENDICES = ("sheet.money_lines", "sheet.answer", "sheet.why", "sheet.audit")
"""Detail sheets a controller opens but a council does not print: written hidden (issue 11, at most 12 pages)."""


def appendices(result: Result, audit: dict | None, analysis, tx: Texts) -> set[str]:
    """The names of the appendix sheets this result will have."""
    present = {"sheet.money_lines": result.has_plan, "sheet.answer": analysis is not None and analysis.rows is not None,
               "sheet.audit": bool(audit)}
    present["sheet.why"] = present["sheet.answer"]
    return {tx(key) for key in APPENDICES if present[key]}


def range_cells(frame: pd.DataFrame, tx: Texts = DUTCH) -> pd.DataFrame:
    """Ranging columns as they are shown: an amount, empty for unlimited, 'onbekend' without ranging.

    Never left empty without ranging (no prices), since empty means unlimited.
    """
    if frame.empty:
        return frame
    frame = frame.copy()
    unknown = tx("range.unknown")
    for column in RANGES:
        if column in frame.columns:
            frame[column] = [None if v == math.inf else unknown if v is None or pd.isna(v) else v
                             for v in frame[column]]
    return frame


def summary_rows(data: ProblemData, result: Result, source: Path, tx: Texts = DUTCH) -> list[list[object]]:
    """Label, value and the name of the value's number format, for the summary sheet."""
    totals = result.totals
    rows: list[list[object]] = [
        [tx("summary.name"), data.settings.name, None],
        [tx("summary.source"), source.name, None],  # the name only: a path may say more than the result needs
        [tx("summary.years"), f"{data.years[0]}-{data.years[-1]}", None],
        [tx("summary.status"), status_text(result, tx), None],
        [tx("summary.objective"), objective_label(result.objective_name, tx), None],
        [tx("summary.objective_value"), result.objective_value, "number"],
    ]
    if result.has_plan:
        rows += [
            [tx("summary.scenario"), result.scenario or tx("summary.no_scenario"), None],
            [tx("summary.person_years"), totals.get("person_years"), "whole"],
            [tx("summary.benefit"), totals.get("benefit"), "million"],
            [tx("summary.topup"), totals.get("topup"), "million"],
            [tx("summary.gemeente"), totals.get("gemeente_spending"), "million"],
            [tx("summary.duals"), duals_note(result, tx), None],
        ]
        rows += region_rows(data, result, tx)
    if result.gap is not None:
        rows.append([tx("summary.gap"), tx.percent(result.gap, 6), None])  # to the digit HiGHS reached
    rows += [[tx("summary.seconds"), round(result.solve_seconds, 3), "number"],
             [tx("summary.solver"), result.solver, None]]
    for phase in result.phases[1:]:  # lexicographic phase 2 and the tie-breaks (least top-up, money, change)
        status = tx.get(f"phase_status.{phase['status']}", phase["status"])
        value = (tx("summary.phase_value", status=status, value=tx.number(phase["objective"]))
                 if phase["objective"] is not None else status)
        rows.append([tx("summary.phase", phase=tx.get(f"phase.{phase['phase']}", phase["phase"])), value, None])
    return rows


def region_rows(data: ProblemData, result: Result, tx: Texts = DUTCH) -> list[list[object]]:
    """In a region: the money of every gemeente per bearer and of the region (nothing for one gemeente)."""
    money = region_money(data, result.budgets)
    if money.empty:
        return []
    rows: list[list[object]] = [[tx("summary.money_of", gemeente=g or tx("summary.region"), bearer=who), amount,
                                 "million"] for g, who, amount in money.itertuples(index=False)]
    return [*rows, [tx("summary.region_total"), float(money.money.sum()), "million"]]


def _region_json(data: ProblemData, result: Result) -> dict | None:
    """Money per gemeente and bearer and the region's total; ``None`` for one gemeente."""
    money = region_money(data, result.budgets) if result.has_plan else None
    if money is None or money.empty:
        return None
    per: dict[str, dict[str, float]] = {}
    for g, who, amount in money.itertuples(index=False):
        per.setdefault(g, {})[who] = amount
    return {"gemeenten": per, "total": float(money.money.sum())}


def _format(formats: NumberFormats, name: str | None) -> str | None:
    return getattr(formats, name) if name else None


def _frame_sheet(book: Book, tx: Texts, key: str, note: str, frame: pd.DataFrame, columns: dict,
                 share_rows: pd.Series | None = None) -> None:
    """A long table of a result frame under a title and an explanation; ``share_rows`` marks rows in percent."""
    ws = book.sheet(tx(f"sheet.{key}"))
    names = [c for c in columns if c in frame.columns]
    headers = [tx(columns[c][0]) for c in names]
    rows = [[_plain(value, tx) for value in row] for row in frame[names].to_numpy(dtype=object)]
    formats = {k: _format(book.formats, columns[c][1]) for k, c in enumerate(names) if columns[c][1]}
    row_formats = None
    if share_rows is not None:
        percent = {k: book.formats.percent for k, c in enumerate(names) if c in SHARE_COLUMNS}
        row_formats = [percent if share else {} for share in share_rows]
    top = book.heading(ws, tx(f"title.{key}"), note, table_widths(headers, rows))
    if not rows:
        book.put(ws, top, 0, tx("none"))
        return
    book.table(ws, top, headers, rows, formats, row_formats=row_formats, freeze_columns=1)


def _plain(value: object, tx: Texts = DUTCH) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return tx("yes") if value else tx("no")
    return value


def _summary_sheet(book: Book, rows: list[list[object]], tx: Texts) -> None:
    """Label and value, each value in its own number format; long texts wrap in a wide column."""
    ws = book.sheet(tx("sheet.summary"))
    headers = [tx("col.item"), tx("col.value")]
    top = book.heading(ws, tx("title.summary"), tx("note.summary"),
                       [table_widths(headers, [r[:1] for r in rows])[0], 95])
    book.table(ws, top, headers, [], widths=[0, 95])
    for k, (label, value, fmt) in enumerate(rows, start=top + 1):
        book.put(ws, k, 0, label)
        if isinstance(value, str) and len(value) > 95:  # a long sentence: its row grows with it
            book.paragraph(ws, k, value, 1, column=1)
        else:
            book.put(ws, k, 1, value, _format(book.formats, fmt))


def _plan_sheet(book: Book, result: Result, tx: Texts) -> None:
    """The plan as instrument x year tables: volume, inflow, persons and reduced cost, one block each."""
    ws = book.sheet(tx("sheet.plan"))
    plan = result.plan
    years = list(dict.fromkeys(plan.year)) if not plan.empty else []
    region = "gemeente" in plan.columns  # a region: the gemeente of every instrument beside its name
    front = [tx("col.instrument"), *([tx("col.gemeente_name")] if region else []), tx("col.unit")]
    headers = front + [str(t) for t in years]
    instruments = list(dict.fromkeys(plan.instrument)) if not plan.empty else []
    values = {c: plan[c].tolist() for c in plan.columns}  # whole columns: no pandas call per cell
    front_columns = ["instrument", *(["gemeente"] if region else []), "unit"]
    labels = {i: [values[c][k] for c in front_columns] for k, i in enumerate(values.get("instrument", []))}
    at = {key: k for k, key in enumerate(zip(values.get("instrument", []), values.get("year", []), strict=True))}
    blocks = [(tx(title), [labels[i] + [_plain(values[column][at[i, t]]) for t in years]
                           for i in instruments], fmt) for column, title, fmt in PLAN_BLOCKS]
    widths = table_widths(headers, [row for _, rows, _ in blocks for row in rows])
    first = len(headers) - len(years)
    widths = widths[:first] + [max(w, 11) for w in widths[first:]]
    top = book.heading(ws, tx("title.plan"), tx("note.plan"), widths)
    if not instruments:
        book.put(ws, top, 0, tx("none"))
        return
    for title, rows, fmt in blocks:
        top = book.table(ws, top, headers, rows, dict.fromkeys(range(first, len(headers)), _format(book.formats, fmt)),
                         title=title, widths=widths, freeze_columns=1) + 2


def write_workbook(path: Path, data: ProblemData, result: Result, source: Path, problems: list[Problem],
                   comparison: Staged = None, audit: Later[dict] = None, analysis=None) -> None:
    """Write the result workbook to ``path`` (not atomically: see :func:`write_result`)."""
    language = data.settings.language
    with Book(path, language) as book:
        _write_sheets(book, Texts(language), data, result, source, problems, comparison, audit, analysis)


def _write_sheets(book: Book, tx: Texts, data: ProblemData, result: Result, source: Path, problems: list[Problem],
                  comparison: Staged, audit: Later[dict], analysis) -> None:
    """Every sheet in order: raadsvoorstel, summary, plan, budgets, money per line, requirements, groups, ...

    ... then the comparison, the what-ifs (``analysis``), remarks and audit.
    """
    book.appendices = appendices(result, audit, analysis, tx)
    # the raadsvoorstel comes first in the workbook but is written last, so that a comparison still being solved
    # (see optimiser.pipeline.run) has the time of the other sheets to finish
    council = book.sheet(tx("sheet.council")) if comparison is not None else None
    rows = summary_rows(data, result, source, tx)
    if book.appendices:
        hidden = [name for name in (tx(key) for key in APPENDICES) if name in book.appendices]
        rows.append([tx("summary.appendices"), tx("note.appendices", sheets=", ".join(hidden)), None])
    _summary_sheet(book, rows, tx)
    _plan_sheet(book, result, tx)
    note = tx("note.budgets", unit=shadow_unit(result.objective_name, tx))
    if data.reserves:
        note = f"{note} {tx('note.budget_reserves')}"
    _frame_sheet(book, tx, "budgets", note, range_cells(result.budgets, tx), BUDGET_COLUMNS)
    add_money_sheet(book, data, result, tx)
    requirements = result.requirements
    shares = requirements.kind == "aandeel" if not requirements.empty else None
    _frame_sheet(book, tx, "requirements", tx("note.requirements"), range_cells(requirements, tx),
                 REQUIREMENT_COLUMNS, shares)
    _frame_sheet(book, tx, "groups", tx("note.groups"), result.groups, GROUP_COLUMNS)
    if not result.infeasibility.empty or not result.conflict.empty or result.integer_only:
        _infeasibility_sheet(book, result, tx)
    # the sheets that need only the chosen plan's evaluation, while the alternative plans may still be solved
    evaluated = _staged(comparison, whole=False)
    overview = add_comparison_sheets(book, data, evaluated, tx) if evaluated is not None else None
    add_whatif_sheets(book, data, result, analysis, tx)
    if problems:
        ws = book.sheet(tx("sheet.remarks"))
        headers = [tx(f"col.{c}") for c in ("severity", "sheet", "cell", "message")]
        rows = [[p.severity, p.sheet, p.cell, p.message] for p in problems]
        top = book.heading(ws, tx("title.remarks"), tx("note.remarks"), table_widths(headers, rows))
        book.table(ws, top, headers, rows)
    whole = _staged(comparison, whole=True)
    if council is not None and whole is not None:
        add_council_sheet(book, data, whole, tx, council)
    elif council is not None:
        book.put(council, 0, 0, tx("none"))
    if overview is not None:
        fill_comparison_sheet(book, whole, tx, overview)
    if audit:
        ws = book.sheet(tx("sheet.audit"))
        headers = [tx("col.item"), tx("col.value")]
        rows = [[_audit_label(label, tx), _audit_value(label, value, tx)] for label, value in _now(audit).items()]
        top = book.heading(ws, tx("title.audit"), tx("note.audit"), table_widths(headers, rows))
        book.table(ws, top, headers, rows)


def _now(value: Later[T]) -> T | None:
    """A value given as itself or as a function that gives it (see :func:`write_result`)."""
    return value() if callable(value) else value


def _staged(comparison: Staged, whole: bool) -> Comparison | None:
    """The comparison, whole or (``whole=False``) at least with the chosen plan evaluated (see :data:`Staged`)."""
    return comparison(whole) if callable(comparison) else comparison


def _infeasibility_sheet(book: Book, result: Result, tx: Texts) -> None:
    """Why there is no plan: the smallest relaxation in money, then the rules that conflict."""
    ws = book.sheet(tx("sheet.infeasibility"))
    rows = [[tx.get(f"kind.{r['kind']}", r["kind"]), r["name"], r["year"], r["change"], r["unit"],
             relaxation_text(r, tx), r["value"]] for r in infeasibility_rows(result)]
    headers = [tx(f"col.{c}") for c in ("kind", "name", "year", "change", "unit", "explanation", "value_money")]
    top = book.heading(ws, tx("title.infeasibility"), tx("note.infeasibility"), table_widths(headers, rows))
    if result.integer_only:
        book.put(ws, top, 0, tx("conflict.integer_only"))
        top += 2
    top = book.table(ws, top, headers, rows, {3: book.formats.number, 6: book.formats.euro}) + 2
    conflict = conflict_rows(result)
    if conflict:
        headers = [tx(f"col.{c}") for c in ("kind", "name", "year", "side", "hard")]
        rows = [[tx.get(f"kind.{r['kind']}", r["kind"]), r["name"], r["year"], tx(f"side.{r['side']}"),
                 _plain(bool(r["hard"]), tx)] for r in conflict]
        book.put(ws, top, 0, tx("title.conflict"), bold=True)
        book.put(ws, top + 1, 0, tx("note.conflict"))
        book.table(ws, top + 3, headers, rows)


def conflict_rows(result: Result) -> list[dict]:
    """The rules of an infeasible result that cannot hold together, as plain dicts."""
    return [{k: bool(v) if k == "hard" else _plain(v) for k, v in row.items()}
            for row in result.conflict.to_dict("records")]


def _audit_label(label: str, tx: Texts) -> str:
    """An audit label (Dutch, from the pipeline) in the workbook's language."""
    if label.startswith("Versie "):
        return tx("audit.version", package=label.removeprefix("Versie "))
    return tx.get(f"audit.{label}", label)


AUDIT_FRACTIONS = ("MIP-gap gevraagd",)
"""Audit facts that are fractions: written as a percentage to their last digit (1e-9 as 0,0000001%)."""


def _audit_value(label: str, value: object, tx: Texts) -> object:
    if label in AUDIT_FRACTIONS and isinstance(value, float):
        return tx.percent(value, 12)
    return _plain(value, tx)


def infeasibility_rows(result: Result) -> list[dict]:
    """The diagnosis of an infeasible result as plain dicts."""
    return [{k: _plain(v) for k, v in row.items()} for row in result.infeasibility.to_dict("records")]


def write_result(data: ProblemData, result: Result, source: Path, target: Path, problems: list[Problem],
                 comparison: Staged = None, audit: Later[dict] = None, analysis=None) -> Path:
    """Write the result workbook atomically; never over the input (``analysis``: see ``optimiser.whatif``).

    ``comparison`` and ``audit`` may be given as functions that give them
    (see :data:`Staged`): they are called once the sheets that do not need
    them are written.
    """
    return save_atomically(lambda path: write_workbook(path, data, result, source, problems, comparison, audit,
                                                       analysis), target, protect=source)


BUDGET_JSON_KEYS = ("available", "savings_target", "committed", "surplus_received", "topup", "used", "surplus",
                    "slack", "shadow_price", "valid_down", "valid_up")
"""Every amount a budget line's money reconciles with: available - savings + received + topup = used + surplus
+ slack (``used`` includes committed money and top-ups this line pays for others)."""
RESERVE_JSON_KEYS = ("reserve", "to_reserve", "from_reserve", "reserve_balance")
"""With reserves also: + from reserve on the left, + to reserve on the right."""


def _budgets_json(frame: pd.DataFrame, tx: Texts) -> dict[str, dict[str, dict]]:
    budgets: dict[str, dict[str, dict]] = {}
    keys = BUDGET_JSON_KEYS + (RESERVE_JSON_KEYS if "reserve" in frame.columns else ())
    for _, row in range_cells(frame, tx).iterrows():
        budgets.setdefault(row["line"], {})[str(row["year"])] = {key: _plain(row.get(key)) for key in keys}
    return budgets


def _comparison_json(comparison: Comparison, tx: Texts) -> tuple[dict, dict]:
    chosen = comparison.chosen
    violations = [{"requirement": r["name"], "kind": r["kind"], "year": r["year"], "value": r["value"],
                   "bound": r["bound"], "shortfall": r["shortfall"], "unit": r["unit"], "message": r["message"]}
                  for r in violation_rows(comparison, tx)]
    chosen_json = {
        "status": chosen.status,
        "scenario": chosen.scenario,
        "objective": {"name": comparison.optimum.objective_name, "value": chosen.objective_value},
        "plan": _nested(chosen.plan, "volume") if chosen.has_plan else {},
        "persons": _nested(chosen.plan, "persons") if chosen.has_plan else {},
        "budgets": _budgets_json(chosen.budgets, tx) if chosen.has_plan else {},
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
    tx = Texts(data.settings.language)
    budgets = _budgets_json(result.budgets, tx)
    chosen, compared = _comparison_json(comparison, tx) if comparison is not None else (None, None)
    return {
        "status": result.status,
        "message": status_text(result, tx),
        "objective": {"name": result.objective_name, "value": result.objective_value},
        "gap": result.gap,
        "years": list(data.years),
        "plan": _nested(result.plan, "volume") if result.has_plan else {},
        "persons": _nested(result.plan, "persons") if result.has_plan else {},
        "budgets": budgets,
        "scenario": result.scenario,
        "shadow_prices_conditional": result.duals_conditional,
        "totals": result.totals,
        "region": _region_json(data, result),
        "infeasibility": [{**row, "message": relaxation_text(row, tx)} for row in infeasibility_rows(result)],
        "conflict": conflict_rows(result),
        "conflict_message": conflict_text(conflict_rows(result), tx) if not result.conflict.empty else None,
        "warnings": [str(p) for p in problems if p.severity != "fout"],
        "chosen": chosen,
        "comparison": compared,
        "output": str(output) if output else None,
    }
