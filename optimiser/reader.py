"""Read a budget workbook into rows of raw cells, remembering each cell's address.

Only reading happens here; :mod:`optimiser.validate` gives the cells meaning.
An ordinary workbook is streamed by :mod:`optimiser.sheet_stream` (several
times faster, and openpyxl is not even imported); one with formulas, dates,
damage or anything else that module leaves alone is read by openpyxl.
Sheets and columns are found by their normalised names, so capitals, accents
and spaces in headers do not matter, and title rows above the header are
skipped.

A workbook arrives as bytes (a file's content or an upload). The container is
checked before any XML is parsed; the sheets are then streamed (by
sheet_stream, or openpyxl in read-only mode): only rows that hold values are kept,
at most :data:`MAX_COLUMNS` columns and :data:`MAX_ROWS` filled rows a sheet,
so a small file with one formatted cell at row 1,000,000 (or at XFD1048576)
costs next to nothing.
Read-only worksheets know no merged cells; those are found in the sheet's XML.
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from defusedxml import ElementTree

from optimiser import sheet_stream, texts
from optimiser.parse import UNSAVED_FORMULA, PercentValue, shorten
from optimiser.problems import InputError, Problem
from optimiser.schema import KEY_VALUE, Sheet, nearest, normalise, sheets

if TYPE_CHECKING:
    from openpyxl.worksheet.cell_range import CellRange

HEADER_SEARCH_ROWS = 10
FORMULA_TAG = re.compile(rb"<(\w+:)?f[ >/]")  # <f>, <f t="shared" .../>, or with a namespace prefix
MERGE_TAG = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_FILE_BYTES = 50 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_RATIO = 200
RATIO_MIN_BYTES = 20 * 2**20
MAX_COLUMNS = 100
"""Columns read per row; the widest sheet of the schema has 15."""
MAX_ROWS = 100_000
"""Filled rows read per sheet; 342 municipalities over 10 years fill about 10,000."""
EXCEL_MAX_ROW = 1_048_576

SUPPORTED_FORMATS = (".xlsx", ".xlsm", ".xltx", ".xltm")
"""The extensions openpyxl opens."""
KEY_HEADER = "instelling"
VALUE_HEADER = "waarde"


class Cell(NamedTuple):
    """A raw cell value and its address (``C5``)."""

    value: object
    ref: str


@dataclass
class SheetRows:
    """The filled rows of a table sheet below its header, with the letter of each schema column found."""

    name: str
    """The sheet's title in the workbook."""
    letters: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    """Row number and raw value of each column found."""


@dataclass
class KeyValues:
    """The settings of a key-value sheet: each key's value cell."""

    name: str
    cells: dict[str, Cell] = field(default_factory=dict)


Grid = dict[int, list[object]]
"""The rows of a sheet that hold a value: row number (from 1) to the values from column A."""


