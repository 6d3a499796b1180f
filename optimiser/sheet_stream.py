"""A fast read of an ordinary workbook: its sheets' XML streamed through expat, cell by cell.

openpyxl's read-only mode builds an element tree and several objects per
cell; on a workbook of 342 municipalities that took seconds and most of the
check. This module reads the common case directly: numbers, text (shared or
inline), WAAR/ONWAAR and saved Excel errors, with the number format of each
number so that a percentage is marked. It gives the same values openpyxl
gives. Whatever it does not handle exactly as openpyxl does (a formula, a
date, a DTD, a damaged cell or part, a chart sheet, a value far outside the
sheet) raises :class:`Unusual`, and :mod:`optimiser.reader` then reads the
whole workbook with openpyxl, which finds the cell and the Dutch message.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from defusedxml import ElementTree

from optimiser.parse import PercentValue

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
"""The only namespace openpyxl reads cells in; elements of any other are ignored, as there."""
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHUNK = 1 << 20
PERCENT_BUILTINS = frozenset((9, 10))
"""Excel's built-in number formats with a percent sign (``0%``, ``0.00%``)."""
DATE_BUILTINS = frozenset((*range(14, 23), 45, 46, 47))
"""Excel's built-in date and time formats: such numbers are dates, left to openpyxl."""
CUSTOM_FORMATS = 164
"""Number format ids from here on are the workbook's own (``numFmt``)."""
DATE_LETTERS = frozenset("dmhysDMHYS")


class Unusual(Exception):
    """The workbook holds something this reader leaves to openpyxl."""


def _name(tag: str) -> str:
    """The local name of an element of the main namespace; '' for any other."""
    uri, _, local = tag.rpartition(" ")
    return local if uri == MAIN else ""


