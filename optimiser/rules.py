"""The checks across cells, rows and sheets: one function per rule, each with its Dutch message.

A *row rule* takes the :class:`Context` and a typed :class:`~optimiser.rows.Row`
and returns ``False`` when the row is left out without further checks (after
reporting why, or with nothing to report). A rule that finds a problem but
lets later rules look at the row too marks ``row.ok = False``: the row is
then checked on but not used. Rules that resolve references keep the
canonical names in ``row.resolved``. Each sheet's rules are listed in the
order they run; :mod:`optimiser.validate` applies them while it builds the
data. *Sheet rules* look at all rows of a sheet, *problem rules*
(:data:`PROBLEM_RULES`) at the whole :class:`~models.data.ProblemData`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from models.data import PERSONS, Instrument, ProblemData, Scenario, Settings, inflow_bound, restricted_instruments
from optimiser.parse import shorten, shown
from optimiser.rows import TOTAL, Row, Sheets
from optimiser.schema import nearest, normalise

MAX_YEARS = 30
DEFAULT_SENSE = {"doel": ">=", "aandeel": ">=", "capaciteit": "<="}
# Rows outside the planning years are skipped on every sheet; these sheets' warnings also say so.
SAYS_NOT_COUNTED = {"Budgetten", "Kosten", "Eisen", "Doelgroepen"}


@dataclass
class Context:
    """The sheets being checked and the names and years known so far."""

    sheets: Sheets
    years: tuple[int, ...] = ()
    lines: dict[str, str] = field(default_factory=dict)
    """Budget lines: normalised name to the spelling first used."""
    groups: dict[str, str] = field(default_factory=dict)
    declared: dict[str, str] = field(default_factory=dict)
    """Every instrument named on its sheet, valid or not, so that a bad cell does not cascade."""
    instrument_rows: dict[str, Row] = field(default_factory=dict)
    instruments: dict[str, Instrument] = field(default_factory=dict)
    """The valid instruments."""
    organisations: dict[str, str] = field(default_factory=dict)
    terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    """Terms of linear requirements (sheet Eistermen) by normalised requirement name."""
    requirement_kinds: dict[str, str] = field(default_factory=dict)
    """Kind of each requirement by normalised name, from its first row on the sheet Eisen."""
    requirement_names: dict[str, str] = field(default_factory=dict)
    scenario_names: dict[str, str] = field(default_factory=dict)
    reserves: dict[str, str] = field(default_factory=dict)
    """Reserves (sheet Reserves): normalised name to its spelling."""
    gemeenten: dict[str, str] = field(default_factory=dict)
    """The gemeenten of a region (column gemeente of the sheet Budgetten): normalised name to its spelling."""

    def error(self, sheet: str, cell: str | None, message: str) -> None:
        """Report a problem that blocks the run."""
        self.sheets.error(sheet, cell, message)

    def warn(self, sheet: str, cell: str | None, message: str) -> None:
        """Report a problem that does not block the run."""
        self.sheets.warn(sheet, cell, message)


RowRule = Callable[[Context, Row], bool]


def passes(context: Context, row: Row, rules: tuple[RowRule, ...]) -> bool:
    """Run ``rules`` on ``row`` in order, up to the first that leaves the row out."""
    return all(rule(context, row) for rule in rules)


# -- rules for any sheet --------------------------------------------------------------------------

def usable(context: Context, row: Row) -> bool:
    """A row with a bad cell is left out here (its cell was reported when it was read)."""
    return row.ok


def year_in_plan(context: Context, row: Row) -> bool:
    """A row for a year outside the planning years does not count (a warning)."""
    year = row.values["jaar"]
    if year is None or year == TOTAL or year in context.years:
        return True
    tail = " en telt niet mee" if row.sheet in SAYS_NOT_COUNTED else ""
    context.warn(row.sheet, row.ref("jaar"), f"Het jaar {year} valt buiten de planjaren{tail}.")
    return False


def not_empty(context: Context, sheet: str, rows: list[Row], what: str) -> None:
    """A required sheet that is there needs at least one row."""
    if not rows and context.sheets.present(sheet):
        context.error(sheet, None, f"Er staan geen {what} in het blad.")


def gemeente_known(context: Context, row: Row) -> bool:
    """A row's gemeente is one the sheet Budgetten names (kept in ``row.resolved``)."""
    name = row.values.get("gemeente")
    if name is None:
        row.resolved["gemeente"] = None
        return True
    found = context.gemeenten.get(normalise(name))
    if found is None:
        close = nearest(name, context.gemeenten.values())
        hint = f"Bedoelt u '{close}'? " if close else ""
        known = ", ".join(context.gemeenten.values()) or "(geen: vul eerst de kolom gemeente van blad Budgetten)"
        context.error(row.sheet, row.ref("gemeente"), f"Onbekende gemeente '{shorten(name)}'. {hint}"
                                                      f"Bekend uit blad Budgetten (kolom gemeente): {known}.")
        row.ok = False
    row.resolved["gemeente"] = found
    return True


