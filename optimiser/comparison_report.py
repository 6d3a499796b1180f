"""Sheets and text that set the council's chosen plan next to the optimum.

Adds to a result workbook: a short Dutch text for a raadsvoorstel, the
comparison per instrument and year, money per budget line, the rules the
chosen plan breaks, who pays and who gains, and native Excel charts.
"""

from __future__ import annotations

from models.compare import MONEY_COLUMNS, Comparison
from models.data import ProblemData
from optimiser.texts import euros, number, violation_text
from optimiser.xlsx import EURO, NUMBER, Book

CHARTS = "Grafieken"
EMU_PER_CM, EMU_PER_PIXEL = 360_000, 9_525  # chart sizes are given in centimetres
BEARER_LABELS = {"gemeente": "Gemeente", "rijk": "Rijk"}
MEASURE_LABELS = {"person_years": "persoonsjaren", "participation": "participatie (gewogen)",
                  "benefit": "maatschappelijke baten (€)", "societal_value": "maatschappelijke waarde (€)",
                  "total_cost": "totale kosten (€)", "topup": "aanvullingen (€)"}


def violation_rows(comparison: Comparison) -> list[dict]:
    """The chosen plan's broken rules with a Dutch sentence each."""
    rows = comparison.chosen.violations.to_dict("records") if comparison.chosen.has_plan else []
    return [{**row, "message": violation_text(row)} for row in rows]


def measure_label(measure: str) -> str:
    """A measure of Result.totals in Dutch, e.g. 'geld van gemeente (€)'."""
    if measure.startswith("money_"):
        who = measure.removeprefix("money_")
        return f"geld van {BEARER_LABELS.get(who, who).lower()} (€)"
    return MEASURE_LABELS.get(measure, measure)


def summary_text(data: ProblemData, comparison: Comparison) -> list[str]:
    """Short Dutch paragraphs a policy adviser can paste into a raadsvoorstel."""
    chosen = comparison.chosen
    years = f"{data.years[0]}-{data.years[-1]}"
    if not chosen.has_plan:
        return ["Het gekozen plan kon niet worden doorgerekend."]
    lines = [
        f"Het gekozen plan ({years}) levert {number(chosen.totals['person_years'], 0)} persoonsjaren participatie op, "
        f"met {euros(chosen.totals['benefit'])} maatschappelijke baten, voor {euros(chosen.totals['total_cost'])} "
        "aan kosten op alle budgetregels samen."
    ]
    lines += same_money_lines(comparison)
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


def same_money_lines(comparison: Comparison) -> list[str]:
    """*Voor hetzelfde geld* and *binnen dezelfde budgetten*, as true statements; never a negative 'meer'.

    An overspent budget is named first: the chosen plan's money is then more than the budgets allow.
    """
    chosen = comparison.chosen
    lines = []
    if not comparison.over_budget.empty:
        named = "; ".join(f"{r['line']} {r['year']}: {euros(r['shortfall'])} tekort"
                          for r in comparison.over_budget.to_dict("records"))
        lines.append(f"Het gekozen plan past niet binnen de budgetten ({named}).")
    extra = comparison.extra_person_years
    if extra is None:
        lines.append("Met het geld van het gekozen plan (per budgetregel en jaar) is geen plan mogelijk dat aan "
                     "alle eisen voldoet.")
    elif round(extra) > 0:
        same = comparison.same_money
        share = extra / max(chosen.totals["person_years"], 1e-9)
        lines.append(
            f"Voor hetzelfde geld (per budgetregel en jaar niet meer dan het gekozen plan) kunnen "
            f"{number(extra, 0)} persoonsjaren meer meedoen ({number(100 * share, 1)}% meer), met "
            f"{euros(same.totals['benefit'] - chosen.totals['benefit'])} meer maatschappelijke baten.")
    else:
        lines.append("Voor hetzelfde geld kan geen plan dat aan alle eisen voldoet meer persoonsjaren halen dan het "
                     "gekozen plan.")
    more, money = comparison.extra_person_years_within_budgets, comparison.extra_money_within_budgets
    if more is not None and round(more) > 0:
        spend = (f"met {euros(money)} meer uitgaven" if round(money) > 0
                 else f"met {euros(-money)} minder uitgaven" if round(money) < 0 else "met dezelfde uitgaven")
        lines.append(f"Binnen dezelfde budgetten kunnen {number(more, 0)} persoonsjaren meer meedoen dan in het "
                     f"gekozen plan, {spend} (alle budgetregels en jaren samen).")
    return lines


