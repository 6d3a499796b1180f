"""The what-if, answer-report, sensitivity, 'why', sweep and room-to-manoeuvre sheets, and their JSON.

Reads an :class:`~optimiser.whatif.Analysis` and words it in the run's
language (texts from ``texts.csv``); :func:`add_sheets` is the one call the
result workbook makes. Every sheet has a title, an explanation, formatted
numbers and the print settings of :class:`~optimiser.xlsx.Book`.
"""

from __future__ import annotations

import math

from models.whatif import Batch, Outcome, plan_differences
from optimiser.texts import DUTCH, Texts, relaxation_text, shadow_unit
from optimiser.whatif import Analysis
from optimiser.xlsx import Book, table_widths

MAX_LISTED = 20
"""Rules and changes named in one cell of the what-if table at most."""
SENTENCE_WIDTH = 36
"""Width of a column of sentences in a wide table: the text wraps rather than widen the printed page."""


def _index(index: object, tx: Texts) -> str:
    if index is None:
        return ""
    if isinstance(index, tuple):
        return " ".join(tx("year.total") if x == "totaal" else str(x) for x in index)
    return str(index)


def rule_label(key: tuple, tx: Texts = DUTCH) -> str:
    """A rule or bound by its family and index: 'budget Participatiebudget 2023'."""
    family, index = key
    return f"{tx.get(f'family.{family}', family)} {_index(index, tx)}".strip()


def _state(status: str, tx: Texts) -> str:
    return tx.get(f"state.{status}", status)


def _value(x: object, tx: Texts) -> str:
    return tx("whatif.empty") if x is None else tx.number(x, 4) if isinstance(x, float) else str(x)


def setting_text(setting, tx: Texts = DUTCH) -> str:
    """One changed number: 'Participatiebudget 2023 beschikbaar: 5.084.400 -> 4.575.960'."""
    if setting.kind == "scenario":
        free = tx("whatif.free")
        return tx("whatif.scenario_change", old=setting.old or free, new=setting.value or free)
    field = tx.get(f"field.{setting.field}", setting.field)
    return f"{_index(setting.key, tx)} {field}: {_value(setting.old, tx)} -> {_value(setting.value, tx)}"


def _clean(x: float | None, digits: int = 6) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    x = round(x, digits)
    return 0.0 if x == 0 else x


def _outcome_row(base: Outcome, outcome: Outcome, lines: list[str], tx: Texts) -> list[object]:
    same = outcome is base
    diff = None if same or outcome.objective is None or base.objective is None else outcome.objective - base.objective
    money = outcome.money_per_line()
    new = sorted(outcome.binding - base.binding, key=str)
    gone = sorted(base.binding - outcome.binding, key=str) if outcome.has_plan else []
    explanation = "; ".join(relaxation_text(r, tx) for r in outcome.relaxation())
    return [tx("whatif.base") if same else outcome.name, _state(outcome.status, tx), _clean(outcome.objective),
            _clean(diff),
            _clean(outcome.totals.get("person_years")), _clean(outcome.totals.get("benefit"), 2),
            _clean(outcome.totals.get("gemeente_spending"), 2), _clean(outcome.totals.get("topup"), 2),
            *[_clean(money.get(line), 2) for line in lines],
            None if same else "; ".join(rule_label(k, tx) for k in new[:MAX_LISTED]) or None,
            None if same else "; ".join(rule_label(k, tx) for k in gone[:MAX_LISTED]) or None,
            None if same or not outcome.has_plan else len(plan_differences(base, outcome)),
            tx("yes") if outcome.rebuilt else tx("no"), explanation or None,
            None if same else "; ".join(setting_text(s, tx) for s in outcome.settings[:MAX_LISTED]) or None]