def _known_instrument(context: Context, row: Row) -> bool:
    context.sheets.resolve(row.sheet, row, "instrument", context.declared, "Onbekend instrument")
    return True


# -- Instellingen ---------------------------------------------------------------------------------

def years_in_order(context: Context, values: dict, refs: dict[str, str]) -> bool:
    """The last planning year is not before the first."""
    first, last = values["eerste_jaar"], values["laatste_jaar"]
    if last < first:
        context.error("Instellingen", refs["laatste_jaar"],
                      f"Het laatste jaar ({last}) ligt vóór het eerste jaar ({first}).")
        return False
    return True


def at_most_max_years(context: Context, values: dict, refs: dict[str, str]) -> bool:
    """At most :data:`MAX_YEARS` planning years."""
    count = values["laatste_jaar"] - values["eerste_jaar"] + 1
    if count > MAX_YEARS:
        context.error("Instellingen", refs["laatste_jaar"], f"Hoogstens {MAX_YEARS} planjaren; nu {count}.")
        return False
    return True


SETTINGS_RULES = (years_in_order, at_most_max_years)


def chosen_scenario_known(context: Context, settings: Settings, scenarios: dict[str, Scenario],
                          refs: dict[str, str]) -> Settings:
    """The chosen plan's scenario is on the sheet Scenario's: the settings with its spelling there."""
    if settings.chosen_scenario is None:
        return settings
    known = {normalise(n): n for n in scenarios}
    name = known.get(normalise(settings.chosen_scenario))
    if name is None:
        context.error("Instellingen", refs["gekozen_scenario"],
                      f"Onbekend scenario '{settings.chosen_scenario}'. Bekend uit blad Scenario's: "
                      f"{', '.join(scenarios) or '(geen)'}.")
        return settings
    return replace(settings, chosen_scenario=name)


# -- Budgetten ------------------------------------------------------------------------------------

def budget_references_known(context: Context, row: Row) -> bool:
    """The lines a row tops up from and sends its surplus to are budget lines."""
    context.sheets.resolve(row.sheet, row, "aanvulling_uit", context.lines, "Onbekende budgetregel")
    context.sheets.resolve(row.sheet, row, "overschot_naar", context.lines, "Onbekende budgetregel")
    context.sheets.resolve(row.sheet, row, "reserve", context.reserves, "Onbekende reserve")
    return True


def reserve_or_surplus(context: Context, row: Row) -> bool:
    """Unspent money goes to a reserve or to another line, not both: which share goes where would be arbitrary."""
    if row.resolved["reserve"] is not None and row.resolved["overschot_naar"] is not None:
        context.error(row.sheet, row.ref("reserve"),
                      "Een budgetregel heeft een reserve én 'overschot_naar'; niet besteed geld kan maar één kant op. "
                      "Maak een van beide cellen leeg.")
        return False
    return True


def line_cannot_top_itself_up(context: Context, row: Row) -> bool:
    """A budget line cannot top itself up."""
    if row.resolved["aanvulling_uit"] == row.resolved["budgetregel"]:
        context.error(row.sheet, row.ref("aanvulling_uit"), "Een budgetregel kan zichzelf niet aanvullen.")
        return False
    return True


def surplus_leaves_the_line(context: Context, row: Row) -> bool:
    """A surplus cannot flow to the line it comes from."""
    if row.resolved["overschot_naar"] == row.resolved["budgetregel"]:
        context.error(row.sheet, row.ref("overschot_naar"), "Een overschot kan niet naar dezelfde budgetregel gaan.")
        return False
    return True


