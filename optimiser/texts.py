"""Sentences and labels a user reads, in Dutch or English, from one table.

``texts.csv`` beside this file holds every text by id with a ``nl`` and an
``en`` column; the report, the CLI and the JSON output all take their words
from it through :class:`Texts`, so an English result is the same code with
the other column. Numbers in sentences follow the language (1.234,5 in
Dutch, 1,234.5 in English); a percentage is always written as a percentage
(0,02%), as the input workbook's ``%`` columns are.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from models.status import INFEASIBLE, NUMERICAL, OPTIMAL, TIME_LIMIT, UNBOUNDED

if TYPE_CHECKING:
    from models.solve import Result

LANGUAGES = ("nl", "en")
DEFAULT = "nl"


@cache
def _table() -> dict[str, dict[str, str]]:
    with resources.files("optimiser").joinpath("texts.csv").open(encoding="utf-8", newline="") as handle:
        return {row["id"]: {lang: row[lang] for lang in LANGUAGES} for row in csv.DictReader(handle)}


class Texts:
    """The texts and number notation of one language (``nl`` or ``en``)."""

    def __init__(self, language: str = DEFAULT):
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        """The text ``key`` with ``{name}`` fields filled from ``values``."""
        text = _table()[key][self.language]
        return text.format(**values) if values else text

    def get(self, key: str, fallback: str) -> str:
        """The text ``key``, or ``fallback`` when the table has none (a name from the data)."""
        row = _table().get(key)
        return row[self.language] if row else fallback

    def number(self, x: float, decimals: int = 2, strip: bool = True) -> str:
        """A number in this language's notation (1.234,5 or 1,234.5); trailing zeros go unless ``strip`` is off."""
        text = f"{x:,.{decimals}f}"
        if self.language == "nl":
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        point = "," if self.language == "nl" else "."
        if strip and point in text:
            text = text.rstrip("0").rstrip(point)
        return "0" if text in ("-0", "") else text

    def euros(self, x: float) -> str:
        """Money to the euro: €1.234.567 (-€5 for negative)."""
        sign = "-" if x < 0 else ""
        return f"{sign}€{self.number(abs(x), 0)}"

    def amount(self, x: float) -> str:
        """Money as a council text rounds it: € 1,03 mln, € 245.000, € 4.500, € 50."""
        sign = "-" if x < 0 else ""
        euro = "€ " if self.language == "nl" else "€"  # each language's own habit
        size = abs(x)
        if size >= 1e6:
            million = "mln" if self.language == "nl" else "million"
            return f"{sign}{euro}{self.number(size / 1e6, 2, strip=False)} {million}"
        step = 1000 if size >= 10_000 else 100 if size >= 1000 else 1  # a small amount to the euro, never € 0
        return f"{sign}{euro}{self.number(round(size / step) * step, 0)}"

    def percent(self, fraction: float, decimals: int = 1) -> str:
        """A fraction as a percentage: 0,0002 -> 0,02%."""
        if not math.isfinite(fraction):
            return "-"
        return f"{self.number(100 * fraction, decimals)}%"


DUTCH = Texts("nl")


def texts(language: str | None) -> Texts:
    """The texts of ``language`` (Dutch when ``None``)."""
    return Texts(language or DEFAULT)


def number(x: float, decimals: int = 2) -> str:
    """A number in Dutch notation (1.234,5), without trailing zeros."""
    return DUTCH.number(x, decimals)


def percent(fraction: float, decimals: int = 2) -> str:
    """A fraction as a Dutch percentage: 0.0002 -> '0,02%'."""
    return DUTCH.percent(fraction, decimals)


def euros(x: float) -> str:
    """An amount of money in Dutch notation: €1.234.567 (-€5 for negative)."""
    return DUTCH.euros(x)


def objective_label(name: str, tx: Texts = DUTCH) -> str:
    """The objective in words."""
    return tx.get(f"objective.{name}", name)


def shadow_unit(name: str, tx: Texts = DUTCH) -> str:
    """What a shadow price of this objective counts."""
    return tx.get(f"shadow.{name}", "")


def status_text(result: Result, tx: Texts = DUTCH) -> str:
    """One sentence on the outcome of a solve."""
    if result.status == OPTIMAL:
        if result.gap and tx.number(100 * result.gap, 6) != "0":  # a MIP stopped at its gap: say how close
            return tx("status.optimal_gap", gap=tx.percent(result.gap, 6))
        return tx("status.optimal")
    if result.status == NUMERICAL:
        return tx("status.numerical", failures="; ".join(result.check_failures[:3]))
    if result.status == INFEASIBLE:
        return tx("status.infeasible")
    if result.status == UNBOUNDED:
        return unbounded_text(result.unlimited, tx)
    if result.status == TIME_LIMIT:
        if result.has_plan:
            gap = tx("status.gap", gap=tx.percent(result.gap, 2)) if result.gap is not None else tx(
                "status.gap_unknown")
            return tx("status.time_limit_plan", gap=gap)
        return tx("status.time_limit_none")
    return tx("status.error")