def _batch_sheet(book: Book, batch: Batch, lines: list[str], tx: Texts) -> None:
    ws = book.sheet(tx("sheet.whatif"))
    f = book.formats
    note = tx("note.whatif")
    if batch.interrupted:
        note += " " + tx("whatif.interrupted", count=len(batch.outcomes))
    headers = [tx(f"col.{c}") for c in ("whatif", "status", "objective", "objective_difference", "person_years",
                                        "benefit", "gemeente", "topups")]
    headers += [tx("col.used_line", line=line) for line in lines]
    headers += [tx(f"col.{c}") for c in ("starts_binding", "stops_binding", "volumes_different", "rebuilt",
                                        "infeasible_explanation", "changes")]
    rows = [_outcome_row(batch.base, o, lines, tx) for o in [batch.base, *batch.outcomes]]
    details = [[o.name, i, t, _clean(b), _clean(w), _clean(w - b)] for o in batch.outcomes if o.has_plan
               for i, t, b, w in plan_differences(batch.base, o)]
    detail_headers = [tx(f"col.{c}") for c in ("whatif", "instrument", "year", "volume_base", "volume_whatif",
                                               "difference")]
    widths = [max(a, b) for a, b in zip(table_widths(headers, rows),
                                        table_widths(detail_headers, details) + [0] * len(headers), strict=False)]
    top = book.heading(ws, tx("title.whatif"), note, widths[:8])
    money = dict.fromkeys(range(5, 8 + len(lines)), f.euro)
    wrap = set(range(8 + len(lines), len(headers)))
    widths = [min(w, SENTENCE_WIDTH) if c in wrap else w for c, w in enumerate(widths)]
    end = book.table(ws, top, headers, rows, {2: f.number, 3: f.number, 4: f.number, **money,
                                               8 + len(lines) + 2: f.whole}, widths=widths, wrap=wrap, freeze_columns=1)
    book.table(ws, end + 2, detail_headers, details or [[tx("none")]], dict.fromkeys(range(3, 6), f.number),
               title=tx("title.whatif_details"), widths=widths, navigate=False)


def _conditional(analysis: Analysis, tx: Texts) -> str:
    if analysis.priced is not None and analysis.priced.conditional:
        return " " + tx("whatif.conditional")
    return ""


def _objective_unit(objective: str, tx: Texts) -> str:
    return tx.get(f"objective_unit.{objective}", tx("objective_unit.participatie"))


def _bound_label(binding: bool, tx: Texts) -> str:
    return tx("whatif.binding" if binding else "whatif.not_binding")


def _answer_sheet(book: Book, analysis: Analysis, tx: Texts) -> None:
    ws = book.sheet(tx("sheet.answer"))
    f = book.formats
    rows = [[tx.get(f"family.{r.family}", r.family), _index(r.index, tx), _clean(r.value), _clean(r.lower),
             _clean(r.upper), _bound_label(r.binding, tx), _clean(r.room), _clean(r.price)]
            for r in analysis.rows.itertuples()]
    bounds = [[tx.get(f"variable.{b.variable}", b.variable), _index(b.index, tx), _clean(b.value), _clean(b.lower),
               _clean(b.upper), _bound_label(b.binding, tx), _clean(b.room), _clean(b.reduced_cost)]
              for b in analysis.bounds.itertuples()]
    headers = [tx(f"col.{c}") for c in ("rule", "index", "value", "lower", "upper", "binding", "room",
                                        "shadow_price")]
    bound_headers = [tx(f"col.{c}") for c in ("variable", "index", "value", "lower", "upper", "binding", "room",
                                              "reduced_cost")]
    widths = [max(a, b) for a, b in zip(table_widths(headers, rows), table_widths(bound_headers, bounds),
                                        strict=True)]
    formats = {2: f.number, 3: f.number, 4: f.number, 6: f.number, 7: f.price}
    top = book.heading(ws, tx("title.answer"), tx("note.answer") + _conditional(analysis, tx), widths)
    end = book.table(ws, top, headers, rows, formats, widths=widths, freeze_columns=1)
    book.table(ws, end + 2, bound_headers, bounds, formats, title=tx("title.answer_bounds"), widths=widths,
               navigate=False)


def range_text(r, units: dict[str, str], tx: Texts = DUTCH) -> str:
    """One cost range in words."""
    unit = units.get(r.instrument, tx("whatif.unit"))
    what = tx("whatif.cost" if r.field == "cost" else "whatif.once")
    if not r.used and r.down is not None and r.down_change is not None and r.instrument in r.down_change.entered:
        return tx("range.enters", instrument=r.instrument, what=what, line=r.line, amount=tx.euros(r.down), unit=unit)
    up = tx.euros(r.up) if r.up is not None else tx("range.more_than", amount=tx.euros(r.scale))
    down = tx.euros(r.down) if r.down is not None else tx("range.more_than", amount=tx.euros(r.scale))
    return tx("range.both", instrument=r.instrument, what=what, line=r.line, up=up, down=down, unit=unit,
              after=_change_text(r.up_change, tx))