def topup_cap_needs_source(context: Context, row: Row) -> bool:
    """A maximum top-up needs the line it comes from (``aanvulling_uit``)."""
    if row.values["max_aanvulling"] is not None and row.values["aanvulling_uit"] is None \
            and "aanvulling_uit" not in row.bad:
        context.error(row.sheet, row.ref("max_aanvulling"),
                      "Er is een maximale aanvulling ingevuld maar geen 'aanvulling_uit'; vul in uit welke "
                      "budgetregel de aanvulling komt, of maak de cel leeg.")
        return False
    return True


def funding_instruments_known(context: Context, row: Row) -> bool:
    """The instruments whose volume funds a line are known."""
    return context.sheets.names(row.sheet, row, "bekostiging_instrumenten", context.declared) is not None


def funding_needs_both_columns(context: Context, row: Row) -> bool:
    """Funding per unit and the instruments it counts go together."""
    per_unit, listed = row.values["bekostiging_per_eenheid"], row.resolved["bekostiging_instrumenten"]
    if per_unit and not listed:
        context.error(row.sheet, row.ref("bekostiging_instrumenten"),
                      "Er is een bekostiging per eenheid ingevuld maar geen 'bekostiging_instrumenten'; vul in voor "
                      "welke instrumenten (gescheiden door ;) de regel geld ontvangt.")
        return False
    if listed and not per_unit:
        context.error(row.sheet, row.ref("bekostiging_per_eenheid"),
                      "Er zijn bekostiging_instrumenten ingevuld maar geen bedrag in 'bekostiging_per_eenheid'.")
        return False
    return True


FUNDING_RULES = (funding_instruments_known, funding_needs_both_columns)


BUDGET_RULES = (year_in_plan, budget_references_known, line_cannot_top_itself_up, surplus_leaves_the_line,
                reserve_or_surplus, topup_cap_needs_source, usable)


def one_bearer_per_reserve(context: Context, rows: list[Row]) -> None:
    """The lines of one reserve have one bearer: money kept aside would otherwise change hands unseen."""
    first: dict[str, Row] = {}
    for row in rows:
        reserve = row.resolved.get("reserve") if row.ok else None
        if reserve is None:
            continue
        seen = first.setdefault(reserve, row)
        if seen.values["drager"] != row.values["drager"]:
            context.error(row.sheet, row.ref("drager"),
                          f"De reserve '{reserve}' heeft regels met drager '{seen.values['drager']}' "
                          f"({seen.ref('drager')}) en '{row.values['drager']}'; alle regels van één reserve "
                          "hebben dezelfde drager.")


def every_plan_year_has_a_budget_row(context: Context, rows: list[Row], budgets: dict) -> None:
    """Each budget line has a row for every planning year."""
    _every_plan_year(context, rows, "budgetregel", budgets, "De budgetregel")


def every_plan_year_has_a_group_row(context: Context, rows: list[Row], groups: dict) -> None:
    """Each target group has a row for every planning year: a missing year would silently drop its limit."""
    _every_plan_year(context, rows, "doelgroep", groups, "De doelgroep")


def _every_plan_year(context: Context, rows: list[Row], column: str, kept: dict, label: str) -> None:
    """Each name of ``column`` has a row in ``kept`` for every planning year.

    A name is named once, at its first row. A year whose row is there but
    was reported already is not reported again as missing.
    """
    first_row: dict[str, tuple[str, str]] = {}
    listed: set[tuple[str, int]] = set()
    for row in rows:
        name = row.resolved.get(column, row.values[column])
        first_row.setdefault(name, (row.sheet, row.ref(column)))
        if row.values["jaar"] in context.years:
            listed.add((name, row.values["jaar"]))
    for name, (sheet, ref) in first_row.items():
        missing = [t for t in context.years if (name, t) not in kept]
        if missing and not any((name, t) in listed for t in missing):
            context.error(sheet, ref, f"{label} '{name}' heeft geen regel voor {', '.join(str(t) for t in missing)}; "
                                      "elk planjaar heeft een regel nodig.")


