"""Small, safe building blocks for writing workbooks.

Shared by every writer: the number formats, the rule for which text Excel
would read as a formula, column widths from content and the atomic save.
The openpyxl cell helpers are in :mod:`optimiser.xlsx_input`.

User text is always written as text (never as a formula), and a workbook is
saved atomically without ever replacing the input file. Sheet names are
fixed in code, never taken from user data (a test checks they are valid).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from optimiser.problems import InputError, Problem

EURO = '"€" #,##0'
NUMBER = "#,##0.00"
PRICE = "0.0000"
HEADER_COLOUR = "DDEBF7"
ASSUMPTION_COLOUR = "FFF2CC"
FORMULA_STARTS = ("=", "+", "-", "@", "#")  # "#" for error codes such as #N/A


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


def save_atomically(write: Callable[[Path], object], target: Path, protect: Path | None = None) -> Path:
    """Let ``write`` write a workbook to a temporary file beside ``target``, then replace ``target`` with it.

    Refuses to write over ``protect`` (the input). A target locked by Excel
    or a read-only folder gives a Dutch message; on any error nothing
    half-written is left behind. The file gets the usual mode for a new file
    (``tempfile.mkstemp`` alone would leave it readable by its owner only).
    """
    target = Path(target).resolve()
    if protect is not None and target.exists() and Path(protect).exists() and os.path.samefile(target, protect):
        raise InputError([Problem(None, None, f"Het resultaat zou het invoerbestand '{target.name}' overschrijven; "
                                              "kies een andere naam met -o.")])
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=target.parent)
        os.close(handle)
        write(Path(temporary))
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except PermissionError:
        raise InputError([Problem(None, None, f"'{target}' kan niet worden geschreven: het bestand is in gebruik "
                                              "(open in Excel?) of de map is alleen-lezen. Sluit het bestand of kies "
                                              "een andere naam met -o.")]) from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)
    return target


def _umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask
