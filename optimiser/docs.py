"""Write ``docs/workbook.md`` from the schema tables: ``python -m optimiser.docs``."""

from __future__ import annotations

import sys
from pathlib import Path

from optimiser.schema import KEY_VALUE, sheets

TARGET = Path(__file__).resolve().parents[1] / "docs" / "workbook.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def workbook_markdown() -> str:
    """The workbook format as Markdown, one table per sheet."""
    lines = [
        "# The input workbook",
        "",
        "Generated from `optimiser/schema/*.csv` by `python -m optimiser.docs`; edit the CSV files, not this page.",
        "Sheet and column names are Dutch, as the user sees them. Each sheet has an explanation on row 1, units",
        "on row 2 and the column names on row 3 (the reader finds the header in the first ten rows).",
        "The last column names the field of `models/data.py` each column fills (see `optimiser/schema/__init__.py`).",
        "",
        "Rules that hold across sheets:",
        "",
        "- Names (sheets, columns, instruments, lines, groups) are compared without regard to capitals, accents and",
        "  spaces; letters of any script count (a Hebrew or Chinese name is itself). Two sheets whose names compare",
        "  alike are an error.",
        "- A column or setting the schema does not know is an error that names the nearest known one; notes go in",
        "  `toelichting`. A sheet name that looks like a misspelt schema sheet is an error too.",
        "- Fractions and percentages: a column in unit `fractie` holds 0 to 1 (`blijfkans`: 0,95); a column in",
        "  unit `%` and the `waarde` of an `aandeel` hold percentages (28 for 28%). A cell formatted as a",
        "  percentage in Excel is read as it shows (95% is 0,95 in a fraction column, 28 in a percentage column).",
        "  A blijfkans above 1 is refused with the fraction it probably means; a share below 1 is warned.",
        "- Every budget line and every target group has one row per planning year. Top-ups",
        "  (`aanvulling_uit`) and surpluses (`overschot_naar`) may not go round in a circle. A row on",
        "  Eistermen belongs to a requirement of kind `lineair` on Eisen.",
        "",
    ]
    for sheet in sheets().values():
        kind = "one setting per row (column A name, column B value)" if sheet.layout == KEY_VALUE else "a table"
        lines += [f"## {sheet.name}", "", f"{'Required' if sheet.required else 'Optional'} sheet, {kind}."
                  + (f" Key: {', '.join(sheet.key)}." if sheet.key else ""), "", _cell(sheet.explanation), "",
                  "| column | type | unit | required | default | choices | explanation | model field |",
                  "|---|---|---|---|---|---|---|---|"]
        for c in sheet.columns:
            lines.append(f"| {c.name} | {c.type} | {_cell(c.unit)} | {'yes' if c.required else 'no'} | "
                         f"{c.default} | {', '.join(c.choices)} | {_cell(c.explanation)} | {c.field} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    TARGET.write_text(workbook_markdown(), encoding="utf-8")
    print(f"Geschreven: {TARGET}", file=sys.stderr)
