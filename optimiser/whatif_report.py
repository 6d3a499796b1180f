"""The what-if, answer-report, sensitivity, 'why', sweep and room-to-manoeuvre sheets, and their JSON.

Reads an :class:`~optimiser.whatif.Analysis` and words it in Dutch;
:func:`add_sheets` is the one call the result workbook makes.
"""

from __future__ import annotations

import math

from models.whatif import Batch, Outcome, plan_differences
from optimiser.texts import SHADOW_UNITS, euros, number, relaxation_text
from optimiser.whatif import Analysis
from optimiser.xlsx import EURO, NUMBER, PRICE, Book

FAMILY_LABELS = {"budget": "budget", "requirement": "eis", "group_capacity": "doelgroep", "step_up": "maximale groei",
                 "step_down": "maximale krimp", "scenario_allows": "scenario staat instroom toe", "stock": "voorraad",
                 "one_scenario": "één scenario", "participation_floor": "participatievloer",
                 "bound_v": "grens volume", "bound_u": "grens instroom", "bound_topup": "maximale aanvulling"}
VARIABLE_LABELS = {"v": "volume", "u": "instroom", "topup": "aanvulling", "surplus": "overschot", "y": "scenario"}
OPERATION_TEXT = {"*": "maal", "+": "plus", "=": "wordt"}


def _index(index: object) -> str:
    if index is None:
        return ""
    if isinstance(index, tuple):
        return " ".join("alle jaren samen" if x == "totaal" else str(x) for x in index)
    return str(index)


def rule_label(key: tuple) -> str:
    """A rule or bound by its family and index, in Dutch: 'budget Participatiebudget 2023'."""
    family, index = key
    return f"{FAMILY_LABELS.get(family, family)} {_index(index)}".strip()


def _value(x: object) -> str:
    return "(leeg)" if x is None else number(x, 4) if isinstance(x, float) else str(x)


def setting_text(setting) -> str:
    """One changed number: 'Participatiebudget 2023 beschikbaar: 5.084.400 -> 4.575.960'."""
    if setting.kind == "scenario":
        return f"scenario: {setting.old or 'vrij'} -> {setting.value or 'vrij'}"
    return f"{_index(setting.key)} {setting.field}: {_value(setting.old)} -> {_value(setting.value)}"


def _clean(x: float | None, digits: int = 6) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    x = round(x, digits)
    return 0.0 if x == 0 else x


def _outcome_row(base: Outcome, outcome: Outcome, lines: list[str]) -> list[object]:
    same = outcome is base
    diff = None if same or outcome.objective is None or base.objective is None else outcome.objective - base.objective
    money = outcome.money_per_line()
    new = sorted(outcome.binding - base.binding, key=str)
    gone = sorted(base.binding - outcome.binding, key=str) if outcome.has_plan else []
    explanation = "; ".join(relaxation_text(r) for r in outcome.relaxation())
    return [outcome.name, outcome.status, _clean(outcome.objective), _clean(diff),
            _clean(outcome.totals.get("person_years")), _clean(outcome.totals.get("benefit"), 2),
            _clean(outcome.totals.get("gemeente_spending"), 2), _clean(outcome.totals.get("topup"), 2),
            *[_clean(money.get(line), 2) for line in lines],
            "" if same else "; ".join(rule_label(k) for k in new[:20]),
            "" if same else "; ".join(rule_label(k) for k in gone[:20]),
            None if same or not outcome.has_plan else len(plan_differences(base, outcome)),
            "ja" if outcome.rebuilt else "nee", explanation,
            "" if same else "; ".join(setting_text(s) for s in outcome.settings[:20])]