def _changes(point, tx: Texts) -> str:
    """What changes at a sweep point: instruments in or out, rules that start or stop binding."""
    if point is None:
        return ""
    parts = [tx("change.entered", name=i) for i in point.entered] + [tx("change.left", name=i) for i in point.left]
    parts += [tx("change.starts_binding", rule=rule_label(k, tx)) for k in point.starts_binding[:2]]
    parts += [tx("change.stops_binding", rule=rule_label(k, tx)) for k in point.stops_binding[:2]]
    return "; ".join(parts)


def _change_text(point, tx: Texts) -> str:
    parts = _changes(point, tx)
    return " " + tx("change.after", changes=parts) if parts else ""


def _sensitivity_lines(analysis: Analysis, result, units: dict[str, str], tx: Texts) -> list[list[object]]:
    objective = _objective_unit(result.objective_name, tx)
    lines: list[list[object]] = []
    for b in result.budgets.to_dict("records"):
        price = b.get("shadow_price")
        if price:
            down = tx.euros(abs(b["valid_down"])) if b.get("valid_down") is not None else tx("unlimited")
            up = tx.euros(b["valid_up"]) if b.get("valid_up") is not None else tx("unlimited")
            lines.append([tx("kind.budget"), tx("sensitivity.budget", line=b["line"], year=b["year"],
                                                 price=tx.number(price, 4), unit=objective, down=down, up=up)])
    for r in result.requirements.to_dict("records"):
        price = r.get("shadow_price")
        if price:
            year = tx("year.total") if r["year"] == "totaal" else r["year"]
            verb = tx("sensitivity.higher" if price > 0 else "sensitivity.lower")
            lines.append([tx("kind.eis"), tx("sensitivity.requirement", name=r["requirement"], year=year, verb=verb,
                                              price=tx.number(abs(price), 4), unit=objective)])
    for r in analysis.ranges or []:
        lines.append([tx("sensitivity.kind_cost"), range_text(r, units, tx)])
    for h in analysis.holds or []:
        if h.volume <= 1e-6 and h.reduced_cost is not None and h.reduced_cost < -1e-6:
            lines.append([tx("sensitivity.kind_out"), tx("sensitivity.out", instrument=h.instrument, year=h.year,
                                                          unit=units.get(h.instrument, tx("whatif.unit")),
                                                          price=tx.number(-h.reduced_cost, 4), objective=objective)])
    return lines


def _sensitivity_sheet(book: Book, analysis: Analysis, result, units: dict[str, str], tx: Texts) -> None:
    ws = book.sheet(tx("sheet.sensitivity"))
    lines = _sensitivity_lines(analysis, result, units, tx)
    headers = [tx("col.kind"), tx("col.explanation")]
    widths = [table_widths(headers, lines)[0], 100]
    note = tx("note.sensitivity", unit=shadow_unit(result.objective_name, tx)) + _conditional(analysis, tx)
    top = book.heading(ws, tx("title.sensitivity"), note, widths)
    book.table(ws, top, headers, lines or [[tx("none")]], widths=widths, wrap={1})


def hold_text(h, units: dict[str, str], objective: str, tx: Texts = DUTCH) -> str:
    """What holds one instrument in one year, in one sentence."""
    unit = units.get(h.instrument, tx("whatif.unit"))
    head = f"{h.instrument} {h.year} ({tx.number(h.volume)} {unit})"
    what = _objective_unit(objective, tx)
    gain = f"{tx.number(abs(h.price), 4)} {what}" if h.price is not None else ""
    family, index = h.family, h.index
    if h.volume <= 1e-6 and h.reduced_cost is not None and h.reduced_cost < -1e-6:
        return tx("hold.out", head=head, unit=unit, price=tx.number(-h.reduced_cost, 4), objective=what)
    if family == "budget":
        return tx("hold.budget", head=head, line=index[0], year=index[1], price=tx.number(abs(h.price) * 1000, 4),
                  objective=what)
    if family == "requirement":
        year = tx("year.total") if index[1] == "totaal" else index[1]
        key = "hold.requirement_holds" if h.price > 0 else "hold.requirement_forces"
        return tx(key, head=head, name=index[0], year=year, gain=gain)
    if family == "group_capacity":
        return tx("hold.group", head=head, name=index[0], year=index[1], gain=gain)
    if family in ("step_up", "step_down"):
        return tx(f"hold.{family}", head=head, gain=gain)
    if family == "scenario_allows":
        return tx("hold.scenario", head=head, gain=gain)
    if family in ("bound_v", "bound_u"):
        if h.at == "upper":
            return tx(f"hold.{family}_upper", head=head, unit=unit, gain=gain)
        return tx(f"hold.{family}_lower", head=head, unit=unit, gain=gain)
    return tx("hold.none", head=head)