def no_cycle_between_lines(context: Context, rows: list[Row]) -> None:
    """Top-ups, and surpluses, do not flow round in a circle (A -> B -> A): the money would have no source."""
    for column, what in (("aanvulling_uit", "aanvullingen"), ("overschot_naar", "overschotten")):
        by_year: dict[object, dict[str, Row]] = {}
        for row in rows:
            if row.ok and row.resolved.get(column):
                by_year.setdefault(row.values["jaar"], {})[row.resolved["budgetregel"]] = row
        reported: set[frozenset] = set()
        for year, edges in by_year.items():
            for cycle in _cycles(edges, column):
                if frozenset(cycle) in reported:
                    continue
                reported.add(frozenset(cycle))
                cells = " en ".join(edges[line].ref(column) for line in cycle)
                path = " -> ".join([*cycle, cycle[0]])
                context.error("Budgetten", edges[cycle[0]].ref(column),
                              f"De {what} gaan in een kring ({path}, {year}; cellen {cells}): het geld heeft zo geen "
                              "bron. Maak de kring open.")


def _cycles(edges: dict[str, Row], column: str) -> list[list[str]]:
    """Each circle of the graph line -> ``row.resolved[column]`` once, starting at its first line."""
    found, done = [], set()
    for start in edges:
        path, line = [], start
        while line in edges and line not in path and line not in done:
            path.append(line)
            line = edges[line].resolved[column]
        if line in path:
            found.append(path[path.index(line):])
        done.update(path)
    return found


GROUP_RULES = (year_in_plan,)


# -- Instrumenten ---------------------------------------------------------------------------------

def instrument_group_known(context: Context, row: Row) -> bool:
    """An instrument's target group is on the sheet Doelgroepen."""
    context.sheets.resolve(row.sheet, row, "doelgroep", context.groups, "Onbekende doelgroep")
    return True


def minimum_not_above_maximum(context: Context, row: Row) -> bool:
    """A minimum volume or inflow is not above its maximum."""
    v = row.values
    for low, high in (("min_volume", "max_volume"), ("min_instroom", "max_instroom")):
        if v[low] is not None and v[high] is not None and v[low] > v[high]:
            context.error(row.sheet, row.ref(low), f"{low} ({shown(v[low])}) is groter dan {high} ({shown(v[high])}).")
            row.ok = False
    return True


UNITS = {"fte": "fte", "se": "SE", "standaardeenheid": "SE", "standaardeenheden": "SE", "plek": "plekken",
         "plekken": "plekken", "plaats": "plekken", "plaatsen": "plekken", "traject": "trajecten",
         "trajecten": "trajecten", "persoon": PERSONS, PERSONS: PERSONS}
"""Units an instrument or a group may count in, by their normalised spellings (singular, plural, abbreviation)."""


def unit_is_known(context: Context, row: Row) -> bool:
    """The unit is one of :data:`UNITS`, kept in its canonical spelling (``persoon`` becomes ``personen``)."""
    text = row.values["eenheid"]
    if text is None:
        return True
    unit = UNITS.get(normalise(text))
    if unit is None:
        context.error(row.sheet, row.ref("eenheid"), f"Onbekende eenheid '{text}'; kies uit: "
                                                     f"{', '.join(dict.fromkeys(UNITS.values()))}.")
        row.ok = False
        return True
    row.values["eenheid"] = unit
    return True


def persons_per_unit_fits_the_unit(context: Context, row: Row) -> bool:
    """Persons per unit is positive, and 1 for an instrument counted in persons."""
    per_unit, unit = row.values["personen_per_eenheid"], row.values["eenheid"]
    if per_unit is None or unit is None:
        return True
    if per_unit <= 0:
        context.error(row.sheet, row.ref("personen_per_eenheid"),
                      f"personen_per_eenheid moet groter dan 0 zijn (gevonden {per_unit:g}).")
        row.ok = False
    elif unit == PERSONS and per_unit != 1:
        context.error(row.sheet, row.ref("personen_per_eenheid"),
                      f"Bij eenheid '{PERSONS}' is personen_per_eenheid 1, niet {per_unit:g}; kies een andere eenheid "
                      "(fte, SE, plekken, trajecten) of maak de cel leeg.")
        row.ok = False
    return True