def add_council_text_sheet(book: Book, data: ProblemData, comparison: Comparison) -> None:
    """The text for a raadsvoorstel; the result workbook's first sheet when a plan was chosen."""
    ws = book.sheet("Raadsvoorstel")
    book.put(ws, 0, 0, "Tekst voor een raadsvoorstel: gekozen plan tegenover het beste plan", bold=True)
    for r, line in enumerate(summary_text(data, comparison), start=2):
        book.put(ws, r, 0, line, wrap=True)
    ws.set_column(0, 0, 120)


def add_comparison_sheets(book: Book, data: ProblemData, comparison: Comparison) -> None:
    """The comparison sheets after the result's own; nothing when the chosen plan could not be evaluated."""
    if comparison.volumes.empty:
        return
    _comparison_sheet(book, comparison)
    _money_sheet(book, comparison)
    _violations_sheet(book, comparison)
    _who_pays_sheet(book, comparison)
    _charts_sheet(book, data, comparison)


def _comparison_sheet(book: Book, comparison: Comparison) -> None:
    ws = book.sheet("Vergelijking")
    book.put(ws, 0, 0, "Gekozen plan tegenover het optimale plan: totalen en per instrument en jaar.")
    totals = [[measure_label(r["measure"]), r["chosen"], r["optimal"], r["difference"]]
              for r in comparison.totals.to_dict("records")]
    formats = {1: NUMBER, 2: NUMBER, 3: NUMBER}
    end = book.table(ws, 2, ["grootheid", "gekozen", "optimaal", "verschil"], totals, formats)
    headline = end + 2
    headlines = [("Zelfde geld (per budgetregel en jaar): persoonsjaren meer", comparison.extra_person_years),
                 ("Binnen dezelfde budgetten: persoonsjaren meer", comparison.extra_person_years_within_budgets),
                 ("Binnen dezelfde budgetten: meer uitgaven (€)", comparison.extra_money_within_budgets),
                 ("Zelfde participatie: goedkoper (€)", comparison.money_saved)]
    for k, (label, value) in enumerate(headlines):
        book.put(ws, headline + k, 0, label)
        book.put(ws, headline + k, 1, value)
    headline += len(headlines) - 2
    rows = [[r["instrument"], r["year"], r["unit"], r["chosen_volume"], r["optimal_volume"], r["volume_difference"],
             r["chosen_persons"], r["optimal_persons"], r["persons_difference"]]
            for r in comparison.volumes.to_dict("records")]
    headers = ["instrument", "jaar", "eenheid", "volume gekozen", "volume optimaal", "verschil", "personen gekozen",
               "personen optimaal", "verschil personen"]
    book.table(ws, headline + 3, headers, rows, {k: NUMBER for k in range(3, 9)}, freeze=False)


def _money_sheet(book: Book, comparison: Comparison) -> None:
    ws = book.sheet("Geld per budgetregel")
    book.put(ws, 0, 0, "Geld per budgetregel en jaar, per plan: beschikbaar - besparing + ontvangen overschot + "
                       "aanvulling = gebruikt + overschot afgedragen + ruimte. Ruimte < 0: het plan past niet.")
    plans = (("gekozen", "chosen"), ("optimaal", "optimal"))
    labels = ("ontvangen", "aanvulling", "gebruikt", "afgedragen", "ruimte")
    rows = [[r["line"], r["year"], r["bearer"], r["available"], r["savings_target"]]
            + [r[f"{plan}_{c}"] for _, plan in plans for c in MONEY_COLUMNS] + [r["used_difference"]]
            for r in comparison.money.to_dict("records")]
    headers = (["budgetregel", "jaar", "drager", "beschikbaar", "besparingstaakstelling"]
               + [f"{label} {name}" for name, _ in plans for label in labels] + ["verschil gebruikt"])
    book.table(ws, 2, headers, rows, {k: EURO for k in range(3, len(headers))})


def _violations_sheet(book: Book, comparison: Comparison) -> None:
    ws = book.sheet("Overtredingen gekozen plan")
    rows = violation_rows(comparison)
    book.put(ws, 0, 0, "Elke eis, grens, capaciteit en budget waaraan het gekozen plan niet voldoet."
             if rows else "Het gekozen plan voldoet aan alle eisen, grenzen en budgetten.")
    book.table(ws, 2, ["soort", "naam", "jaar", "waarde", "grens", "tekort of teveel", "eenheid", "uitleg"],
               [[r["kind"], r["name"], r["year"], r["value"], r["bound"], r["shortfall"], r["unit"], r["message"]]
                for r in rows], {3: NUMBER, 4: NUMBER, 5: NUMBER})


