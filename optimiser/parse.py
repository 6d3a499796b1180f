"""Turn raw cell values into typed values, with a Dutch reason when that fails.

Numbers may arrive as text in Dutch notation (``1.234,56``, ``€ 2.000,-``,
``(150)``), years may arrive as dates, yes/no in many spellings. Each parser
returns the value or raises :class:`ParseError` with a message for the user.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from optimiser import texts
from optimiser.schema import normalise

EMPTY_MARKERS = {"", "-", "na", "n.v.t.", "nvt", "n/a", "geen"}
YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
NO = {"nee", "n", "no", "false", "onwaar", "0"}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f]")  # control characters; a tab is kept


class _UnsavedFormula:
    """A formula cell whose value was never saved (written by a tool that does not calculate)."""

    def __repr__(self) -> str:
        return "<formule zonder opgeslagen waarde>"


UNSAVED_FORMULA = _UnsavedFormula()
UNSAVED_MESSAGE = ("de cel bevat een formule zonder opgeslagen uitkomst; open het bestand in Excel, laat het "
                   "herberekenen en sla het op (of vul de waarde zelf in)")


class PercentValue(float):
    """A number from a cell formatted as a percentage: Excel stores 28% as 0.28."""


SHORT = 60
"""Characters of a user's text quoted in a message; a longer text is cut."""


def shorten(value: object, limit: int = SHORT) -> str:
    """A user's text for a message: at most ``limit`` characters, a cut marked with '...'."""
    written = str(value)
    return written if len(written) <= limit else f"{written[:limit - 3].rstrip()}... ({len(written)} tekens)"


def shown(x: float) -> str:
    """A number from the workbook as a message shows it: Dutch notation (1.234,5), huge ones as 1,2e+15."""
    if abs(x) >= 1e13:
        return f"{x:.3g}".replace(".", ",")
    return texts.number(x, 6)


class ParseError(ValueError):
    """A value that cannot be read; the message is for the user."""


def is_blank(value: object) -> bool:
    """True for empty cells and the usual 'not applicable' markers."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in EMPTY_MARKERS


def _excel_error(value: object) -> bool:
    return isinstance(value, str) and value.strip().startswith("#") and value.strip().endswith(("!", "?", "A"))


def number(value: object, unit: str = "") -> float:
    """A finite number from a number or Dutch-formatted text."""
    if isinstance(value, bool):
        raise ParseError("verwacht een getal, niet WAAR/ONWAAR")
    if isinstance(value, PercentValue):
        # Read what the user sees: "28%" means 28 (percent points), except where a fraction is asked for.
        result = float(value) if unit == "fractie" else float(value) * 100
    elif isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, (dt.datetime, dt.date)):
        raise ParseError(f"verwacht een getal, maar de cel is als datum opgemaakt ({describe(value)}); maak de cel "
                         "op als getal")
    elif isinstance(value, str):
        if _excel_error(value):
            raise ParseError(f"de cel bevat de Excel-fout {value.strip()}; herstel de formule of vul een getal in")
        result = _number_from_text(value, unit)
    else:
        raise ParseError(f"verwacht een getal, maar de cel bevat {describe(value)}; maak de cel op als getal")
    if not math.isfinite(result):
        raise ParseError("verwacht een eindig getal")
    return result


def describe(value: object) -> str:
    """What a cell holds, in words, for a value of the wrong kind (never Python's own notation)."""
    if isinstance(value, bool):
        return "WAAR/ONWAAR"
    if isinstance(value, dt.datetime):
        return f"de datum {value:%d-%m-%Y}" if value.time() == dt.time() else f"het tijdstip {value:%d-%m-%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"de datum {value:%d-%m-%Y}"
    if isinstance(value, dt.time):
        return f"de tijd {value:%H:%M}"
    if isinstance(value, dt.timedelta):
        return "een tijdsduur"
    if isinstance(value, float) and not math.isfinite(value):
        return "een getal dat te groot is om te lezen" if not math.isnan(value) else "geen getal"
    return "een waarde van een ander soort"


def _number_from_text(text: str, unit: str) -> float:
    original = text
    text = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    percent = text.endswith("%")
    text = text.rstrip("%").replace("€", "").replace("EUR", "").replace(" ", "")
    text = re.sub(r"[.,]-$", "", text)  # "2.000,-"
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    elif _THOUSANDS.match(text):
        text = text.replace(".", "")
    try:
        result = float(text)
    except ValueError:
        raise ParseError(f"'{shorten(original.strip())}' is geen getal") from None
    if percent and unit == "fractie":
        result /= 100
    return -result if negative else result


def year(value: object) -> int:
    """A year; a year typed into a date cell (a 1905 date) is recovered."""
    if isinstance(value, (dt.datetime, dt.date)):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        serial = (moment - EXCEL_EPOCH).days
        if 1900 <= serial <= 2200:
            return serial
        raise ParseError(f"verwacht een jaartal, gevonden de datum {value:%d-%m-%Y}; vul alleen het jaar in")
    result = number(value)
    if result != int(result):
        raise ParseError(f"verwacht een jaartal, gevonden {shown(result)}")
    return int(result)


def yes_no(value: object) -> bool:
    """Ja or nee."""
    if isinstance(value, bool):
        return value
    text = normalise(value) if not isinstance(value, (int, float)) else str(int(value)) if value in (0, 1) else "?"
    if text in YES:
        return True
    if text in NO:
        return False
    found = f"'{shorten(value)}'" if isinstance(value, (str, int, float)) else describe(value)
    raise ParseError(f"verwacht 'ja' of 'nee', gevonden {found}")


def choice(value: object, choices: tuple[str, ...]) -> str:
    """One of the allowed choices, matched without regard to case or spaces."""
    written = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    for option in choices:
        if written is not None and (written == option or normalise(written) == normalise(option)):
            return option
    found = f"'{shorten(written)}'" if written is not None else describe(value)
    raise ParseError(f"{found} is geen geldige keuze; kies uit: {', '.join(choices)}")


def text(value: object) -> str:
    """Trimmed text without control characters; a whole number is read as its digits (a name like 2021)."""
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)) or (isinstance(value, float)
                                                                      and not math.isfinite(value)):
        raise ParseError(f"verwacht tekst, maar de cel bevat {describe(value)}; vul een naam in")
    if _excel_error(value):
        raise ParseError(f"de cel bevat de Excel-fout {value.strip()}; herstel de formule of vul tekst in")
    if isinstance(value, float) and value == int(value):
        value = int(value)
    cleaned = _CONTROL.sub("", str(value)).strip()
    return " ".join(cleaned.split())


def name_list(value: object) -> list[str]:
    """Names separated by ``;`` (a newline also separates)."""
    parts = re.split(r"[;\n]", text(value) if not isinstance(value, str) else value)
    return [text(p) for p in parts if text(p)]