def get_column_letter(index: int) -> str:
    """The letters of a column number (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _refuse(message: str) -> InputError:
    return InputError([Problem(None, None, message)])


def _unreadable(name: str) -> InputError:
    return _refuse(f"'{name}' kon niet als Excel-werkmap worden gelezen. "
                   "Open het in Excel, sla het opnieuw op als .xlsx en probeer het opnieuw.")


def read_file(path: Path) -> bytes:
    """The content of a workbook file; a missing or far too large file is refused before reading."""
    path = Path(path)
    if not path.is_file():
        raise _refuse(f"Het bestand '{path}' bestaat niet.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_large(path.name)
    return path.read_bytes()


def _too_large(name: str) -> InputError:
    return _refuse(f"'{name}' is groter dan {MAX_FILE_BYTES // 2**20} MB; dat is geen budgetwerkmap.")


def check_container(content: bytes, name: str) -> None:
    """Refuse what is not a readable .xlsx before any XML is parsed, within milliseconds.

    Empty, truncated and encrypted files, old .xls, renamed CSV or Word files,
    and zip bombs (judged by the sizes the zip declares) each get their own
    message. ``name`` is the file name the messages use.
    """
    if not content:
        raise _refuse(f"'{name}' is leeg (0 bytes). Kies het juiste bestand of sla het opnieuw op in Excel.")
    if len(content) > MAX_FILE_BYTES:
        raise _too_large(name)
    head = content[:8]
    if head.startswith(OLE2_SIGNATURE):
        raise _refuse(f"'{name}' is een oud Excel-bestand (.xls) of is met een wachtwoord beveiligd. Open het in "
                      "Excel, haal een eventueel wachtwoord weg en sla het op als 'Excel-werkmap (*.xlsx)'.")
    if not head.startswith(b"PK"):
        kind = "een tekstbestand (bijvoorbeeld CSV)" if _looks_like_text(content) else "geen Excel-werkmap"
        raise _refuse(f"'{name}' is {kind}, geen .xlsx. Open het in Excel en sla het op als 'Excel-werkmap (*.xlsx)'.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
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
        raise _refuse(f"'{name}' pakt uit tot {texts.number(unpacked / 2**20, 0)} MB; dat is veel te groot voor een "
                      "budgetwerkmap en wordt niet gelezen (mogelijk een 'zip-bom').")


def _looks_like_text(content: bytes) -> bool:
    sample = content[:2048]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in sample


def _check_suffix(name: str) -> None:
    if Path(name).suffix.lower() not in SUPPORTED_FORMATS:
        # openpyxl refuses such a name when it opens a file; an upload keeps the same answer.
        raise _refuse(f"'{name}' kon niet als Excel-werkmap worden gelezen: de naam heeft niet de extensie van een "
                      f"werkmap ({', '.join(SUPPORTED_FORMATS)}). Open het in Excel, sla het opnieuw op als .xlsx en "
                      "probeer het opnieuw.")


def _open(content: bytes, name: str, formulas: bool = False):
    """A read-only workbook of values (or formulas), or an :class:`InputError`."""
    import openpyxl  # only here: most workbooks are read by sheet_stream, and openpyxl takes long to import
    import openpyxl.xml

    # Entity bombs and external entities are refused only when openpyxl parses with defusedxml.
    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise ImportError("defusedxml must be installed: openpyxl would parse workbooks without protection")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions; not the user's concern
            return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=not formulas)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise _unreadable(name) from None


@dataclass(frozen=True)
class _Part:
    """What a quick scan of a sheet's raw XML finds."""

    formulas: bool
    merged: tuple[CellRange, ...]
    member: str = ""
    """The sheet's part in the zip, to find a cell openpyxl cannot read."""


def _scan_parts(content: bytes, name: str) -> dict[str, _Part]:
    """Per sheet name: whether its XML holds a formula element, and its merged ranges.

    The sheets are found through the workbook part and its relationships.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") or "" for r in relations.iterfind(".//{*}Relationship")}
            members = set(archive.namelist())
            found = {}
            for sheet in workbook.iterfind(".//{*}sheet"):
                rel = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
                target = targets.get(rel, "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                if part not in members:
                    continue
                xml = archive.read(part)
                found[sheet.get("name")] = _Part(bool(FORMULA_TAG.search(xml)), _merged_ranges(xml), part)
            return found
    except Exception:  # a damaged workbook part
        raise _unreadable(name) from None


def _merged_ranges(xml: bytes) -> tuple[CellRange, ...]:
    ranges = []
    for match in MERGE_TAG.finditer(xml):
        from openpyxl.worksheet.cell_range import CellRange  # rare: merged cells are an error
        try:
            ranges.append(CellRange(match.group(1).decode("ascii")))
        except (ValueError, TypeError, UnicodeDecodeError):
            continue  # not a range; Excel would not have written it
    return tuple(sorted(ranges, key=lambda r: (r.min_row, r.min_col, r.max_row, r.max_col)))


def read_workbook(content: bytes, name: str) -> tuple[dict[str, SheetRows | KeyValues], list[Problem]]:
    """Read every schema sheet found; report missing sheets and columns.

    ``content`` is the whole .xlsx file, ``name`` its file name for messages.
    Raises :class:`InputError` when the file is no readable workbook.
    """
    check_container(content, name)
    _check_suffix(name)
    parts = _scan_parts(content, name)
    if not any(p.formulas for p in parts.values()):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                book = sheet_stream.Book(archive)
                sheets = [_StreamedSheet(title, state, part) for title, state, part in book.sheets]
                return _read_sheets(sheets, partial(_streamed_grid, book), parts, name, content)
        except InputError:
            raise
        except Exception:  # sheet_stream.Unusual, or damage that openpyxl's reading reports cell by cell
            pass
    return read_with_openpyxl(content, name, parts)


class _StreamedSheet(NamedTuple):
    """A worksheet as :mod:`optimiser.sheet_stream` lists it; named as openpyxl's worksheet attributes are."""

    title: str
    sheet_state: str
    part: str