INSTRUMENT_RULES = (gemeente_known, instrument_group_known, minimum_not_above_maximum, unit_is_known,
                    persons_per_unit_fits_the_unit, usable)
GROUP_RULES = (unit_is_known, usable)


# -- Kosten ---------------------------------------------------------------------------------------

def cost_references_known(context: Context, row: Row) -> bool:
    """A cost row names a known instrument and budget line."""
    _known_instrument(context, row)
    context.sheets.resolve(row.sheet, row, "budgetregel", context.lines, "Onbekende budgetregel")
    return True


COST_RULES = (cost_references_known, year_in_plan, usable)


# -- Eistermen and Eisen --------------------------------------------------------------------------

def term_requirement_known(context: Context, row: Row) -> bool:
    """A term belongs to a linear requirement of the sheet Eisen; otherwise it would be dropped without a word."""
    name = row.values["eis"]
    kind = context.requirement_kinds.get(normalise(name)) if name else None
    if name and kind is None:
        close = nearest(name, context.requirement_names.values())
        hint = f" Bedoelt u '{close}'?" if close else ""
        context.error(row.sheet, row.ref("eis"), f"De eis '{shorten(name)}' staat niet in blad 'Eisen'.{hint}")
        return False
    if name and kind != "lineair":
        context.error(row.sheet, row.ref("eis"), f"De eis '{shorten(name)}' is van soort '{kind}'; termen in "
                                                 "'Eistermen' gelden alleen voor een eis van soort 'lineair'.")
        return False
    return True


TERM_RULES = (_known_instrument, term_requirement_known, usable)


def one_kind_per_requirement(context: Context, row: Row) -> bool:
    """All rows of one requirement have the same kind."""
    name, kind = row.values["eis"], row.values["soort"]
    first = context.requirement_kinds.setdefault(normalise(name), kind)
    if first != kind:
        context.error(row.sheet, row.ref("soort"), f"De eis '{name}' heeft op een andere regel de soort "
                                                   f"'{first}'; één eis heeft één soort.")
        return False
    return True


def listed_instruments_known(context: Context, row: Row) -> bool:
    """The instruments a requirement lists are known."""
    return context.sheets.names(row.sheet, row, "instrumenten", context.declared) is not None


def targets_and_shares_list_instruments(context: Context, row: Row) -> bool:
    """A target or a share lists its instruments."""
    kind = row.values["soort"]
    if kind in ("doel", "aandeel") and not row.resolved["instrumenten"]:
        context.error(row.sheet, row.ref("instrumenten"), f"Bij een eis van soort '{kind}' hoort een lijst "
                                                          "instrumenten (gescheiden door ;).")
        return False
    return True


def share_base_known(context: Context, row: Row) -> bool:
    """The other instruments of a share (``aandeel_van``) are known."""
    if row.values["soort"] != "aandeel":
        return True
    return context.sheets.names(row.sheet, row, "aandeel_van", context.declared) is not None


def share_has_base(context: Context, row: Row) -> bool:
    """A share names the other instruments of its denominator."""
    if row.values["soort"] == "aandeel" and not row.resolved["aandeel_van"]:
        context.error(row.sheet, row.ref("aandeel_van"), "Bij een aandeel hoort 'aandeel_van': de overige "
                                                         "instrumenten in de noemer.")
        return False
    return True


def share_is_a_percentage(context: Context, row: Row) -> bool:
    """A share is a percentage from 0 to 100."""
    value = row.values["waarde"]
    if row.values["soort"] == "aandeel" and not 0 <= value <= 100:
        context.error(row.sheet, row.ref("waarde"), f"Een aandeel is een percentage tussen 0 en 100, niet "
                                                    f"{shown(value)}.")
        return False
    if row.values["soort"] == "aandeel" and 0 < value < 1:
        context.warn(row.sheet, row.ref("waarde"), f"Een aandeel is een percentage: {shown(value)} betekent "
                                                   f"{shown(value)}%. Bedoelt u {shown(value * 100)}%? Vul dan "
                                                   f"{shown(value * 100)} in.")
    return True


