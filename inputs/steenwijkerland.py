"""Source of ``inputs/steenwijkerland.xlsx``: the Steenwijkerland case as reviewable data.

Run ``python inputs/steenwijkerland.py`` to regenerate the workbook. Figures
from the documents in ``../shared/seeds`` are marked with their source; every
other figure starts its explanation with ``AANNAME`` and gives the reasoning,
so that it is shaded in the workbook and listed on the sheet 'Aannames'.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimiser.template import write_template  # noqa: E402

YEARS = [2021, 2022, 2023, 2024, 2025]
NWG = "NWG"
DOC = "Raadsvoorstel scenario 3 / presentatie NWG-scenario's"

# --- Meerjarenraming NWG 2021-2025 (documents, k€ and FTE) --------------------------------
OPERATIONEEL_RESULTAAT = [457, 485, 512, 539, 568]
RISICO_STELPOST = [250, 150, 0, 0, 0]
WSW_FTE = [205, 195, 182, 169, 156]
WSW_NETTO = [452, 478, 437, 396, 316]
LKS_FTE = [42, 48, 54, 60, 66]
LKS_NETTO = [588, 677, 771, 866, 959]
BESCHUT_FTE = [21, 25, 29, 33, 37]
BESCHUT_NETTO = [196, 229, 263, 298, 333]
BESPARING = [245_000, 420_000, 570_000, 570_000, 570_000]
# Extra budget for begeleidingskosten: €330k (2022) rising to €626k (2025); 2023-2024 interpolated.
EXTRA_BUDGET = [0, 330_000, 429_000, 527_000, 626_000]

# --- Assumptions (each explained where it is used) --------------------------------------------
WSW_SUBSIDIE_PER_FTE = 22_700
WSW_DETACHERING_AANDEEL = 0.30
PERSONEN_PER_FTE_WSW = 1.17  # 255 persons / 218 FTE (2020)
BLIJFKANS_LKS = 0.85
BLIJFKANS_BESCHUT = 0.95
TRAJECTEN_PER_JAAR = 60
PB_KOSTEN = {"Beschut werk": 7_000, "LKS bij NWG": 4_500, "LKS regulier": 3_000, "Trajecten": 4_000}
PB_EENMALIG = {"Beschut werk": 1_000, "LKS bij NWG": 1_500, "LKS regulier": 1_500}
PERSONEN_PER_FTE_LKS = 1.6  # ~75 persons at NWG (60% of ~125) on 47 FTE (2020)
LKS_REGULIER_FTE = 31.25  # ~50 persons (40% of ~125) / 1.6
START = {"Beschut werk": 18.3, "LKS bij NWG": 47, "LKS regulier": LKS_REGULIER_FTE}
RETENTION = {"Beschut werk": BLIJFKANS_BESCHUT, "LKS bij NWG": BLIJFKANS_LKS, "LKS regulier": BLIJFKANS_LKS,
             "Trajecten": 0.0}


def chosen_plan() -> dict[str, list[float]]:
    """The NWG multi-year plan (documents), Wsw split by the assumed detachering share."""
    return {
        "Wsw intern": [round(f * (1 - WSW_DETACHERING_AANDEEL), 2) for f in WSW_FTE],
        "Wsw detachering": [round(f * WSW_DETACHERING_AANDEEL, 2) for f in WSW_FTE],
        "Beschut werk": BESCHUT_FTE,
        "LKS bij NWG": LKS_FTE,
        "LKS regulier": [LKS_REGULIER_FTE] * len(YEARS),
        "Trajecten": [TRAJECTEN_PER_JAAR] * len(YEARS),
    }


def participatiebudget_reintegratie() -> list[int]:
    """Re-integration part of the Participatiebudget, calibrated on the chosen plan.

    The documents give no total. We take the part that makes the chosen plan
    need exactly the extra budget the council granted, after the savings
    target: begeleiding of the plan = part - savings + extra budget.
    """
    plan = chosen_plan()
    parts = []
    for k, _year in enumerate(YEARS):
        use = 0.0
        for name, yearly in PB_KOSTEN.items():
            volume = plan[name][k]
            previous = START.get(name, 0.0) if k == 0 else plan[name][k - 1]
            inflow = volume - RETENTION[name] * previous
            use += yearly * volume + PB_EENMALIG.get(name, 0) * inflow
        parts.append(int(-(-(use + BESPARING[k] - EXTRA_BUDGET[k]) // 1000) * 1000))  # round up to €1,000
    return parts


def per_fte(total_k: list[int], fte: list[int]) -> list[float]:
    """Net cost per FTE from a total in k€ and the FTE of that year."""
    return [round(t * 1000 / f, 2) for t, f in zip(total_k, fte, strict=True)]


def budgets() -> list[dict]:
    rows = []
    reintegratie = participatiebudget_reintegratie()
    for k, year in enumerate(YEARS):
        wsw_deel = WSW_SUBSIDIE_PER_FTE * WSW_FTE[k]
        rows += [
            {"budgetregel": "Participatiebudget", "jaar": year, "beschikbaar": wsw_deel + reintegratie[k],
             "besparingstaakstelling": BESPARING[k], "aanvulling_uit": "Algemene middelen",
             "max_aanvulling": EXTRA_BUDGET[k], "drager": "gemeente",
             "toelichting": f"AANNAME: totaal niet in de documenten. Wsw-deel €{WSW_SUBSIDIE_PER_FTE:,} x "
                            f"{WSW_FTE[k]} fte = €{wsw_deel:,}; re-integratiedeel €{reintegratie[k]:,} zo gekozen "
                            "dat het gekozen plan na de besparingstaakstelling (document) precies het extra budget "
                            "van de raad (€330k 2022 - €626k 2025, document; 2023-2024 geïnterpoleerd) als "
                            "aanvulling nodig heeft."},
            {"budgetregel": "BUIG", "jaar": year, "beschikbaar": 12_700_000 if year == 2021 else 13_700_000,
             "vastgelegd": 10_500_000, "aanvulling_uit": "Algemene middelen", "overschot_naar": "Algemene middelen",
             "drager": "rijk",
             "toelichting": "AANNAME: BUIG 2020 €12,7 mln (document) plus de verwachte €1 mln extra door de "
                            "LKS-verdeling vanaf 2022 (document). Vastgelegd: uitkeringen aan de overige "
                            "bijstandsgerechtigden, €11,5 mln netto uitgaven 2020 min €1,0 mln LKS (document)."},
            {"budgetregel": "Gemeentelijke bijdrage NWG", "jaar": year, "beschikbaar": 1_050_000,
             "vastgelegd": (RISICO_STELPOST[k] - OPERATIONEEL_RESULTAAT[k]) * 1000, "drager": "gemeente",
             "toelichting": "Plafond €1,05 mln (raad: bijdrage 'rond € 1 mln'). Vastgelegd = risico-stelpost min "
                            "operationeel resultaat NWG uit de meerjarenraming (document)."},
            {"budgetregel": "Algemene middelen", "jaar": year, "beschikbaar": 0, "drager": "gemeente",
             "toelichting": "AANNAME: geen eigen ruimte buiten wat de raad toekende; ontvangt het BUIG-overschot en "
                            "betaalt aanvullingen en frictiekosten."},
        ]
    return rows


def instruments() -> list[dict]:
    common_lks = {"doelgroep": "Doelgroep Participatiewet", "personen_per_eenheid": PERSONEN_PER_FTE_LKS,
                  "blijfkans": BLIJFKANS_LKS}
    return [
        {"instrument": "Wsw intern", "doelgroep": "Oude Wsw-doelgroep", "personen_per_eenheid": PERSONEN_PER_FTE_WSW,
         "blijfkans": 0, "organisatie": NWG,
         "toelichting": "AANNAME: de omvang van de oude Wsw-groep is gegeven (blad Doelgroepen, precies); het model "
                        "kiest elk jaar de verdeling intern/gedetacheerd, daarom blijfkans 0. De afbouwreeks van de "
                        "meerjarenraming (205 naar 156 fte, document) geldt zo voor het totaal; een gegeven reeks of "
                        "een blijfkans per jaar op elk instrument (blad Verloop) zou de verdeling vastleggen. 1,17 "
                        "personen per fte = 255 personen / 218 fte (2020, document)."},
        {"instrument": "Wsw detachering", "doelgroep": "Oude Wsw-doelgroep",
         "personen_per_eenheid": PERSONEN_PER_FTE_WSW, "blijfkans": 0, "organisatie": NWG,
         "toelichting": "AANNAME: als Wsw intern; zelfde netto kosten per fte (de documenten splitsen niet)."},
        {"instrument": "Beschut werk", "personen_per_eenheid": 1.1, "beginstand": START["Beschut werk"],
         "blijfkans": BLIJFKANS_BESCHUT, "max_verandering": 6, "organisatie": NWG,
         "toelichting": "Beginstand 18,3 fte eind 2020 (document). AANNAME: blijfkans 0,95, 1,1 persoon per fte, "
                        "groei hoogstens 6 fte per jaar (gedoseerde groei)."},
        {"instrument": "LKS bij NWG", **common_lks, "beginstand": START["LKS bij NWG"], "max_verandering": 8,
         "organisatie": NWG,
         "toelichting": "Beginstand 47 fte (document). AANNAME: blijfkans 0,85 (doorstroom naar regulier werk), "
                        "1,6 personen per fte (~75 personen, 60% van ~125 met LKS, op 47 fte; document), groei "
                        "hoogstens 8 fte per jaar."},
        {"instrument": "LKS regulier", **common_lks, "beginstand": START["LKS regulier"], "max_instroom": 20,
         "toelichting": "AANNAME: 40% van ~125 inwoners met LKS (document) = 50 personen = 31,25 fte bij 1,6 "
                        "personen per fte; hoogstens 20 fte nieuwe plaatsingen per jaar bij reguliere werkgevers."},
        {"instrument": "Trajecten", "doelgroep": "Doelgroep Participatiewet", "eenheid": "trajecten",
         "blijfkans": 0, "max_volume": 150, "geheel": "ja",
         "toelichting": "AANNAME: diagnose-, leerwerk- en ontwikkeltrajecten van een jaar; hoogstens 150 per jaar."},
    ]


def costs() -> list[dict]:
    rows = []
    nwg = "Gemeentelijke bijdrage NWG"
    for name, totals, fte in (("Wsw intern", WSW_NETTO, WSW_FTE), ("Wsw detachering", WSW_NETTO, WSW_FTE),
                              ("Beschut werk", BESCHUT_NETTO, BESCHUT_FTE), ("LKS bij NWG", LKS_NETTO, LKS_FTE)):
        group_fte = "Wsw" if name.startswith("Wsw") else name
        for year, value, t, f in zip(YEARS, per_fte(totals, fte), totals, fte, strict=True):
            rows.append({"instrument": name, "budgetregel": nwg, "jaar": year, "kosten_per_eenheid": value,
                         "component": "exploitatietekort",
                         "toelichting": f"Meerjarenraming NWG (document): {group_fte} netto €{t}k / {f} fte."})
    for name in ("Wsw intern", "Wsw detachering"):
        rows.append({"instrument": name, "budgetregel": "Participatiebudget",
                     "kosten_per_eenheid": WSW_SUBSIDIE_PER_FTE, "component": "Wsw-subsidie",
                     "toelichting": "AANNAME: Wsw-rijkssubsidie per standaardeenheid ~€22,7k (referentiecijfer "
                                    "2019/2020), doorbetaald aan NWG."})
    for name, yearly in PB_KOSTEN.items():
        rows.append({"instrument": name, "budgetregel": "Participatiebudget", "kosten_per_eenheid": yearly,
                     "component": "begeleiding",
                     "toelichting": f"AANNAME: begeleiding/jobcoaching €{yearly:,} per eenheid per jaar."})
        if PB_EENMALIG.get(name):
            rows.append({"instrument": name, "budgetregel": "Participatiebudget",
                         "eenmalig_per_instroom": PB_EENMALIG[name], "component": "plaatsing",
                         "toelichting": f"AANNAME: eenmalig €{PB_EENMALIG[name]:,} per plaatsing "
                                        "(loonwaardemeting, werkplekaanpassing)."})
    # BUIG: the wage subsidy (LKS) and the benefit it avoids, as two components (net €450 and €10.320 per fte).
    for name, lks, avoided, source in (
            ("LKS bij NWG", 15_600, 15_150,
             "AANNAME: LKS €9.750 per persoon (€1.024k voor 105 personen in 2020, document) x 1,6 personen per fte "
             "= €15.600; vermeden uitkering: 2/3 komt uit de bijstand (document) x €14.200 per persoon (netto BUIG "
             "2020 / 737 cliënten) x 1,6 = €15.150."),
            ("LKS regulier", 15_600, 15_150, "AANNAME: als LKS bij NWG."),
            ("Beschut werk", 16_000, 5_680,
             "AANNAME: LKS ~€16.000 per fte (referentiecijfer); vermeden uitkering voor 1/3 uit de bijstand "
             "(€5.680).")):
        rows += [{"instrument": name, "budgetregel": "BUIG", "kosten_per_eenheid": lks, "component": "LKS",
                  "toelichting": source},
                 {"instrument": name, "budgetregel": "BUIG", "kosten_per_eenheid": -avoided,
                  "component": "vermeden uitkering", "toelichting": source}]
    return rows


def groups() -> list[dict]:
    rows = []
    for year, fte in zip(YEARS, WSW_FTE, strict=True):
        rows.append({"doelgroep": "Oude Wsw-doelgroep", "jaar": year, "omvang": round(fte * PERSONEN_PER_FTE_WSW, 2),
                     "soort": "precies",
                     "toelichting": f"{fte} fte Wsw (document) x 1,17 personen per fte; iedereen houdt een plek."})
        rows.append({"doelgroep": "Doelgroep Participatiewet", "jaar": year, "omvang": 900, "soort": "hoogstens",
                     "toelichting": "AANNAME: 773 uitkeringen (aug. 2020, document) plus ~125 inwoners met LKS."})
    return rows


def requirements() -> tuple[list[dict], list[dict]]:
    taakstelling = [21.4, 24.9, 28.3, 31.8, 35.2]
    bezetting = [w + lks + b for w, lks, b in zip(WSW_FTE, LKS_FTE, BESCHUT_FTE, strict=True)]
    rows = [{"eis": "Taakstelling beschut werk", "soort": "doel", "jaar": y, "waarde": v,
             "instrumenten": "Beschut werk",
             "toelichting": "AANNAME: landelijke taakstelling gelijk aan de prognose beschut werk uit scenario 1 "
                            "(document); de raad wil die minimaal halen (document)."}
            for y, v in zip(YEARS, taakstelling, strict=True)]
    rows += [{"eis": "Maximale bezetting NWG", "soort": "capaciteit", "jaar": y, "waarde": v, "organisatie": NWG,
              "toelichting": "Totaal fte uit de meerjarenraming NWG (document); de raad maakt jaarlijks afspraken "
                             "over de maximale bezetting (besluit, punt 2)."}
             for y, v in zip(YEARS, bezetting, strict=True)]
    rows += [
        {"eis": "Wsw buiten de muren", "soort": "aandeel", "waarde": 28, "instrumenten": "Wsw detachering",
         "aandeel_van": "Wsw intern",
         "toelichting": "AANNAME: beleidsdoel minstens 28% van de Wsw gedetacheerd (voorbeeld uit de domeinuitleg)."},
        {"eis": "Banenafspraak", "soort": "lineair", "richting": ">=", "waarde": 125, "grootheid": "personen",
         "toelichting": "AANNAME: regionale taakstelling banenafspraak (document noemt geen getal): minstens "
                        "125 inwoners met LKS of beschut werk (nu ~125 met LKS alleen, document)."},
    ]
    terms = [{"eis": "Banenafspraak", "instrument": name, "coefficient": 1}
             for name in ("Beschut werk", "LKS bij NWG", "LKS regulier")]
    return rows, terms


def scenarios() -> tuple[list[dict], list[dict]]:
    wsw_bw = "Wsw intern; Wsw detachering; Beschut werk; LKS regulier; Trajecten"
    rows = [
        {"scenario": "1 Wsw en beschut werk", "toegestane_instrumenten": wsw_bw,
         "toelichting": "NWG alleen Wsw + beschut werk; geen eigen LKS-plaatsingen (document)."},
        {"scenario": "2 Arbeidsontwikkelbedrijf", "toegestane_instrumenten": wsw_bw,
         "toelichting": "NWG ook trajecten en leerwerkplekken, geen eigen LKS-plaatsingen (document)."},
        {"scenario": "3 Sociale onderneming", "toelichting": "NWG neemt ook zelf mensen met LKS in dienst; "
                                                             "gekozen door de raad (document)."},
    ]
    first = YEARS[0]
    costs = [
        {"scenario": "1 Wsw en beschut werk", "budgetregel": "Algemene middelen", "jaar": first,
         "frictiekosten": 2_200_000,
         "toelichting": "Frictiekosten ~€2,2 mln incidenteel (document), in het eerste jaar."},
        {"scenario": "2 Arbeidsontwikkelbedrijf", "budgetregel": "Algemene middelen", "jaar": first,
         "frictiekosten": 1_800_000,
         "toelichting": "Frictiekosten ~€1,8 mln incidenteel (document), in het eerste jaar."},
    ]
    for k, year in enumerate(YEARS):
        costs.append({"scenario": "1 Wsw en beschut werk", "budgetregel": "Gemeentelijke bijdrage NWG", "jaar": year,
                      "vaste_kosten": round(200_000 * (k + 1) / len(YEARS)),
                      "toelichting": "AANNAME: de bijdrage loopt op tot ~€1,2 mln in 2025 (document) door dalende "
                                     "omzet: oplopend tot €200k per jaar."})
    return rows, costs


def content() -> dict[str, list[dict]]:
    """Every sheet of the example workbook."""
    eisen, termen = requirements()
    scenario_rows, scenario_costs = scenarios()
    plan = [{"instrument": name, "jaar": year, "volume": volume,
             "toelichting": "Meerjarenraming NWG (document)" if not name.startswith(("Wsw", "LKS reg", "Traj"))
             else "AANNAME: verdeling Wsw 70% intern / 30% gedetacheerd; LKS regulier en trajecten gelijk gehouden."}
            for name, volumes in chosen_plan().items() for year, volume in zip(YEARS, volumes, strict=True)]
    return {
        "Instellingen": [{"naam": "Steenwijkerland - participatie 2021-2025", "eerste_jaar": YEARS[0],
                          "laatste_jaar": YEARS[-1], "doelstelling": "participatie", "baten_per_persoon": 5000,
                          "gehele_aantallen": "ja", "tijdslimiet": 30, "gekozen_scenario": "3 Sociale onderneming",
                          "_toelichting": {"baten_per_persoon": "Maatschappelijke kosten-batenanalyse: €5.000 per "
                                                                "persoon per jaar (document)."}}],
        "Budgetten": budgets(),
        "Instrumenten": instruments(),
        "Kosten": costs(),
        "Doelgroepen": groups(),
        "Eisen": eisen,
        "Eistermen": termen,
        "Scenario's": scenario_rows,
        "Scenariokosten": scenario_costs,
        "Gekozen plan": plan,
    }


if __name__ == "__main__":
    target = write_template(ROOT / "inputs" / "steenwijkerland.xlsx", content())
    print(f"Geschreven: {target}")