def _streamed_grid(book: sheet_stream.Book, ws: _StreamedSheet, formulas: bool,
                   locate: Callable[[], InputError]) -> tuple[Grid, list[Problem]]:
    return _grid(ws.title, book.rows(ws.part, MAX_ROWS, MAX_COLUMNS, EXCEL_MAX_ROW), lambda entry: entry)


def read_with_openpyxl(content: bytes, name: str, parts: dict[str, _Part] | None = None
                       ) -> tuple[dict[str, SheetRows | KeyValues], list[Problem]]:
    """As :func:`read_workbook`, always through openpyxl: formulas, dates, damaged cells and every unusual case."""
    if parts is None:
        check_container(content, name)
        _check_suffix(name)
        parts = _scan_parts(content, name)
    workbook = _open(content, name)
    formulas = None
    try:
        # A second pass only when some sheet holds formulas: it finds those Excel never calculated.
        formulas = _open(content, name, formulas=True) if any(p.formulas for p in parts.values()) else None

        def grid(ws, has_formulas: bool, locate: Callable[[], InputError]) -> tuple[Grid, list[Problem]]:
            found = _grid(ws.title, _filled_rows(ws, locate), lambda cell: (cell.column, _marked(cell, ws.title)))
            if formulas is not None and has_formulas:
                _unsaved_formulas(found[0], _filled_rows(formulas[ws.title], locate))
            return found

        return _read_sheets(workbook.worksheets, grid, parts, name, content)
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()


def _read_sheets(worksheets, grid_of, parts: dict[str, _Part], name: str,
                 content: bytes) -> tuple[dict[str, SheetRows | KeyValues], list[Problem]]:
    """Every schema sheet found in ``worksheets``; ``grid_of(ws, has_formulas, locate)`` reads one sheet's cells."""
    by_name, problems = _sheets_by_name(worksheets)
    found: dict[str, SheetRows | KeyValues] = {}
    schema = sheets()
    unmatched = [ws.title for key, ws in by_name.items() if key not in {normalise(s) for s in schema}]
    for sheet in schema.values():
        ws = by_name.get(normalise(sheet.name))
        if ws is None:
            problems.extend(_missing_sheet(sheet, unmatched))
            continue
        if ws.sheet_state != "visible":
            problems.append(Problem(ws.title, None, "Dit blad is verborgen in Excel, maar wordt wel gelezen.",
                                    "waarschuwing"))
        part = parts.get(ws.title, _Part(False, ()))
        locate = partial(_bad_cell_error, content, part.member, ws.title, name)
        grid, sheet_problems = grid_of(ws, part.formulas, locate)
        reader = _read_key_value if sheet.layout == KEY_VALUE else _read_table
        rows, layout_problems = reader(ws.title, sheet, grid, part.merged)
        found[sheet.name] = rows
        problems.extend(sheet_problems + layout_problems)
    return found, problems


