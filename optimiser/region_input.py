"""A region: the sheets Verdeelsleutels and Gedeelde kosten, checked and turned into money per gemeente.

Several gemeenten in one workbook share an organisation (the SW-bedrijf). Its
shared costs (sheet Gedeelde kosten) are split over each gemeente's own budget
line (sheet Verdeelsleutels) by one key per organisation:

- *vast* (fixed percentages) and *inwoners* (inhabitants): a constant share
  ``w[g] / sum w`` of the amount, added to the line's committed money and kept
  apart in ``ProblemData.shared`` for the result;
- *SE*: the amount is a cost per unit of volume that each gemeente pays for its
  own instruments at the organisation: a ``cost`` row (with the component's
  label) per instrument on its gemeente's line, so the split stays linear.

Without these sheets nothing changes (one gemeente is the simple case).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

from models.data import BudgetYear, Instrument
from optimiser.parse import shorten, shown
from optimiser.rows import Row
from optimiser.rules import Context, gemeente_known, usable, year_in_plan
from optimiser.schema import normalise

KEYS, COSTS = "Verdeelsleutels", "Gedeelde kosten"
PER_UNIT = "SE"


@dataclass
class Region:
    """What the region's sheets add to the data."""

    shared: dict[tuple[str, str, int, str], float] = field(default_factory=dict)
    cost: dict[tuple[str, str, int], float] = field(default_factory=dict)
    components: dict[tuple[str, str, int, str], tuple[float, float]] = field(default_factory=dict)


def _organisation_known(context: Context, row: Row) -> bool:
    """The organisation is one that an instrument names (column organisatie of the sheet Instrumenten)."""
    name = row.values["organisatie"]
    found = context.organisations.get(normalise(name))
    if found is None:
        known = ", ".join(context.organisations.values()) or "(geen)"
        context.error(row.sheet, row.ref("organisatie"),
                      f"Geen instrument heeft organisatie '{shorten(name)}', dus er is niets te verdelen. "
                      f"Bekend uit blad Instrumenten (kolom organisatie): {known}.")
        return False
    row.resolved["organisatie"] = found
    return True


def _line_of_the_gemeente(context: Context, row: Row, budgets: dict[tuple[str, int], BudgetYear]) -> bool:
    """The paying line is a budget line of this very gemeente."""
    line = context.sheets.resolve(row.sheet, row, "budgetregel", context.lines, "Onbekende budgetregel")
    if line is None:
        return False
    gemeente = row.resolved["gemeente"]
    owners = {b.gemeente for (name, _), b in budgets.items() if name == line}
    if gemeente is not None and owners != {gemeente}:
        owner = ", ".join(sorted(str(o) for o in owners if o)) or "geen gemeente"
        context.error(row.sheet, row.ref("budgetregel"),
                      f"De budgetregel '{shorten(line)}' hoort bij {owner} (blad Budgetten, kolom gemeente), niet "
                      f"bij gemeente '{gemeente}'; een gemeente betaalt haar deel uit een eigen budgetregel.")
        return False
    return True


def _value_fits_the_key(context: Context, row: Row) -> bool:
    """A fixed or per-inhabitant key needs a value; a per-SE key has none (the volumes are the key)."""
    value = row.values["waarde"]
    if row.values["sleutel"] == PER_UNIT:
        if value is not None:
            context.error(row.sheet, row.ref("waarde"),
                          "Bij sleutel SE blijft waarde leeg: elke gemeente betaalt per eenheid van haar eigen "
                          "instrumenten bij de organisatie.")
            return False
        return True
    if value is None:
        what = "het percentage van deze gemeente" if row.values["sleutel"] == "vast" else "het aantal inwoners"
        context.error(row.sheet, row.ref("waarde"), f"Vul bij sleutel {row.values['sleutel']} {what} in.")
        return False
    return True


def _keys(context: Context, budgets: dict[tuple[str, int], BudgetYear]) -> dict[str, list[Row]]:
    """The key rows that pass their rules, per organisation, after the checks across rows."""
    rows = context.sheets.unique(KEYS, context.sheets.table(KEYS), ("organisatie", "gemeente"))
    by_org: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if all((_organisation_known(context, row), gemeente_known(context, row),
                _line_of_the_gemeente(context, row, budgets), _value_fits_the_key(context, row), usable(context, row))):
            by_org[row.resolved["organisatie"]].append(row)
    kept = {}
    for org, members in by_org.items():
        first = members[0]
        other = next((r for r in members if r.values["sleutel"] != first.values["sleutel"]), None)
        if other is not None:
            context.error(KEYS, other.ref("sleutel"),
                          f"Organisatie '{org}' heeft sleutel '{first.values['sleutel']}' ({first.ref('sleutel')}) "
                          f"en '{other.values['sleutel']}'; één organisatie wordt met één sleutel verdeeld.")
            continue
        total = sum(r.values["waarde"] or 0.0 for r in members)
        if first.values["sleutel"] == "vast" and not math.isclose(total, 100.0, abs_tol=1e-6):
            context.error(KEYS, first.ref("waarde"),
                          f"De vaste aandelen van organisatie '{org}' tellen op tot {shown(total)}%, niet tot 100%.")
            continue
        if first.values["sleutel"] == "inwoners" and total <= 0:
            context.error(KEYS, first.ref("waarde"), f"De inwoners bij organisatie '{org}' tellen op tot 0.")
            continue
        kept[org] = members
    return kept