def _why_sheet(book: Book, analysis: Analysis, units: dict[str, str], objective: str, tx: Texts) -> None:
    ws = book.sheet(tx("sheet.why"))
    rows = [[h.instrument, h.year, _clean(h.volume), hold_text(h, units, objective, tx)] for h in analysis.holds]
    headers = [tx(f"col.{c}") for c in ("instrument", "year", "volume", "why")]
    widths = table_widths(headers, rows)[:3] + [90]
    top = book.heading(ws, tx("title.why"), tx("note.why") + _conditional(analysis, tx), widths)
    book.table(ws, top, headers, rows or [[tx("none")]], {2: book.formats.number}, widths=widths, wrap={3},
               freeze_columns=1)


def _sweep_sheet(book: Book, analysis: Analysis, tx: Texts) -> None:
    sweep = analysis.sweep
    name = tx("sheet.sweep")
    ws = book.sheet(name)
    f = book.formats
    rows = [[p.value, _state(p.status, tx), _clean(p.objective), _clean(p.objective) if p.breakpoint else None,
             _changes(p, tx) or None] for p in sweep.points]
    headers = [tx(f"col.{c}") for c in ("value", "status", "objective", "breakpoint", "what_changes")]
    widths = table_widths(headers, rows)[:4] + [40]
    top = book.heading(ws, tx("title.sweep", label=sweep.label), tx("note.sweep"), widths)
    end = book.table(ws, top, headers, rows, {0: f.number, 2: f.number, 3: f.number}, widths=widths, wrap={4})
    chart = book.workbook.add_chart({"type": "scatter", "subtype": "straight"})
    chart.add_series({"name": headers[2], "categories": [name, top + 1, 0, end, 0],
                      "values": [name, top + 1, 2, end, 2]})
    chart.add_series({"name": headers[3], "categories": [name, top + 1, 0, end, 0],
                      "values": [name, top + 1, 3, end, 3],
                      "line": {"none": True}, "marker": {"type": "diamond", "size": 8}})
    chart.set_title({"name": tx("chart.sweep"), "name_font": {"size": 11, "bold": True}})
    large = max((abs(p.value) for p in sweep.points), default=0) >= 100  # money, or a factor such as 0,9
    chart.set_x_axis({"name": sweep.label, "num_format": f.whole if large else f.number, "name_font": {"size": 9}})
    chart.set_y_axis({"name": headers[2], "num_format": f.whole,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 520, "height": 320})
    ws.insert_chart(top, len(headers) + 1, chart)


def _room_sheet(book: Book, analysis: Analysis, tx: Texts) -> None:
    table = analysis.room
    ws = book.sheet(tx("sheet.room"))
    f = book.formats
    rows = []
    for r in table.rooms:
        verdict = "room.fixed" if r.fixed else "room.moves" if r.lowest is not None else "room.no_answer"
        rows.append([r.instrument, r.unit, _clean(r.optimal), _clean(r.lowest), _clean(r.highest), tx(verdict)])
    headers = [tx(f"col.{c}") for c in ("instrument", "unit", "optimal_volume", "lowest", "highest", "verdict")]
    note = tx("note.room", tolerance=tx.percent(table.tolerance, 2), best=tx.number(table.best or 0))
    top = book.heading(ws, tx("title.room"), note, table_widths(headers, rows))
    book.table(ws, top, headers, rows, dict.fromkeys(range(2, 5), f.number), freeze_columns=1)


def _note(note: tuple[str, dict], tx: Texts) -> str:
    """A remark of the analysis, its counts in the language's notation."""
    key, values = note
    return tx(key, **{k: tx.number(v, 0) if isinstance(v, int) else v for k, v in values.items()})


