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
import itertools
import math
import numbers
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from optimiser.output import save_atomically as save_atomically  # the atomic save lives with the target checks
from optimiser.texts import texts

HEADER_COLOUR = "DDEBF7"
ASSUMPTION_COLOUR = "FFF2CC"
FORMULA_STARTS = ("=", "+", "-", "@", "#")  # "#" for error codes such as #N/A
# Nothing a user typed may turn into a formula, a number or a link on the way in.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                    "constant_memory": True}


@dataclass(frozen=True)
class NumberFormats:
    """The number formats of one language.

    The locale tag (``[$-413]`` Dutch, ``[$-809]`` English) makes the
    notation part of the cell: LibreOffice shows 1.234,56 whatever its own
    locale, Excel follows the reader's Windows settings as it always does.
    """

    euro: str
    """Money to the euro (detail sheets)."""
    million: str
    """Money rounded to € 1,03 mln (summaries)."""
    whole: str
    number: str
    price: str
    percent: str
    general: str
    """Any other number: Excel's General notation in this language."""


FORMATS = {
    "nl": NumberFormats(euro='[$-413]"€" #,##0;[$-413]"€" -#,##0', million='[$-413]"€" #,##0.00,," mln"',
                        whole="[$-413]#,##0", number="[$-413]#,##0.00", price="[$-413]#,##0.0000",
                        percent="[$-413]0.0%", general="[$-413]General"),
    "en": NumberFormats(euro='[$-809]"€"#,##0;[$-809]-"€"#,##0', million='[$-809]"€"#,##0.00,," million"',
                        whole="[$-809]#,##0", number="[$-809]#,##0.00", price="[$-809]#,##0.0000",
                        percent="[$-809]0.0%", general="[$-809]General"),
}
EURO, NUMBER, PRICE = FORMATS["nl"].euro, FORMATS["nl"].number, FORMATS["nl"].price
ROWS_PER_PAGE = 55
"""Lines a landscape A4 page holds before the print is split over another page."""
CHARS_PER_WIDTH = 1.0
"""Characters of running text per unit of column width (Calibri 11), on the safe side: a row never cuts text."""
A4 = 9
HEADER_LINES = 3


def column_widths(headers: list[str], rows: list[list[object]], widest: int = 60,
                  header_lines: int = 1) -> list[int]:
    """Column widths from the longest value shown, between 8 and ``widest``.

    With ``header_lines`` above 1 a header may wrap onto that many lines
    (its longest word still fits), so words in a header do not widen a
    column of short numbers.
    """
    widths = []
    columns = list(itertools.zip_longest(*rows))  # one pass over the rows, not one per column
    for c, header in enumerate(headers):
        header = str(header)
        needed = max(math.ceil(len(header) / header_lines), max(map(len, header.split() or [""])))
        longest = max(needed, _longest(columns[c]) if c < len(columns) else 0)
        widths.append(min(max(longest + 2, 8), widest))
    return widths


def _longest(values: tuple) -> int:
    """Characters of the longest value shown; of the numbers only the largest and smallest can be longest."""
    floats = [v for v in values if type(v) is float and v == v]  # v == v leaves NaN out
    texts = [v for v in values if type(v) is str]
    others = max(map(len, texts), default=0)
    if len(floats) + len(texts) < len(values):  # ints, None and other kinds: as shown
        others = max(others, max((len(_shown(v)) for v in values if type(v) is not float and type(v) is not str),
                                 default=0))
    return max(others, len(_shown(max(floats))), len(_shown(min(floats)))) if floats else others


def table_widths(headers: list[str], rows: list[list[object]]) -> list[int]:
    """Column widths for a result table, whose headers wrap onto up to three lines."""
    return column_widths(headers, rows, header_lines=HEADER_LINES)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def text_lines(text: str, width: float) -> int:
    """Printed lines of ``text`` wrapped in a cell ``width`` characters wide."""
    return max(1, math.ceil(len(text) / max(width * CHARS_PER_WIDTH, 1)))