def _batch_sheet(book: Book, batch: Batch, lines: list[str]) -> None:
    ws = book.sheet("Wat-als")
    intro = ("Elke wat-als naast het basisplan: status, doelstelling en verschil, persoonsjaren, baten, geld per "
             "budgetregel (alle jaren samen), wat gaat binden of niet meer bindt, en hoeveel volumes verschillen "
             "(details onderaan). Een onhaalbare wat-als krijgt de kleinste versoepeling.")
    if batch.interrupted:
        intro += f" Afgebroken: {len(batch.outcomes)} wat-als berekend."
    book.put(ws, 0, 0, intro)
    headers = ["wat-als", "status", "doelstelling", "verschil met basis", "persoonsjaren", "baten (€)",
               "geld gemeente (€)", "aanvullingen (€)", *[f"gebruikt {line} (€)" for line in lines],
               "gaat binden", "bindt niet meer", "volumes anders", "model opnieuw opgebouwd", "onhaalbaar: uitleg",
               "wijzigingen"]
    rows = [_outcome_row(batch.base, o, lines) for o in [batch.base, *batch.outcomes]]
    money = {c: EURO for c in range(5, 8 + len(lines))}
    end = book.table(ws, 2, headers, rows, {2: NUMBER, 3: NUMBER, 4: NUMBER, **money})
    details = [[o.name, i, t, _clean(b), _clean(w), _clean(w - b)] for o in batch.outcomes if o.has_plan
               for i, t, b, w in plan_differences(batch.base, o)]
    book.table(ws, end + 2, ["wat-als", "instrument", "jaar", "volume basis", "volume wat-als", "verschil"],
               details, {3: NUMBER, 4: NUMBER, 5: NUMBER}, freeze=False)


def _answer_sheet(book: Book, analysis: Analysis) -> None:
    ws = book.sheet("Antwoordrapport")
    book.put(ws, 0, 0, "Elke regel en elke grens van een variabele bij het plan: waarde, grenzen, bindend of niet, "
                       "ruimte tot de dichtstbijzijnde grens en schaduwprijs (verandering van de doelstelling per "
                       "eenheid ruimere grens). " + _conditional(analysis))
    rows = [[FAMILY_LABELS.get(r.family, r.family), _index(r.index), _clean(r.value), _clean(r.lower),
             _clean(r.upper), "bindend" if r.binding else "niet bindend", _clean(r.room), _clean(r.price)]
            for r in analysis.rows.itertuples()]
    end = book.table(ws, 2, ["regel", "index", "waarde", "ondergrens", "bovengrens", "bindend", "ruimte",
                             "schaduwprijs"], rows, {2: NUMBER, 3: NUMBER, 4: NUMBER, 6: NUMBER, 7: PRICE})
    bounds = [[VARIABLE_LABELS.get(b.variable, b.variable), _index(b.index), _clean(b.value), _clean(b.lower),
               _clean(b.upper), "bindend" if b.binding else "niet bindend", _clean(b.room), _clean(b.reduced_cost)]
              for b in analysis.bounds.itertuples()]
    book.table(ws, end + 2, ["variabele", "index", "waarde", "ondergrens", "bovengrens", "bindend", "ruimte",
                             "gereduceerde kosten"], bounds, {2: NUMBER, 3: NUMBER, 4: NUMBER, 6: NUMBER, 7: PRICE},
               freeze=False)


def _conditional(analysis: Analysis) -> str:
    if analysis.priced is not None and analysis.priced.conditional:
        return ("Het model heeft gehele aantallen en een scenariokeuze: prijzen, bereiken en 'waarom' gelden voor "
                "de gekozen gehele aantallen en het gekozen scenario.")
    return ""


def _objective_unit(objective: str) -> str:
    return "euro maatschappelijke waarde" if objective == "maatschappelijke_waarde" else "gewogen persoonsjaren"


def range_text(r, units: dict[str, str]) -> str:
    """One cost range in words."""
    unit = units.get(r.instrument, "eenheid")
    what = "kosten" if r.field == "cost" else "eenmalige kosten per instroom"
    if not r.used and r.down is not None and r.down_change is not None and r.instrument in r.down_change.entered:
        return (f"{r.instrument} komt in het plan als de {what} op {r.line} {euros(r.down)} per {unit} lager "
                "worden.")
    up = f"{euros(r.up)}" if r.up is not None else f"meer dan {euros(r.scale)}"
    down = f"{euros(r.down)}" if r.down is not None else f"meer dan {euros(r.scale)}"
    return (f"De {what} van {r.instrument} op {r.line} mogen {up} per {unit} stijgen en {down} dalen voordat "
            f"het plan verandert{_change_text(r.up_change)}.")


