"""An independent oracle: random small workbooks and the model written again in raw highspy.

:func:`random_content` makes the sheets of a small random workbook (the
layout of :func:`optimiser.template.build_workbook`). :func:`oracle` builds
the linear program from those sheets alone, following ``docs/formulation.md``
and the column meanings of ``docs/workbook.md``; it imports nothing from
``models`` or ``optimiser``, so a mistake in the tool's formulation or its
reading of the workbook cannot repeat itself here.
"""

from __future__ import annotations

import random
from collections import defaultdict

import highspy
import numpy as np

INF = highspy.kHighsInf
DEFAULT_BENEFIT = 5000.0  # docs/workbook.md: Instellingen, baten_per_persoon


def random_content(seed: int) -> dict[str, list[dict]]:
    """A small random workbook: 1-3 years, 1-3 instruments, three budget lines, a group and requirements.

    Budget lines as a municipality has them: the Participatiebudget (savings,
    topped up from the algemene middelen, sometimes with a cap), the BUIG
    (committed money, its surplus flowing to the algemene middelen, rijk) and
    the algemene middelen (gemeente). Some cases are infeasible on purpose.
    """
    rnd = random.Random(seed)
    first = 2030
    years = list(range(first, first + rnd.randint(1, 3)))
    pb, buig, am = "PB", "BUIG", "AM"
    instruments, costs = [], []
    names = [f"I{k}" for k in range(rnd.randint(1, 3))]
    for name in names:
        retention = rnd.choice([0.0, 0.5, 0.9, 1.0])
        row = {"instrument": name, "blijfkans": retention, "beginstand": rnd.choice([0, 2, 3.5]),
               "personen_per_eenheid": rnd.choice([1, 1.2]), "gewicht": rnd.choice([1, 1, 2]),
               "max_instroom": rnd.choice([None, 4, 10]), "doelgroep": "G" if rnd.random() < 0.5 else None}
        if retention > 0 and rnd.random() < 0.3:
            row["max_verandering"] = 6
        if rnd.random() < 0.3:
            row["baten_per_persoon"] = rnd.choice([2000, 8000])
        instruments.append(row)
        costs.append({"instrument": name, "budgetregel": pb, "kosten_per_eenheid": rnd.choice([500, 1000, 2500]),
                      "eenmalig_per_instroom": rnd.choice([0, 0, 300])})
        if rnd.random() < 0.4:
            costs.append({"instrument": name, "budgetregel": buig, "kosten_per_eenheid": rnd.choice([-400, 300])})
        if rnd.random() < 0.3:  # a year row overrides the all-years row
            costs.append({"instrument": name, "budgetregel": pb, "jaar": rnd.choice(years),
                          "kosten_per_eenheid": rnd.choice([700, 4000])})
    budgets = []
    for t in years:
        budgets += [
            {"budgetregel": pb, "jaar": t, "beschikbaar": rnd.choice([8000, 15000, 30000]),
             "besparingstaakstelling": rnd.choice([0, 1000]), "aanvulling_uit": am,
             "max_aanvulling": rnd.choice([None, 2000]), "drager": "gemeente"},
            {"budgetregel": buig, "jaar": t, "beschikbaar": 9000, "vastgelegd": rnd.choice([6000, 8000]),
             "aanvulling_uit": am, "overschot_naar": am, "drager": "rijk"},
            {"budgetregel": am, "jaar": t, "beschikbaar": rnd.choice([0, 3000]), "drager": "gemeente"},
        ]
    sheets = {
        "Instellingen": [{"naam": f"orakel {seed}", "eerste_jaar": years[0], "laatste_jaar": years[-1],
                          "doelstelling": rnd.choice(["participatie", "maatschappelijke_waarde"]),
                          "gehele_aantallen": "nee", "tijdslimiet": 60}],
        "Budgetten": budgets,
        "Instrumenten": instruments,
        "Kosten": costs,
    }
    if any(row["doelgroep"] for row in instruments):
        sheets["Doelgroepen"] = [{"doelgroep": "G", "jaar": t, "omvang": rnd.choice([6, 15]),
                                  "soort": rnd.choice(["hoogstens", "hoogstens", "precies"])} for t in years]
    requirements = []
    for k in range(rnd.randint(0, 2)):
        listed = rnd.sample(names, rnd.randint(1, len(names)))
        requirements.append({"eis": f"eis {k}", "soort": "doel", "richting": rnd.choice([">=", ">=", "<=", "="]),
                             "jaar": rnd.choice([None, years[-1], "totaal"]), "waarde": rnd.choice([1, 3, 6]),
                             "grootheid": rnd.choice(["volume", "instroom", "personen"]),
                             "instrumenten": ";".join(listed)})
    if requirements:
        sheets["Eisen"] = requirements
    return sheets


