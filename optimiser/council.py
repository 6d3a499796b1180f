"""The raadsvoorstel: short paragraphs and a small meerjarenraming a policy adviser can paste.

Every figure the text uses comes from :func:`council_figures`, the one
place that reads the comparison's headline numbers. "Voor hetzelfde geld"
is said only when it is true: of the best plan that uses no more of any
budget line in any year than the chosen plan (:func:`same_money_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.compare import Comparison
from models.data import ProblemData
from models.status import OPTIMAL
from optimiser.texts import DUTCH, Texts, objective_label, status_text, violation_text
from optimiser.xlsx import Book, Worksheet

GEMEENTE = "gemeente"
"""The bearer whose money a council decides on (``money_gemeente`` in the totals)."""
BREACH_TOLERANCE = 0.005
"""A broken rule is named in the text when it misses its bound by more than this fraction of the bound."""
MOST_BREACHES = 3
"""At most this many broken rules in the text; the rest are on the violations sheet."""
TEXT_WIDTH = 125
"""Characters across the printed width of the sheet, over which every paragraph wraps."""


@dataclass
class CouncilFigures:
    """The numbers the raadsvoorstel quotes: the recommended (optimal) and the chosen plan."""

    years: list[int]
    volumes: dict[tuple[str, int], float]
    """The recommended plan's volume per (instrument, year)."""
    units: dict[str, str]
    persons: dict[str, dict[int, float]]
    """Persons per year, for ``"optimal"`` and ``"chosen"``."""
    gemeente: dict[str, dict[int, float]]
    """The gemeente's net money per year, for ``"optimal"`` and ``"chosen"``."""
    person_years: dict[str, float]
    benefit: dict[str, float]
    extra_person_years: float | None
    """More person-years of the best plan using no more of any line and year than the chosen plan (``None``:
    no such plan meets every requirement); may be negative when the chosen plan breaks a rule."""
    extra_benefit: float | None
    """The societal benefit that same-money plan has more than the chosen plan."""
    extra_person_years_within_budgets: float | None
    """More person-years of the optimum within the budgets."""
    extra_money_within_budgets: float | None
    """The money (all lines and years) the optimum uses more than the chosen plan."""
    over_budget: list[tuple[str, int, float]]
    """The budget lines and years the chosen plan overspends, with the shortfall."""
    money_saved: float | None
    """Money (all flows) the cheapest plan with the chosen participation saves."""


def _money_per_year(budgets, bearer: str) -> dict[int, float]:
    """A bearer's net money per year, split as the model's ``money_<bearer>`` total splits.

    Per line ``used`` is its cost plus top-ups it pays plus what is
    committed; taking off the top-up and surplus it receives and adding the
    surplus it hands on counts every transfer once, for the giver, so
    transfers between one bearer's own lines cancel.
    """
    own = budgets[budgets.bearer == bearer]
    net = own.used - own.topup - own.surplus_received + own.surplus
    return {int(t): float(v) for t, v in net.groupby(own.year).sum().items()}


def council_figures(data: ProblemData, comparison: Comparison) -> CouncilFigures:
    """The figures of the raadsvoorstel, from the comparison as it is computed now."""
    chosen, optimum = comparison.chosen, comparison.optimum
    volumes = comparison.volumes
    plans = {"optimal": "optimal_persons", "chosen": "chosen_persons"}
    return CouncilFigures(
        years=list(data.years),
        volumes={(r.instrument, int(r.year)): float(r.optimal_volume) for r in volumes.itertuples()},
        units={i: inst.unit for i, inst in data.instruments.items()},
        persons={plan: {int(t): float(v) for t, v in volumes.groupby("year")[column].sum().items()}
                 for plan, column in plans.items()},
        gemeente={"optimal": _money_per_year(optimum.budgets, GEMEENTE),
                  "chosen": _money_per_year(chosen.budgets, GEMEENTE)},
        person_years={"optimal": optimum.totals["person_years"], "chosen": chosen.totals["person_years"]},
        benefit={"optimal": optimum.totals["benefit"], "chosen": chosen.totals["benefit"]},
        extra_person_years=comparison.extra_person_years,
        extra_benefit=(comparison.same_money.totals["benefit"] - chosen.totals["benefit"]
                       if comparison.extra_person_years is not None and comparison.same_money is not None else None),
        extra_person_years_within_budgets=comparison.extra_person_years_within_budgets,
        extra_money_within_budgets=comparison.extra_money_within_budgets,
        over_budget=[(r.line, int(r.year), float(r.shortfall)) for r in comparison.over_budget.itertuples()],
        money_saved=comparison.money_saved,
    )


