"""Small, safe building blocks for writing workbooks.

User text is always written as text (never as a formula), and a workbook is
saved atomically without ever replacing the input file. Sheet names are
fixed in code, never taken from user data (a test checks they are valid).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from optimiser.problems import InputError, Problem

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ASSUMPTION_FILL = PatternFill("solid", fgColor="FFF2CC")
EURO = '"€" #,##0'
NUMBER = "#,##0.00"
PRICE = "0.0000"
FORMULA_STARTS = ("=", "+", "-", "@", "#")  # "#" for error codes such as #N/A


def put(ws, row: int, column: int, value: object):
    """Write a value; text that Excel would read as a formula stays text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_table(ws, top: int, headers: list[str], rows: list[list[object]], formats: dict[int, str] | None = None,
                freeze: bool = True):
    """A header row at ``top`` and the rows below it; returns the last row written."""
    for c, header in enumerate(headers, start=1):
        cell = put(ws, top, c, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for r, values in enumerate(rows, start=top + 1):
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value)
            if formats and c in formats and isinstance(value, (int, float)):
                cell.number_format = formats[c]
    if freeze:
        ws.freeze_panes = ws.cell(row=top + 1, column=1)
    fit_columns(ws, headers, rows)
    return top + len(rows)


def fit_columns(ws, headers: list[str], rows: list[list[object]], widest: int = 60) -> None:
    """Set column widths from the longest value shown."""
    for c, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [len(_shown(r[c - 1])) for r in rows if c - 1 < len(r)])
        ws.column_dimensions[get_column_letter(c)].width = min(max(longest + 2, 8), widest)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def wrap(cell) -> None:
    """Wrap long text in a cell."""
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def save_atomically(workbook, target: Path, protect: Path | None = None) -> Path:
    """Save to a temporary file beside ``target``, then replace it.

    Refuses to write over ``protect`` (the input). A target locked by Excel
    gives a Dutch message and leaves nothing half-written behind.
    """
    target = Path(target).resolve()
    if protect is not None and target.exists() and Path(protect).exists() and os.path.samefile(target, protect):
        raise InputError([Problem(None, None, f"Het resultaat zou het invoerbestand '{target.name}' overschrijven; "
                                              "kies een andere naam met -o.")])
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        workbook.save(temporary)
        os.replace(temporary, target)
    except PermissionError:
        raise InputError([Problem(None, None, f"'{target}' kan niet worden geschreven: het bestand is in gebruik "
                                              "(open in Excel?) of de map is alleen-lezen. Sluit het bestand of kies "
                                              "een andere naam met -o.")]) from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target