def _change_text(point) -> str:
    if point is None:
        return ""
    parts = [f"{i} komt erin" for i in point.entered] + [f"{i} valt weg" for i in point.left]
    parts += [f"{rule_label(k)} gaat binden" for k in point.starts_binding[:2]]
    parts += [f"{rule_label(k)} bindt niet meer" for k in point.stops_binding[:2]]
    return f" (daarna: {'; '.join(parts)})" if parts else ""


def _sensitivity_sheet(book: Book, analysis: Analysis, result, units: dict[str, str]) -> None:
    ws = book.sheet("Gevoeligheid")
    unit = SHADOW_UNITS.get(result.objective_name, "")
    book.put(ws, 0, 0, f"Schaduwprijzen ({unit}) met hun bereik, kostenbereiken en gereduceerde kosten, in woorden. "
                       + _conditional(analysis))
    lines: list[list[object]] = []
    for b in result.budgets.to_dict("records"):
        price = b.get("shadow_price")
        if price:
            down = euros(b["valid_down"]) if b.get("valid_down") is not None else "onbeperkt"
            up = euros(b["valid_up"]) if b.get("valid_up") is not None else "onbeperkt"
            lines.append(["budget", f"€1.000 meer {b['line']} {b['year']} levert {number(price, 4)} "
                                    f"{_objective_unit(result.objective_name)} op; dat geldt tot een daling van "
                                    f"{down} en een stijging van {up}."])
    for r in result.requirements.to_dict("records"):
        price = r.get("shadow_price")
        if price:
            year = "alle jaren samen" if r["year"] == "totaal" else r["year"]
            verb = "hogere" if price > 0 else "lagere"
            lines.append(["eis", f"Eis '{r['requirement']}' {year}: een eenheid {verb} grens levert "
                                 f"{number(abs(price), 4)} {_objective_unit(result.objective_name)} op."])
    for r in analysis.ranges or []:
        lines.append(["kosten", range_text(r, units)])
    for h in analysis.holds or []:
        if h.volume <= 1e-6 and h.reduced_cost is not None and h.reduced_cost < -1e-6:
            lines.append(["niet in het plan", f"{h.instrument} {h.year}: elke {units.get(h.instrument, 'eenheid')} "
                                              f"kost {number(-h.reduced_cost, 4)} "
                                              f"{_objective_unit(result.objective_name)} elders."])
    book.table(ws, 2, ["soort", "uitleg"], lines)


