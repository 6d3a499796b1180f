"""A corpus of awkward and broken input workbooks, each with the message it must get.

``python tests/corpus.py DIR`` writes every case to DIR; ``tests/test_corpus.py``
builds them in a temporary folder and checks each message and that the input
is left unchanged. Most cases start from the Steenwijkerland example and
change one thing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "steenwijkerland.xlsx"


@dataclass(frozen=True)
class Case:
    """One workbook: how to make it and what the check must say."""

    name: str
    make: Callable[[Path], None]
    expect: str
    """A fragment of the message; empty when the workbook must pass."""
    ok: bool = False
    """True when the check must pass (the oddity is handled, perhaps with a warning)."""
    cell: str | None = None
    """The cell the message must name, where one is expected."""
    suffix: str = ".xlsx"
    same_data: bool = True
    """For a case that passes: whether it reads exactly the example's data."""


def _edit(change: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    """A case made by loading the example, changing it and saving it."""

    def make(path: Path) -> None:
        workbook = openpyxl.load_workbook(EXAMPLE)
        change(workbook)
        workbook.save(path)

    return make


def _set(sheet: str, cell: str, value) -> Callable[[Path], None]:
    def change(workbook):
        workbook[sheet][cell] = value

    return _edit(change)


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _zip(members: dict[str, bytes]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    return make


def _zip_bomb(path: Path) -> None:
    """About 210 MB of zeros that compress to a few hundred kB, beside a workbook part."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * 2**20
            for _ in range(210):
                member.write(block)


def _replace_member(member: str, text: str) -> Callable[[Path], None]:
    """The example with one XML part replaced (for entity attacks)."""

    def make(path: Path) -> None:
        with zipfile.ZipFile(EXAMPLE) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = text.encode() if item.filename == member else source.read(item.filename)
                target.writestr(item, data)

    return make


def _sheet_part(title: str) -> str:
    """The zip member of one of the example's sheets (openpyxl writes them in workbook order)."""
    return f"xl/worksheets/sheet{openpyxl.load_workbook(EXAMPLE, read_only=True).sheetnames.index(title) + 1}.xml"


def _rewrite(sheet: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """The example with one sheet's XML changed: what no spreadsheet program would write, but a file may hold."""

    def make(path: Path) -> None:
        member = _sheet_part(sheet)
        with zipfile.ZipFile(EXAMPLE) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                target.writestr(item, change(data) if item.filename == member else data)

    return make


def _raw_cell(sheet: str, ref: str, xml: str) -> Callable[[Path], None]:
    """The example with one cell's XML replaced."""

    def change(data: bytes) -> bytes:
        data, count = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)'.encode(), xml.encode(), data, count=1)
        assert count == 1, ref
        return data

    return _rewrite(sheet, change)


def _declared_dimension(ref: str) -> Callable[[Path], None]:
    """The example with the Kosten sheet declaring its size as ``ref`` (a file may say what it likes)."""
    return _rewrite("Kosten", lambda data: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data))


def _first_sheet_part() -> str:
    with zipfile.ZipFile(EXAMPLE) as archive:
        return sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))[1]


ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">
<c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">
<c r="A1" t="inlineStr"><is><t>&ext;</t></is></c></row></sheetData></worksheet>"""


def _truncated(path: Path) -> None:
    data = EXAMPLE.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _copy_as(path: Path) -> None:
    shutil.copy(EXAMPLE, path)


def _insert_title_rows(workbook) -> None:
    workbook["Budgetten"].insert_rows(1, 2)
    workbook["Budgetten"]["A1"] = "Begroting 2021-2025, versie raad"


def _percent_formatted_share(workbook) -> None:
    """28% typed into a percentage cell is stored as 0.28; it must still mean 28%."""
    workbook["Eisen"]["E14"] = 0.28
    workbook["Eisen"]["E14"].number_format = "0%"
    workbook["Instrumenten"]["F6"] = 0.95
    workbook["Instrumenten"]["F6"].number_format = "0%"


def _delete_sheet(name: str):
    def change(workbook):
        del workbook[name]

    return _edit(change)


def _hide(workbook) -> None:
    workbook["Doelgroepen"].sheet_state = "hidden"


def _formatted_far_away(ref: str):
    """One formatted, empty cell far below (a 30 KB file): must not make the reader fill a million rows."""

    def change(workbook):
        workbook["Kosten"][ref].number_format = "0%"

    return _edit(change)


def _merge(workbook) -> None:
    workbook["Instrumenten"].merge_cells("K4:K5")


def _duplicate_instrument(workbook) -> None:
    ws = workbook["Instrumenten"]
    ws.append([cell.value for cell in ws[4]])


def _case_variant_budget(workbook) -> None:
    ws = workbook["Budgetten"]
    row = [cell.value for cell in ws[5]]  # BUIG 2021
    row[0] = "buig"
    ws.append(row)


def _delete_header(workbook) -> None:
    workbook["Kosten"].delete_rows(3)


def _empty_instruments(workbook) -> None:
    workbook["Instrumenten"].delete_rows(4, 50)


def _two_fixed_scenarios(workbook) -> None:
    ws = workbook["Scenario's"]
    ws["C4"] = "ja"
    ws["C5"] = "ja"


def _remove_budget_year(workbook) -> None:
    ws = workbook["Budgetten"]
    ws.delete_rows(13)  # Participatiebudget 2023


def _rename_sheet(old: str, new: str):
    def change(workbook):
        workbook[old].title = new

    return change


def _copy_sheet(name: str, title: str, hidden: bool = False):
    """A second sheet whose title normalises like ``name``'s."""

    def change(workbook):
        copy = workbook.copy_worksheet(workbook[name])
        copy.title = title
        if hidden:
            copy.sheet_state = "hidden"

    return change