NAMED = {"instrument", "budgetregel", "aanvulling_uit", "overschot_naar", "doelgroep", "eis"}


def merge(blocks: list[dict[str, list[dict]]]) -> dict[str, list[dict]]:
    """One workbook holding several random cases side by side (names prefixed): its optimum is their sum.

    The cases share nothing, so the model is block-diagonal; writing and
    reading one workbook for many cases keeps the comparison fast. All blocks
    must have the same years and objective.
    """
    merged: dict[str, list[dict]] = {"Instellingen": blocks[0]["Instellingen"]}
    for k, block in enumerate(blocks):
        for sheet, rows in block.items():
            if sheet == "Instellingen":
                continue
            for row in rows:
                row = {key: (f"B{k} {value}" if key in NAMED and value else value) for key, value in row.items()}
                if row.get("instrumenten"):
                    row["instrumenten"] = ";".join(f"B{k} {i}" for i in row["instrumenten"].split(";"))
                merged.setdefault(sheet, []).append(row)
    return merged


class _Lp:
    """Columns and rows collected by name, then handed to HiGHS."""

    def __init__(self):
        self.col = {}
        self.lower, self.upper, self.cost = [], [], []
        self.rows = []

    def var(self, key, lower=0.0, upper=INF) -> int:
        self.col[key] = len(self.lower)
        self.lower.append(lower)
        self.upper.append(INF if upper is None else upper)
        self.cost.append(0.0)
        return self.col[key]

    def row(self, terms: dict[int, float], lower: float, upper: float) -> None:
        self.rows.append((terms, lower, upper))


