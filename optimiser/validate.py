"""Check a workbook and turn it into :class:`ProblemData`: the public entry points.

:func:`check` (a file) and :func:`check_bytes` (an upload held in memory)
read the workbook (:mod:`optimiser.reader`), type its cells
(:mod:`optimiser.rows`) and build the data sheet by sheet, applying each
sheet's rules (:mod:`optimiser.rules`) in a fixed order; the rules on the
whole problem run last. Every problem is collected (none stops the check
early) and each names its sheet and cell in Dutch. Only when there are no
errors is a :class:`~models.data.ProblemData` returned.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from models.data import BudgetYear, GroupYear, Instrument, ProblemData, Requirement, Reserve, Scenario, Settings
from optimiser.problems import InputError, Problem, capped
from optimiser.reader import read_file, read_workbook
from optimiser.region_input import apply_region, read_region
from optimiser.rows import TOTAL, Row, Sheets, keyed, record
from optimiser.rules import (
    BUDGET_RULES,
    CHOSEN_PLAN_RULES,
    COST_RULES,
    DEFAULT_SENSE,
    FUNDING_RULES,
    GROUP_RULES,
    INSTRUMENT_RULES,
    PROBLEM_RULES,
    REQUIREMENT_RULES,
    RUN_OFF_RULES,
    SCENARIO_COST_RULES,
    SCENARIO_RULES,
    SETTINGS_RULES,
    TERM_RULES,
    Context,
    at_most_one_fixed_scenario,
    chosen_plan_complete,
    chosen_scenario_known,
    every_plan_year_has_a_budget_row,
    every_plan_year_has_a_group_row,
    no_cycle_between_lines,
    not_empty,
    one_bearer_per_reserve,
    one_row_per_requirement_year,
    passes,
)
from optimiser.schema import normalise
from optimiser.whatif_input import read_sheet

Tables = dict[str, dict[tuple, float]]


def check(path: Path) -> tuple[ProblemData | None, list[Problem]]:
    """Read and validate a workbook: the data (when there are no errors) and every problem."""
    try:
        content = read_file(Path(path))
    except InputError as error:
        return None, error.problems
    return check_bytes(content, Path(path).name)


def check_bytes(content: bytes, name: str) -> tuple[ProblemData | None, list[Problem]]:
    """Validate a workbook held in memory (an upload): the same checks and answers as :func:`check`.

    ``name`` is the uploaded file's name: messages use it, and as for a file
    its extension must be that of a workbook (``.xlsx``, ``.xlsm``). Nothing
    is written to disk.
    """
    try:
        data, problems = _validated(content, name)
    except InputError as error:
        return None, capped(error.problems)
    return data, capped(problems)


def _validated(content: bytes, name: str) -> tuple[ProblemData | None, list[Problem]]:
    read, problems = read_workbook(content, name)
    context = Context(Sheets(read, problems))
    settings, refs = _settings(context)
    context.years = settings.years if settings else ()
    reserves = _reserves(context)
    budgets = _budgets(context)
    groups = _groups(context)
    _instruments(context)
    budgets = _funding(context, budgets)
    tables = _costs(context)
    requirements = _requirements(context)
    scenarios = _scenarios(context)
    tables.update(_scenario_costs(context))
    chosen = _chosen_plan(context)
    tables.update(_run_off(context))
    region = read_region(context, budgets, context.instruments)
    budgets = apply_region(region, budgets, tables)
    if settings is not None:
        settings = chosen_scenario_known(context, settings, scenarios, refs)
    if _errors(problems) or settings is None:
        return None, problems
    data = ProblemData(settings=settings, instruments=context.instruments, budgets=budgets, groups=groups,
                       requirements=requirements, scenarios=scenarios, chosen_plan=chosen, reserves=reserves,
                       shared=region.shared, **tables)
    for rule in PROBLEM_RULES:
        rule(context, data)
    if not _errors(problems):
        data.what_ifs = read_sheet(context.sheets, data)
    return (None if _errors(problems) else data), problems


def load(path: Path) -> ProblemData:
    """The validated data of a workbook, or an :class:`InputError` with every problem."""
    data, problems = check(path)
    if data is None:
        raise InputError(_errors(problems))
    return data


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "fout"]


def _settings(context: Context) -> tuple[Settings | None, dict[str, str]]:
    typed = context.sheets.settings("Instellingen")
    if typed is None:
        return None, {}
    values, refs = typed
    if not all(rule(context, values, refs) for rule in SETTINGS_RULES):
        return None, refs
    years = tuple(range(int(values["eerste_jaar"]), int(values["laatste_jaar"]) + 1))
    return record(Settings, "Instellingen", values, years=years), refs


def _budgets(context: Context) -> dict[tuple[str, int], BudgetYear]:
    sheet = "Budgetten"
    listed = [r for r in context.sheets.table(sheet) if r.values["budgetregel"] and r.values["jaar"]]
    rows = context.sheets.unique(sheet, listed, ("budgetregel", "jaar"))
    for row in rows:
        name = row.values["budgetregel"]
        row.resolved["budgetregel"] = context.lines.setdefault(normalise(name), name)
        gemeente = row.values["gemeente"]
        row.resolved["gemeente"] = context.gemeenten.setdefault(normalise(gemeente), gemeente) if gemeente else None
    budgets = {}
    for row in rows:
        if passes(context, row, BUDGET_RULES):
            line, year = row.resolved["budgetregel"], row.values["jaar"]
            budgets[line, year] = record(BudgetYear, sheet, row.values, line=line,
                                         topup_from=row.resolved["aanvulling_uit"],
                                         surplus_to=row.resolved["overschot_naar"],
                                         reserve=row.resolved["reserve"], gemeente=row.resolved["gemeente"])
    one_bearer_per_reserve(context, rows)
    every_plan_year_has_a_budget_row(context, rows, budgets)
    no_cycle_between_lines(context, rows)
    not_empty(context, sheet, rows, "budgetregels")
    return budgets


def _reserves(context: Context) -> dict[str, Reserve]:
    """Reserves by name; read before the budget lines that name them."""
    sheet = "Reserves"
    reserves = {}
    for row in context.sheets.unique(sheet, [r for r in context.sheets.table(sheet) if r.values["reserve"]],
                                     ("reserve",)):
        name = row.values["reserve"]
        context.reserves[normalise(name)] = name
        if row.ok:
            reserves[name] = record(Reserve, sheet, row.values)
    return reserves


def _funding(context: Context, budgets: dict[tuple[str, int], BudgetYear]) -> dict[tuple[str, int], BudgetYear]:
    """The instruments whose volume funds a line, resolved once the instruments are known."""
    result = dict(budgets)
    for row in context.sheets.table("Budgetten"):
        key = (row.resolved.get("budgetregel"), row.values["jaar"])
        if key in result and passes(context, row, FUNDING_RULES):
            result[key] = replace(result[key], funding_instruments=tuple(row.resolved["bekostiging_instrumenten"]))
    return result


def _groups(context: Context) -> dict[tuple[str, int], GroupYear]:
    sheet = "Doelgroepen"
    rows = context.sheets.unique(sheet, [r for r in context.sheets.table(sheet) if r.ok], ("doelgroep", "jaar"))
    groups = {}
    for row in rows:
        name = context.groups.setdefault(normalise(row.values["doelgroep"]), row.values["doelgroep"])
        row.resolved["doelgroep"] = name
        if row.values["jaar"] in context.years and passes(context, row, GROUP_RULES):
            groups[name, row.values["jaar"]] = record(GroupYear, sheet, row.values, group=name,
                                                      exact=row.values["soort"] == "precies")
    every_plan_year_has_a_group_row(context, rows, groups)
    return groups


def _instruments(context: Context) -> None:
    sheet = "Instrumenten"
    named = [r for r in context.sheets.table(sheet) if r.values["instrument"]]
    rows = context.sheets.unique(sheet, named, ("instrument",))
    for row in rows:
        name = row.values["instrument"]
        context.instrument_rows[normalise(name)] = row
        context.declared[normalise(name)] = name
        if passes(context, row, INSTRUMENT_RULES):
            context.instruments[name] = record(Instrument, sheet, row.values, group=row.resolved["doelgroep"],
                                               gemeente=row.resolved["gemeente"])
    not_empty(context, sheet, rows, "instrumenten")
    context.organisations = {normalise(x.organisation): x.organisation
                             for x in context.instruments.values() if x.organisation}


def _costs(context: Context) -> Tables:
    """Cost tables keyed (instrument, line, year), summed over components.

    A row with a year goes before the row without (per component). Labelled
    components are kept apart in ``components`` for the result.
    """
    sheet = "Kosten"
    rows = [r for r in context.sheets.unique(sheet, context.sheets.table(sheet),
                                             ("instrument", "budgetregel", "jaar", "component"))
            if passes(context, r, COST_RULES)]
    parts: Tables = {"cost": {}, "once": {}}
    for row in sorted(rows, key=lambda r: r.values["jaar"] is not None):  # stable: every-year rows first
        year, label = row.values["jaar"], row.values["component"] or ""
        _fill(parts, sheet, row, [(row.resolved["instrument"], row.resolved["budgetregel"], t, label)
                                  for t in (context.years if year is None else (year,))])
    tables: Tables = {"cost": {}, "once": {}, "components": {}}
    for table, values in parts.items():
        for (i, line, t, _label), value in values.items():
            tables[table][i, line, t] = tables[table].get((i, line, t), 0.0) + value
    tables["components"] = {key: (parts["cost"][key], parts["once"][key]) for key in parts["cost"] if key[3]}
    return tables


def _fill(tables: Tables, sheet: str, row: Row, keys: list[tuple]) -> None:
    """Enter a row's values into the tables its columns fill (the schema's ``ProblemData.*`` fields)."""
    for table, value in keyed(sheet, row.values).items():
        target = tables.setdefault(table, {})
        for key in keys:
            target[key] = value


def _requirements(context: Context) -> list[Requirement]:
    sheet = "Eisen"
    rows = context.sheets.table(sheet)  # its cells are reported before those of Eistermen
    for row in rows:
        if row.values["eis"] and row.values["soort"]:
            context.requirement_names.setdefault(normalise(row.values["eis"]), row.values["eis"])
            context.requirement_kinds.setdefault(normalise(row.values["eis"]), row.values["soort"])
    for row in context.sheets.unique("Eistermen", context.sheets.table("Eistermen"), ("eis", "instrument")):
        if passes(context, row, TERM_RULES):
            context.terms.setdefault(normalise(row.values["eis"]), []).append(
                (row.resolved["instrument"], row.values["coefficient"]))
    seen: dict[tuple[str, object], str] = {}
    result: dict[tuple[str, object], Requirement] = {}
    for row in rows:
        if not passes(context, row, REQUIREMENT_RULES):
            continue
        fields = _requirement_fields(context, row)
        year = row.values["jaar"]
        for t in context.years if year is None else ((None,) if year == TOTAL else (year,)):
            if one_row_per_requirement_year(context, row, t, seen):
                result[normalise(row.values["eis"]), t] = record(Requirement, sheet, row.values, year=t, **fields)
    return list(result.values())


def _requirement_fields(context: Context, row: Row) -> dict[str, object]:
    """The kind-specific fields of a requirement that passed its rules, as linear terms."""
    v = row.values
    kind = v["soort"]
    listed = row.resolved["instrumenten"]
    fields: dict[str, object] = {"sense": v["richting"] or DEFAULT_SENSE.get(kind),
                                 "gemeente": row.resolved["gemeente"]}
    if kind == "doel":
        fields["terms"] = tuple((i, 1.0) for i in listed)
    elif kind == "aandeel":
        share = v["waarde"] / 100
        base = tuple(dict.fromkeys(listed + row.resolved["aandeel_van"]))
        fields.update(terms=tuple((i, (1.0 if i in listed else 0.0) - share) for i in base), rhs=0.0, share=share,
                      share_part=tuple(listed), share_base=base)
    elif kind == "capaciteit":
        organisation = row.resolved["organisatie"]
        # Matched as the organisation itself was looked up: "nwg" and "NWG" are one organisation.
        fields["terms"] = tuple((n, 1.0) for n, x in context.instruments.items()
                                if x.organisation and normalise(x.organisation) == normalise(organisation))
    else:
        fields["terms"] = tuple(context.terms[normalise(v["eis"])])
    return fields


def _scenarios(context: Context) -> dict[str, Scenario]:
    sheet = "Scenario's"
    rows = context.sheets.unique(sheet, context.sheets.table(sheet), ("scenario",))
    scenarios: dict[str, Scenario] = {}
    for row in rows:
        if passes(context, row, SCENARIO_RULES):
            allowed = row.resolved["toegestane_instrumenten"]
            scenarios[row.values["scenario"]] = record(Scenario, sheet, row.values,
                                                       allowed=frozenset(allowed) if allowed else None)
    at_most_one_fixed_scenario(context, rows)
    context.scenario_names = {normalise(r.values["scenario"]): r.values["scenario"]
                              for r in rows if r.values["scenario"]}
    return scenarios


def _scenario_costs(context: Context) -> Tables:
    """Friction and fixed cost tables keyed (scenario, line, year)."""
    sheet = "Scenariokosten"
    tables: Tables = {"friction": {}, "fixed_cost": {}}
    for row in context.sheets.unique(sheet, context.sheets.table(sheet), ("scenario", "budgetregel", "jaar")):
        if passes(context, row, SCENARIO_COST_RULES):
            _fill(tables, sheet, row, [(row.resolved["scenario"], row.resolved["budgetregel"], row.values["jaar"])])
    return tables


def _run_off(context: Context) -> Tables:
    """Retention per year and given volumes keyed (instrument, year); an empty cell fills neither."""
    sheet = "Verloop"
    tables: Tables = {"retention_by_year": {}, "given_volume": {}}
    for row in context.sheets.unique(sheet, context.sheets.table(sheet), ("instrument", "jaar")):
        if passes(context, row, RUN_OFF_RULES):
            key = (row.resolved["instrument"], row.values["jaar"])
            for table, value in keyed(sheet, row.values).items():
                if value is not None:
                    tables[table][key] = value
    return tables


def _chosen_plan(context: Context) -> dict[tuple[str, int], float]:
    sheet = "Gekozen plan"
    plan: Tables = {"chosen_plan": {}}
    for row in context.sheets.unique(sheet, context.sheets.table(sheet), ("instrument", "jaar")):
        if passes(context, row, CHOSEN_PLAN_RULES):
            _fill(plan, sheet, row, [(row.resolved["instrument"], row.values["jaar"])])
    chosen_plan_complete(context, plan["chosen_plan"])
    return plan["chosen_plan"]