def _who_pays_sheet(book: Book, comparison: Comparison) -> None:
    ws = book.sheet("Wie betaalt")
    book.put(ws, 0, 0, "Wie draagt de kosten en wie wint de baten, per plan (alle jaren samen). Het geld van een "
                       "drager is het geld van zijn budgetregels, plus aanvullingen die hij aan een andere drager "
                       "geeft en overschotten die naar een andere drager gaan, min wat hij zo ontvangt.")
    chosen, optimum = comparison.chosen.totals, comparison.optimum.totals
    rows = [[f"{BEARER_LABELS.get(k[6:], k[6:])}: kosten", chosen[k], optimum[k], optimum[k] - chosen[k]]
            for k in chosen if k.startswith("money_")]
    rows.append(["Samenleving: maatschappelijke baten", chosen["benefit"], optimum["benefit"],
                 optimum["benefit"] - chosen["benefit"]])
    book.table(ws, 2, ["wie", "gekozen plan", "optimaal plan", "verschil"], rows, {1: EURO, 2: EURO, 3: EURO})


def _chart(book: Book, kind: str, title: str, top: int, end: int, columns: range, width_cm: float,
           height_cm: float):
    """A native chart of the table on 'Grafieken' whose header row is ``top`` and last row ``end``.

    One series per column in ``columns``, named by its header, over the
    categories in the first column. Sizes in centimetres.
    """
    chart = book.workbook.add_chart({"type": kind})
    for c in columns:
        chart.add_series({"name": [CHARTS, top, c], "categories": [CHARTS, top + 1, 0, end, 0],
                          "values": [CHARTS, top + 1, c, end, c]})
    chart.set_title({"name": title})
    chart.set_size({"width": round(width_cm * EMU_PER_CM / EMU_PER_PIXEL),
                    "height": round(height_cm * EMU_PER_CM / EMU_PER_PIXEL)})
    return chart


def _charts_sheet(book: Book, data: ProblemData, comparison: Comparison) -> None:
    """Native Excel charts over small tables on the same sheet."""
    ws = book.sheet(CHARTS)
    years = list(data.years)
    volumes = comparison.volumes
    instruments = list(dict.fromkeys(volumes.instrument))
    # Table 1: volume per year, a chosen and an optimal column per instrument.
    header = ["jaar"] + [f"{i} {label}" for i in instruments for label in ("gekozen", "optimaal")]
    by_key: dict[tuple, dict] = {}
    for r in volumes.to_dict("records"):
        by_key.setdefault((r["instrument"], r["year"]), r)
    rows = []
    for t in years:
        row = [str(t)]
        for i in instruments:
            match = by_key[i, t]
            row += [match["chosen_volume"], match["optimal_volume"]]
        rows.append(row)
    end = book.table(ws, 0, header, rows)
    chart = _chart(book, "column", "Volume per instrument en jaar: gekozen en optimaal", 0, end,
                   range(1, len(header)), 28, 12)
    chart.set_y_axis({"name": "volume"})
    ws.insert_chart(end + 2, 0, chart)
    # Table 2: participation (persons) per year.
    top = end + 28
    persons = [[str(t), float(volumes[volumes.year == t].chosen_persons.sum()),
                float(volumes[volumes.year == t].optimal_persons.sum())] for t in years]
    end2 = book.table(ws, top, ["jaar", "personen gekozen", "personen optimaal"], persons, freeze=False)
    ws.insert_chart(top, 4, _chart(book, "line", "Participatie per jaar (personen)", top, end2, range(1, 3), 20, 10))
    # Table 3: money used versus available per budget line and year.
    top3 = end2 + 24
    # What a line may spend includes the surplus it receives and its top-up, or the receiving line looks overspent.
    money = [[f"{r['line']} {r['year']}"]
             + [r["available"] - r["savings_target"] + r[f"{plan}_surplus_received"] + r[f"{plan}_topup"]
                for plan in ("chosen", "optimal")] + [r["chosen_used"], r["optimal_used"]]
             for r in comparison.money.to_dict("records")]
    end3 = book.table(ws, top3, ["budgetregel en jaar", "te besteden gekozen", "te besteden optimaal",
                                 "gebruikt gekozen", "gebruikt optimaal"], money, freeze=False)
    ws.insert_chart(top3, 6, _chart(book, "bar", "Geld: gebruikt tegenover te besteden (na besparing, met ontvangen "
                                    "overschot en aanvulling)", top3, end3, range(1, 5), 24, 16))