def _every_instrument_has_a_key(context: Context, keys: dict[str, list[Row]],
                                instruments: dict[str, Instrument]) -> None:
    """With a per-SE key every instrument of the organisation belongs to a gemeente that has a key row."""
    for org, members in keys.items():
        if members[0].values["sleutel"] != PER_UNIT:
            continue
        covered = {r.resolved["gemeente"] for r in members}
        for name, inst in instruments.items():
            if inst.organisation and normalise(inst.organisation) == normalise(org) and inst.gemeente not in covered:
                row = context.instrument_rows[normalise(name)]
                context.error("Instrumenten", row.ref("gemeente"),
                              f"Instrument '{shorten(name)}' van organisatie '{org}' heeft "
                              f"{'gemeente ' + repr(inst.gemeente) if inst.gemeente else 'geen gemeente'} met een "
                              f"verdeelsleutel (blad {KEYS}); bij sleutel SE betaalt de gemeente van het instrument.")


def _amounts(context: Context, keys: dict[str, list[Row]]) -> dict[tuple[str, int, str], float]:
    """Shared amounts keyed (organisation, year, label); a row with a year goes before the row without."""
    rows = context.sheets.unique(COSTS, context.sheets.table(COSTS), ("organisatie", "jaar", "component"))
    amounts: dict[tuple[str, int, str], float] = {}
    for row in sorted(rows, key=lambda r: r.values["jaar"] is not None):  # stable: every-year rows first
        if not (usable(context, row) and year_in_plan(context, row)):
            continue
        org = context.organisations.get(normalise(row.values["organisatie"] or ""))
        if org not in keys:
            context.error(COSTS, row.ref("organisatie"),
                          f"Geen (geldige) verdeelsleutel voor organisatie '{shorten(row.values['organisatie'])}' op "
                          f"blad {KEYS}: zonder sleutel kunnen de gedeelde kosten niet over de gemeenten.")
            continue
        label = row.values["component"] or org
        for t in context.years if row.values["jaar"] is None else (row.values["jaar"],):
            amounts[org, t, label] = row.values["bedrag"]
    return amounts


def read_region(context: Context, budgets: dict[tuple[str, int], BudgetYear],
                instruments: dict[str, Instrument]) -> Region:
    """The shared costs split over the gemeenten by their keys; problems go to ``context``."""
    region = Region()
    if not (context.sheets.present(KEYS) or context.sheets.present(COSTS)):
        return region
    keys = _keys(context, budgets)
    _every_instrument_has_a_key(context, keys, instruments)
    for (org, t, label), amount in _amounts(context, keys).items():
        members = keys[org]
        if members[0].values["sleutel"] == PER_UNIT:
            lines = {r.resolved["gemeente"]: r.resolved["budgetregel"] for r in members}
            for name, inst in instruments.items():
                if inst.organisation and normalise(inst.organisation) == normalise(org) and inst.gemeente in lines:
                    key = (name, lines[inst.gemeente], t)
                    region.cost[key] = region.cost.get(key, 0.0) + amount
                    region.components[(*key, label)] = (amount, 0.0)
            continue
        total = sum(r.values["waarde"] for r in members)
        for r in members:
            key = (org, r.resolved["budgetregel"], t, label)
            region.shared[key] = region.shared.get(key, 0.0) + amount * r.values["waarde"] / total
    return region


def apply_region(region: Region, budgets: dict[tuple[str, int], BudgetYear],
                 tables: dict[str, dict]) -> dict[tuple[str, int], BudgetYear]:
    """Budgets with each gemeente's fixed shares in their committed money; per-SE costs into the cost tables."""
    result = dict(budgets)
    for (_org, line, t, _label), amount in region.shared.items():
        if (line, t) in result:
            result[line, t] = replace(result[line, t], committed=result[line, t].committed + amount)
    for key, value in region.cost.items():
        tables["cost"][key] = tables["cost"].get(key, 0.0) + value
    for key, (c, o) in region.components.items():
        old = tables["components"].get(key, (0.0, 0.0))
        tables["components"][key] = (old[0] + c, old[1] + o)
    return result
