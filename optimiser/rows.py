"""Typed rows: a sheet's raw cells converted as the schema says, each value with its cell.

:class:`Sheets` holds what :mod:`optimiser.reader` read and the problems found
so far. It converts every cell of a table sheet once (a bad cell is reported
and its row marked), and offers the checks every sheet shares: duplicate keys,
references to names on other sheets. :func:`record` builds a
:mod:`models.data` object from a typed row through the schema's ``field``
column; :func:`keyed` gives the values of a row that fill a
``ProblemData`` table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

from optimiser import parse
from optimiser.parse import shorten
from optimiser.problems import Problem
from optimiser.reader import Cell, KeyValues, SheetRows
from optimiser.schema import REFERENCE_TYPES, Column, nearest, normalise, sheets

TOTAL = "totaal"
"""The year of a requirement on the sum over all planning years."""

T = TypeVar("T")
REFERENCED_SHEET = {"budgetregel": "Budgetten", "instrument": "Instrumenten", "instrumentlijst": "Instrumenten",
                    "doelgroep": "Doelgroepen", "scenario": "Scenario's", "reserve": "Reserves"}
"""The sheet that lists the names a reference column may use, by the column's type."""


@dataclass(slots=True, eq=False)
class Row:
    """A row of a table sheet with typed values; each value's cell follows from the column's letter."""

    sheet: str
    """The schema's name of the sheet."""
    values: dict[str, object]
    """Every schema column of the sheet: its typed value, the default, or ``None`` when the cell is bad."""
    number: int
    letters: dict[str, str]
    ok: bool = True
    """False once a cell or a rule found something wrong: the row is not used."""
    bad: set[str] = field(default_factory=set)
    """Columns whose cell could not be read (their value is ``None``)."""
    resolved: dict[str, object] = field(default_factory=dict)
    """References in their canonical spelling, filled in by the rules."""

    def ref(self, column: str) -> str:
        """The cell of ``column`` in this row, or the row's first cell."""
        letter = self.letters.get(column)
        return f"{letter}{self.number}" if letter else self.row_ref

    @property
    def row_ref(self) -> str:
        """The row's cell in column A."""
        return f"A{self.number}"


def convert(column: Column, value: object) -> object:
    """A raw cell value as the column's type, or :class:`parse.ParseError` with the reason in Dutch."""
    if value is parse.UNSAVED_FORMULA:
        raise parse.ParseError(parse.UNSAVED_MESSAGE)
    if parse.is_blank(value):
        if column.required:
            raise parse.ParseError(f"'{column.name}' is verplicht; vul een waarde in")
        return default(column)
    kind = column.type
    if kind == "getal":
        result = parse.number(value, column.unit)
    elif kind == "jaar":
        result = parse.year(value)
    elif kind == "jaar_of_totaal":
        if isinstance(value, str) and normalise(value) == TOTAL:
            return TOTAL
        result = parse.year(value)
    elif kind == "janee":
        return parse.yes_no(value)
    elif kind == "keuze":
        return parse.choice(value, column.choices)
    elif kind == "instrumentlijst":
        return parse.name_list(value)
    else:
        return parse.text(value)
    if column.minimum is not None and result < column.minimum:
        raise parse.ParseError(_too_small(column, result))
    if column.maximum is not None and result > column.maximum:
        raise parse.ParseError(_too_large(column, result))
    return result


def default(column: Column) -> object:
    """The value of an empty optional cell."""
    if column.default == "":
        return [] if column.type == "instrumentlijst" else None
    if column.type == "getal":
        return float(column.default)
    if column.type == "janee":
        return column.default == "ja"
    return column.default


def _too_small(column: Column, value: float) -> str:
    if column.minimum == 0:
        return f"'{column.name}' mag niet negatief zijn (gevonden {parse.shown(value)})"
    return f"{_shown(column, value)} is kleiner dan het minimum {_shown(column, column.minimum)} voor '{column.name}'"