def _sheets_by_name(worksheets) -> tuple[dict, list[Problem]]:
    """The worksheets by normalised title; two titles that normalise alike are an error (neither would be sure)."""
    by_name: dict[str, object] = {}
    problems = []
    for ws in worksheets:
        key = normalise(ws.title)
        first = by_name.setdefault(key, ws)
        if first is not ws:
            hidden = " (verborgen)" if ws.sheet_state != "visible" else ""
            problems.append(Problem(ws.title, None, f"De bladen '{first.title}' en '{ws.title}'{hidden} hebben "
                                                    "dezelfde naam op hoofdletters, accenten of spaties na; "
                                                    "niet te zeggen welk bedoeld is. Verwijder of hernoem er één."))
    return by_name, problems


def _missing_sheet(sheet: Sheet, unmatched: list[str]) -> list[Problem]:
    """A schema sheet not found: an error when required or when a sheet of the workbook looks like a misspelling."""
    close = next((title for title in unmatched if nearest(title, [sheet.name])), None)
    if close is not None:
        unmatched.remove(close)  # one suggestion per sheet
        return [Problem(close, None, f"Het blad '{close}' wordt niet gelezen: bedoelt u '{sheet.name}'? Hernoem het "
                                     f"blad naar '{sheet.name}'.")]
    if sheet.required:
        return [Problem(sheet.name, None, f"Het blad '{sheet.name}' ontbreekt. Voeg het toe zoals in het sjabloon "
                                          "(optimiser template).")]
    return []


def _filled_rows(ws, locate: Callable[[], InputError]) -> Iterator[tuple[int, list]]:
    """(row number, cells holding a value) of each such row of a read-only sheet, up to :data:`MAX_COLUMNS`.

    The sheet's stored size is ignored (it may be wrong). openpyxl pads each
    row to the width asked and gives one and the same empty row for each row
    the XML leaves out; once seen, that row is skipped at once.
    """
    from openpyxl.cell.read_only import EMPTY_CELL

    ws.reset_dimensions()
    blank = None
    try:
        # Without a width, each row comes as long as the XML makes it, so a value past the last column read is seen.
        for number, row in enumerate(ws.iter_rows(min_row=1, min_col=1), start=1):
            if number > EXCEL_MAX_ROW:
                raise ValueError(f"row {number} lies beyond Excel's last row")
            if row is blank:
                continue
            if len(row) > MAX_COLUMNS:
                _refuse_far_value(row, number, ws.title)
                row = row[:MAX_COLUMNS]
            cells = [cell for cell in row if cell is not EMPTY_CELL and cell.value is not None]
            if cells:
                yield number, cells
            elif all(cell is EMPTY_CELL for cell in row):
                blank = row
    except InputError:
        raise
    except Exception:  # a damaged cell or damaged XML surfaces only while streaming
        raise locate() from None


def _refuse_far_value(row, number: int, sheet: str) -> None:
    """A value past :data:`MAX_COLUMNS` would be ignored without a word: refuse it, naming its cell."""
    from openpyxl.cell.read_only import EMPTY_CELL

    for index, cell in enumerate(row[MAX_COLUMNS:], start=MAX_COLUMNS + 1):
        if cell is not EMPTY_CELL and cell.value is not None:
            ref = f"{get_column_letter(index)}{number}"
            raise InputError([Problem(sheet, ref, f"Er staat een waarde in kolom {get_column_letter(index)}, voorbij "
                                                 f"kolom {get_column_letter(MAX_COLUMNS)}; een budgetwerkmap gebruikt "
                                                 "zo veel kolommen niet. Verplaats of verwijder de waarde.")])


def _grid(title: str, rows: Iterable[tuple[int, list]], entry: Callable[[object], tuple[int, object]]
          ) -> tuple[Grid, list[Problem]]:
    """Saved cell values of the filled rows; ``entry`` gives a cell's column and value (marked as a percentage)."""
    grid: Grid = {}
    for number, cells in rows:
        if len(grid) == MAX_ROWS:
            return grid, [Problem(title, f"A{number}", f"Het blad heeft meer dan {texts.number(MAX_ROWS)} gevulde "
                                                       "regels; dat is te veel voor een budgetwerkmap. Verwijder "
                                                       "de overbodige regels.")]
        entries = [entry(cell) for cell in cells]
        values: list[object] = [None] * entries[-1][0]
        for column, value in entries:
            values[column - 1] = value
        grid[number] = values
    return grid, []


