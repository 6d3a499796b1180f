"""Sheets and text that set the council's chosen plan next to the optimum.

Adds to a result workbook: a short Dutch text for a raadsvoorstel, the
comparison per instrument and year, money per budget line, the rules the
chosen plan breaks, who pays and who gains, and native Excel charts.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference

from models.compare import Comparison
from models.data import ProblemData
from optimiser.texts import euros, number, violation_text
from optimiser.xlsx import EURO, NUMBER
from optimiser.xlsx_input import HEADER_FONT, put, wrap, write_table

BEARER_LABELS = {"gemeente": "Gemeente", "rijk": "Rijk"}
MEASURE_LABELS = {"person_years": "persoonsjaren", "participation": "participatie (gewogen)",
                  "benefit": "maatschappelijke baten (€)", "societal_value": "maatschappelijke waarde (€)",
                  "total_cost": "totale kosten (€)", "topup": "aanvullingen (€)"}


def violation_rows(comparison: Comparison) -> list[dict]:
    """The chosen plan's broken rules with a Dutch sentence each."""
    rows = comparison.chosen.violations.to_dict("records") if comparison.chosen.has_plan else []
    return [{**row, "message": violation_text(row)} for row in rows]


def _measure_label(measure: str) -> str:
    if measure.startswith("money_"):
        who = measure.removeprefix("money_")
        return f"geld van {BEARER_LABELS.get(who, who).lower()} (€)"
    return MEASURE_LABELS.get(measure, measure)


def summary_text(data: ProblemData, comparison: Comparison) -> list[str]:
    """Short Dutch paragraphs a policy adviser can paste into a raadsvoorstel."""
    chosen, optimum = comparison.chosen, comparison.optimum
    years = f"{data.years[0]}-{data.years[-1]}"
    if not chosen.has_plan:
        return ["Het gekozen plan kon niet worden doorgerekend."]
    lines = [
        f"Het gekozen plan ({years}) levert {number(chosen.totals['person_years'], 0)} persoonsjaren participatie op, "
        f"met {euros(chosen.totals['benefit'])} maatschappelijke baten, voor {euros(chosen.totals['total_cost'])} "
        "aan kosten op alle budgetregels samen."
    ]
    if comparison.extra_person_years is not None:
        share = comparison.extra_person_years / max(chosen.totals["person_years"], 1e-9)
        lines.append(
            f"Voor hetzelfde geld kunnen {number(comparison.extra_person_years, 0)} persoonsjaren meer meedoen "
            f"({number(100 * share, 1)}% meer), met {euros(optimum.totals['benefit'] - chosen.totals['benefit'])} "
            "meer maatschappelijke baten."
        )
    if comparison.money_saved is not None:
        lines.append(f"Dezelfde participatie als in het gekozen plan kan {euros(comparison.money_saved)} goedkoper "
                     f"(over {years} samen).")
    broken = violation_rows(comparison)
    if broken:
        lines.append(f"Het gekozen plan voldoet niet aan {len(broken)} eis(en) of budget(ten): "
                     + " ".join(row["message"] for row in broken))
    else:
        lines.append("Het gekozen plan past binnen alle budgetten en eisen.")
    money = [k for k in chosen.totals if k.startswith("money_")]
    if money:
        split = ", ".join(f"{BEARER_LABELS.get(k[6:], k[6:]).lower()} {euros(chosen.totals[k])}" for k in money)
        lines.append(f"Wie betaalt het gekozen plan: {split}; de samenleving wint {euros(chosen.totals['benefit'])} "
                     "aan maatschappelijke baten.")
    return lines


def add_comparison_sheets(workbook, data: ProblemData, comparison: Comparison) -> None:
    """All comparison sheets; nothing when the chosen plan could not be evaluated."""
    text = workbook.create_sheet("Raadsvoorstel", 0)
    put(text, 1, 1, "Tekst voor een raadsvoorstel: gekozen plan tegenover het beste plan").font = HEADER_FONT
    for r, line in enumerate(summary_text(data, comparison), start=3):
        wrap(put(text, r, 1, line))
    text.column_dimensions["A"].width = 120
    if comparison.volumes.empty:
        return
    _comparison_sheet(workbook, comparison)
    _money_sheet(workbook, comparison)
    _violations_sheet(workbook, comparison)
    _who_pays_sheet(workbook, comparison)
    _charts_sheet(workbook, data, comparison)


def _comparison_sheet(workbook, comparison: Comparison) -> None:
    ws = workbook.create_sheet("Vergelijking")
    put(ws, 1, 1, "Gekozen plan tegenover het optimale plan: totalen en per instrument en jaar.")
    totals = [[_measure_label(r["measure"]), r["chosen"], r["optimal"], r["difference"]]
              for r in comparison.totals.to_dict("records")]
    formats = {2: NUMBER, 3: NUMBER, 4: NUMBER}
    end = write_table(ws, 3, ["grootheid", "gekozen", "optimaal", "verschil"], totals, formats)
    headline = end + 2
    put(ws, headline, 1, "Zelfde geld: persoonsjaren meer")
    put(ws, headline, 2, comparison.extra_person_years)
    put(ws, headline + 1, 1, "Zelfde participatie: goedkoper (€)")
    put(ws, headline + 1, 2, comparison.money_saved)
    rows = [[r["instrument"], r["year"], r["unit"], r["chosen_volume"], r["optimal_volume"], r["volume_difference"],
             r["chosen_persons"], r["optimal_persons"], r["persons_difference"]]
            for r in comparison.volumes.to_dict("records")]
    headers = ["instrument", "jaar", "eenheid", "volume gekozen", "volume optimaal", "verschil", "personen gekozen",
               "personen optimaal", "verschil personen"]
    write_table(ws, headline + 3, headers, rows, {k: NUMBER for k in range(4, 10)}, freeze=False)