def hold_text(h, units: dict[str, str], objective: str) -> str:
    """What holds one instrument in one year, in one Dutch sentence."""
    unit = units.get(h.instrument, "eenheid")
    head = f"{h.instrument} {h.year} ({number(h.volume)} {unit})"
    gain = f"{number(abs(h.price), 4)} {_objective_unit(objective)}" if h.price is not None else ""
    family, index = h.family, h.index
    if h.volume <= 1e-6 and h.reduced_cost is not None and h.reduced_cost < -1e-6:
        return (f"{head}: niet in het plan; elke {unit} kost {number(-h.reduced_cost, 4)} "
                f"{_objective_unit(objective)} elders.")
    if family == "budget":
        return f"{head}: begrensd door het geld van {index[0]} {index[1]}; €1.000 meer levert {number(abs(h.price) * 1000, 4)} {_objective_unit(objective)} op."  # noqa: E501
    if family == "requirement":
        year = "alle jaren samen" if index[1] == "totaal" else index[1]
        if h.price > 0:
            return f"{head}: de eis '{index[0]}' {year} houdt het tegen; een eenheid ruimer levert {gain} op."
        return f"{head}: de eis '{index[0]}' {year} dwingt het af; een eenheid minder zou {gain} opleveren."
    if family == "group_capacity":
        return f"{head}: de doelgroep '{index[0]}' is in {index[1]} vol; één persoon meer levert {gain} op."
    if family in ("step_up", "step_down"):
        word = "groei" if family == "step_up" else "krimp"
        return f"{head}: de maximale {word} per jaar houdt het tegen; een eenheid meer ruimte levert {gain} op."
    if family == "scenario_allows":
        return f"{head}: het gekozen scenario staat geen nieuwe instroom toe; dat kost {gain} per eenheid."
    if family in ("bound_v", "bound_u"):
        what = "het maximale volume" if family == "bound_v" else "de maximale instroom"
        if h.at == "upper":
            return f"{head}: {what} houdt het tegen; één {unit} meer levert {gain} op."
        if family == "bound_u":
            return f"{head}: geen (extra) instroom; elke {unit} instroom kost {gain}."
        return f"{head}: het minimale volume dwingt het af; één {unit} minder zou {gain} opleveren."
    return f"{head}: geen regel in dit jaar houdt het vast; het volgt uit de voorraad (blijfkans) en andere jaren."


def _why_sheet(book: Book, analysis: Analysis, units: dict[str, str], objective: str) -> None:
    ws = book.sheet("Waarom")
    book.put(ws, 0, 0, "Per instrument en jaar wat het volume op zijn plaats houdt (de bindende regel met de "
                       "grootste prijs) en wat één eenheid meer ruimte zou opleveren. " + _conditional(analysis))
    rows = [[h.instrument, h.year, _clean(h.volume), hold_text(h, units, objective)] for h in analysis.holds]
    book.table(ws, 2, ["instrument", "jaar", "volume", "waarom"], rows, {2: NUMBER})


def _sweep_sheet(book: Book, analysis: Analysis) -> None:
    sweep = analysis.sweep
    ws = book.sheet("Reeks")
    book.put(ws, 0, 0, f"Reeks: {sweep.label}. De doelstelling per waarde; een knikpunt is waar het plan van "
                       "karakter verandert (een instrument komt erin of valt weg, een regel gaat binden of bindt "
                       "niet meer).")
    rows = []
    for p in sweep.points:
        rows.append([p.value, p.status, _clean(p.objective), _clean(p.objective) if p.breakpoint else None,
                     _change_text(p).removeprefix(" (daarna: ").removesuffix(")")])
    end = book.table(ws, 2, ["waarde", "status", "doelstelling", "knikpunt", "wat verandert"], rows,
                     {0: NUMBER, 2: NUMBER, 3: NUMBER})
    chart = book.workbook.add_chart({"type": "scatter", "subtype": "straight"})
    chart.add_series({"name": "doelstelling", "categories": ["Reeks", 3, 0, end, 0],
                      "values": ["Reeks", 3, 2, end, 2]})
    chart.add_series({"name": "knikpunt", "categories": ["Reeks", 3, 0, end, 0], "values": ["Reeks", 3, 3, end, 3],
                      "line": {"none": True}, "marker": {"type": "diamond", "size": 8}})
    chart.set_title({"name": "Wat levert het op?"})
    chart.set_x_axis({"name": "waarde"})
    chart.set_y_axis({"name": "doelstelling"})
    ws.insert_chart(2, 6, chart)


def _room_sheet(book: Book, analysis: Analysis) -> None:
    table = analysis.room
    ws = book.sheet("Speelruimte")
    book.put(ws, 0, 0, f"Binnen {number(table.tolerance * 100)}% van de hoogste participatie "
                       f"({number(table.best or 0)}): het laagste en hoogste volume van elk instrument, over alle "
                       "jaren samen. Een instrument met ruimte kan een ander vervangen; een vast instrument niet.")
    rows = []
    for r in table.rooms:
        verdict = "vast" if r.fixed else "kan schuiven" if r.lowest is not None else "geen antwoord"
        rows.append([r.instrument, r.unit, _clean(r.optimal), _clean(r.lowest), _clean(r.highest), verdict])
    book.table(ws, 2, ["instrument", "eenheid", "optimaal", "laagste", "hoogste", "oordeel"], rows,
               {2: NUMBER, 3: NUMBER, 4: NUMBER})


