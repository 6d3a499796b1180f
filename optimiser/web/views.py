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
from models.whatif import Batch, Outcome, plan_differences
from optimiser.comparison_report import measure_label, summary_text, violation_rows
from optimiser.pipeline import Run
from optimiser.report import conflict_rows, infeasibility_rows
from optimiser.texts import (
    DUTCH,
    conflict_text,
    duals_note,
    euros,
    number,
    objective_label,
    relaxation_text,
    status_text,
)
from optimiser.web.charts import Series, bar_chart, line_chart
from optimiser.whatif_report import rule_label, setting_text

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


def _difference(measure: str, value: float | None, base: float | None) -> str:
    if value is None or base is None:
        return "–"
    return ("+" if value - base > 0 else "") + _measure(measure, value - base)


def _outcome_state(outcome: Outcome) -> str:
    return DUTCH.get(f"state.{outcome.status}", outcome.status)


def _detail(base: Outcome, outcome: Outcome) -> dict:
    """One what-if's own part of the page: what it changed, what binds now, the plan's changes, or why it fails."""
    infeasible = outcome.infeasibility is not None and not outcome.infeasibility.empty
    conflict = outcome.conflict is not None and not outcome.conflict.empty
    return {
        "name": outcome.name, "state": _outcome_state(outcome), "has_plan": outcome.has_plan,
        "rebuilt": outcome.rebuilt,
        "changes": [setting_text(s) for s in outcome.settings],
        "starts": [rule_label(k) for k in sorted(outcome.binding - base.binding, key=str)],
        "stops": [rule_label(k) for k in sorted(base.binding - outcome.binding, key=str)] if outcome.has_plan else [],
        "plan": [{"instrument": i, "year": t, "base": shown(b), "whatif": shown(w), "difference": shown(w - b)}
                 for i, t, b, w in plan_differences(base, outcome)] if outcome.has_plan else [],
        "infeasibility": [relaxation_text(row) for row in infeasibility_rows(outcome)] if infeasible else [],
        "conflict": conflict_text(conflict_rows(outcome)) if conflict else None,
    }


def whatifs_view(run: Run, batches: Sequence[Batch]) -> dict:
    """The base and every what-if of ``batches`` side by side, then each what-if's details."""
    base = batches[0].base  # every batch starts from the same base: the session is put back after each
    outcomes = [o for b in batches for o in b.outcomes]
    everything = [base, *outcomes]
    measures = [m for m in HEADLINE if m in base.totals]
    rows = [("Status", [_outcome_state(o) for o in everything]),
            (objective_label(run.result.objective_name), [shown(o.objective) for o in everything]),
            ("Verschil met de basis", ["–", *[_difference("", o.objective, base.objective) for o in outcomes]])]
    rows += [(_label(m), [_measure(m, o.totals.get(m)) if o.has_plan else "–" for o in everything])
             for m in measures]
    rows += [(f"{line}: gebruikt, alle jaren (€)",
              [money(o.money_per_line().get(line)) if o.has_plan else "–" for o in everything])
             for line in run.data.lines]
    rows.append(("Scenario", [o.scenario or "–" for o in everything]))
    details = [_detail(base, o) for o in outcomes]
    rows += [("Gaat binden", ["–", *[str(len(d["starts"])) if d["has_plan"] else "–" for d in details]]),
             ("Bindt niet meer", ["–", *[str(len(d["stops"])) if d["has_plan"] else "–" for d in details]]),
             ("Volumes anders dan de basis", ["–", *[str(len(d["plan"])) if d["has_plan"] else "–" for d in details]])]
    charts = []
    if "person_years" in base.totals:
        names = ["basis", *[o.name for o in outcomes]]
        values = [o.totals.get("person_years") if o.has_plan else None for o in everything]
        charts.append(bar_chart("Persoonsjaren: basis en wat-als", names, [Series("persoonsjaren", values, WHATIF)],
                                lambda v: number(v, 0)))
    return {"name": run.name, "columns": ["Basis", *[o.name for o in outcomes]], "rows": rows,
            "details": details, "charts": charts, "last": outcomes[-1].name if outcomes else None,
            "interrupted": any(b.interrupted for b in batches)}