def same_money_lines(f: CouncilFigures, tx: Texts = DUTCH) -> list[str]:
    """*Voor hetzelfde geld* and *binnen dezelfde budgetten*, as true statements; never a negative 'meer'.

    An overspent budget is named first: the chosen plan's money is then more than the budgets allow.
    Every amount is rounded as the rest of the text rounds it (the sheets have them to the euro).
    """
    lines = []
    if f.over_budget:
        items = "; ".join(tx("council.over_budget_item", line=line, year=year, shortfall=tx.amount(short))
                          for line, year, short in f.over_budget)
        lines.append(tx("council.over_budget", items=items))
    extra = f.extra_person_years
    if extra is None:
        lines.append(tx("council.same_money_none"))
    elif round(extra) > 0:
        share = extra / max(f.person_years["chosen"], 1e-9)
        lines.append(tx("council.same_money", extra=tx.number(extra, 0), share=tx.percent(share),
                        benefit=tx.amount(f.extra_benefit or 0.0)))
    else:
        lines.append(tx("council.same_money_no_more"))
    more, money = f.extra_person_years_within_budgets, f.extra_money_within_budgets
    if more is not None and round(more) > 0:
        money = money or 0.0
        spend = (tx("council.spend_more", money=tx.amount(money)) if round(money) > 0
                 else tx("council.spend_less", money=tx.amount(-money)) if round(money) < 0
                 else tx("council.spend_same"))
        lines.append(tx("council.within_budgets", extra=tx.number(more, 0), spend=spend))
    return lines


def breaches(comparison: Comparison, tx: Texts = DUTCH) -> tuple[list[str], int]:
    """Sentences for the chosen plan's largest broken rules above the tolerance, and how many broke in all."""
    rows = comparison.chosen.violations.to_dict("records") if comparison.chosen.has_plan else []

    def size(row: dict) -> float:
        return abs(row["shortfall"]) / max(abs(row["bound"]), 1e-9)

    large = sorted((r for r in rows if size(r) > BREACH_TOLERANCE), key=size, reverse=True)
    return [violation_text(r, tx, rounded=True) for r in large[:MOST_BREACHES]], len(rows)


def _more_or_less(tx: Texts, difference: float) -> str:
    return tx("council.more" if difference >= 0 else "council.less")


def paragraphs(data: ProblemData, comparison: Comparison, tx: Texts = DUTCH) -> list[str]:
    """The raadsvoorstel in paragraphs; the meerjarenraming goes after the first."""
    chosen, optimum = comparison.chosen, comparison.optimum
    if not chosen.has_plan or not optimum.has_plan:
        return [tx("council.no_plan")]
    f = council_figures(data, comparison)
    years = f"{f.years[0]}-{f.years[-1]}"
    scenario = tx("council.scenario", scenario=optimum.scenario) if optimum.scenario else ""
    first = tx("council.recommend", years=years, objective=objective_label(optimum.objective_name, tx),
               scenario=scenario)
    if optimum.status != OPTIMAL:
        first += " " + tx("council.not_optimal", status=status_text(optimum, tx))
    lines = [first]
    benefit_difference = f.benefit["optimal"] - f.benefit["chosen"]
    lines.append(tx("council.brings", persons=tx.number(sum(f.persons["optimal"].values()) / len(f.years), 0),
                    person_years=tx.number(f.person_years["optimal"], 0), years=years,
                    chosen_person_years=tx.number(f.person_years["chosen"], 0),
                    benefit_per_person=tx.amount(data.settings.benefit_per_person),
                    benefit=tx.amount(f.benefit["optimal"]), benefit_difference=tx.amount(abs(benefit_difference)),
                    more_or_less=_more_or_less(tx, benefit_difference)))
    paid = {plan: sum(money.values()) for plan, money in f.gemeente.items()}
    lines.append(tx("council.costs", gemeente=tx.amount(paid["optimal"]), years=years,
                    difference=tx.amount(abs(paid["optimal"] - paid["chosen"])),
                    more_or_less=_more_or_less(tx, paid["optimal"] - paid["chosen"]), chosen=tx.amount(paid["chosen"])))
    compared = same_money_lines(f, tx)
    if f.money_saved is not None:
        compared.append(tx("council.same_participation", saved=tx.amount(f.money_saved), years=years))
    lines.append(" ".join(compared))
    named, broken = breaches(comparison, tx)
    sheet = tx("sheet.violations")
    if named:
        text = tx("council.broken", count=broken, rules=" ".join(named))
        if broken > len(named):
            text += " " + tx("council.broken_more", count=broken - len(named), sheet=sheet)
        lines.append(text)
    elif broken:
        lines.append(tx("council.broken_small", tolerance=tx.percent(BREACH_TOLERANCE), sheet=sheet))
    else:
        lines.append(tx("council.broken_none"))
    own = [f"{i} {tx.amount(inst.benefit)}" for i, inst in data.instruments.items() if inst.benefit is not None]
    lines.append(tx("council.assumptions", benefit_per_person=tx.amount(data.settings.benefit_per_person),
                    own=tx("council.own_benefit", items=", ".join(own)) if own else ""))
    return lines