class Book:
    """A result workbook written by XlsxWriter, with its cell formats each made once.

    Rows go out as they are written (constant memory): on each sheet, write
    top to bottom. Every sheet prints landscape on A4, fitted to the page
    width, with a footer (file name, page, date) and its first table's
    header repeated on each page. Use it as a context manager: the file is
    written at the end, and on an error the workbook's temporary files are
    freed (the caller removes what was written).
    """

    def __init__(self, path: Path, language: str = "nl"):
        self.path = Path(path)
        self.workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        self.formats = FORMATS[language]
        self.footer = texts(language)("footer")
        self._styles: dict[tuple, Format | None] = {}
        self._lines: dict[str, dict[int, int]] = {}
        self._widths: dict[str, list[float]] = {}
        self._tabled: set[str] = set()
        self.appendices: set[str] = set()
        """Names of detail sheets written hidden: kept in the file, left out of the printed report."""

    def __enter__(self) -> Book:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        else:
            with contextlib.suppress(Exception):
                self.workbook.close()

    def sheet(self, name: str) -> Worksheet:
        """A new sheet after the others, set up for printing; hidden if it is one of :attr:`appendices`.

        Excel and LibreOffice print every visible sheet, each from a new
        page, so a technical appendix is hidden to keep the printed report
        short.
        """
        ws = self.workbook.add_worksheet(name)
        if name in self.appendices:
            ws.hide()
        ws.set_landscape()
        ws.set_paper(A4)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
        ws.set_footer(self.footer)
        self._lines[name] = {}
        self._widths[name] = []
        return ws

    def style(self, number_format: str | None = None, *, header: bool = False, bold: bool = False,
              wrap: bool = False, text: bool = False, size: int | None = None, top: bool = False) -> Format | None:
        """The cell format for these properties; ``text`` marks text Excel must not read as a formula.

        ``top`` aligns the cell to the top of its row, as wrapped text is.
        """
        key = (number_format, header, bold, wrap, text, size, top)
        if key not in self._styles:
            properties: dict[str, object] = {}
            if number_format:
                properties["num_format"] = number_format
            if header or bold:
                properties["bold"] = True
            if header:
                properties.update(pattern=1, bg_color=f"#{HEADER_COLOUR}", text_wrap=True, valign="top")
            if wrap:
                properties.update(text_wrap=True, valign="top")
            if top:
                properties["valign"] = "top"
            if text:
                properties["quote_prefix"] = True
            if size:
                properties["font_size"] = size
            self._styles[key] = self.workbook.add_format(properties) if properties else None
        return self._styles[key]

    def put(self, ws: Worksheet, row: int, column: int, value: object, number_format: str | None = None, *,
            header: bool = False, bold: bool = False, wrap: bool = False, size: int | None = None,
            top: bool = False) -> None:
        """Write one value by its type: text always as text; a number format applies to numbers only.

        Excel has no NaN or infinity: those, like ``None``, leave the cell
        empty (read as "none" or "unlimited").
        """
        self._lines[ws.get_name()].setdefault(row, 1)
        self._write(ws, row, column, value, self._cell_styles(number_format, header, bold, wrap, size, top))

    def _cell_styles(self, number_format: str | None, header: bool = False, bold: bool = False, wrap: bool = False,
                     size: int | None = None, top: bool = False) -> tuple:
        """The formats of a cell with these properties: for a number, for other values and for formula-like text."""
        look = {"header": header, "bold": bold, "wrap": wrap, "size": size, "top": top}
        return (self.style(number_format or self.formats.general, **look), self.style(**look),
                self.style(**look, text=True))

    @staticmethod
    def _write(ws: Worksheet, row: int, column: int, value: object, styles: tuple) -> None:
        """Write ``value`` with the formats of :meth:`_cell_styles`; the common types are tested first (speed)."""
        kind = type(value)
        if kind is float or kind is int or (kind is not bool and isinstance(value, numbers.Real)):
            if math.isfinite(value):
                ws.write_number(row, column, value, styles[0])
            else:
                ws.write_blank(row, column, None, styles[1])
        elif kind is str:
            ws.write_string(row, column, value, styles[2] if value.startswith(FORMULA_STARTS) else styles[1])
        elif kind is bool:
            ws.write_boolean(row, column, value, styles[1])
        elif value is None:
            ws.write_blank(row, column, None, styles[1])
        else:
            text = str(value)
            ws.write_string(row, column, text, styles[2] if text.startswith(FORMULA_STARTS) else styles[1])

    def widths(self, ws: Worksheet, widths: list[float]) -> float:
        """Widen the sheet's columns to at least ``widths``; returns the width of those columns together."""
        known = self._widths[ws.get_name()]
        for c, width in enumerate(widths):
            if c == len(known):
                known.append(width)
            elif width > known[c]:
                known[c] = width
            ws.set_column(c, c, known[c])
        return sum(known[: len(widths)])

    def paragraph(self, ws: Worksheet, row: int, text: str, columns: int, *, column: int = 0, bold: bool = False,
                  size: int | None = None) -> None:
        """Running text in one cell over ``columns`` columns from ``column``, wrapped, its row as high as the text."""
        width = sum(self._widths[ws.get_name()][column:column + columns])
        lines = text_lines(text, width)
        ws.set_row(row, 15 * lines * (size or 11) / 11)
        self._lines[ws.get_name()][row] = lines
        style = self.style(bold=bold, wrap=True, size=size, text=text.startswith(FORMULA_STARTS))
        if columns > 1:
            ws.merge_range(row, column, row, column + columns - 1, text, style)
        else:
            ws.write_string(row, column, text, style)

    def heading(self, ws: Worksheet, title: str, note: str, widths: list[float]) -> int:
        """A sheet's title and its explanation across the columns of ``widths``; returns the next free row.

        The columns get at least these widths first, so the explanation
        wraps across the table below it, not inside column A.
        """
        self.widths(ws, widths)
        ws.set_row(0, 20)
        self.put(ws, 0, 0, title, bold=True, size=13)
        self.paragraph(ws, 1, note, max(len(widths), 1))
        return 3

    def table(self, ws: Worksheet, top: int, headers: list[str], rows: list[list[object]],
              formats: dict[int, str] | None = None, *, title: str | None = None, widths: list[float] | None = None,
              row_formats: list[dict[int, str]] | None = None, freeze_columns: int = 0, navigate: bool = True,
              wrap: set[int] | frozenset[int] = frozenset()) -> int:
        """A table (an optional bold title, a header row, the rows), columns fitted; returns its last row.

        ``formats`` maps a column to the number format of its numbers,
        ``row_formats`` (one map per row) overrides it cell by cell. Text in
        the ``wrap`` columns (sentences) wraps within the column and its row
        grows with it. With ``navigate`` the first table of a sheet gets
        frozen panes below its header, a filter and its header repeated on
        every printed page.
        """
        formats = formats or {}
        self.widths(ws, widths or table_widths(headers, rows))
        if title:
            self.put(ws, top, 0, title, bold=True)
            top += 1
        lines = max(text_lines(h, self._widths[ws.get_name()][c]) for c, h in enumerate(headers))
        ws.set_row(top, 15 * lines)
        self._lines[ws.get_name()][top] = lines
        for c, header in enumerate(headers):
            self.put(ws, top, c, header, header=True)
        widths = self._widths[ws.get_name()]
        lines = self._lines[ws.get_name()]
        columns = [self._cell_styles(formats.get(c), wrap=c in wrap, top=bool(wrap)) for c in range(len(headers))]
        columns += [self._cell_styles(None)] * (max(map(len, rows), default=0) - len(columns))
        write, write_number, write_string, isfinite = self._write, ws.write_number, ws.write_string, math.isfinite
        for k, values in enumerate(rows):
            row = top + 1 + k
            if wrap:
                wrapped = [text_lines(str(values[c]), widths[c]) for c in wrap
                           if c < len(values) and isinstance(values[c], str)]
                lines[row] = max(wrapped, default=1)
                if lines[row] > 1:  # before the row's cells: constant memory writes rows as they end
                    ws.set_row(row, 15 * lines[row])
            else:
                lines[row] = 1
            own = row_formats[k] if row_formats else None
            for c, value in enumerate(values):
                styles = columns[c]
                if own and c in own:
                    styles = self._cell_styles(own[c], wrap=c in wrap, top=bool(wrap))
                # The two common kinds written here directly (one call less per cell); the rest as _write says.
                kind = type(value)
                if kind is float and isfinite(value):
                    write_number(row, c, value, styles[0])
                elif kind is str:
                    write_string(row, c, value, styles[2] if value.startswith(FORMULA_STARTS) else styles[1])
                else:
                    write(ws, row, c, value, styles)
        end = top + len(rows)
        if navigate and ws.get_name() not in self._tabled:
            self._tabled.add(ws.get_name())
            ws.freeze_panes(top + 1, freeze_columns)
            ws.repeat_rows(top)
            if rows:
                ws.autofilter(top, 0, end, len(headers) - 1)
        return end

    def pages_tall(self, ws: Worksheet) -> int:
        """Pages the sheet may take in height: its lines over what one page holds."""
        return max(1, math.ceil(sum(self._lines[ws.get_name()].values()) / ROWS_PER_PAGE))

    def close(self) -> None:
        """Write the file; an OS error (such as a read-only folder) comes out as itself."""
        for ws in self.workbook.worksheets():
            if ws.get_name() in self._lines:
                ws.fit_to_pages(1, self.pages_tall(ws))
        try:
            self.workbook.close()
        except FileCreateError as error:
            raise error.args[0] from None
        show_chart_axes(self.path)


