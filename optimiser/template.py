"""Write an input workbook from the schema: the empty template or a filled example.

The layout of every sheet: an explanation on row 1, the units on row 2, the
column names on row 3 and the data below. Rows whose ``toelichting`` starts
with ``AANNAME`` are shaded and listed on the sheet 'Aannames'.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from optimiser.schema import KEY_VALUE, Sheet, sheets
from optimiser.xlsx import save_atomically
from optimiser.xlsx_input import ASSUMPTION_FILL, HEADER_FILL, HEADER_FONT, put, wrap, write_table

HEADER_ROW = 3
ASSUMPTION = "AANNAME"
VALIDATION_ROWS = 500
KEY_VALUE_HEADERS = ["instelling", "waarde", "eenheid", "toelichting"]
# Columns whose values name an entry of another sheet: offer those names as a dropdown.
REFERENCE_SOURCES = {"budgetregel": "Budgetten", "instrument": "Instrumenten", "doelgroep": "Doelgroepen",
                     "scenario": "Scenario's", "reserve": "Reserves"}


def build_workbook(content: dict[str, list[dict]] | None = None) -> Workbook:
    """A workbook with every schema sheet, filled with ``content`` where given.

    ``content`` maps a sheet name to a list of rows (column name to value);
    for the settings sheet, one row of key to value.
    """
    content = content or {}
    workbook = Workbook()
    workbook.remove(workbook.active)
    _explanation_sheet(workbook)
    assumptions: list[list[object]] = []
    for sheet in sheets().values():
        ws = workbook.create_sheet(sheet.name)
        rows = content.get(sheet.name, [])
        if sheet.layout == KEY_VALUE:
            _key_value_sheet(ws, sheet, rows[0] if rows else {}, assumptions)
        else:
            _table_sheet(ws, sheet, rows, assumptions)
    if assumptions:
        ws = workbook.create_sheet("Aannames")
        put(ws, 1, 1, "Getallen die niet uit de brondocumenten komen, met de redenering erachter.")
        write_table(ws, HEADER_ROW, ["blad", "regel", "aanname"], assumptions)
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=3, max_col=3):
            wrap(row[0])
    return workbook


def write_template(target: Path, content: dict[str, list[dict]] | None = None) -> Path:
    """Save the template (or an example with ``content``) atomically to ``target``."""
    return save_atomically(build_workbook(content).save, target)


def _explanation_sheet(workbook: Workbook) -> None:
    ws = workbook.create_sheet("Uitleg")
    put(ws, 1, 1, "Uitleg bij deze werkmap: elk blad en elke kolom. Vul de bladen in; kolommen met 'ja' bij verplicht "
                  "moeten gevuld zijn. Bedragen in euro's, zonder duizendtallen als tekst.")
    rows = []
    for sheet in sheets().values():
        rows.append([sheet.name, "", "", "", "", "", sheet.explanation])
        for c in sheet.columns:
            options = ", ".join(c.choices)
            rows.append([sheet.name, c.name, c.unit, "ja" if c.required else "nee", c.default, options,
                         c.explanation])
    write_table(ws, HEADER_ROW, ["blad", "kolom", "eenheid", "verplicht", "standaard", "keuzes", "toelichting"], rows)
    ws.column_dimensions["G"].width = 90
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=7, max_col=7):
        wrap(row[0])


def _title_rows(ws, sheet: Sheet) -> None:
    cell = put(ws, 1, 1, sheet.explanation)
    cell.font = HEADER_FONT


def _table_sheet(ws, sheet: Sheet, rows: list[dict], assumptions: list) -> None:
    _title_rows(ws, sheet)
    headers = [c.name for c in sheet.columns]
    for c, column in enumerate(sheet.columns, start=1):
        put(ws, 2, c, column.unit or "")
    values = [[row.get(h) for h in headers] for row in rows]
    write_table(ws, HEADER_ROW, headers, values)
    for c, column in enumerate(sheet.columns, start=1):
        header = ws.cell(row=HEADER_ROW, column=c)
        header.font = HEADER_FONT
        header.fill = HEADER_FILL
        _dropdown(ws, column, c)
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        note = str(row.get("toelichting") or "")
        if note.upper().startswith(ASSUMPTION):
            for c in range(1, len(headers) + 1):
                ws.cell(row=r, column=c).fill = ASSUMPTION_FILL
            assumptions.append([sheet.name, r, note])


def _key_value_sheet(ws, sheet: Sheet, values: dict, assumptions: list) -> None:
    _title_rows(ws, sheet)
    notes = values.get("_toelichting", {})
    rows = []
    for column in sheet.columns:
        value = values.get(column.name)
        if value is None and column.default:
            value = _typed_default(column.default)
        rows.append([column.name, value, column.unit, notes.get(column.name, column.explanation)])
    write_table(ws, HEADER_ROW, KEY_VALUE_HEADERS, rows)
    ws.column_dimensions["D"].width = 90
    for r, column in enumerate(sheet.columns, start=HEADER_ROW + 1):
        wrap(ws.cell(row=r, column=4))
        if column.choices:
            _list_validation(ws, f"B{r}", column.choices)
        if str(notes.get(column.name, "")).upper().startswith(ASSUMPTION):
            for c in range(1, 5):
                ws.cell(row=r, column=c).fill = ASSUMPTION_FILL
            assumptions.append([sheet.name, r, notes[column.name]])


def _typed_default(text: str) -> object:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number == int(number) else number


def _list_validation(ws, ref: str, choices: tuple[str, ...]) -> None:
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    validation.error = "Kies een waarde uit de lijst."
    validation.errorTitle = "Ongeldige keuze"
    ws.add_data_validation(validation)
    validation.add(ref)


def _dropdown(ws, column, index: int) -> None:
    letter = get_column_letter(index)
    ref = f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + VALIDATION_ROWS}"
    if column.choices:
        _list_validation(ws, ref, column.choices)
        return
    source = REFERENCE_SOURCES.get(column.type)
    if source is None or source == column.sheet:
        return
    source_sheet = sheets()[source]
    name_column = get_column_letter(source_sheet.columns.index(source_sheet.column(source_sheet.key[0])) + 1)
    first, last = HEADER_ROW + 1, HEADER_ROW + VALIDATION_ROWS
    # Excel's formula quotes the sheet name and doubles an apostrophe in it ('Scenario''s'!$A$4:$A$503).
    validation = DataValidation(type="list", formula1=f"{quote_sheetname(source)}!${name_column}${first}:"
                                f"${name_column}${last}",
                                allow_blank=True, showErrorMessage=False)
    ws.add_data_validation(validation)
    validation.add(ref)
