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