def capacity_organisation_known(context: Context, row: Row) -> bool:
    """A capacity names an organisation of the sheet Instrumenten."""
    if row.values["soort"] != "capaciteit":
        return True
    name = row.values["organisatie"] or ""
    organisation = context.organisations.get(normalise(name))
    if organisation is None:
        known = ", ".join(context.organisations.values()) or "(geen)"
        context.error(row.sheet, row.ref("organisatie"), f"Onbekende organisatie '{name}'. "
                                                         f"Bekend uit blad Instrumenten: {known}.")
        return False
    row.resolved["organisatie"] = organisation
    return True


def linear_has_terms(context: Context, row: Row) -> bool:
    """A linear requirement has terms on the sheet Eistermen."""
    if row.values["soort"] == "lineair" and not context.terms.get(normalise(row.values["eis"])):
        context.error(row.sheet, row.ref("eis"), f"De lineaire eis '{row.values['eis']}' heeft geen termen; vul in "
                                                 "blad 'Eistermen' per instrument een coëfficiënt in.")
        return False
    return True


def linear_has_direction(context: Context, row: Row) -> bool:
    """A linear requirement states its direction."""
    if row.values["soort"] == "lineair" and row.values["richting"] is None:
        context.error(row.sheet, row.ref("richting"), "Bij een lineaire eis is de richting verplicht (>=, <= of =).")
        return False
    return True


REQUIREMENT_RULES = (gemeente_known, usable, one_kind_per_requirement, listed_instruments_known,
                     targets_and_shares_list_instruments, share_base_known, share_has_base, share_is_a_percentage,
                     capacity_organisation_known,
                     linear_has_terms, linear_has_direction, year_in_plan)


def one_row_per_requirement_year(context: Context, row: Row, year: int | None, seen: dict) -> bool:
    """Whether ``row`` gives the requirement for ``year`` (``None``: all years together).

    A row for one year replaces the every-year row and is not replaced by
    it; two rows for the same year are an error. ``seen`` remembers, per
    requirement and year, the cell of the row that gave it.
    """
    name, given = row.values["eis"], row.values["jaar"]
    key = (normalise(name), year)
    if key in seen and given is None:
        return False
    if key in seen and seen[key] != "elk jaar":
        context.error(row.sheet, row.ref("jaar"), f"De eis '{name}' staat voor {year or TOTAL} al in {seen[key]}.")
        return False
    seen[key] = "elk jaar" if given is None else row.ref("jaar")
    return True


# -- Scenario's and Scenariokosten ----------------------------------------------------------------

def allowed_instruments_known(context: Context, row: Row) -> bool:
    """The instruments a scenario allows are known."""
    return context.sheets.names(row.sheet, row, "toegestane_instrumenten", context.declared) is not None


SCENARIO_RULES = (allowed_instruments_known, usable)


def at_most_one_fixed_scenario(context: Context, rows: list[Row]) -> None:
    """At most one scenario is fixed."""
    fixed = [row for row in rows if row.ok and row.values["vast"]]
    if len(fixed) > 1:
        context.error("Scenario's", fixed[1].ref("vast"), f"Hoogstens één scenario kan vast staan; nu {len(fixed)}: "
                                                          f"{', '.join(r.values['scenario'] for r in fixed)}.")


def scenario_cost_references_known(context: Context, row: Row) -> bool:
    """A scenario cost row names a known scenario and budget line."""
    context.sheets.resolve(row.sheet, row, "scenario", context.scenario_names, "Onbekend scenario")
    context.sheets.resolve(row.sheet, row, "budgetregel", context.lines, "Onbekende budgetregel")
    return True


SCENARIO_COST_RULES = (scenario_cost_references_known, usable, year_in_plan)


# -- Verloop -------------------------------------------------------------------------------------

def run_off_says_something(context: Context, row: Row) -> bool:
    """A run-off row gives a retention or a given volume, not both."""
    retention, given = row.values["blijfkans"], row.values["prognose"]
    if retention is None and given is None:
        context.error(row.sheet, row.ref("blijfkans"), "Vul een blijfkans of een prognose in, of haal de regel weg.")
        return False
    if retention is not None and given is not None:
        context.error(row.sheet, row.ref("prognose"), "Vul blijfkans of prognose in, niet allebei: met een "
                                                      "prognose ligt het volume van dit jaar vast.")
        return False
    return True