def add_sheets(book: Book, data, result, analysis: Analysis | None) -> None:
    """Every sheet of the analysis that has content."""
    if analysis is None:
        return
    units = {i: inst.unit for i, inst in data.instruments.items()}
    if analysis.batch is not None:
        _batch_sheet(book, analysis.batch, data.lines)
    if analysis.rows is not None:
        _answer_sheet(book, analysis)
        _sensitivity_sheet(book, analysis, result, units)
        _why_sheet(book, analysis, units, result.objective_name)
    if analysis.sweep is not None:
        _sweep_sheet(book, analysis)
    if analysis.room is not None:
        _room_sheet(book, analysis)
    if analysis.notes:
        ws = book.sheet("Analyse")
        book.table(ws, 0, ["opmerking"], [[n] for n in analysis.notes])


def _outcome_json(base: Outcome, outcome: Outcome) -> dict:
    return {
        "name": outcome.name,
        "status": outcome.status,
        "objective": outcome.objective,
        "difference": None if outcome.objective is None or base.objective is None
        else outcome.objective - base.objective,
        "totals": outcome.totals,
        "money_per_line": outcome.money_per_line(),
        "starts_binding": [rule_label(k) for k in sorted(outcome.binding - base.binding, key=str)],
        "stops_binding": [rule_label(k) for k in sorted(base.binding - outcome.binding, key=str)]
        if outcome.has_plan else [],
        "plan_differences": [{"instrument": i, "year": t, "base": b, "what_if": w}
                             for i, t, b, w in plan_differences(base, outcome)] if outcome.has_plan else [],
        "infeasibility": [{**r, "message": relaxation_text(r)} for r in outcome.relaxation()],
        "changes": [setting_text(s) for s in outcome.settings],
        "rebuilt": outcome.rebuilt,
    }


def json_part(analysis: Analysis | None) -> dict | None:
    """The what-ifs (and sweep and room, when asked) for ``--json``."""
    if analysis is None:
        return None
    out: dict = {}
    if analysis.batch is not None:
        batch = analysis.batch
        out["base"] = {"status": batch.base.status, "objective": batch.base.objective, "totals": batch.base.totals}
        out["runs"] = [_outcome_json(batch.base, o) for o in batch.outcomes]
        out["interrupted"] = batch.interrupted
    if analysis.sweep is not None:
        out["sweep"] = [{"value": p.value, "status": p.status, "objective": p.objective,
                         "breakpoint": p.breakpoint, "entered": list(p.entered), "left": list(p.left)}
                        for p in analysis.sweep.points]
    if analysis.room is not None:
        out["room"] = [{"instrument": r.instrument, "optimal": r.optimal, "lowest": r.lowest, "highest": r.highest,
                        "fixed": r.fixed} for r in analysis.room.rooms]
    return out


def batch_lines(analysis: Analysis | None) -> list[str]:
    """Short Dutch lines on the what-ifs for the terminal."""
    if analysis is None or analysis.batch is None:
        return []
    batch = analysis.batch
    lines = [f"Wat-als ({len(batch.outcomes)}{', afgebroken' if batch.interrupted else ''}):"]
    for o in batch.outcomes:
        if o.objective is not None and batch.base.objective is not None:
            lines.append(f"  {o.name}: {o.status}, doelstelling {number(o.objective, 2)} "
                         f"({number(o.objective - batch.base.objective, 2)} t.o.v. basis)")
        else:
            lines.append(f"  {o.name}: {o.status}")
        lines += [f"    - {relaxation_text(r)}" for r in o.relaxation()]
    return lines