def _rename_instrument(new: str, references: str | None = None):
    """Trajecten renamed to ``new`` on its sheet; its rows on Kosten and Gekozen plan renamed to ``references``."""

    def change(workbook):
        workbook["Instrumenten"]["A9"] = new
        for sheet in ("Kosten", "Gekozen plan"):
            for row in workbook[sheet].iter_rows(min_row=4, max_col=1):
                if row[0].value == "Trajecten":
                    row[0].value = references or new
        for cell in ("B4", "B5"):  # the scenarios that list their instruments
            workbook["Scenario's"][cell] = workbook["Scenario's"][cell].value.replace("Trajecten", references or new)

    return change


def _delete_row(sheet: str, number: int):
    def change(workbook):
        workbook[sheet].delete_rows(number)

    return change


def _group_outside_plan_years(workbook) -> None:
    """Every row of 'Doelgroep Participatiewet' moved ten years on: its limit would silently vanish."""
    for number in (5, 7, 9, 11, 13):
        workbook["Doelgroepen"][f"B{number}"] = workbook["Doelgroepen"][f"B{number}"].value + 10


def _add_setting(key: str, value):
    def change(workbook):
        workbook["Instellingen"].append([key, value])

    return change


def _word_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


OLE2 = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504

CASES: list[Case] = [
    # -- the container ---------------------------------------------------------------------------
    Case("leeg", _bytes(b""), "is leeg (0 bytes)"),
    Case("afgebroken", _truncated, "beschadigd of onvolledig"),
    Case("oud-xls", _bytes(OLE2 + b"Workbook"), "oud Excel-bestand (.xls)", suffix=".xls"),
    Case("wachtwoord", _bytes(OLE2 + b"EncryptedPackage"), "met een wachtwoord beveiligd"),
    Case("csv-hernoemd", _bytes(b"budgetregel;jaar;beschikbaar\nBUIG;2021;12.700.000\n"),
         "een tekstbestand (bijvoorbeeld CSV)"),
    Case("docx-hernoemd", _bytes(_word_document()), "een Word-document"),
    Case("zip-zonder-werkmap", _zip({"data.txt": b"hallo"}), "zip-bestand maar geen Excel-werkmap"),
    Case("zip-bom", _zip_bomb, "zip-bom"),
    Case("entiteit-bom", lambda p: _replace_member(_first_sheet_part(), ENTITY_BOMB)(p),
         "kon niet als Excel-werkmap worden gelezen"),
    Case("externe-entiteit", lambda p: _replace_member(_first_sheet_part(), EXTERNAL_ENTITY)(p),
         "kon niet als Excel-werkmap worden gelezen"),
    Case("xlsm", _copy_as, "", ok=True, suffix=".xlsm"),
    # -- sheets, headers and layout --------------------------------------------------------------
    Case("blad-ontbreekt", _delete_sheet("Budgetten"), "Het blad 'Budgetten' ontbreekt"),
    Case("kolom-ontbreekt", _set("Budgetten", "C3", "geld"), "verplichte kolom 'beschikbaar' ontbreekt", cell="A3"),
    Case("kopregel-weg", _edit(_delete_header), "Geen kopregel gevonden", cell="A1"),
    Case("verborgen-blad", _edit(_hide), "verborgen", ok=True),
    Case("titelregels", _edit(_insert_title_rows), "", ok=True),
    Case("kopregel-hoofdletters", _set("Kosten", "D3", "Kosten Per Eenheid"), "", ok=True),
    Case("samengevoegd", _edit(_merge), "zijn samengevoegd", cell="K4"),
    Case("opgemaakte-cel-regel-1000000", _formatted_far_away("A1000000"), "", ok=True),
    Case("opgemaakte-cel-xfd1048576", _formatted_far_away("XFD1048576"), "", ok=True),
    Case("dimensie-regel-1000000", _declared_dimension("A1:F1000000"), "", ok=True),
    Case("dimensie-xfd1048576", _declared_dimension("A1:XFD1048576"), "", ok=True),
    Case("geen-instrumenten", _edit(_empty_instruments), "Er staan geen instrumenten"),
    # -- numbers ---------------------------------------------------------------------------------
    Case("getal-als-tekst", _set("Budgetten", "C4", "5.617.500,00"), "", ok=True),
    Case("euro-streepje", _set("Budgetten", "C6", "€ 1.050.000,-"), "", ok=True),
    Case("haakjes-negatief", _set("Budgetten", "D6", "(207.000)"), "", ok=True),
    Case("harde-spaties", _set("Budgetten", "C6", "1\u00a0050\u00a0000"), "", ok=True),
    Case("geen-getal", _set("Budgetten", "C4", "veel"), "'veel' is geen getal", cell="C4"),
    Case("nan", _set("Budgetten", "C4", "NaN"), "verwacht een eindig getal", cell="C4"),
    Case("oneindig", _set("Budgetten", "C4", "inf"), "verwacht een eindig getal", cell="C4"),
    Case("absurd-groot", _set("Budgetten", "C4", 1e15), "groter dan het maximum", cell="C4"),
    Case("negatief", _set("Instrumenten", "F6", -0.2), "'blijfkans' mag niet negatief zijn", cell="F6"),
    Case("blijfkans-boven-1", _set("Instrumenten", "F6", 1.5), "groter dan het maximum 1", cell="F6"),
    Case("formule-zonder-waarde", _set("Budgetten", "C4", "=1000*5000"), "formule zonder opgeslagen uitkomst",
         cell="C4"),
    Case("excel-fout", _set("Budgetten", "C4", "#DIV/0!"), "Excel-fout #DIV/0!", cell="C4"),
    Case("procent-opgemaakt", _edit(_percent_formatted_share), "", ok=True),
    Case("jaar-als-datum", _set("Budgetten", "B4", dt.datetime(1905, 7, 13)), "", ok=True),
    Case("datum-als-getal", _set("Budgetten", "C4", dt.datetime(2021, 3, 1)), "als datum opgemaakt", cell="C4"),
    Case("nvt-verplicht", _set("Budgetten", "C4", "n.v.t."), "'beschikbaar' is verplicht", cell="C4"),
    Case("nvt-optioneel", _set("Instrumenten", "N7", "-"), "", ok=True),
    # -- labels and references -------------------------------------------------------------------
    Case("dubbel-instrument", _edit(_duplicate_instrument), "Dubbele regel"),
    Case("hoofdletter-variant", _edit(_case_variant_budget), "Dubbele regel"),
    Case("stuurteken-in-naam", _set("Instrumenten", "A6", "Beschut\twerk "), "", ok=True),
    Case("onbekende-verwijzing", _set("Kosten", "B4", "Participatiebudjet"), "Onbekende budgetregel", cell="B4"),
    Case("jaar-ontbreekt", _edit(_remove_budget_year), "heeft geen regel voor 2023"),
    # -- choices and contradictions --------------------------------------------------------------
    Case("onbekende-keuze", _set("Instellingen", "B7", "zoveel mogelijk"), "geen geldige keuze", cell="B7"),
    Case("ja-nee", _set("Instellingen", "B9", "misschien"), "verwacht 'ja' of 'nee'", cell="B9"),
    Case("jaren-omgedraaid", _set("Instellingen", "B6", 2019), "ligt vóór het eerste jaar"),
    Case("min-boven-max", _set("Instrumenten", "I9", 500), "min_volume (500) is groter dan max_volume (150)"),
    Case("aandeel-boven-100", _set("Eisen", "E14", 128), "percentage tussen 0 en 100", cell="E14"),
    Case("twee-vaste-scenarios", _edit(_two_fixed_scenarios), "Hoogstens één scenario", cell="C5"),
    # -- round two: ordinary bad cells in optional columns, never an internal error ---------------
    Case("kosten-jaar-waar", _set("Kosten", "C4", True), "niet WAAR/ONWAAR", cell="C4"),
    Case("kosten-jaar-nul", _set("Kosten", "C4", 0), "kleiner dan het minimum 1990 voor 'jaar'", cell="C4"),
    Case("kosten-jaar-formule", _set("Kosten", "C4", "=2020+1"), "formule zonder opgeslagen uitkomst", cell="C4"),
    Case("kosten-jaar-negatief", _set("Kosten", "C4", -2021), "kleiner dan het minimum", cell="C4"),
    Case("max-aanvulling-waar", _set("Budgetten", "G4", True), "niet WAAR/ONWAAR", cell="G4"),
    Case("max-aanvulling-formule", _set("Budgetten", "G4", "=1/0"), "formule zonder opgeslagen uitkomst",
         cell="G4"),
    Case("max-aanvulling-negatief", _set("Budgetten", "G4", -5), "'max_aanvulling' mag niet negatief zijn",
         cell="G4"),
    Case("aanvulling-uit-waar", _set("Budgetten", "F4", True), "verwacht tekst, maar de cel bevat WAAR/ONWAAR",
         cell="F4"),
    Case("aanvulling-uit-nul", _set("Budgetten", "F4", 0), "Onbekende budgetregel '0'", cell="F4"),
    Case("aanvulling-uit-formule", _set("Budgetten", "F4", "=A5"), "formule zonder opgeslagen uitkomst", cell="F4"),
    Case("reuzengetal-in-tekstcel", _raw_cell("Instrumenten", "A6", '<c r="A6"><v>1e999</v></c>'),
         "een getal dat te groot is om te lezen", cell="A6"),
    Case("ongeldige-iso-datum", _raw_cell("Budgetten", "C4", '<c r="C4" t="d"><v>2021-13-45</v></c>'),
         "hoort een datum te bevatten, maar bevat '2021-13-45'", cell="C4"),
    Case("ongeldige-waar-onwaar", _raw_cell("Budgetten", "C4", '<c r="C4" t="b"><v>x</v></c>'),
         "hoort WAAR/ONWAAR te bevatten", cell="C4"),
    Case("ongeldig-getal-in-xml", _raw_cell("Budgetten", "C4", '<c r="C4"><v>12,5</v></c>'),
         "hoort een getal te bevatten, maar bevat '12,5'", cell="C4"),
    Case("opmaak-beschadigd", _raw_cell("Budgetten", "C4", '<c r="C4" s="999"><v>5</v></c>'),
         "De opmaak van deze cel is beschadigd", cell="C4"),
    # -- round two: no Python text in messages -----------------------------------------------------
    Case("tijd-in-getalcel", _raw_cell("Budgetten", "C4", '<c r="C4" t="d"><v>13:30:00</v></c>'),
         "de cel bevat de tijd 13:30", cell="C4"),
    Case("tijd-in-tekstcel", _raw_cell("Instrumenten", "A6", '<c r="A6" t="d"><v>13:30:00</v></c>'),
         "verwacht tekst, maar de cel bevat de tijd 13:30", cell="A6"),
    Case("waar-in-keuzecel", _set("Instellingen", "B7", True), "WAAR/ONWAAR is geen geldige keuze", cell="B7"),
    Case("tekst-van-32000-tekens", _set("Kosten", "B4", "Participatie" * 2700), "(32400 tekens)", cell="B4"),
    Case("excel-fout-in-tekstcel", _raw_cell("Instrumenten", "A6", '<c r="A6" t="e"><v>#N/A</v></c>'),
         "de cel bevat de Excel-fout #N/A", cell="A6"),
    # -- round two: nothing changes the model silently ----------------------------------------------
    Case("onbekende-kolom", _set("Kosten", "D3", "kosten_per_eenhied"), "bedoelt u 'kosten_per_eenheid'?",
         cell="D3"),
    Case("eigen-kolom", _set("Kosten", "G3", "opmerking"), "Onbekende kolom 'opmerking'", cell="G3"),
    Case("onbekende-instelling", _edit(_add_setting("tijdlimiet", 30)), "bedoelt u 'tijdslimiet'?", cell="A13"),
    Case("blad-verkeerd-gespeld", _edit(_rename_sheet("Gekozen plan", "Gekozen pln")),
         "Het blad 'Gekozen pln' wordt niet gelezen: bedoelt u 'Gekozen plan'?"),
    Case("verplicht-blad-verkeerd-gespeld", _edit(_rename_sheet("Budgetten", "Budgeten")), "bedoelt u 'Budgetten'?"),
    Case("twee-bladen-zelfde-naam", _edit(_copy_sheet("Kosten", "Kosten ")), "hebben dezelfde naam"),
    Case("verborgen-blad-met-accent", _edit(_copy_sheet("Kosten", "Kósten", hidden=True)),
         "'Kosten' en 'Kósten' (verborgen) hebben dezelfde naam"),
    Case("niet-latijnse-naam", _edit(_rename_instrument("תעסוקה")), "", ok=True, same_data=False),
    Case("niet-latijnse-onbekende-naam", _edit(_rename_instrument("תעסוקה", "عمل")), "Onbekend instrument 'عمل'",
         cell="A29"),
    Case("doelgroep-jaar-ontbreekt", _edit(_delete_row("Doelgroepen", 8)),
         "De doelgroep 'Oude Wsw-doelgroep' heeft geen regel voor 2023", cell="A4"),
    Case("doelgroep-buiten-planjaren", _edit(_group_outside_plan_years),
         "'Doelgroep Participatiewet' heeft geen regel voor 2021, 2022, 2023, 2024, 2025", cell="A5"),
    Case("eisterm-onbekende-eis", _set("Eistermen", "A4", "Banenafsprak"),
         "staat niet in blad 'Eisen'. Bedoelt u 'Banenafspraak'?", cell="A4"),
    Case("eisterm-niet-lineair", _set("Eistermen", "A4", "Taakstelling beschut werk"),
         "termen in 'Eistermen' gelden alleen voor een eis van soort 'lineair'", cell="A4"),
    Case("kring-van-aanvullingen", _set("Budgetten", "F7", "Participatiebudget"),
         "Participatiebudget -> Algemene middelen -> Participatiebudget, 2021; cellen F4 en F7", cell="F4"),
    Case("kring-van-overschotten", _set("Budgetten", "H7", "BUIG"), "De overschotten gaan in een kring", cell="H5"),
    Case("aandeel-als-fractie", _set("Eisen", "E14", 0.28), "Bedoelt u 28%?", ok=True, cell="E14", same_data=False),
    Case("blijfkans-als-procent", _set("Instrumenten", "F6", 94), "bedoelt u 0,94", cell="F6"),
]


def build(case: Case, folder: Path) -> Path:
    """Write one case into ``folder``; returns its path."""
    path = folder / f"{case.name}{case.suffix}"
    case.make(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    target.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        print(build(case, target))