def _estimate_rows(f: CouncilFigures, tx: Texts) -> list[list[object]]:
    """The meerjarenraming: the recommended volumes (whole units), then persons and the gemeente's money."""
    instruments = list(dict.fromkeys(i for i, _ in f.volumes))
    rows: list[list[object]] = [[i, f.units[i]] + [round(f.volumes[i, t]) for t in f.years] for i in instruments]
    rows.append([None] * (2 + len(f.years)))
    rows.append([tx("council.table_persons_optimal"), tx("col.persons")]
                + [round(f.persons["optimal"][t]) for t in f.years])
    rows.append([tx("council.table_persons_chosen"), tx("col.persons")]
                + [round(f.persons["chosen"][t]) for t in f.years])
    for key, plan in (("council.table_money_optimal", "optimal"), ("council.table_money_chosen", "chosen")):
        rows.append([tx(key), "€"] + [round(f.gemeente[plan].get(t, 0.0), -3) for t in f.years])
    rows.append([tx("council.table_money_difference"), "€"]
                + [round(f.gemeente["optimal"].get(t, 0.0) - f.gemeente["chosen"].get(t, 0.0), -3) for t in f.years])
    return rows


def add_council_sheet(book: Book, data: ProblemData, comparison: Comparison, tx: Texts = DUTCH,
                      ws: Worksheet | None = None) -> None:
    """The raadsvoorstel sheet: title, the paragraphs, the meerjarenraming after the first paragraph.

    ``ws``: the sheet, made earlier (to come first in the workbook) and still empty.
    """
    ws = ws or book.sheet(tx("sheet.council"))
    text = paragraphs(data, comparison, tx)
    columns = 2 + len(data.years)
    headers = [tx("col.instrument"), tx("col.unit")] + [str(t) for t in data.years]
    rows = _estimate_rows(council_figures(data, comparison), tx) if len(text) > 1 else []
    first = max([len(headers[0])] + [len(str(r[0] or "")) for r in rows]) + 2
    year_width = max(11.0, (TEXT_WIDTH - first - 10) / len(data.years))
    widths = [first, 10] + [year_width] * len(data.years)
    book.widths(ws, widths)
    book.paragraph(ws, 0, tx("council.title", name=data.settings.name), columns, bold=True, size=13)
    book.paragraph(ws, 2, text[0], columns)
    row = 3
    if rows:
        money = {r for r, values in enumerate(rows) if values[1] == "€"}
        row_formats = [{c: book.formats.euro if r in money else book.formats.whole for c in range(2, columns)}
                       for r in range(len(rows))]
        row = book.table(ws, 4, headers, rows, widths=widths, row_formats=row_formats, navigate=False) + 2
    for line in text[1:]:
        book.paragraph(ws, row, line, columns)
        row += 2