def given_series_has_no_minimum_inflow(context: Context, row: Row) -> bool:
    """A year with a given volume has no inflow, so its instrument cannot ask for a minimum inflow."""
    name = row.resolved.get("instrument")
    instrument = context.instruments.get(name) if name else None
    if row.values["prognose"] is not None and instrument is not None and (instrument.min_inflow or 0) > 0:
        context.error(row.sheet, row.ref("prognose"),
                      f"'{name}' heeft op blad Instrumenten een min_instroom, maar in {row.values['jaar']} volgt het "
                      "volume de prognose zonder instroom. Haal de min_instroom of de prognose weg.")
        return False
    return True


RUN_OFF_RULES = (_known_instrument, usable, year_in_plan, run_off_says_something, given_series_has_no_minimum_inflow)


# -- Gekozen plan ---------------------------------------------------------------------------------

CHOSEN_PLAN_RULES = (_known_instrument, usable, year_in_plan)


def chosen_plan_complete(context: Context, plan: dict[tuple[str, int], float]) -> None:
    """A chosen plan names every instrument in every year; what it leaves out counts as 0 (a warning)."""
    missing = [(i, t) for i in context.instruments for t in context.years if (i, t) not in plan]
    if plan and missing:
        listed = ", ".join(f"{i} {t}" for i, t in missing[:5]) + (" ..." if len(missing) > 5 else "")
        context.warn("Gekozen plan", None, f"Het gekozen plan noemt {len(missing)} combinatie(s) van instrument en "
                                           f"jaar niet ({listed}); die tellen als 0.")


# -- the whole problem ----------------------------------------------------------------------------

def restricted_instrument_needs_bound(context: Context, data: ProblemData) -> None:
    """An instrument some scenario does not allow needs a finite bound on its inflow (the big-M)."""
    for name in restricted_instruments(data):
        if any(math.isinf(inflow_bound(data, name, t)) for t in data.years):
            row = context.instrument_rows.get(normalise(name))
            context.error("Instrumenten", row.ref("max_instroom") if row else None,
                          f"'{name}' is niet in elk scenario toegestaan en heeft daarom een bovengrens nodig: vul "
                          "max_instroom of max_volume in, of geef het een doelgroep met een omvang.")


def free_instrument_has_maximum(context: Context, data: ProblemData) -> None:
    """An instrument that costs nothing on balance in some year needs a limit, or the model may use it without end.

    On balance: the yearly costs over all budget lines together, so an avoided benefit in the BUIG that
    outweighs the cost counts as free too. A warning: a requirement may still limit it.
    """
    net: dict[tuple[str, int], float] = {}
    for (i, _, t), c in data.cost.items():
        net[i, t] = net.get((i, t), 0.0) + c
    for name, inst in data.instruments.items():
        limited = any(v is not None for v in (inst.max_volume, inst.max_inflow, inst.max_change, inst.group))
        free = [t for t in data.years if net.get((name, t), 0.0) <= 0]
        if free and not limited:
            row = context.instrument_rows.get(normalise(name))
            context.warn("Instrumenten", row.ref("instrument") if row else None,
                         f"'{name}' kost per saldo niets in {free[0]} en heeft geen maximum: het model kan het "
                         "onbeperkt inzetten. Vul kosten in (blad Kosten) of een max_volume.")


def group_unit_is_its_instruments_unit(context: Context, data: ProblemData) -> None:
    """A group counted in a unit other than persons has only instruments in that unit."""
    reported = set()
    for (name, _), group in data.groups.items():
        if group.unit == PERSONS or name in reported:
            continue
        other = [i for i, inst in data.instruments.items() if inst.group == name and inst.unit != group.unit]
        if other:
            reported.add(name)
            row = context.instrument_rows.get(normalise(other[0]))
            context.error("Instrumenten", row.ref("eenheid") if row else None,
                          f"De doelgroep '{name}' telt in {group.unit} (blad Doelgroepen), maar '{other[0]}' telt in "
                          f"{data.instruments[other[0]].unit}. Geef de doelgroep eenheid personen, of het instrument "
                          f"eenheid {group.unit}.")


PROBLEM_RULES = (restricted_instrument_needs_bound, free_instrument_has_maximum, group_unit_is_its_instruments_unit)
