"""Dutch sentences shared by the report, the CLI and the JSON output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.status import INFEASIBLE, NUMERICAL, OPTIMAL, TIME_LIMIT, UNBOUNDED

if TYPE_CHECKING:
    from models.solve import Result

OBJECTIVE_LABELS = {
    "participatie": "participatie (gewogen persoonsjaren)",
    "maatschappelijke_waarde": "maatschappelijke waarde (€)",
    "lexicografisch": "lexicografisch: eerst participatie, dan zo min mogelijk gemeentelijk geld",
}
SHADOW_UNITS = {
    "participatie": "extra gewogen persoonsjaren per €1.000 extra",
    "maatschappelijke_waarde": "extra maatschappelijke waarde (€) per €1.000 extra",
    "lexicografisch": "extra gewogen persoonsjaren per €1.000 extra (stap 1)",
}


def status_text(result: Result) -> str:
    """One Dutch sentence on the outcome of a solve."""
    if result.status == OPTIMAL:
        if result.gap and number(100 * result.gap, 6) != "0":  # a MIP stopped at its gap: say how close
            return (f"Optimaal binnen {number(100 * result.gap, 6)}% van het optimum: HiGHS stopte bij de gevraagde "
                    "MIP-gap; een beter plan kan hoogstens zoveel meer opleveren.")
        return "Optimaal: dit is het beste plan binnen het geld en de eisen."
    if result.status == NUMERICAL:
        return ("Numeriek probleem: de rekenmachine gaf een plan dat bij controle niet aan alle regels voldoet "
                f"({'; '.join(result.check_failures[:3])}). Vertrouw dit plan niet; kijk naar zeer grote of zeer "
                "kleine getallen in de werkmap en meld dit.")
    if result.status == INFEASIBLE:
        return ("Onhaalbaar: geen enkel plan voldoet tegelijk aan alle budgetten en eisen. Versoepel een eis, "
                "verhoog een budget of een maximale aanvulling, of kijk of een 'precies'-doelgroep past.")
    if result.status == UNBOUNDED:
        return unbounded_text(result.unlimited)
    if result.status == TIME_LIMIT:
        if result.has_plan:
            gap = f"hoogstens {percent(result.gap)} onder het optimum" if result.gap is not None else "afstand onbekend"
            return f"Tijdslimiet bereikt: dit is het beste plan tot nu toe ({gap}). Verhoog de tijdslimiet voor meer."
        return "Tijdslimiet bereikt zonder een plan te vinden. Verhoog de tijdslimiet of zet gehele_aantallen op nee."
    return "De rekenmachine (HiGHS) gaf geen bruikbaar antwoord; probeer het opnieuw of meld dit."


def unbounded_text(unlimited: list[str]) -> str:
    """Why there is no plan when the objective can grow without limit: a gap in the workbook, named."""
    if not unlimited:
        return ("Onbegrensd: de doelstelling kan onbeperkt groeien, dus er is geen beste plan. Er ontbreekt een grens "
                "in de werkmap: geef elk instrument kosten (blad Kosten) of een maximum (max_volume, max_instroom of "
                "een doelgroep op blad Instrumenten).")
    names = ", ".join(f"'{name}'" for name in unlimited)
    return (f"Onbegrensd: in de werkmap kan {names} onbeperkt groeien: per saldo kost het niets (of levert het geld "
            "op) en niets begrenst het volume. Er is daarom geen beste plan. Vul kosten in (blad Kosten), of een "
            "max_volume, max_instroom of doelgroep (blad Instrumenten).")


def duals_note(result: Result) -> str:
    """How to read the shadow prices of this result."""
    unit = SHADOW_UNITS.get(result.objective_name, "")
    if result.duals_conditional:
        return (f"Schaduwprijzen ({unit}) zijn voorwaardelijk: berekend met de gekozen gehele aantallen en het "
                "gekozen scenario vast; ze gelden zolang die keuzes blijven.")
    return f"Schaduwprijzen: {unit}; ze gelden voor een kleine verandering."


def number(x: float, decimals: int = 2) -> str:
    """A number in Dutch notation (1.234,5), without trailing zeros."""
    text = f"{x:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return "0" if text in ("-0", "") else text


def percent(fraction: float, decimals: int = 2) -> str:
    """A fraction as a Dutch percentage: 0.0002 -> '0,02%'."""
    return f"{number(100 * fraction, decimals)}%"


def euros(x: float) -> str:
    """An amount of money in Dutch notation: €1.234.567 (−€5 for negative)."""
    sign = "-" if x < 0 else ""
    return f"{sign}€{number(abs(x), 0)}"


def _amount(change: float, unit: str, decimals: int = 2) -> str:
    if unit == "€":
        return euros(change)
    return f"{number(change, decimals)} {unit}".strip()


SHOWN_DECIMALS = 1
"""A broken rule's volumes, persons and percentages are shown to one decimal: what a chosen plan typed in fte
with two decimals can mean (see :data:`models.compare.BREACH_TOLERANCE`)."""


def _shown(x: float, unit: str) -> str:
    return _amount(x, unit, SHOWN_DECIMALS)


def relaxation_text(row: dict) -> str:
    """One Dutch sentence for one change the infeasibility diagnosis asks for."""
    year = "alle jaren samen" if row["year"] == "totaal" else row["year"]
    amount = _amount(row["change"], row["unit"])
    kind, name = row["kind"], row["name"]
    if kind == "budget":
        return f"{name} {year}: {amount} tekort (verhoog het beschikbare bedrag of de maximale aanvulling)."
    if kind == "eis":
        verb = "verlaag" if row["direction"] == "-" else "verhoog"
        return f"Eis '{name}' {year}: niet haalbaar; {verb} de grens met {amount}."
    if kind == "doelgroep":
        verb = "kleiner" if row["direction"] == "-" else "groter"
        return f"Doelgroep '{name}' {year}: de omvang moet {amount} {verb} zijn om te passen."
    if kind == "max_verandering":
        return f"{name} {year}: de maximale verandering per jaar is {amount} te klein."
    verb = "verlaag" if row["direction"] == "-" else "verhoog"
    return f"{name} {year}: {verb} {kind} met {amount}."


RULE_LABELS = {"eis": "eis", "doelgroep": "omvang", "max_verandering": "maximaal", "min_volume": "minimum",
               "max_volume": "maximum", "min_instroom": "minimale instroom", "max_instroom": "maximale instroom"}


def violation_text(row: dict) -> str:
    """One Dutch sentence for a rule a given plan breaks, e.g. 'Beschut werk 2023: 29 fte, eis 31 fte: ...'."""
    kind, name, year, unit = row["kind"], row["name"], row["year"], row["unit"]
    year = "alle jaren samen" if year == "totaal" else year
    if kind == "budget":
        return (f"{name} {year}: {euros(row['value'])} nodig (na aanvulling), {euros(row['bound'])} beschikbaar "
                f"(na besparing): {euros(row['shortfall'])} tekort.")
    if kind == "min_instroom" and row["bound"] == 0:
        return (f"{name} {year}: het volume daalt {_shown(row['shortfall'], unit)} sneller dan de blijfkans "
                "toelaat (negatieve instroom).")
    if kind == "max_verandering":
        return f"{name} {year}: verandert meer dan {_shown(row['bound'], unit)} per jaar."
    too = "te weinig" if row["direction"] == "-" else "te veel"
    return (f"{name} {year}: {_shown(row['value'], unit)}, {RULE_LABELS.get(kind, kind)} "
            f"{_shown(row['bound'], unit)}: {_shown(row['shortfall'], unit)} {too}.")