def _shown(column: Column, value: float) -> str:
    """A value as a message shows it; a year without a thousands separator."""
    return str(int(value)) if column.type.startswith("jaar") and value == int(value) else parse.shown(value)


def _too_large(column: Column, value: float) -> str:
    message = f"{_shown(column, value)} is groter dan het maximum {_shown(column, column.maximum)} voor '{column.name}'"
    if column.unit == "fractie" and value <= 100:
        # The workbook's one convention: a fraction column holds 0 to 1, as its units row says.
        message += (f"; dit is een fractie van 0 tot 1 (eenheid 'fractie'): bedoelt u {parse.shown(value / 100)} "
                    f"(of {parse.shown(value)}% in een cel opgemaakt als percentage)?")
    return message


class Sheets:
    """The sheets read from one workbook, typed on demand, and every problem found in them."""

    def __init__(self, read: dict[str, SheetRows | KeyValues], problems: list[Problem]):
        self.read = read
        self.problems = problems
        self._tables: dict[str, list[Row]] = {}

    def error(self, sheet: str, cell: str | None, message: str) -> None:
        """Report a problem that blocks the run."""
        self.problems.append(Problem(self.title(sheet), cell, message))

    def warn(self, sheet: str, cell: str | None, message: str) -> None:
        """Report a problem that does not block the run."""
        self.problems.append(Problem(self.title(sheet), cell, message, "waarschuwing"))

    def title(self, sheet: str) -> str:
        """The sheet's title as spelled in the workbook (the schema's name when it is missing)."""
        read = self.read.get(sheet)
        return read.name if read else sheet

    def present(self, sheet: str) -> bool:
        """Whether the workbook has this sheet."""
        return sheet in self.read

    def table(self, sheet: str) -> list[Row]:
        """Typed rows of a table sheet; the first call reports every bad cell and marks its row."""
        if sheet not in self._tables:
            self._tables[sheet] = self._typed(sheet)
        return self._tables[sheet]

    def _typed(self, sheet_name: str) -> list[Row]:
        read = self.read.get(sheet_name)
        if read is None:
            return []
        columns = sheets()[sheet_name].columns
        result = []
        for number, cells in read.rows:
            row = Row(sheet_name, {}, number, read.letters)
            for column in columns:
                try:
                    row.values[column.name] = convert(column, cells.get(column.name))
                except parse.ParseError as reason:
                    row.values[column.name] = None
                    row.bad.add(column.name)
                    self.error(sheet_name, row.ref(column.name), str(reason))
                    row.ok = False
            result.append(row)
        return result

    def settings(self, sheet_name: str) -> tuple[dict[str, object], dict[str, str]] | None:
        """Typed values and cells of a key-value sheet, or ``None`` after reporting what is missing or bad."""
        read = self.read.get(sheet_name)
        if read is None:
            return None
        values: dict[str, object] = {}
        refs: dict[str, str] = {}
        ok = True
        for column in sheets()[sheet_name].columns:
            cell = read.cells.get(column.name)
            if cell is None:
                if column.required:
                    self.error(sheet_name, None,
                               f"De instelling '{column.name}' ontbreekt; voeg een regel toe met in kolom A "
                               f"'{column.name}' en in kolom B de waarde.")
                    ok = False
                    continue
                cell = Cell(None, "B1")
            refs[column.name] = cell.ref
            try:
                values[column.name] = convert(column, cell.value)
            except parse.ParseError as reason:
                self.error(sheet_name, cell.ref, str(reason))
                ok = False
        return (values, refs) if ok else None

    def unique(self, sheet: str, rows: list[Row], key: tuple[str, ...]) -> list[Row]:
        """Rows whose key was not seen before; duplicates (also case variants) are errors."""
        seen: dict[tuple, str] = {}
        kept = []
        for row in rows:
            values = row.values
            k = tuple(normalise(values[c]) if isinstance(values[c], str) else values[c] for c in key)
            if k in seen:
                label = ", ".join(f"{c} = {shorten(values[c], 40)}" for c in key)
                self.error(sheet, row.ref(key[0]),
                           f"Dubbele regel ({label}); die staat al in {seen[k]}. Twee regels met dezelfde "
                           f"{'sleutel' if len(key) > 1 else 'naam'} worden niet opgeteld: gelden beide bedragen, "
                           "zet dan hun som in één regel; anders verwijder de regel die niet klopt.")
                continue
            seen[k] = row.ref(key[0])
            kept.append(row)
        return kept

    def resolve(self, sheet: str, row: Row, column: str, known: dict[str, str], what: str) -> str | None:
        """The canonical spelling of a reference to a known name (kept in ``row.resolved``), or report it."""
        name = row.values[column]
        found = None if name is None else known.get(normalise(name))
        if name is not None and found is None:
            self._unknown(sheet, row, column, name, known, what)
        row.resolved[column] = found
        return found

    def names(self, sheet: str, row: Row, column: str, known: dict[str, str]) -> list[str] | None:
        """Instrument names from a ``;`` list (kept in ``row.resolved``), or ``None`` after reporting one unknown."""
        names = []
        for name in row.values[column] or []:
            found = known.get(normalise(name))
            if found is None:
                self._unknown(sheet, row, column, name, known, "Onbekend instrument")
                return None
            names.append(found)
        row.resolved[column] = names
        return names

    def _unknown(self, sheet: str, row: Row, column: str, name: str, known: dict[str, str], what: str) -> None:
        """Report a reference to an unknown name, with the nearest known one.

        When the sheet that lists such names is missing and required, that
        was reported already: the row is only left out.
        """
        row.ok = False
        source = REFERENCED_SHEET[sheets()[sheet].column(column).type]
        if not self.present(source):
            if not sheets()[source].required:
                self.error(sheet, row.ref(column), f"{what} '{shorten(name)}': de werkmap heeft geen blad '{source}'.")
            return
        close = nearest(name, known.values())
        hint = f"Bedoelt u '{close}'? " if close else ""
        options = ", ".join(shorten(k, 40) for k in known.values()) or "(geen)"
        self.error(sheet, row.ref(column), f"{what} '{shorten(name)}'. {hint}Bekend uit blad '{source}': {options}.")


