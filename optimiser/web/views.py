"""What the pages show, read from a run's tables and put in Dutch words and number formats.

Only reading and formatting: every number comes from the pipeline's
:class:`~optimiser.pipeline.Run` (its result, comparison and problems);
every sentence that the CLI and the result workbook also say comes from
:mod:`optimiser.texts` and :mod:`optimiser.comparison_report`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup

from models.evaluate import Evaluation
from models.solve import Result
from optimiser.comparison_report import measure_label, summary_text, violation_rows
from optimiser.pipeline import Run
from optimiser.report import conflict_rows, infeasibility_rows
from optimiser.texts import (
    conflict_text,
    duals_note,
    euros,
    number,
    objective_label,
    relaxation_text,
    status_text,
)
from optimiser.web.charts import Series, bar_chart, line_chart

HEADLINE = ("person_years", "participation", "benefit", "societal_value", "topup", "gemeente_spending",
            "total_cost")
MONEY_MEASURES = {"benefit", "societal_value", "topup", "gemeente_spending", "total_cost"}
OPTIMAL, CHOSEN, AVAILABLE, WHATIF = "optimaal", "gekozen", "beschikbaar", "wat-als"
"""Chart colours (classes in style.css): the same thing has the same colour on every chart."""
PRICE_TOLERANCE = 1e-9
"""A shadow price this close to zero does not bind."""


def _label(measure: str) -> str:
    label = "geld van de gemeente (€)" if measure == "gemeente_spending" else measure_label(measure)
    return label[:1].upper() + label[1:]


def shown(value: float | None, decimals: int = 2) -> str:
    """A number in Dutch notation, or a dash when there is none."""
    return "–" if value is None or pd.isna(value) else number(value, decimals)


def money(value: float | None) -> str:
    """An amount in euros in Dutch notation, or a dash."""
    return "–" if value is None or pd.isna(value) else euros(value)


def _range(value: float | None, show) -> str:
    """How far a bound may move with the same shadow price: an amount, 'onbeperkt', or 'onbekend' without ranging."""
    if value is None or pd.isna(value):
        return "onbekend"
    return "onbeperkt" if value == math.inf else show(value)


def _measure(measure: str, value: float | None) -> str:
    return money(value) if measure in MONEY_MEASURES or measure.startswith("money_") else shown(value)


def _compact_euros(value: float) -> str:
    """Axis labels: €1,2 mln, €350k."""
    if abs(value) >= 1e6:
        return f"€{number(value / 1e6, 1)} mln"
    if abs(value) >= 1e3:
        return f"€{number(value / 1e3, 0)}k"
    return euros(value)


def problems_view(run: Run) -> dict:
    """The validation problems as rows of severity, sheet, cell and message."""
    rows = [{"severity": p.severity, "sheet": p.sheet or "–", "cell": p.cell or "–", "message": p.message}
            for p in run.problems]
    return {"name": run.name, "rows": rows, "errors": len(run.errors)}


def result_view(run: Run) -> dict:
    """Everything the result page shows."""
    data, result, comparison = run.data, run.result, run.comparison
    years = [str(t) for t in data.years]
    view = {
        "name": run.name,
        "status": status_text(result),
        "has_plan": result.has_plan,
        "optimal": run.has_plan_to_show,
        "objective": objective_label(result.objective_name),
        "objective_value": shown(result.objective_value),
        "scenario": result.scenario,
        "gap": f"{number(100 * result.gap, 4)}%" if result.gap is not None else None,
        "seconds": number(run.seconds.get("total", 0.0), 2),
        "infeasibility": [relaxation_text(row) for row in infeasibility_rows(result)],
        "conflict": _conflict(result),
        "warnings": [str(p) for p in run.warnings],
        "summary": summary_text(data, comparison) if comparison is not None else [],
        "headline": [], "charts": [], "plan": None, "comparison": [], "violations": [], "budgets": [],
        "requirements": [], "binding": [], "duals_note": "",
    }
    if not result.has_plan:
        return view
    view["headline"] = [(_label(m), _measure(m, result.totals.get(m))) for m in HEADLINE if m in result.totals]
    view["plan"] = plan_view(result, years)
    view["budgets"] = budget_rows(result)
    view["requirements"] = requirement_rows(result)
    view["binding"] = [row for row in view["budgets"] + view["requirements"] if row["binds"]]
    view["duals_note"] = duals_note(result)
    chosen = comparison.chosen if comparison is not None and not comparison.volumes.empty else None
    if chosen is not None:
        view["comparison"] = [{"measure": _label(r["measure"]), "chosen": _measure(r["measure"], r["chosen"]),
                               "optimal": _measure(r["measure"], r["optimal"]),
                               "difference": _measure(r["measure"], r["difference"])}
                              for r in comparison.totals.to_dict("records")]
        view["violations"] = [row["message"] for row in violation_rows(comparison)]
    view["charts"] = result_charts(result, chosen, years)
    return view


def plan_view(result: Result, years: Sequence[str]) -> dict:
    """Volume per instrument (rows) and year (columns), and persons in all per year."""
    rows = []
    for instrument, frame in result.plan.groupby("instrument", sort=False):
        rows.append({"instrument": instrument, "unit": frame.unit.iloc[0],
                     "values": [shown(v) for v in frame.sort_values("year").volume]})
    persons = result.plan.groupby("year", sort=True).persons.sum()
    return {"years": list(years), "rows": rows, "persons": [shown(v, 1) for v in persons]}


def budget_rows(result: Result) -> list[dict]:
    """Money per budget line and year, with the shadow price and how far it holds."""
    rows = []
    for r in result.budgets.to_dict("records"):
        price = r["shadow_price"]
        rows.append({"kind": "budget", "name": r["line"], "year": r["year"], "available": money(r["available"]),
                     "savings": money(r["savings_target"]), "used": money(r["used"]), "topup": money(r["topup"]),
                     "slack": money(r["slack"]), "price": shown(price, 4),
                     "down": _range(r["valid_down"], money), "up": _range(r["valid_up"], money),
                     "binds": price is not None and abs(price) > PRICE_TOLERANCE,
                     "unit": "per €1.000"})
    return rows


def requirement_rows(result: Result) -> list[dict]:
    """Every requirement with its value, bound, room and shadow price (a share in percent)."""
    rows = []
    for r in result.requirements.to_dict("records"):
        share = r["kind"] == "aandeel"

        def show(value, share=share):
            return "–" if value is None or pd.isna(value) else (f"{number(100 * value, 1)}%" if share
                                                                 else number(value, 2))
        price = r["shadow_price"]
        rows.append({"kind": "eis", "name": r["requirement"], "year": r["year"], "sense": r["sense"],
                     "value": show(r["value"]), "bound": show(r["bound"]), "slack": show(r["slack"]),
                     "price": shown(price, 4), "binds": price is not None and abs(price) > PRICE_TOLERANCE,
                     "down": _range(r["valid_down"], show), "up": _range(r["valid_up"], show),
                     "unit": "per eenheid"})
    return rows


def _persons_per_year(plan: pd.DataFrame, column: str = "persons") -> list[float]:
    return [float(v) for v in plan.groupby("year", sort=True)[column].sum()]


def result_charts(result: Result, chosen: Evaluation | None, years: Sequence[str]) -> list[Markup]:
    """Participation per year, chosen against optimal per instrument, money used against available per line."""
    series = [Series("optimaal plan", _persons_per_year(result.plan), OPTIMAL)]
    if chosen is not None:
        series.append(Series("gekozen plan", _persons_per_year(chosen.plan), CHOSEN))
    charts = [line_chart("Participatie per jaar (personen)", years, series, lambda v: number(v, 0))]
    if chosen is not None:
        optimal = result.plan.groupby("instrument", sort=False).volume.sum()
        picked = chosen.plan.groupby("instrument", sort=False).volume.sum()
        names = list(optimal.index)
        charts.append(bar_chart("Gekozen tegenover optimaal: volume per instrument, alle jaren samen", names,
                                [Series("optimaal plan", [float(optimal[n]) for n in names], OPTIMAL),
                                 Series("gekozen plan", [float(picked.get(n, 0.0)) for n in names], CHOSEN)],
                                lambda v: number(v, 0)))
    charts += money_charts(result, chosen)
    return charts


def money_charts(result: Result, chosen: Evaluation | None) -> list[Markup]:
    """Per budget line: available after the savings target against the money used, per year."""
    charts = []
    for line, frame in result.budgets.groupby("line", sort=False):
        frame = frame.sort_values("year")
        series = [Series("beschikbaar na besparing", list(frame.available - frame.savings_target), AVAILABLE),
                  Series("gebruikt incl. aanvulling, optimaal", list(frame.used), OPTIMAL)]
        if chosen is not None:
            other = chosen.budgets[chosen.budgets.line == line].sort_values("year")
            series.append(Series("gebruikt incl. aanvulling, gekozen", list(other.used), CHOSEN))
        charts.append(bar_chart(f"{line}: geld gebruikt tegenover beschikbaar", [str(t) for t in frame.year],
                                series, _compact_euros))
    return charts


def _conflict(result: Result) -> str | None:
    """The rules that cannot hold together, in one sentence (None when there are none to name)."""
    rows = conflict_rows(result)
    return conflict_text(rows) if rows else None


def whatif_view(run: Run, change: str, outcome: Result) -> dict:
    """A what-if beside the base: status, totals, volumes and money used, and the explanation when infeasible."""
    base = run.result
    view = {
        "name": run.name, "change": change,
        "base_status": status_text(base), "status": status_text(outcome), "has_plan": outcome.has_plan,
        "rebuilt": outcome.rebuilt,
        "infeasibility": [relaxation_text(row) for row in infeasibility_rows(outcome)],
        "conflict": _conflict(outcome),
        "totals": [], "plan": [], "budgets": [], "charts": [],
    }
    if not (outcome.has_plan and base.has_plan):
        return view
    view["totals"] = [{"measure": _label(m), "base": _measure(m, base.totals.get(m)),
                       "whatif": _measure(m, outcome.totals.get(m)),
                       "difference": _measure(m, outcome.totals[m] - base.totals[m])}
                      for m in HEADLINE if m in base.totals and m in outcome.totals]
    merged = base.plan.merge(outcome.plan, on=["instrument", "year", "unit"], suffixes=("_base", "_whatif"))
    view["plan"] = [{"instrument": r["instrument"], "year": r["year"], "unit": r["unit"],
                     "base": shown(r["volume_base"]), "whatif": shown(r["volume_whatif"]),
                     "difference": shown(r["volume_whatif"] - r["volume_base"]),
                     "changed": abs(r["volume_whatif"] - r["volume_base"]) > 1e-6}
                    for r in merged.to_dict("records")]
    money_rows = base.budgets.merge(outcome.budgets, on=["line", "year"], suffixes=("_base", "_whatif"))
    view["budgets"] = [{"line": r["line"], "year": r["year"], "available_base": money(r["available_base"]),
                        "available_whatif": money(r["available_whatif"]), "used_base": money(r["used_base"]),
                        "used_whatif": money(r["used_whatif"]), "price_base": shown(r["shadow_price_base"], 4),
                        "price_whatif": shown(r["shadow_price_whatif"], 4)}
                       for r in money_rows.to_dict("records")]
    years = [str(t) for t in run.data.years]
    view["charts"] = [line_chart("Participatie per jaar (personen): basis en wat-als", years,
                                 [Series("basis", _persons_per_year(base.plan), OPTIMAL),
                                  Series("wat als", _persons_per_year(outcome.plan), WHATIF)],
                                 lambda v: number(v, 0))]
    return view