def _unsaved_formulas(grid: Grid, formula_rows: Iterable[tuple[int, list]]) -> None:
    """A formula Excel never calculated (no saved value) becomes :data:`UNSAVED_FORMULA`."""
    for number, cells in formula_rows:
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                values = grid.setdefault(number, [])
                if cell.column > len(values):
                    values.extend([None] * (cell.column - len(values)))
                if values[cell.column - 1] is None:
                    values[cell.column - 1] = UNSAVED_FORMULA


def _marked(cell, sheet: str) -> object:
    """A cell's value; a number formatted as a percentage is marked as such."""
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            formatted = cell.number_format or ""
        except IndexError:  # the cell names a format the file does not hold
            raise InputError([Problem(sheet, cell.coordinate, "De opmaak van deze cel is beschadigd, zodat niet vast "
                                                              f"te stellen is wat {_DAMAGED_FIX}")]) from None
        if "%" in formatted:
            return PercentValue(value)
    return value


_DAMAGED_FIX = ("de waarde betekent (bijvoorbeeld een percentage). Typ de waarde opnieuw in Excel en sla het "
                "bestand op.")
CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
ATTRIBUTE = re.compile(rb"""\b(r|t|s)\s*=\s*["']([^"']*)["']""")
VALUE_TAG = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)