@cache
def _fields(sheet: str, record: str) -> dict[str, Column | None]:
    """Per field of ``record`` that columns of ``sheet`` feed: the one plain column, or ``None`` for explicit."""
    feeding: dict[str, list[Column]] = {}
    for column in sheets()[sheet].columns:
        if column.record == record:
            feeding.setdefault(column.attribute, []).append(column)
    return {attribute: columns[0] if len(columns) == 1 and columns[0].type not in REFERENCE_TYPES else None
            for attribute, columns in feeding.items()}


def _stored(column: Column, value: object) -> object:
    """A typed value as its field holds it: a percentage becomes a fraction."""
    if column.unit == "%" and value is not None:
        return value / 100
    return value


def record(kind: type[T], sheet: str, values: dict[str, object], **explicit: object) -> T:
    """A ``kind`` of :mod:`models.data` from a typed row of ``sheet``.

    Each field a plain column feeds (the schema's ``field``) takes that
    column's value. Fields that a reference or several columns feed, and
    fields no column of the sheet feeds, come from ``explicit`` or keep their
    default; ``explicit`` also overrides a plain column.
    """
    arguments = {attribute: _stored(column, values[column.name])
                 for attribute, column in _fields(sheet, kind.__name__).items()
                 if column is not None and attribute not in explicit}
    return kind(**arguments, **explicit)


def keyed(sheet: str, values: dict[str, object]) -> dict[str, object]:
    """The values of a typed row that fill ``ProblemData`` tables, by the table's field name."""
    return {attribute: _stored(column, values[column.name])
            for attribute, column in _fields(sheet, "ProblemData").items() if column is not None}