def unbounded_text(unlimited: list[str], tx: Texts = DUTCH) -> str:
    """Why there is no plan when the objective can grow without limit: a gap in the workbook, named."""
    if not unlimited:
        return tx("status.unbounded")
    return tx("status.unbounded_named", names=", ".join(f"'{name}'" for name in unlimited))


def duals_note(result: Result, tx: Texts = DUTCH) -> str:
    """How to read the shadow prices of this result."""
    unit = shadow_unit(result.objective_name, tx)
    return tx("duals.conditional" if result.duals_conditional else "duals.plain", unit=unit)


def _amount(change: float, unit: str, tx: Texts, decimals: int = 2) -> str:
    if unit == "€":
        return tx.euros(change)
    return f"{tx.number(change, decimals)} {unit}".strip()


SHOWN_DECIMALS = 1
"""A broken rule's volumes, persons and percentages are shown to one decimal: what a chosen plan typed in fte
with two decimals can mean (see :data:`models.compare.BREACH_TOLERANCE`)."""


def _shown(x: float, unit: str, tx: Texts) -> str:
    return _amount(x, unit, tx, SHOWN_DECIMALS)


def _year(year: object, tx: Texts) -> object:
    return tx("year.total") if year == "totaal" else year


def relaxation_text(row: dict, tx: Texts = DUTCH) -> str:
    """One sentence for one change the infeasibility diagnosis asks for."""
    year, amount = _year(row["year"], tx), _amount(row["change"], row["unit"], tx)
    kind, name = row["kind"], row["name"]
    lower = row.get("direction") == "-"
    if kind == "budget":
        return tx("relax.budget", name=name, year=year, amount=amount)
    if kind == "eis":
        return tx("relax.requirement", name=name, year=year, amount=amount,
                  verb=tx("relax.lower" if lower else "relax.raise"))
    if kind == "doelgroep":
        return tx("relax.group", name=name, year=year, amount=amount,
                  verb=tx("relax.smaller" if lower else "relax.larger"))
    if kind == "max_verandering":
        return tx("relax.max_change", name=name, year=year, amount=amount)
    return tx("relax.other", name=name, year=year, amount=amount, kind=tx.get(f"kind.{kind}", kind),
              verb=tx("relax.lower" if lower else "relax.raise"))


def conflict_text(rows: list[dict], tx: Texts = DUTCH) -> str:
    """One sentence naming the rules of an infeasible model that cannot hold together (HiGHS's IIS)."""
    return tx("conflict.intro", rules="; ".join(conflict_rule(row, tx) for row in rows))


def conflict_rule(row: dict, tx: Texts = DUTCH) -> str:
    """One rule of a conflict: kind, name, year and which bound, marked when it is hard."""
    side = tx(f"side.{row['side']}") + (", " + tx("side.hard") if row.get("hard") else "")
    return tx("conflict.rule", kind=tx.get(f"kind.{row['kind']}", row["kind"]), name=row["name"] or "",
              year=_year(row["year"], tx) if row["year"] is not None else "", side=side).replace("  ", " ")


def violation_text(row: dict, tx: Texts = DUTCH, rounded: bool = False) -> str:
    """One sentence for a rule a given plan breaks, e.g. 'Beschut werk 2023: 29 fte, eis 31 fte: ...'.

    Money is to the euro, or ``rounded`` as a council text rounds it (€ 59.000).
    """
    kind, name, unit = row["kind"], row["name"], row["unit"]
    year = _year(row["year"], tx)
    if kind == "budget":
        money = tx.amount if rounded else tx.euros
        return tx("violation.budget", name=name, year=year, value=money(row["value"]),
                  bound=money(row["bound"]), shortfall=money(row["shortfall"]))
    if kind == "min_instroom" and row["bound"] == 0:
        return tx("violation.negative_inflow", name=name, year=year, shortfall=_shown(row["shortfall"], unit, tx))
    if kind == "max_verandering":
        return tx("violation.max_change", name=name, year=year, bound=_shown(row["bound"], unit, tx))
    too = tx("violation.too_little" if row["direction"] == "-" else "violation.too_much")
    return tx("violation.other", name=name, year=year, value=_shown(row["value"], unit, tx),
              rule=tx.get(f"rule.{kind}", kind), bound=_shown(row["bound"], unit, tx),
              shortfall=_shown(row["shortfall"], unit, tx), too=too)