def _bad_cell_error(content: bytes, member: str, sheet: str, name: str) -> InputError:
    """The error for a sheet openpyxl could not stream: the first cell it cannot read, or the whole file."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = archive.read(member)
    except (KeyError, zipfile.BadZipFile, OSError):
        xml = b""
    found = _first_bad_cell(xml)
    if found is None:
        return _refuse(f"'{name}' kon niet als Excel-werkmap worden gelezen: het blad '{sheet}' is beschadigd. "
                       "Open het in Excel, sla het opnieuw op als .xlsx en probeer het opnieuw.")
    ref, reason = found
    return InputError([Problem(sheet, ref, f"{reason}. Typ de waarde opnieuw in Excel en sla het bestand op.")])


def _first_bad_cell(xml: bytes) -> tuple[str, str] | None:
    """The address of the first cell whose stored value cannot mean what its type says, and why (in Dutch)."""
    for match in CELL_TAG.finditer(xml):
        attributes = {k.decode(): v.decode("utf-8", "replace") for k, v in ATTRIBUTE.findall(match.group(1))}
        stored = VALUE_TAG.search(match.group(2) or b"")
        text = stored.group(1).decode("utf-8", "replace").strip() if stored else ""
        reason = _unreadable_value(attributes.get("t", "n"), text, attributes.get("s", ""))
        if reason:
            return attributes.get("r", "?"), reason
    return None


def _unreadable_value(kind: str, text: str, style: str) -> str | None:
    if style and not style.isdigit():
        return "De opmaak van deze cel is beschadigd"
    if not text:
        return None
    from openpyxl.utils.datetime import from_ISO8601  # only on a damaged sheet

    shown = shorten(text)
    try:
        if kind == "d":
            from_ISO8601(text)
        elif kind == "b":
            int(text)
        elif kind == "s":
            int(text)
        elif kind == "n":
            float(text)
    except (ValueError, TypeError, OverflowError):
        what = {"d": "een datum", "b": "WAAR/ONWAAR", "s": "een verwijzing naar tekst", "n": "een getal"}[kind]
        return f"De cel hoort {what} te bevatten, maar bevat '{shown}'; dat is niet te lezen"
    return None


def _merged_cells(title: str, merged: tuple[CellRange, ...], header_row: int) -> list[Problem]:
    """Merged cells in the header or below leave all but the first cell empty: name each range."""
    return [Problem(title, str(cells).split(":")[0],
                    f"De cellen {cells} zijn samengevoegd; maak de samenvoeging ongedaan en vul elke cel apart.")
            for cells in merged if cells.max_row >= header_row]


def _find_header(grid: Grid, wanted: set[str]) -> int | None:
    """Number of the row (within the first few) holding most of the wanted labels (at least two).

    One hit is not enough: a units row can hold a word like 'jaar'.
    """
    best, best_hits = None, 1
    for number in sorted(r for r in grid if r <= HEADER_SEARCH_ROWS):
        hits = sum(1 for v in grid[number] if not _is_empty(v) and normalise(v) in wanted)
        if hits > best_hits:
            best, best_hits = number, hits
    return best


def _read_table(title: str, sheet: Sheet, grid: Grid, merged) -> tuple[SheetRows, list[Problem]]:
    wanted = {c.name for c in sheet.columns}
    header = _find_header(grid, wanted)
    result = SheetRows(title)
    if header is None:
        names = ", ".join(c.name for c in sheet.columns if c.required)
        return result, [Problem(title, "A1",
                                f"Geen kopregel gevonden. De eerste regel van de tabel moet de kolomnamen bevatten "
                                f"(verplicht: {names}).")]
    positions: dict[str, int] = {}
    problems: list[Problem] = _merged_cells(title, merged, header)
    for index, label in enumerate(grid[header]):
        if _is_empty(label):
            continue
        name = normalise(label)
        ref = f"{get_column_letter(index + 1)}{header}"
        if name in positions:
            problems.append(Problem(title, ref, f"De kolom '{label}' staat twee keer in de kopregel; "
                                                "verwijder één van beide."))
        elif name in wanted:
            positions[name] = index
        else:
            problems.append(Problem(title, ref, _unknown_label("kolom", label, wanted)))
    missing = [c.name for c in sheet.columns if c.required and c.name not in positions]
    for name in missing:
        problems.append(Problem(title, f"A{header}",
                                f"De verplichte kolom '{name}' ontbreekt in de kopregel (regel {header})."))
    if missing:  # rows without their key columns would only repeat the same problem
        return result, problems
    result.letters = {name: get_column_letter(i + 1) for name, i in positions.items()}
    for r in sorted(r for r in grid if r > header):
        row = grid[r]
        if all(_is_empty(v) for v in row):
            continue
        result.rows.append((r, {name: row[i] if i < len(row) else None for name, i in positions.items()}))
    return result, problems


def _unknown_label(what: str, label: object, known) -> str:
    """An unknown column or setting would be ignored without a word: say so, with the nearest known name."""
    close = nearest(str(label), known)
    hint = f"bedoelt u '{close}'?" if close else f"bekend zijn: {', '.join(sorted(known))}."
    extra = " Eigen aantekeningen horen in de kolom 'toelichting'." if what == "kolom" else ""
    return f"Onbekende {what} '{shorten(label)}' wordt niet gelezen; {hint}{extra}"


def _read_key_value(title: str, sheet: Sheet, grid: Grid, merged) -> tuple[KeyValues, list[Problem]]:
    """A sheet of settings: one key per row, its value in the next column."""
    keys = {c.name for c in sheet.columns}
    header = _find_header(grid, {KEY_HEADER, VALUE_HEADER})
    start = 0 if header is None else header
    result = KeyValues(title)
    cells = result.cells
    problems: list[Problem] = _merged_cells(title, merged, start + 1)
    for r in sorted(r for r in grid if r > start):
        row = grid[r]
        if _is_empty(row[0]):
            continue
        key = normalise(row[0])
        if key not in keys:
            problems.append(Problem(title, f"A{r}", _unknown_label("instelling", row[0], keys)))
            continue
        if key in cells:
            problems.append(Problem(title, f"A{r}", f"De instelling '{row[0]}' staat twee keer in het blad."))
            continue
        cells[key] = Cell(row[1] if len(row) > 1 else None, f"B{r}")
    return result, problems
