"""The one place where the web page asks for what-ifs: the form's choices, reading a submitted form, the solve.

A what-if is the what-if language of the CLI (``optimiser/whatif_input.py``):
the form either picks a subject, a number of it, years, a budget line and an
operation from dropdowns built from the workbook, or takes the command-line
text (one what-if per line). Both become :class:`~models.changes.WhatIf`
objects checked by the same rules as ``--wat-als``, so a wrong name gives the
same Dutch message with the nearest name. The solve is
:func:`optimiser.whatif.run_batch` on the run's own session, which leaves the
session at the base.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.changes import FIELDS, WhatIf
from models.whatif import Batch
from optimiser import parse
from optimiser.pipeline import Run
from optimiser.texts import DUTCH
from optimiser.whatif import run_batch
from optimiser.whatif_input import (
    FIELD_WORDS,
    FREE,
    KIND_LABELS,
    KINDS,
    DefinitionError,
    Names,
    Parts,
    change,
    parse_text,
)

OPERATIONS = {"*": "× vermenigvuldigen met", "+": "+ optellen (negatief: aftrekken)", "=": "= wordt",
              "%": "% erbij (negatief: eraf)"}
"""The form's operations; '%' is the language's '+5%' / '-5%' (a multiplication)."""
WORD_OF = {name: word for word, name in reversed(FIELD_WORDS.items())}
"""Each number's first Dutch word in the language (the workbook's column name)."""
FREE_SCENARIO = "scenario-vrij"
"""The subject key that lets the model choose the scenario again."""


@dataclass(frozen=True)
class Option:
    """One entry of a dropdown: the form's value (no user text) and what the user reads."""

    key: str
    label: str


@dataclass(frozen=True)
class Group:
    """Dropdown entries under one heading (an ``optgroup``)."""

    label: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Form:
    """Everything the what-if form offers, built from the workbook."""

    subjects: tuple[Group, ...]
    fields: tuple[Group, ...]
    years: tuple[int, ...]
    lines: tuple[str, ...]
    operations: tuple[Option, ...]


def _subjects(run: Run) -> dict[str, tuple[str, str]]:
    """Form key -> (kind, canonical name) of every subject a what-if can name."""
    data = run.data
    names = {"budget": list(data.lines), "instrument": list(data.instruments),
             "group": list(dict.fromkeys(g for g, _ in data.groups)),
             "requirement": list(dict.fromkeys(r.name for r in data.requirements)),
             "scenario": list(data.scenarios)}
    return {f"{kind}-{k}": (kind, name) for kind in KINDS for k, name in enumerate(names[kind])}


def form(run: Run) -> Form:
    """The dropdowns: subjects and numbers grouped by kind, the planning years, the budget lines, the operations."""
    subjects = _subjects(run)
    groups = []
    for kind in KINDS:
        options = [Option(key, name) for key, (k, name) in subjects.items() if k == kind]
        if kind == "scenario" and options:
            options.append(Option(FREE_SCENARIO, "geen vast scenario (het model kiest)"))
        if options:
            groups.append(Group(KIND_LABELS[kind], tuple(options)))
    fields = [Group("standaard", (Option("", "het gewone getal (beschikbaar, omvang, grens, scenario vast)"),))]
    fields += [Group(KIND_LABELS[kind], tuple(Option(WORD_OF[f], DUTCH.get(f"field.{f}", f).replace("_", " "))
                                              for f in FIELDS[kind])) for kind in KINDS]
    return Form(tuple(groups), tuple(fields), tuple(run.data.years), tuple(run.data.lines),
                tuple(Option(k, v) for k, v in OPERATIONS.items()))


def _year(text: str, run: Run) -> int | None:
    if not text:
        return None
    year = next((t for t in run.data.years if str(t) == text), None)
    if year is None:
        raise DefinitionError(f"Kies een planjaar ({run.data.years[0]}-{run.data.years[-1]})")
    return year


def _value(operation: str, text: str) -> tuple[str, float | None]:
    """The language's operation and amount for the form's operation and typed value (Dutch notation)."""
    if not text.strip():
        return "=", None
    try:
        value = parse.number(text.strip())
    except parse.ParseError as error:
        raise DefinitionError(f"Waarde: {error}") from None
    if operation == "%":
        return "*", 1 + value / 100
    return operation, value


def from_form(run: Run, fields: Mapping[str, str]) -> WhatIf:
    """One what-if from the dropdowns; :class:`DefinitionError` (Dutch) when it cannot be used."""
    subjects = _subjects(run)
    key = fields.get("onderwerp", "")
    if key not in subjects and key != FREE_SCENARIO:
        raise DefinitionError("Kies een onderwerp uit de werkmap")
    field = fields.get("grootheid", "")
    if field and field not in FIELD_WORDS:
        raise DefinitionError("Kies welk getal verandert")
    if fields.get("bewerking", "") not in OPERATIONS:
        raise DefinitionError("Kies een bewerking")
    first, last = _year(fields.get("van_jaar", ""), run), _year(fields.get("tot_jaar", ""), run)
    if first is not None and last is not None and last < first:
        raise DefinitionError(f"Het laatste jaar ({last}) ligt vóór het eerste ({first})")
    years = None if first is None and last is None else tuple(range(first or last, (last or first) + 1))
    line = fields.get("budgetregel", "") or None
    if line is not None and line not in run.data.lines:
        raise DefinitionError("Kies een budgetregel uit de werkmap")
    operation, value = _value(fields["bewerking"], fields.get("waarde", ""))
    if key == FREE_SCENARIO:
        parts = Parts(next(iter(FREE)), WORD_OF["fixed"], None, None, "=", None)
    else:
        parts = Parts(subjects[key][1], field or None, line, years, operation, value)
    made = change(Names(run.data), run.data, parts)
    return WhatIf(_text(parts), (made,))


def _text(parts: Parts) -> str:
    """The what-if in the command-line form, as its name: the user can type it again."""
    if parts.field == WORD_OF["fixed"]:
        return "scenario vrij" if parts.subject in FREE else f"{parts.subject} vast"
    years = "" if parts.years is None else (f" {parts.years[0]}" if len(parts.years) == 1
                                            else f" {parts.years[0]}-{parts.years[-1]}")
    amount = "" if parts.value is None else DUTCH.number(parts.value, 6)
    words = [parts.subject, parts.field or "", parts.line or ""]
    return " ".join(w for w in words if w) + years + f" {parts.operation}{amount}"


def from_text(run: Run, text: str) -> list[WhatIf]:
    """What-ifs in the command-line form, one a line; :class:`DefinitionError` (Dutch) for the first bad one."""
    names = Names(run.data)
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            found.append(parse_text(line.strip(), run.data, names))
        except DefinitionError as error:  # the message names the CLI option; here the line is what the user knows
            reason = str(error).removeprefix(f'--wat-als "{line.strip()}": ')
            raise DefinitionError(f"Regel {number} ('{line.strip()}'): {reason}") from None
    if not found:
        raise DefinitionError(f"Typ een wat-als, bijvoorbeeld '{run.data.lines[0]} {run.data.years[-1]} *0,9'")
    return found


def run_whatifs(run: Run, whatifs: list[WhatIf]) -> Batch:
    """The base and each what-if on the run's session, which is at the base again afterwards.

    The caller holds the run's session lock: a session serves one solve at a time.
    """
    return run_batch(run, whatifs)
