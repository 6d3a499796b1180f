"""Synthetic budget workbooks: municipalities x years x instruments, in the real input format.

Each municipality gets its own Participatiebudget, BUIG and Algemene middelen
lines and its own instruments (names prefixed with its number), so a workbook
of many municipalities is one block-diagonal model. Numbers are random but
seeded, in the ranges of the Steenwijkerland example.
"""

from __future__ import annotations

import random

INSTRUMENT_KINDS = [
    # name, retention, persons per unit, cost PB, cost BUIG, once PB
    ("Wsw intern", 0.93, 1.17, 22_700, 0, 0),
    ("Wsw detachering", 0.93, 1.17, 21_000, 0, 0),
    ("Beschut werk", 0.95, 1.1, 7_000, 10_300, 1_000),
    ("LKS bij SW-bedrijf", 0.85, 1.6, 4_500, 450, 1_500),
    ("LKS regulier", 0.85, 1.6, 3_000, 450, 1_500),
    ("Trajecten", 0.0, 1.0, 4_000, 0, 0),
    ("Jobcoaching", 0.7, 1.0, 2_500, 0, 500),
    ("Werkervaringsplek", 0.0, 1.0, 3_500, -2_000, 0),
    ("Arbeidsmatige dagbesteding", 0.9, 1.0, 8_000, 0, 0),
    ("Leerwerkplek", 0.5, 1.0, 5_000, -1_000, 500),
]


def content(municipalities: int, years: int, instruments: int, seed: int = 1,
            chosen: bool = False) -> dict[str, list[dict]]:
    """Sheets of a synthetic workbook (see :func:`optimiser.template.build_workbook`).

    With ``chosen`` a 'Gekozen plan' too: every starting stock running off,
    plus two placements a year in each instrument.
    """
    rnd = random.Random(seed)
    first = 2030
    span = list(range(first, first + years))
    budgets, rows, costs, requirements, plan = [], [], [], [], []
    for g in range(municipalities):
        prefix = f"G{g + 1:03d}"
        scale = rnd.uniform(0.3, 3.0)
        pb, buig, am = f"{prefix} Participatiebudget", f"{prefix} BUIG", f"{prefix} Algemene middelen"
        stock_cost = 0.0  # what the starting stock costs the Participatiebudget, so every case is feasible
        for k in range(instruments):
            name, retention, ppu, cost_pb, cost_buig, once_pb = INSTRUMENT_KINDS[k % len(INSTRUMENT_KINDS)]
            repeat = k // len(INSTRUMENT_KINDS)
            instrument = f"{prefix} {name}" + (f" {repeat + 1}" if repeat else "")
            stock = retention > 0  # a one-year instrument has no stock to carry over or to limit
            start = round(scale * rnd.uniform(5, 60), 1) if stock else 0
            # The step limit must allow the natural outflow of the starting stock, or no plan exists.
            step = max(round(scale * rnd.uniform(8, 30), 1), round(start * (1 - retention) + 1, 1))
            rows.append({"instrument": instrument, "personen_per_eenheid": ppu, "blijfkans": retention,
                         "beginstand": start, "max_instroom": round(scale * rnd.uniform(10, 40), 1),
                         "max_verandering": step if stock else None})
            jitter = rnd.uniform(0.85, 1.15)
            stock_cost += start * retention * cost_pb * jitter
            plan += [{"instrument": instrument, "jaar": t, "volume": round(start * retention ** (n + 1) + 2, 2)}
                     for n, t in enumerate(span)]
            costs.append({"instrument": instrument, "budgetregel": pb, "kosten_per_eenheid": round(cost_pb * jitter),
                          "eenmalig_per_instroom": once_pb})
            if cost_buig:
                costs.append({"instrument": instrument, "budgetregel": buig, "kosten_per_eenheid": cost_buig})
        for t in span:
            budgets += [
                {"budgetregel": pb, "jaar": t, "beschikbaar": round(stock_cost * 1.3 + scale * rnd.uniform(3e5, 1e6)),
                 "besparingstaakstelling": round(scale * 2e5), "aanvulling_uit": am,
                 "max_aanvulling": round(scale * 3e5), "drager": "gemeente"},
                {"budgetregel": buig, "jaar": t, "beschikbaar": round(scale * 12.7e6),
                 "vastgelegd": round(scale * 10.5e6), "aanvulling_uit": am, "overschot_naar": am, "drager": "rijk"},
                {"budgetregel": am, "jaar": t, "beschikbaar": 0, "drager": "gemeente"},
            ]
        requirements.append({"eis": f"{prefix} minimale inzet", "soort": "doel", "waarde": round(scale * 5),
                             "instrumenten": f"{prefix} {INSTRUMENT_KINDS[0][0]}"})
    sheets = {
        "Instellingen": [{"naam": f"Synthetisch {municipalities}x{years}x{instruments}", "eerste_jaar": first,
                          "laatste_jaar": span[-1], "doelstelling": "participatie", "gehele_aantallen": "nee",
                          "tijdslimiet": 600}],
        "Budgetten": budgets,
        "Instrumenten": rows,
        "Kosten": costs,
        "Eisen": requirements,
    }
    if chosen:
        sheets["Gekozen plan"] = plan
    return sheets
