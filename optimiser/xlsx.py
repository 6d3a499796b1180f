"""Small, safe building blocks for writing workbooks.

Shared by both writers: the number formats, the rule for which text Excel
would read as a formula, column widths from content and the atomic save.
The result workbook is written with XlsxWriter (streaming and fast) through
:class:`Book`; the input template, which needs data validations, is written
with openpyxl through :mod:`optimiser.xlsx_input`.

User text is always written as text (never as a formula), and a workbook is
saved atomically without ever replacing the input file. Sheet names are
fixed in code, never taken from user data (a test checks they are valid).
Rows and columns in :class:`Book` are 0-based, as in XlsxWriter.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from optimiser.output import save_atomically as save_atomically  # the atomic save lives with the target checks

EURO = '"€" #,##0'
NUMBER = "#,##0.00"
PRICE = "0.0000"
HEADER_COLOUR = "DDEBF7"
ASSUMPTION_COLOUR = "FFF2CC"
FORMULA_STARTS = ("=", "+", "-", "@", "#")  # "#" for error codes such as #N/A
# Nothing a user typed may turn into a formula, a number or a link on the way in.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                    "constant_memory": True}


def column_widths(headers: list[str], rows: list[list[object]], widest: int = 60) -> list[int]:
    """Column widths from the longest value shown, between 8 and ``widest``."""
    widths = []
    for c, header in enumerate(headers):
        longest = max([len(str(header))] + [len(_shown(r[c])) for r in rows if c < len(r)])
        widths.append(min(max(longest + 2, 8), widest))
    return widths


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


class Book:
    """A result workbook written by XlsxWriter, with its cell formats each made once.

    Rows go out as they are written (constant memory): on each sheet, write
    top to bottom. Use it as a context manager: the file is written at the
    end, and on an error the workbook's temporary files are freed (the
    caller removes what was written).
    """

    def __init__(self, path: Path):
        self.workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        self._styles: dict[tuple, Format | None] = {}

    def __enter__(self) -> Book:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        else:
            with contextlib.suppress(Exception):
                self.workbook.close()

    def sheet(self, name: str) -> Worksheet:
        """A new sheet after the others."""
        return self.workbook.add_worksheet(name)

    def style(self, number_format: str | None = None, *, header: bool = False, bold: bool = False,
              wrap: bool = False, text: bool = False) -> Format | None:
        """The cell format for these properties; ``text`` marks text Excel must not read as a formula."""
        key = (number_format, header, bold, wrap, text)
        if key not in self._styles:
            properties: dict[str, object] = {}
            if number_format:
                properties["num_format"] = number_format
            if header or bold:
                properties["bold"] = True
            if header:
                properties.update(pattern=1, bg_color=f"#{HEADER_COLOUR}")
            if wrap:
                properties.update(text_wrap=True, valign="top")
            if text:
                properties["quote_prefix"] = True
            self._styles[key] = self.workbook.add_format(properties) if properties else None
        return self._styles[key]

    def put(self, ws: Worksheet, row: int, column: int, value: object, number_format: str | None = None, *,
            header: bool = False, bold: bool = False, wrap: bool = False) -> None:
        """Write one value by its type: text always as text; a number format applies to numbers only.

        Excel has no NaN or infinity: those, like ``None``, leave the cell
        empty (read as "none" or "unlimited").
        """
        if isinstance(value, bool):
            ws.write_boolean(row, column, value, self.style(header=header, bold=bold, wrap=wrap))
        elif isinstance(value, numbers.Real) and math.isfinite(value):
            ws.write_number(row, column, value, self.style(number_format, header=header, bold=bold, wrap=wrap))
        elif value is None or isinstance(value, numbers.Real):
            ws.write_blank(row, column, None, self.style(header=header, bold=bold, wrap=wrap))
        else:
            text = str(value)
            ws.write_string(row, column, text, self.style(header=header, bold=bold, wrap=wrap,
                                                          text=text.startswith(FORMULA_STARTS)))

    def table(self, ws: Worksheet, top: int, headers: list[str], rows: list[list[object]],
              formats: dict[int, str] | None = None, freeze: bool = True) -> int:
        """A header row at ``top`` and the rows below it, columns fitted; returns the last row written.

        ``formats`` maps a column to the number format of its numbers.
        """
        formats = formats or {}
        for c, header in enumerate(headers):
            self.put(ws, top, c, header, header=True)
        for r, values in enumerate(rows, start=top + 1):
            for c, value in enumerate(values):
                self.put(ws, r, c, value, formats.get(c))
        if freeze:
            ws.freeze_panes(top + 1, 0)
        for c, width in enumerate(column_widths(headers, rows)):
            ws.set_column(c, c, width)
        return top + len(rows)

    def close(self) -> None:
        """Write the file; an OS error (such as a read-only folder) comes out as itself."""
        try:
            self.workbook.close()
        except FileCreateError as error:
            raise error.args[0] from None