AXES = re.compile(r"<c:(catAx|valAx|dateAx|serAx)>(.*?)</c:\1>", re.S)


def _axis_shown(match: re.Match) -> str:
    """An axis element with ``<c:delete val="0"/>`` written out after its scaling, unless it has one."""
    body = match.group(2)
    if "<c:delete " not in body:
        body = body.replace("</c:scaling>", '</c:scaling><c:delete val="0"/>', 1)
    return f"<c:{match.group(1)}>{body}</c:{match.group(1)}>"


def show_chart_axes(path: Path) -> None:
    """Write every chart axis's delete flag explicitly, so Excel 365 shows the axis.

    XlsxWriter writes ``<c:delete val="1"/>`` for a hidden axis and nothing
    for a shown one (the schema's default), and has no option to write it;
    Excel 365 may hide an axis without the flag. The package is rewritten
    entry by entry, the chart parts with the flag added.
    """
    with zipfile.ZipFile(path) as source:
        charts = [n for n in source.namelist() if n.startswith("xl/charts/chart") and n.endswith(".xml")]
        if not charts:
            return
        entries = [(info, source.read(info)) for info in source.infolist()]
    temporary = path.with_name(path.name + ".axes")
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
            for info, content in entries:
                if info.filename in charts:
                    content = AXES.sub(_axis_shown, content.decode("utf-8")).encode("utf-8")
                target.writestr(info, content)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
