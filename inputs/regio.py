"""Source of ``inputs/regio.xlsx``: a small region of three gemeenten sharing one SW-bedrijf.

Run ``python inputs/regio.py`` to regenerate the workbook. The region is made
up to show the workbook's region columns (issue 12, point 7): every figure is
an assumption, its explanation starts with ``AANNAME`` and gives the reasoning,
so that it is shaded in the workbook and listed on the sheet 'Aannames'.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimiser.template import write_template  # noqa: E402

YEARS = [2025, 2026, 2027]
COMPANY = "SW-bedrijf Regio"
# gemeente: (inhabitants, Participatiebudget per year, BUIG per year, Wsw SE at the start, beschut werk at the start)
GEMEENTEN = {
    "Aadorp": (48_000, 2_600_000, 14_000_000, 120, 14),
    "Beekstad": (30_000, 1_650_000, 8_500_000, 75, 9),
    "Cleefdal": (12_000, 700_000, 3_400_000, 30, 4),
}
DEFICIT = 600_000
"""Exploitatietekort of the company per year, shared by inhabitants."""


def _why(text: str) -> str:
    return f"AANNAME: {text}"


def budgets() -> list[dict]:
    rows = []
    for g, (_inh, pb, buig, _wsw, _bw) in GEMEENTEN.items():
        for t in YEARS:
            rows += [
                {"budgetregel": f"Participatiebudget {g}", "jaar": t, "beschikbaar": pb, "gemeente": g,
                 "aanvulling_uit": f"Algemene middelen {g}", "toelichting": _why(
                     "een Participatiebudget naar rato van de inwoners, vlak over de jaren.")},
                {"budgetregel": f"BUIG {g}", "jaar": t, "beschikbaar": buig, "vastgelegd": buig * 0.95,
                 "overschot_naar": f"Algemene middelen {g}", "drager": "rijk", "gemeente": g,
                 "toelichting": _why("95% van de BUIG gaat naar uitkeringen buiten dit plan.")},
                {"budgetregel": f"Algemene middelen {g}", "jaar": t, "beschikbaar": DEFICIT * _inh / 90_000 + 200_000,
                 "gemeente": g, "toelichting": _why(
                     "het deel van het exploitatietekort naar inwoners plus € 200.000 ruimte voor aanvulling.")},
            ]
    return rows


def instruments() -> list[dict]:
    rows = []
    for g, (_inh, _pb, _buig, wsw, bw) in GEMEENTEN.items():
        rows += [
            {"instrument": f"Wsw {g}", "eenheid": "SE", "personen_per_eenheid": 1.2, "beginstand": wsw,
             "blijfkans": 0.94, "max_instroom": 0, "organisatie": COMPANY, "gemeente": g, "hard": "ja",
             "toelichting": _why("de oude Wsw krimpt 6% per jaar (landelijk gemiddelde), geen instroom.")},
            {"instrument": f"Beschut werk {g}", "beginstand": bw, "blijfkans": 0.9, "max_verandering": 5,
             "organisatie": COMPANY, "gemeente": g, "geheel": "ja",
             "toelichting": _why("90% blijft een jaar later; hoogstens 5 fte groei per jaar.")},
            {"instrument": f"LKS regulier {g}", "blijfkans": 0.8, "max_volume": 80, "gemeente": g, "geheel": "ja",
             "toelichting": _why("80% blijft; hoogstens 80 plaatsingen per gemeente.")},
        ]
    return rows


def costs() -> list[dict]:
    rows = []
    for g in GEMEENTEN:
        pb, buig = f"Participatiebudget {g}", f"BUIG {g}"
        rows += [
            {"instrument": f"Wsw {g}", "budgetregel": pb, "kosten_per_eenheid": 23_000, "component": "Wsw-subsidie",
             "toelichting": _why("rijkssubsidie per SE rond € 23.000.")},
            {"instrument": f"Beschut werk {g}", "budgetregel": pb, "kosten_per_eenheid": 7_000,
             "component": "begeleiding", "toelichting": _why("begeleiding € 7.000 per fte.")},
            {"instrument": f"Beschut werk {g}", "budgetregel": buig, "kosten_per_eenheid": 16_000,
             "component": "LKS", "toelichting": _why("LKS € 16.000 per fte.")},
            {"instrument": f"LKS regulier {g}", "budgetregel": buig, "kosten_per_eenheid": 17_000 - 15_000,
             "component": "LKS min vermeden uitkering",
             "toelichting": _why("LKS € 17.000, vermeden uitkering € 15.000 per fte.")},
            {"instrument": f"LKS regulier {g}", "budgetregel": pb, "kosten_per_eenheid": 2_500,
             "component": "jobcoaching", "toelichting": _why("jobcoaching € 2.500 per fte.")},
        ]
    return rows


def content() -> dict[str, list[dict]]:
    return {
        "Instellingen": [{"naam": "Regio (voorbeeld, drie gemeenten)", "eerste_jaar": YEARS[0],
                          "laatste_jaar": YEARS[-1], "doelstelling": "lexicografisch"}],
        "Budgetten": budgets(),
        "Instrumenten": instruments(),
        "Kosten": costs(),
        "Eisen": [{"eis": "Capaciteit SW-bedrijf", "soort": "capaciteit", "organisatie": COMPANY, "waarde": 300,
                   "toelichting": _why("het gedeelde SW-bedrijf heeft plaats voor 300 eenheden; een eis van de "
                                       "hele regio (geen gemeente).")}]
        + [{"eis": f"Taakstelling beschut werk {g}", "soort": "doel", "instrumenten": f"Beschut werk {g}",
            "waarde": bw, "gemeente": g, "toelichting": _why("minstens de huidige stand beschut werk.")}
           for g, (_i, _p, _b, _w, bw) in GEMEENTEN.items()],
        "Verdeelsleutels": [{"organisatie": COMPANY, "gemeente": g, "budgetregel": f"Algemene middelen {g}",
                             "sleutel": "inwoners", "waarde": inh,
                             "toelichting": _why("inwoners per gemeente, afgerond.")}
                            for g, (inh, *_rest) in GEMEENTEN.items()],
        "Gedeelde kosten": [{"organisatie": COMPANY, "bedrag": DEFICIT, "component": "exploitatietekort",
                             "toelichting": _why("exploitatietekort van het SW-bedrijf € 600.000 per jaar.")}],
    }


if __name__ == "__main__":
    target = write_template(ROOT / "inputs" / "regio.xlsx", content())
    print(f"Geschreven: {target}")
