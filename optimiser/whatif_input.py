"""What-if definitions as the user writes them: the sheet 'Wat-als' and ``--wat-als "Participatiebudget 2023 *0,9"``.

Both become :class:`models.whatif.WhatIf` objects with canonical names. A
definition names a subject (a budget line, instrument, target group,
requirement or scenario, spelled as in the workbook; capitals and accents do
not matter), optionally which number of it (default: a budget line's
*beschikbaar*, a group's *omvang*, a requirement's *grens*, a scenario:
*vast*), for costs optionally the budget line, the years (default: all) and
how it changes: ``*0,9`` (multiply), ``+150000`` or ``-5%`` (add, or a
percentage up or down), ``=40`` (set). A name that does not exist is a Dutch
error naming the sheet and cell, or the argument, with the nearest name.

Command-line form, several changes separated by ``;``, optionally a name first::

    "Krapper PB: Participatiebudget 2023-2025 *0,9; BUIG -5%"
    "Beschut werk max_volume =40"
    "LKS regulier kosten Participatiebudget +1200"
    "2 Arbeidsontwikkelbedrijf vast"
    "scenario vrij"                      (the model chooses the scenario again)
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from models.changes import FIELDS, PER_YEAR, Change, NoValue, WhatIf, expand
from models.data import ProblemData
from optimiser import parse
from optimiser.problems import Problem
from optimiser.schema import normalise

SHEET = "Wat-als"
KINDS = ("budget", "instrument", "group", "requirement", "scenario")
KIND_LABELS = {"budget": "budgetregel", "instrument": "instrument", "group": "doelgroep", "requirement": "eis",
               "scenario": "scenario"}
FIELD_WORDS = {
    "beschikbaar": "available", "besparingstaakstelling": "savings_target", "besparing": "savings_target",
    "vastgelegd": "committed", "kosten": "cost", "kosten_per_eenheid": "cost", "eenmalige_kosten": "once",
    "eenmalig_per_instroom": "once", "min_volume": "min_volume", "max_volume": "max_volume",
    "min_instroom": "min_inflow", "max_instroom": "max_inflow", "max_verandering": "max_change",
    "beginstand": "start", "blijfkans": "retention", "gewicht": "weight", "baten": "benefit",
    "baten_per_persoon": "benefit", "personen_per_eenheid": "persons_per_unit", "omvang": "size", "grens": "level",
    "waarde": "level", "frictiekosten": "friction", "vaste_kosten": "fixed_cost", "vast": "fixed",
}
"""Dutch words for the numbers a what-if can change (the workbook's column names, and a few short forms)."""
DEFAULT_FIELD = {"budget": "available", "group": "size", "requirement": "level", "scenario": "fixed"}
OPERATION_WORDS = {"maal": "*", "plus": "+", "wordt": "="}
FREE = {"vrij", "geen", "model_kiest"}
"""Written as the scenario of 'vast': the model chooses the scenario again."""
_OPERATION = re.compile(r"^([*x×+\-=])\s*(.+)$")
_YEARS = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


class Names:
    """Every name a what-if can refer to, by normalised spelling, with the kinds that use it."""

    def __init__(self, data: ProblemData):
        self.known: dict[str, dict[str, str]] = {}
        for kind, names in (("budget", data.lines), ("instrument", data.instruments),
                            ("group", dict.fromkeys(g for g, _ in data.groups)),
                            ("requirement", dict.fromkeys(r.name for r in data.requirements)),
                            ("scenario", data.scenarios)):
            for name in names:
                self.known.setdefault(normalise(name), {})[kind] = name

    def find(self, text: str) -> dict[str, str]:
        """Kind to canonical name for ``text`` (empty when unknown)."""
        return self.known.get(normalise(text), {})

    def nearest(self, text: str) -> str | None:
        """The known name closest to ``text``, if any is close."""
        close = difflib.get_close_matches(normalise(text), list(self.known), n=1, cutoff=0.5)
        return next(iter(self.known[close[0]].values())) if close else None

    def unknown(self, text: str, what: str = "Onbekend onderwerp") -> str:
        """The Dutch message for a name that does not exist."""
        near = self.nearest(text)
        hint = f"; bedoelt u '{near}'?" if near else "; gebruik een naam uit de werkmap"
        return f"{what} '{text}'{hint}"


class DefinitionError(ValueError):
    """A definition that cannot be used; the message is Dutch, ``column`` the sheet's column it is about."""

    def __init__(self, message: str, column: str = "onderwerp"):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Parts:
    """The pieces of one change before they are checked against the data."""

    subject: str
    field: str | None
    line: str | None
    years: tuple[int, ...] | None
    operation: str
    value: float | None


def change(names: Names, data: ProblemData, parts: Parts) -> Change:
    """A checked :class:`Change` from its pieces, or :class:`DefinitionError` in Dutch."""
    found = names.find(parts.subject)
    field_name = None
    if parts.field is not None:
        field_name = FIELD_WORDS.get(normalise(parts.field))
        if field_name is None:
            near = difflib.get_close_matches(normalise(parts.field), list(FIELD_WORDS), n=1, cutoff=0.5)
            hint = f"; bedoelt u '{near[0]}'?" if near else f"; kies uit {', '.join(sorted(FIELD_WORDS))}"
            raise DefinitionError(f"Onbekende grootheid '{parts.field}'{hint}", "grootheid")
    if not found and normalise(parts.subject) in FREE and field_name == "fixed":
        found = {"scenario": None}
    if not found:
        raise DefinitionError(names.unknown(parts.subject))
    kinds = [k for k in KINDS if k in found and (field_name is None or field_name in FIELDS[k])]
    if not kinds:
        labels = " of ".join(KIND_LABELS[k] for k in found)
        raise DefinitionError(f"'{parts.field}' is geen getal van {labels} '{parts.subject}'", "grootheid")
    kind = kinds[0]
    field_name = field_name or DEFAULT_FIELD.get(kind)
    if field_name is None:
        raise DefinitionError(f"Zeg welk getal van instrument '{parts.subject}' verandert, bijvoorbeeld "
                              f"'{parts.subject} max_volume =40' of '{parts.subject} kosten *1,1'", "grootheid")
    line = None
    if parts.line is not None:
        line = names.find(parts.line).get("budget")
        if line is None:
            raise DefinitionError(names.unknown(parts.line, "Onbekende budgetregel"), "budgetregel")
        if field_name not in ("cost", "once", "friction", "fixed_cost"):
            raise DefinitionError(f"Een budgetregel hoort alleen bij kosten, niet bij '{parts.field}'", "budgetregel")
    if parts.years is not None and field_name not in PER_YEAR:
        raise DefinitionError(f"'{parts.field or field_name}' geldt voor alle jaren; laat het jaar weg", "van_jaar")
    if parts.years is not None and not set(parts.years) & set(data.years):
        raise DefinitionError(f"Geen van de jaren {', '.join(map(str, parts.years))} is een planjaar "
                              f"({data.years[0]}-{data.years[-1]})", "van_jaar")
    if field_name == "fixed":
        made = Change(kind, found[kind], "fixed", "=", None)
    else:
        if parts.value is None:
            raise DefinitionError("Er ontbreekt een bewerking met een getal, bijvoorbeeld *0,9, +150000 of =40",
                                  "waarde")
        made = Change(kind, found[kind], field_name, parts.operation, parts.value, line, parts.years)
    try:
        reached = expand(data, made)
    except NoValue:
        raise DefinitionError(f"'{parts.subject}' heeft geen {parts.field or field_name} om mee te rekenen; "
                              "gebruik '=' om een waarde te zetten", "bewerking") from None
    if not reached:
        raise DefinitionError(f"'{parts.subject}' heeft in deze jaren geen {parts.field or field_name}; "
                              "deze wijziging raakt geen enkel getal", "grootheid")
    return made


def _operation(token: str) -> tuple[str, float] | None:
    """``*0,9`` -> ('*', 0.9); ``-5%`` -> ('*', 0.95); ``+150.000`` -> ('+', 150000); ``None`` if no operation."""
    match = _OPERATION.match(token)
    if not match:
        return None
    sign, text = match.groups()
    percent = text.endswith("%")
    try:
        value = parse.number(text.rstrip("%").strip())
    except parse.ParseError:
        return None
    if sign in "+-" and percent:
        return "*", 1 + (value if sign == "+" else -value) / 100
    if sign == "-":
        return "+", -value
    return {"x": "*", "×": "*"}.get(sign, sign), value


def _years(token: str) -> tuple[int, ...] | None:
    match = _YEARS.match(token)
    if not match:
        return None
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    return tuple(range(first, last + 1)) if last >= first else None


def parse_text(text: str, data: ProblemData, names: Names | None = None) -> WhatIf:
    """One what-if from the command-line form; :class:`DefinitionError` (Dutch) when it cannot be used."""
    names = names or Names(data)
    label, _, body = text.partition(":") if ":" in text else ("", "", text)
    changes = []
    for piece in (p.strip() for p in body.split(";")):
        if not piece:
            continue
        try:
            changes.append(change(names, data, _split(piece, names)))
        except DefinitionError as error:
            raise DefinitionError(f"--wat-als \"{text}\": {error}") from None
    if not changes:
        raise DefinitionError(f"--wat-als \"{text}\": er staat geen wijziging in")
    return WhatIf(label.strip() or text.strip(), tuple(changes))


def parse_sweep(text: str, data: ProblemData) -> tuple[Change, float, float]:
    """A sweep ``"Algemene middelen +0 tot 1000000"``: the change, its first and its last value."""
    head, separator, tail = text.rpartition(" tot ")
    try:
        if not separator:
            raise DefinitionError("schrijf de reeks als '<wijziging> tot <eindwaarde>', bijvoorbeeld "
                                  "'Algemene middelen +0 tot 1000000'")
        try:
            stop = parse.number(tail.strip())
        except parse.ParseError as error:
            raise DefinitionError(f"de eindwaarde '{tail.strip()}' is geen getal ({error})") from None
        made = change(Names(data), data, _split(head.strip(), Names(data)))
    except DefinitionError as error:
        raise DefinitionError(f"--reeks \"{text}\": {error}") from None
    if made.field == "fixed":
        raise DefinitionError(f"--reeks \"{text}\": een reeks gaat over een getal, niet over het scenario")
    return made, made.value, stop


def _split(piece: str, names: Names) -> Parts:
    """Subject, number, line, years and operation of one change in the command-line form."""
    if normalise(piece) in {"scenario_vrij", "vrij_scenario"}:
        return Parts("vrij", "vast", None, None, "=", None)
    words = piece.split()
    operation, value = "=", None
    found = _operation(words[-1]) if words else None
    if found:
        operation, value = found
        words = words[:-1]
    years: list[int] = []
    while words and _years(words[-1]):
        years[:0] = _years(words[-1])
        words = words[:-1]
    for k in range(len(words), 0, -1):  # the longest leading run of words that is a known name
        if names.find(" ".join(words[:k])):
            subject, rest = " ".join(words[:k]), words[k:]
            break
    else:
        subject, rest = " ".join(words), []
        for k in range(len(words) - 1, 0, -1):  # "<unknown name> <number word>": report the name, not the word
            if normalise(" ".join(words[k:])) in FIELD_WORDS:
                subject, rest = " ".join(words[:k]), words[k:]
                break
    field_word, line = None, None
    for k in range(len(rest), 0, -1):
        if normalise(" ".join(rest[:k])) in FIELD_WORDS:
            field_word, rest = " ".join(rest[:k]), rest[k:]
            break
    if rest:
        if field_word is None:
            field_word, rest = rest[0], rest[1:]
        line = " ".join(rest) or None
    if not subject:
        raise DefinitionError("Er ontbreekt een onderwerp (een budgetregel, instrument, doelgroep, eis of scenario)")
    return Parts(subject, field_word, line, tuple(years) or None, operation, value)


def read_sheet(sheets, data: ProblemData) -> list[WhatIf]:
    """The what-ifs of the sheet 'Wat-als' (rows with one name form one what-if); problems go to ``sheets``."""
    names = Names(data)
    grouped: dict[str, list[Change]] = {}
    spelled: dict[str, str] = {}
    for row in sheets.table(SHEET):
        if not row.ok:
            continue
        v = row.values
        first, last = v["van_jaar"], v["tot_jaar"]
        if first is not None and last is not None and last < first:
            sheets.error(SHEET, row.ref("tot_jaar"), f"tot_jaar ({last}) ligt vóór van_jaar ({first})")
            continue
        years = None if first is None and last is None else tuple(range(first or last, (last or first) + 1))
        operation = OPERATION_WORDS.get(v["bewerking"] or "wordt", "=")
        parts = Parts(v["onderwerp"], v["grootheid"], v["budgetregel"], years, operation, v["waarde"])
        try:
            made = change(names, data, parts)
        except DefinitionError as error:
            sheets.error(SHEET, row.ref(error.column), f"{error}.")
            continue
        key = normalise(v["wat_als"])
        spelled.setdefault(key, v["wat_als"])
        grouped.setdefault(key, []).append(made)
    return [WhatIf(spelled[key], tuple(changes)) for key, changes in grouped.items()]


def problems_of(error: DefinitionError) -> list[Problem]:
    """A command-line definition error as the problems the CLI prints."""
    return [Problem(None, None, str(error))]
