"""openpyxl building blocks for the input template, which needs data validations (dropdowns).

The result workbook is written with XlsxWriter (:mod:`optimiser.xlsx`);
both share the formula rule, the column widths and the atomic save.
Rows and columns here are 1-based, as in openpyxl.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from optimiser.xlsx import ASSUMPTION_COLOUR, FORMULA_STARTS, HEADER_COLOUR, column_widths

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR)
ASSUMPTION_FILL = PatternFill("solid", fgColor=ASSUMPTION_COLOUR)


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
    for c, width in enumerate(column_widths(headers, rows), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    return top + len(rows)


def wrap(cell) -> None:
    """Wrap long text in a cell."""
    cell.alignment = Alignment(wrap_text=True, vertical="top")
