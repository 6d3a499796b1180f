"""The workbook schema, read from the two CSV tables beside this file.

``sheets.csv`` lists the sheets, ``columns.csv`` every column with its type,
unit, default and Dutch explanation. Validation, the template, its
explanation sheet and ``docs/workbook.md`` all read these tables; change the
workbook format there, not in code.

The ``field`` of a column names the field of :mod:`models.data` it fills, as
``Class.field`` (``Instrument.start``; ``ProblemData.cost`` for a value keyed
by the sheet's key columns). A column in unit ``%`` holds a percentage and its
field the fraction. Validation fills a field from its column generically; a
field fed by a reference column (a name on another sheet) or by several
columns is built by an explicit step. Columns without a field are keys,
explanations, or feed no field at all.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

KEY_VALUE = "sleutel-waarde"
REFERENCE_TYPES = frozenset({"budgetregel", "instrument", "doelgroep", "scenario", "instrumentlijst", "reserve"})
"""Column types whose values name entries of another sheet."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one key of a key-value sheet)."""

    sheet: str
    name: str
    field: str
    """``Class.field`` of :mod:`models.data` this column fills, or empty."""
    type: str
    unit: str
    required: bool
    default: str
    choices: tuple[str, ...]
    minimum: float | None
    maximum: float | None
    explanation: str

    @property
    def record(self) -> str:
        """The class of :mod:`models.data` whose field this column fills (``Instrument``), or empty."""
        return self.field.partition(".")[0]

    @property
    def attribute(self) -> str:
        """The field this column fills (``start``), or empty."""
        return self.field.partition(".")[2]


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook."""

    name: str
    layout: str
    required: bool
    key: tuple[str, ...]
    explanation: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


def normalise(label: object) -> str:
    """A label as compared: lower case, no accents, spaces as underscores; letters of any script are kept."""
    return _normalise(str(label))


@lru_cache(maxsize=2**16)
def _normalise(label: str) -> str:
    # Drop only the accents (combining marks): 'Kósten' is 'kosten', but a Hebrew or Chinese name stays itself.
    text = "".join(c for c in unicodedata.normalize("NFKD", label) if not unicodedata.combining(c))
    return "_".join(text.strip().casefold().replace("-", " ").split())


def nearest(name: str, known) -> str | None:
    """The known name closest to a misspelt one (compared normalised), or ``None`` when none is close."""
    by_key = {normalise(k): k for k in known}
    match = difflib.get_close_matches(normalise(name), list(by_key), n=1, cutoff=0.75)
    return by_key[match[0]] if match else None


def _rows(filename: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath(filename).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def sheets() -> dict[str, Sheet]:
    """All sheets of the schema, in workbook order."""
    columns: dict[str, list[Column]] = {}
    for row in _rows("columns.csv"):
        columns.setdefault(row["sheet"], []).append(
            Column(
                sheet=row["sheet"],
                name=row["column"],
                field=row["field"],
                type=row["type"],
                unit=row["unit"],
                required=row["required"] == "ja",
                default=row["default"],
                choices=tuple(c for c in row["choices"].split(";") if c),
                minimum=_number(row["minimum"]),
                maximum=_number(row["maximum"]),
                explanation=row["explanation"],
            )
        )
    return {
        row["sheet"]: Sheet(
            name=row["sheet"],
            layout=row["layout"],
            required=row["required"] == "ja",
            key=tuple(k for k in row["key"].split(";") if k),
            explanation=row["explanation"],
            columns=tuple(columns[row["sheet"]]),
        )
        for row in _rows("sheets.csv")
    }