def _notes_sheet(book: Book, analysis: Analysis, tx: Texts) -> None:
    ws = book.sheet(tx("sheet.analysis_notes"))
    headers = [tx("col.message")]
    top = book.heading(ws, tx("title.analysis_notes"), tx("note.analysis_notes"), [100])
    book.table(ws, top, headers, [[_note(n, tx)] for n in analysis.notes], widths=[100], wrap={0})


def add_sheets(book: Book, data, result, analysis: Analysis | None, tx: Texts = DUTCH) -> None:
    """Every sheet of the analysis that has content."""
    if analysis is None:
        return
    units = {i: inst.unit for i, inst in data.instruments.items()}
    if analysis.batch is not None:
        _batch_sheet(book, analysis.batch, data.lines, tx)
    if analysis.rows is not None:
        _answer_sheet(book, analysis, tx)
        _sensitivity_sheet(book, analysis, result, units, tx)
        _why_sheet(book, analysis, units, result.objective_name, tx)
    if analysis.sweep is not None:
        _sweep_sheet(book, analysis, tx)
    if analysis.room is not None:
        _room_sheet(book, analysis, tx)
    if analysis.notes:
        _notes_sheet(book, analysis, tx)


def _outcome_json(base: Outcome, outcome: Outcome, tx: Texts) -> dict:
    return {
        "name": outcome.name,
        "status": outcome.status,
        "objective": outcome.objective,
        "difference": None if outcome.objective is None or base.objective is None
        else outcome.objective - base.objective,
        "totals": outcome.totals,
        "money_per_line": outcome.money_per_line(),
        "starts_binding": [rule_label(k, tx) for k in sorted(outcome.binding - base.binding, key=str)],
        "stops_binding": [rule_label(k, tx) for k in sorted(base.binding - outcome.binding, key=str)]
        if outcome.has_plan else [],
        "plan_differences": [{"instrument": i, "year": t, "base": b, "what_if": w}
                             for i, t, b, w in plan_differences(base, outcome)] if outcome.has_plan else [],
        "infeasibility": [{**r, "message": relaxation_text(r, tx)} for r in outcome.relaxation()],
        "changes": [setting_text(s, tx) for s in outcome.settings],
        "rebuilt": outcome.rebuilt,
    }


def json_part(analysis: Analysis | None, tx: Texts = DUTCH) -> dict | None:
    """The what-ifs (and sweep and room, when asked) for ``--json``; messages in the language of ``tx``."""
    if analysis is None:
        return None
    out: dict = {}
    if analysis.batch is not None:
        batch = analysis.batch
        out["base"] = {"status": batch.base.status, "objective": batch.base.objective, "totals": batch.base.totals}
        out["runs"] = [_outcome_json(batch.base, o, tx) for o in batch.outcomes]
        out["interrupted"] = batch.interrupted
    if analysis.sweep is not None:
        out["sweep"] = [{"value": p.value, "status": p.status, "objective": p.objective,
                         "breakpoint": p.breakpoint, "entered": list(p.entered), "left": list(p.left)}
                        for p in analysis.sweep.points]
    if analysis.room is not None:
        out["room"] = [{"instrument": r.instrument, "optimal": r.optimal, "lowest": r.lowest, "highest": r.highest,
                        "fixed": r.fixed} for r in analysis.room.rooms]
    if analysis.notes:
        out["notes"] = [_note(n, tx) for n in analysis.notes]
    return out


def batch_lines(analysis: Analysis | None, tx: Texts = DUTCH) -> list[str]:
    """Short lines on the what-ifs for the terminal."""
    if analysis is None or analysis.batch is None:
        return []
    batch = analysis.batch
    lines = [tx("whatif.terminal_head", count=len(batch.outcomes),
                stopped=tx("whatif.terminal_stopped") if batch.interrupted else "")]
    for o in batch.outcomes:
        if o.objective is not None and batch.base.objective is not None:
            lines.append(tx("whatif.terminal_line", name=o.name, status=_state(o.status, tx),
                            objective=tx.number(o.objective, 2),
                            difference=tx.number(o.objective - batch.base.objective, 2)))
        else:
            lines.append(f"  {o.name}: {_state(o.status, tx)}")
        lines += [f"    - {relaxation_text(r, tx)}" for r in o.relaxation()]
    return lines