def oracle(sheets: dict[str, list[dict]]) -> tuple[str, float | None]:
    """Status (``optimal`` or ``infeasible``) and optimal objective value of the workbook's LP."""
    settings = sheets["Instellingen"][0]
    years = list(range(settings["eerste_jaar"], settings["laatste_jaar"] + 1))
    instruments = {row["instrument"]: row for row in sheets["Instrumenten"]}
    lp = _Lp()
    for i, row in instruments.items():
        for t in years:
            lp.var(("v", i, t))
            lp.var(("u", i, t), 0.0, row.get("max_instroom"))
    budgets = {(row["budgetregel"], row["jaar"]): row for row in sheets["Budgetten"]}
    for key, row in budgets.items():
        if row.get("aanvulling_uit"):
            lp.var(("topup", *key), 0.0, row.get("max_aanvulling"))
        if row.get("overschot_naar"):
            lp.var(("surplus", *key))
    c = lp.col
    for i, row in instruments.items():  # stock: v[t] - r v[t-1] - u[t] = 0 (start on the right in year one)
        previous = None
        for t in years:
            terms = {c["v", i, t]: 1.0, c["u", i, t]: -1.0}
            start = row.get("beginstand") or 0.0
            if previous is None:
                lp.row(terms, row["blijfkans"] * start, row["blijfkans"] * start)
            else:
                terms[previous] = -row["blijfkans"]
                lp.row(terms, 0.0, 0.0)
            step = row.get("max_verandering")
            if step is not None:  # -step <= v[t] - v[t-1] <= step
                change = {c["v", i, t]: 1.0}
                if previous is None:
                    lp.row(change, start - step, start + step)
                else:
                    change[previous] = -1.0
                    lp.row(change, -step, step)
            previous = c["v", i, t]
    cost, once = {}, {}
    for row in sorted(sheets["Kosten"], key=lambda r: r.get("jaar") is not None):  # year rows override
        for t in ([row["jaar"]] if row.get("jaar") is not None else years):
            cost[row["instrument"], row["budgetregel"], t] = row.get("kosten_per_eenheid") or 0.0
            once[row["instrument"], row["budgetregel"], t] = row.get("eenmalig_per_instroom") or 0.0
    for (line, t), row in budgets.items():  # spend + paid top-ups + surplus - topup - received <= money left
        terms: dict[int, float] = defaultdict(float)
        for (i, b, year), value in cost.items():
            if (b, year) == (line, t):
                terms[c["v", i, t]] += value
                terms[c["u", i, t]] += once[i, b, year]
        for (other, year), o in budgets.items():
            if year == t and o.get("aanvulling_uit") == line:
                terms[c["topup", other, t]] += 1.0
            if year == t and o.get("overschot_naar") == line:
                terms[c["surplus", other, t]] -= 1.0
        if row.get("aanvulling_uit"):
            terms[c["topup", line, t]] -= 1.0
        if row.get("overschot_naar"):
            terms[c["surplus", line, t]] += 1.0
        money = row["beschikbaar"] - (row.get("besparingstaakstelling") or 0) - (row.get("vastgelegd") or 0)
        lp.row(dict(terms), money if row.get("overschot_naar") else -INF, money)
    for group in sheets.get("Doelgroepen", []):
        members = [i for i, row in instruments.items() if row.get("doelgroep") == group["doelgroep"]]
        t = group["jaar"]
        terms = {c["v", i, t]: float(instruments[i].get("personen_per_eenheid") or 1) for i in members}
        exact = group.get("soort") == "precies"
        lp.row(terms, group["omvang"] if exact else -INF, group["omvang"])
    for req in sheets.get("Eisen", []):
        listed = req["instrumenten"].split(";")
        spans = [years] if req.get("jaar") == "totaal" else [[req["jaar"]]] if req.get("jaar") else [[t] for t in years]
        for span in spans:
            terms = defaultdict(float)
            for i in listed:
                for t in span:
                    if req["grootheid"] == "instroom":
                        terms[c["u", i, t]] += 1.0
                    else:
                        ppu = float(instruments[i].get("personen_per_eenheid") or 1)
                        terms[c["v", i, t]] += ppu if req["grootheid"] == "personen" else 1.0
            value, sense = req["waarde"], req["richting"]
            lp.row(dict(terms), -INF if sense == "<=" else value, INF if sense == ">=" else value)
    societal = settings["doelstelling"] == "maatschappelijke_waarde"
    for i, row in instruments.items():  # participation: weight * persons; value: benefit * persons - top-ups
        ppu = float(row.get("personen_per_eenheid") or 1)
        per_person = (row.get("baten_per_persoon") or DEFAULT_BENEFIT) if societal else (row.get("gewicht") or 1)
        for t in years:
            lp.cost[c["v", i, t]] = per_person * ppu
    if societal:
        for key, col in c.items():
            if key[0] == "topup":
                lp.cost[col] = -1.0
    return _solve(lp)


def _solve(lp: _Lp) -> tuple[str, float | None]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = len(lp.lower)
    h.addVars(n, np.array(lp.lower, dtype=float), np.array(lp.upper, dtype=float))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(lp.cost, dtype=float))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for terms, lower, upper in lp.rows:
        terms = {k: v for k, v in terms.items() if v != 0}
        h.addRow(lower, upper, len(terms), np.array(list(terms), dtype=np.int32),
                 np.array(list(terms.values()), dtype=float))
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal", h.getInfo().objective_function_value
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return "infeasible", None
    return str(status), None
