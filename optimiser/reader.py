"""Read a budget workbook into rows of raw cells, remembering each cell's address.

Only reading happens here; :mod:`optimiser.validate` gives the cells meaning.
Sheets and columns are found by their normalised names, so capitals, accents
and spaces in headers do not matter, and title rows above the header are
skipped.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from optimiser.problems import InputError, Problem
from optimiser.schema import KEY_VALUE, Sheet, normalise, sheets

HEADER_SEARCH_ROWS = 10
KEY_HEADER = "instelling"
VALUE_HEADER = "waarde"


@dataclass(frozen=True)
class Cell:
    """A raw cell value and its address (``C5``)."""

    value: object
    ref: str


@dataclass
class SheetRows:
    """The rows of one sheet: column name to cell, plus the header's place."""

    name: str
    rows: list[dict[str, Cell]] = field(default_factory=list)
    header_row: int = 1
    columns: dict[str, str] = field(default_factory=dict)
    """Schema column name to column letter."""


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def open_workbook(path: Path):
    """Open a workbook for reading values, or raise an :class:`InputError`."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(None, None, f"Het bestand '{path}' bestaat niet.")])
    if not zipfile.is_zipfile(path):
        raise InputError([Problem(None, None,
                                  f"'{path.name}' is geen Excel-werkmap (.xlsx). Sla het bestand in Excel op "
                                  "als 'Excel-werkmap (*.xlsx)' en probeer het opnieuw.")])
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise InputError([Problem(None, None,
                                  f"'{path.name}' kon niet als Excel-werkmap worden gelezen ({type(error).__name__}). "
                                  "Open het in Excel, sla het opnieuw op als .xlsx en probeer het opnieuw.")]) from None


def read_workbook(path: Path) -> tuple[dict[str, SheetRows], list[Problem]]:
    """Read every schema sheet found; report missing sheets and columns."""
    workbook = open_workbook(path)
    by_name = {normalise(ws.title): ws for ws in workbook.worksheets}
    found: dict[str, SheetRows] = {}
    problems: list[Problem] = []
    for sheet in sheets().values():
        ws = by_name.get(normalise(sheet.name))
        if ws is None:
            if sheet.required:
                problems.append(Problem(sheet.name, None,
                                        f"Het blad '{sheet.name}' ontbreekt. Voeg het toe zoals in het sjabloon "
                                        "(optimiser template).", ))
            continue
        reader = _read_key_value if sheet.layout == KEY_VALUE else _read_table
        rows, sheet_problems = reader(ws, sheet)
        rows.name = ws.title
        found[sheet.name] = rows
        problems.extend(sheet_problems)
    return found, problems


def _values(ws) -> list[list[object]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _find_header(grid: list[list[object]], wanted: set[str]) -> int | None:
    """Index of the row (within the first few) holding most of the wanted labels."""
    best, best_hits = None, 0
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if not _is_empty(v) and normalise(v) in wanted)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _read_table(ws, sheet: Sheet) -> tuple[SheetRows, list[Problem]]:
    grid = _values(ws)
    wanted = {c.name for c in sheet.columns}
    header = _find_header(grid, wanted)
    result = SheetRows(sheet.name)
    if header is None:
        names = ", ".join(c.name for c in sheet.columns if c.required)
        return result, [Problem(ws.title, "A1",
                                f"Geen kopregel gevonden. De eerste regel van de tabel moet de kolomnamen bevatten "
                                f"(verplicht: {names}).")]
    result.header_row = header + 1
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for index, label in enumerate(grid[header]):
        if _is_empty(label):
            continue
        name = normalise(label)
        ref = f"{get_column_letter(index + 1)}{header + 1}"
        if name in positions:
            problems.append(Problem(ws.title, ref, f"De kolom '{label}' staat twee keer in de kopregel; "
                                                   "verwijder één van beide."))
        elif name in wanted:
            positions[name] = index
    for column in sheet.columns:
        if column.required and column.name not in positions:
            problems.append(Problem(ws.title, f"A{header + 1}",
                                    f"De verplichte kolom '{column.name}' ontbreekt in de kopregel "
                                    f"(regel {header + 1})."))
    result.columns = {name: get_column_letter(i + 1) for name, i in positions.items()}
    for r, row in enumerate(grid[header + 1:], start=header + 2):
        if all(_is_empty(v) for v in row):
            continue
        cells = {
            name: Cell(row[i] if i < len(row) else None, f"{get_column_letter(i + 1)}{r}")
            for name, i in positions.items()
        }
        result.rows.append(cells)
    return result, problems


def _read_key_value(ws, sheet: Sheet) -> tuple[SheetRows, list[Problem]]:
    """A sheet of settings: one key per row, its value in the next column."""
    grid = _values(ws)
    keys = {c.name for c in sheet.columns}
    header = _find_header(grid, {KEY_HEADER, VALUE_HEADER})
    start = 0 if header is None else header + 1
    result = SheetRows(sheet.name, header_row=start)
    cells: dict[str, Cell] = {}
    problems: list[Problem] = []
    for r, row in enumerate(grid[start:], start=start + 1):
        if not row or _is_empty(row[0]):
            continue
        key = normalise(row[0])
        if key not in keys:
            problems.append(Problem(ws.title, f"A{r}", f"Onbekende instelling '{row[0]}'. Bekende instellingen: "
                                                       f"{', '.join(sorted(keys))}.", "waarschuwing"))
            continue
        if key in cells:
            problems.append(Problem(ws.title, f"A{r}", f"De instelling '{row[0]}' staat twee keer in het blad."))
            continue
        cells[key] = Cell(row[1] if len(row) > 1 else None, f"B{r}")
    result.rows = [cells]
    return result, problems