def _parser(start, end, text=None):
    """An expat parser with namespaces that refuses any DTD (entity bombs and external entities go to openpyxl)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def unusual(*_):
        raise Unusual

    parser.StartDoctypeDeclHandler = unusual
    parser.EntityDeclHandler = unusual
    parser.ExternalEntityRefHandler = unusual
    parser.StartElementHandler, parser.EndElementHandler = start, end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _feed(archive: zipfile.ZipFile, member: str, parser, stop=None) -> None:
    """Stream a part of the package through ``parser``, in chunks; ``stop()`` true ends early."""
    with archive.open(member) as source:
        while chunk := source.read(CHUNK):
            parser.Parse(chunk, False)
            if stop is not None and stop():
                return
        parser.Parse(b"", True)


class Book:
    """The sheets of one workbook, in order, with what their cells need (strings, number formats)."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): (r.get("Type") or "", self._part(r.get("Target") or ""))
                   for r in relations.iterfind(".//{*}Relationship")}
        members = set(archive.namelist())
        self.sheets: list[tuple[str, str, str]] = []
        """Title, state (visible, hidden, veryHidden) and part of each worksheet."""
        for sheet in workbook.iterfind(f".//{{{MAIN}}}sheet"):
            kind, part = targets.get(sheet.get(f"{{{RELATIONS}}}id"), ("", ""))
            if not kind.endswith("/worksheet") or part not in members:
                raise Unusual  # a chart sheet, or a sheet openpyxl would refuse
            self.sheets.append((sheet.get("name"), sheet.get("state") or "visible", part))
        parts = {kind.rsplit("/", 1)[-1]: part for kind, part in targets.values()}
        self.strings = self._strings(parts["sharedStrings"]) if parts.get("sharedStrings") in members else []
        self.percent, self.dates = self._styles(parts["styles"]) if parts.get("styles") in members else ((), ())

    @staticmethod
    def _part(target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")

    def _strings(self, member: str) -> list[str]:
        """The shared strings: plain text and the text of rich-text runs (not phonetic hints), as openpyxl reads."""
        strings: list[str] = []
        pieces: list[str] = []
        depth = {"rPh": 0, "t": 0}

        def start(tag, attributes):
            name = _name(tag)
            if name in depth:
                depth[name] += 1
            if name == "si":
                pieces.clear()

        def end(tag):
            name = _name(tag)
            if name in depth:
                depth[name] -= 1
            if name == "si":
                strings.append("".join(pieces).replace("x005F_", ""))

        def text(data):
            if depth["t"] and not depth["rPh"]:
                pieces.append(data)

        _feed(self.archive, member, _parser(start, end, text))
        return strings

    def _styles(self, member: str) -> tuple[list[bool], list[bool]]:
        """Per cell style (``s``): whether its number format shows a percentage, and whether it may be a date."""
        custom: dict[int, str] = {}
        ids: list[int] = []
        inside = [False]

        def start(tag, attributes):
            name = _name(tag)
            if name == "numFmt":
                custom[int(attributes["numFmtId"])] = attributes.get("formatCode", "")
            elif name == "cellXfs":
                inside[0] = True
            elif name == "xf" and inside[0]:
                ids.append(int(attributes.get("numFmtId", 0)))

        def end(tag):
            if _name(tag) == "cellXfs":
                inside[0] = False

        _feed(self.archive, member, _parser(start, end))
        percent, dates = [], []
        for number in ids:
            if number < CUSTOM_FORMATS:
                percent.append(number in PERCENT_BUILTINS)
                dates.append(number in DATE_BUILTINS)
            else:
                code = custom[number]  # a format the file does not hold: openpyxl's answer
                percent.append("%" in code)
                dates.append(bool(DATE_LETTERS & set(code.split(";")[0])))  # wider than openpyxl: never wrong
        return percent, dates

    def rows(self, member: str, max_rows: int, max_columns: int, max_row: int) -> Iterator[tuple[int, list]]:
        """(row number, [(column, value)]) of each row holding a value, from column A; at most ``max_rows`` + 1.

        A percentage-formatted number comes as :class:`~optimiser.parse.PercentValue`.
        """
        found: list[tuple[int, list]] = []
        cells: list[tuple[int, object]] = []
        state = {"row": 0, "column": 0, "kind": "n", "style": 0, "value": None, "inline": None, "rPh": 0,
                 "text": None}
        strings, percent, dates = self.strings, self.percent, self.dates

        def start(tag, attributes):
            name = _name(tag)
            if name == "c":
                ref = attributes.get("r")
                column = _column(ref) if ref else state["column"] + 1
                if column <= state["column"]:
                    raise Unusual  # cells out of order: openpyxl cuts the row at its last cell
                state["column"] = column
                state["kind"] = attributes.get("t", "n")
                state["style"] = int(attributes.get("s") or 0)
                state["value"] = state["inline"] = None
            elif name == "v" or (name == "t" and state["inline"] is not None and not state["rPh"]):
                state["text"] = []
            elif name == "row":
                number = int(attributes["r"]) if "r" in attributes else state["row"] + 1
                if number <= state["row"] or number > max_row:
                    raise Unusual  # rows out of order or past Excel's last: openpyxl's numbering and message
                state["row"], state["column"] = number, 0
                cells.clear()
            elif name == "is":
                state["inline"] = []
            elif name == "rPh":
                state["rPh"] += 1
            elif name == "f":
                raise Unusual  # a formula: openpyxl tells a saved result from none

        def end(tag):
            name = _name(tag)
            if name == "v" and state["text"] is not None:
                if state["value"] is None:  # the first <v>, as openpyxl's findtext
                    state["value"] = "".join(state["text"])
                state["text"] = None
            elif name == "t" and state["text"] is not None:
                state["inline"].append("".join(state["text"]))
                state["text"] = None
            elif name == "rPh":
                state["rPh"] -= 1
            elif name == "c":
                value = _value(state, strings, percent, dates)
                if value is not None:
                    if state["column"] > max_columns:
                        raise Unusual  # the reader's refusal names the cell
                    cells.append((state["column"], value))
            elif name == "row" and cells:
                found.append((state["row"], cells.copy()))

        def text(data):
            if state["text"] is not None:
                state["text"].append(data)

        _feed(self.archive, member, _parser(start, end, text), stop=lambda: len(found) > max_rows)
        return iter(found[: max_rows + 1])


def _value(state: dict, strings: list[str], percent, dates) -> object:
    """A cell's value as openpyxl's read-only, data-only mode gives it; :class:`Unusual` where it would differ."""
    kind, raw = state["kind"], state["value"]
    if kind == "inlineStr":
        return None if state["inline"] is None else "".join(state["inline"])
    if not raw:
        return None
    if kind == "n":
        style = state["style"]
        if style >= len(dates) and style:
            raise Unusual  # a style the file does not hold
        if dates and dates[style]:
            raise Unusual
        number = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        return PercentValue(number) if percent and percent[style] else number
    if kind == "s":
        return strings[int(raw)]
    if kind == "b":
        return bool(int(raw))
    if kind in ("str", "e"):
        return raw
    raise Unusual  # a date (t="d") or a type Excel does not write


def _column(ref: str) -> int:
    """The column number of a cell reference (``C5`` -> 3)."""
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif char.isdigit():
            return number
        else:
            raise Unusual
    raise Unusual