def _money_sheet(workbook, comparison: Comparison) -> None:
    ws = workbook.create_sheet("Geld per budgetregel")
    put(ws, 1, 1, "Geld per budgetregel en jaar. Ruimte < 0: het plan past niet binnen de regel.")
    rows = [[r["line"], r["year"], r["bearer"], r["available"], r["savings_target"], r["chosen_used"],
             r["chosen_topup"], r["chosen_slack"], r["optimal_used"], r["optimal_topup"], r["optimal_slack"],
             r["used_difference"]] for r in comparison.money.to_dict("records")]
    write_table(ws, 3, ["budgetregel", "jaar", "drager", "beschikbaar", "besparingstaakstelling", "gebruikt gekozen",
                        "aanvulling gekozen", "ruimte gekozen", "gebruikt optimaal", "aanvulling optimaal",
                        "ruimte optimaal", "verschil gebruikt"], rows, {k: EURO for k in range(4, 13)})


def _violations_sheet(workbook, comparison: Comparison) -> None:
    ws = workbook.create_sheet("Overtredingen gekozen plan")
    rows = violation_rows(comparison)
    put(ws, 1, 1, "Elke eis, grens, capaciteit en budget waaraan het gekozen plan niet voldoet."
        if rows else "Het gekozen plan voldoet aan alle eisen, grenzen en budgetten.")
    write_table(ws, 3, ["soort", "naam", "jaar", "waarde", "grens", "tekort of teveel", "eenheid", "uitleg"],
                [[r["kind"], r["name"], r["year"], r["value"], r["bound"], r["shortfall"], r["unit"], r["message"]]
                 for r in rows], {4: NUMBER, 5: NUMBER, 6: NUMBER})


def _who_pays_sheet(workbook, comparison: Comparison) -> None:
    ws = workbook.create_sheet("Wie betaalt")
    put(ws, 1, 1, "Wie draagt de kosten en wie wint de baten, per plan (alle jaren samen). Het geld van een drager "
                  "is het geld van zijn budgetregels, plus aanvullingen die hij aan een andere drager geeft en "
                  "overschotten die naar een andere drager gaan, min wat hij zo ontvangt.")
    chosen, optimum = comparison.chosen.totals, comparison.optimum.totals
    rows = [[f"{BEARER_LABELS.get(k[6:], k[6:])}: kosten", chosen[k], optimum[k], optimum[k] - chosen[k]]
            for k in chosen if k.startswith("money_")]
    rows.append(["Samenleving: maatschappelijke baten", chosen["benefit"], optimum["benefit"],
                 optimum["benefit"] - chosen["benefit"]])
    write_table(ws, 3, ["wie", "gekozen plan", "optimaal plan", "verschil"], rows, {2: EURO, 3: EURO, 4: EURO})


def _charts_sheet(workbook, data: ProblemData, comparison: Comparison) -> None:
    """Native Excel charts over small tables on the same sheet."""
    ws = workbook.create_sheet("Grafieken")
    years = list(data.years)
    volumes = comparison.volumes
    instruments = list(dict.fromkeys(volumes.instrument))
    # Table 1: volume per year, a chosen and an optimal column per instrument.
    header = ["jaar"] + [f"{i} {label}" for i in instruments for label in ("gekozen", "optimaal")]
    rows = []
    for t in years:
        row = [str(t)]
        for i in instruments:
            match = volumes[(volumes.instrument == i) & (volumes.year == t)].iloc[0]
            row += [match.chosen_volume, match.optimal_volume]
        rows.append(row)
    end = write_table(ws, 1, header, rows)
    chart = BarChart()
    chart.title = "Volume per instrument en jaar: gekozen en optimaal"
    chart.y_axis.title = "volume"
    chart.add_data(Reference(ws, min_col=2, max_col=len(header), min_row=1, max_row=end), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=end))
    chart.width, chart.height = 28, 12
    ws.add_chart(chart, f"A{end + 2}")
    # Table 2: participation (persons) per year.
    top = end + 28
    persons = [[str(t), float(volumes[volumes.year == t].chosen_persons.sum()),
                float(volumes[volumes.year == t].optimal_persons.sum())] for t in years]
    end2 = write_table(ws, top, ["jaar", "personen gekozen", "personen optimaal"], persons, freeze=False)
    line = LineChart()
    line.title = "Participatie per jaar (personen)"
    line.add_data(Reference(ws, min_col=2, max_col=3, min_row=top, max_row=end2), titles_from_data=True)
    line.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=end2))
    line.width, line.height = 20, 10
    ws.add_chart(line, f"E{top}")
    # Table 3: money used versus available per budget line and year.
    top3 = end2 + 24
    money = [[f"{r['line']} {r['year']}", r["available"] - r["savings_target"], r["chosen_used"], r["optimal_used"]]
             for r in comparison.money.to_dict("records")]
    end3 = write_table(ws, top3, ["budgetregel en jaar", "beschikbaar na besparing", "gebruikt gekozen",
                                  "gebruikt optimaal"], money, freeze=False)
    bars = BarChart()
    bars.type = "bar"
    bars.title = "Geld: gebruikt tegenover beschikbaar"
    bars.add_data(Reference(ws, min_col=2, max_col=4, min_row=top3, max_row=end3), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=1, min_row=top3 + 1, max_row=end3))
    bars.width, bars.height = 24, 16
    ws.add_chart(bars, f"F{top3}")
