"""Read a budget workbook into rows of raw cells, remembering each cell's address.

Only reading happens here; :mod:`optimiser.validate` gives the cells meaning.
Sheets and columns are found by their normalised names, so capitals, accents
and spaces in headers do not matter, and title rows above the header are
skipped.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import openpyxl.xml
from openpyxl.utils import get_column_letter

from optimiser.parse import UNSAVED_FORMULA, PercentValue
from optimiser.problems import InputError, Problem
from optimiser.schema import KEY_VALUE, Sheet, normalise, sheets

HEADER_SEARCH_ROWS = 10
FORMULA_TAG = re.compile(rb"<(\w+:)?f[ >/]")  # <f>, <f t="shared" .../>, or with a namespace prefix
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_FILE_BYTES = 50 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_RATIO = 200
RATIO_MIN_BYTES = 20 * 2**20

# Entity bombs and external entities are refused only when openpyxl parses with defusedxml.
if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
    raise ImportError("defusedxml must be installed: openpyxl would parse workbooks without protection")
KEY_HEADER = "instelling"
VALUE_HEADER = "waarde"


@dataclass(frozen=True)
class Cell:
    """A raw cell value and its address (``C5``)."""

    value: object
    ref: str


@dataclass
class SheetRows:
    """The rows of one sheet: column name to cell."""

    name: str
    rows: list[dict[str, Cell]] = field(default_factory=list)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _refuse(message: str) -> InputError:
    return InputError([Problem(None, None, message)])


def check_container(path: Path) -> None:
    """Refuse what is not a readable .xlsx before any XML is parsed, within milliseconds.

    Empty, truncated and encrypted files, old .xls, renamed CSV or Word files,
    and zip bombs (judged by the sizes the zip declares) each get their own message.
    """
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise _refuse(f"'{name}' is leeg (0 bytes). Kies het juiste bestand of sla het opnieuw op in Excel.")
    if size > MAX_FILE_BYTES:
        raise _refuse(f"'{name}' is groter dan {MAX_FILE_BYTES // 2**20} MB; dat is geen budgetwerkmap.")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2_SIGNATURE):
        raise _refuse(f"'{name}' is een oud Excel-bestand (.xls) of is met een wachtwoord beveiligd. Open het in "
                      "Excel, haal een eventueel wachtwoord weg en sla het op als 'Excel-werkmap (*.xlsx)'.")
    if not head.startswith(b"PK"):
        kind = "een tekstbestand (bijvoorbeeld CSV)" if _looks_like_text(path) else "geen Excel-werkmap"
        raise _refuse(f"'{name}' is {kind}, geen .xlsx. Open het in Excel en sla het op als 'Excel-werkmap (*.xlsx)'.")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise _refuse(f"'{name}' is beschadigd of onvolledig (bijvoorbeeld een afgebroken download of kopie). "
                      "Haal het bestand opnieuw op of sla het opnieuw op in Excel.") from None
    names = {e.filename for e in entries}
    if any(e.flag_bits & 0x1 for e in entries):
        raise _refuse(f"'{name}' bevat versleutelde onderdelen; sla het zonder wachtwoord op als .xlsx.")
    if "xl/workbook.xml" not in names:
        kind = "een Word-document" if "word/document.xml" in names else "een zip-bestand maar geen Excel-werkmap"
        raise _refuse(f"'{name}' is {kind}. Kies de budgetwerkmap (.xlsx).")
    unpacked = sum(e.file_size for e in entries)
    ratio = max((e.file_size / max(e.compress_size, 1) for e in entries), default=0)
    if unpacked > MAX_UNPACKED_BYTES or (ratio > MAX_RATIO and unpacked > RATIO_MIN_BYTES):
        raise _refuse(f"'{name}' pakt uit tot {unpacked / 2**20:,.0f} MB; dat is veel te groot voor een "
                      "budgetwerkmap en wordt niet gelezen (mogelijk een 'zip-bom').")


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as handle:
        sample = handle.read(2048)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in sample


def open_workbook(path: Path, formulas: bool = False):
    """Open a workbook for reading values (or formulas), or raise an :class:`InputError`."""
    path = Path(path)
    if not path.is_file():
        raise _refuse(f"Het bestand '{path}' bestaat niet.")
    check_container(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions; not the user's concern
            return openpyxl.load_workbook(path, data_only=not formulas)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _refuse(f"'{path.name}' kon niet als Excel-werkmap worden gelezen ({type(error).__name__}). "
                      "Open het in Excel, sla het opnieuw op als .xlsx en probeer het opnieuw.") from None


def read_workbook(path: Path) -> tuple[dict[str, SheetRows], list[Problem]]:
    """Read every schema sheet found; report missing sheets and columns."""
    workbook = open_workbook(path)
    # A second pass only when some sheet holds formulas: it finds those Excel never calculated.
    formulas = open_workbook(path, formulas=True) if _has_formulas(path) else None
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
        if ws.sheet_state != "visible":
            problems.append(Problem(ws.title, None, "Dit blad is verborgen in Excel, maar wordt wel gelezen.",
                                    "waarschuwing"))
        reader = _read_key_value if sheet.layout == KEY_VALUE else _read_table
        rows, sheet_problems = reader(ws, sheet, _values(ws, formulas[ws.title] if formulas else None))
        rows.name = ws.title
        found[sheet.name] = rows
        problems.extend(sheet_problems)
    return found, problems


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet part contains a formula element (a quick scan of the raw XML)."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as part:
                    if FORMULA_TAG.search(part.read()):
                        return True
    return False


def _marked(cell) -> object:
    """A cell's value; a number formatted as a percentage is marked as such."""
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return PercentValue(value)
    return value


def _values(ws, formula_ws) -> list[list[object]]:
    """Saved cell values; a formula whose value Excel never saved becomes :data:`UNSAVED_FORMULA`."""
    grid = [[_marked(cell) for cell in row] for row in ws.iter_rows()]
    if formula_ws is None:
        return grid
    for r, row in enumerate(formula_ws.iter_rows(values_only=True)):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("=") and r < len(grid) and c < len(grid[r]) \
                    and grid[r][c] is None:
                grid[r][c] = UNSAVED_FORMULA
    return grid


def _merged_cells(ws, header_row: int) -> list[Problem]:
    """Merged cells in the header or below leave all but the first cell empty: name each range."""
    return [Problem(ws.title, str(merged).split(":")[0],
                    f"De cellen {merged} zijn samengevoegd; maak de samenvoeging ongedaan en vul elke cel apart.")
            for merged in ws.merged_cells.ranges if merged.max_row >= header_row]


def _find_header(grid: list[list[object]], wanted: set[str]) -> int | None:
    """Index of the row (within the first few) holding most of the wanted labels (at least two).

    One hit is not enough: a units row can hold a word like 'jaar'.
    """
    best, best_hits = None, 1
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if not _is_empty(v) and normalise(v) in wanted)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _read_table(ws, sheet: Sheet, grid: list[list[object]]) -> tuple[SheetRows, list[Problem]]:
    wanted = {c.name for c in sheet.columns}
    header = _find_header(grid, wanted)
    result = SheetRows(sheet.name)
    if header is None:
        names = ", ".join(c.name for c in sheet.columns if c.required)
        return result, [Problem(ws.title, "A1",
                                f"Geen kopregel gevonden. De eerste regel van de tabel moet de kolomnamen bevatten "
                                f"(verplicht: {names}).")]
    positions: dict[str, int] = {}
    problems: list[Problem] = _merged_cells(ws, header + 1)
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
    missing = [c.name for c in sheet.columns if c.required and c.name not in positions]
    for name in missing:
        problems.append(Problem(ws.title, f"A{header + 1}",
                                f"De verplichte kolom '{name}' ontbreekt in de kopregel (regel {header + 1})."))
    if missing:  # rows without their key columns would only repeat the same problem
        return result, problems
    for r, row in enumerate(grid[header + 1:], start=header + 2):
        if all(_is_empty(v) for v in row):
            continue
        cells = {
            name: Cell(row[i] if i < len(row) else None, f"{get_column_letter(i + 1)}{r}")
            for name, i in positions.items()
        }
        result.rows.append(cells)
    return result, problems


def _read_key_value(ws, sheet: Sheet, grid: list[list[object]]) -> tuple[SheetRows, list[Problem]]:
    """A sheet of settings: one key per row, its value in the next column."""
    keys = {c.name for c in sheet.columns}
    header = _find_header(grid, {KEY_HEADER, VALUE_HEADER})
    start = 0 if header is None else header + 1
    result = SheetRows(sheet.name)
    cells: dict[str, Cell] = {}
    problems: list[Problem] = _merged_cells(ws, start + 1)
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
