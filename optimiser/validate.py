"""Check a read workbook against the schema and turn it into :class:`ProblemData`.

Every problem is collected (none stops the check early) and each names its
sheet and cell in Dutch. Only when there are no errors is a
:class:`~models.data.ProblemData` returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from models.data import (
    BudgetYear,
    GroupYear,
    Instrument,
    ProblemData,
    Requirement,
    Scenario,
    Settings,
    inflow_bound,
    restricted_instruments,
)
from optimiser import parse
from optimiser.problems import InputError, Problem
from optimiser.reader import Cell, SheetRows, read_workbook
from optimiser.schema import Column, normalise, sheets

MAX_YEARS = 30
TOTAL = "totaal"


@dataclass
class Row:
    """A row with typed values and the address of each cell."""

    values: dict[str, object]
    refs: dict[str, str]
    row_ref: str
    ok: bool = True

    def ref(self, column: str) -> str:
        """The cell of ``column`` in this row, or the row's first cell."""
        return self.refs.get(column, self.row_ref)


@dataclass
class _Checker:
    read: dict[str, SheetRows]
    problems: list[Problem] = field(default_factory=list)
    instrument_rows: dict[str, Row] = field(default_factory=dict)
    declared_instruments: dict[str, str] = field(default_factory=dict)
    """Every instrument named on its sheet, valid or not, so that a bad cell does not cascade."""

    # -- helpers -------------------------------------------------------------
    def error(self, sheet: str, cell: str | None, message: str) -> None:
        self.problems.append(Problem(self._title(sheet), cell, message))

    def warn(self, sheet: str, cell: str | None, message: str) -> None:
        self.problems.append(Problem(self._title(sheet), cell, message, "waarschuwing"))

    def _title(self, sheet: str) -> str:
        rows = self.read.get(sheet)
        return rows.name if rows else sheet

    def _convert(self, column: Column, cell: Cell) -> object:
        value = cell.value
        if value is parse.UNSAVED_FORMULA:
            raise parse.ParseError(parse.UNSAVED_MESSAGE)
        if parse.is_blank(value):
            if column.required:
                raise parse.ParseError(f"'{column.name}' is verplicht; vul een waarde in")
            return self._default(column)
        kind = column.type
        if kind == "getal":
            result = parse.number(value, column.unit)
        elif kind == "jaar":
            result = parse.year(value)
        elif kind == "jaar_of_totaal":
            if isinstance(value, str) and normalise(value) == TOTAL:
                return TOTAL
            result = parse.year(value)
        elif kind == "janee":
            return parse.yes_no(value)
        elif kind == "keuze":
            return parse.choice(value, column.choices)
        elif kind == "instrumentlijst":
            return parse.name_list(value)
        else:
            return parse.text(value)
        if column.minimum is not None and result < column.minimum:
            raise parse.ParseError(_too_small(column, result))
        if column.maximum is not None and result > column.maximum:
            raise parse.ParseError(f"{result:g} is groter dan het maximum {column.maximum:g} voor '{column.name}'")
        return result

    @staticmethod
    def _default(column: Column) -> object:
        if column.default == "":
            return [] if column.type == "instrumentlijst" else None
        if column.type == "getal":
            return float(column.default)
        if column.type == "janee":
            return column.default == "ja"
        return column.default

    def rows(self, sheet_name: str) -> list[Row]:
        """Typed rows of a table sheet; bad cells are reported and the row marked."""
        read = self.read.get(sheet_name)
        if read is None:
            return []
        sheet = sheets()[sheet_name]
        result = []
        for cells in read.rows:
            row_ref = next(iter(cells.values())).ref if cells else "A1"
            row_ref = "A" + "".join(ch for ch in row_ref if ch.isdigit())
            row = Row({}, {name: cell.ref for name, cell in cells.items()}, row_ref)
            for column in sheet.columns:
                cell = cells.get(column.name, Cell(None, row_ref))
                try:
                    row.values[column.name] = self._convert(column, cell)
                except parse.ParseError as reason:
                    self.error(sheet_name, cell.ref, str(reason))
                    row.ok = False
            result.append(row)
        return result

    def unique(self, sheet_name: str, rows: list[Row], key: tuple[str, ...]) -> list[Row]:
        """Rows whose key was not seen before; duplicates (also case variants) are errors."""
        seen: dict[tuple, str] = {}
        kept = []
        for row in rows:
            k = tuple(normalise(row.values.get(c)) if isinstance(row.values.get(c), str) else row.values.get(c)
                      for c in key)
            if k in seen:
                label = ", ".join(f"{c} = {row.values.get(c)}" for c in key)
                self.error(sheet_name, row.ref(key[0]),
                           f"Dubbele regel ({label}); die staat al in {seen[k]}. Laat één van beide staan.")
                continue
            seen[k] = row.ref(key[0])
            kept.append(row)
        return kept

    def resolve(self, sheet: str, row: Row, column: str, known: dict[str, str], what: str) -> str | None:
        """The canonical spelling of a reference to a known name, or report it."""
        name = row.values.get(column)
        if name is None:
            return None
        found = known.get(normalise(name))
        if found is None:
            options = ", ".join(known.values()) or "(geen)"
            self.error(sheet, row.ref(column), f"{what} '{name}'. Bekend: {options}.")
            row.ok = False
        return found

    # -- sheets ----------------------------------------------------------------
    def settings(self) -> Settings | None:
        read = self.read.get("Instellingen")
        if read is None:
            return None
        sheet = sheets()["Instellingen"]
        cells = read.rows[0] if read.rows else {}
        values: dict[str, object] = {}
        ok = True
        for column in sheet.columns:
            cell = cells.get(column.name)
            if cell is None:
                if column.required:
                    self.error("Instellingen", None,
                               f"De instelling '{column.name}' ontbreekt; voeg een regel toe met in kolom A "
                               f"'{column.name}' en in kolom B de waarde.")
                    ok = False
                    continue
                cell = Cell(None, "B1")
            try:
                values[column.name] = self._convert(column, cell)
            except parse.ParseError as reason:
                self.error("Instellingen", cell.ref, str(reason))
                ok = False
        if not ok:
            return None
        first, last = values["eerste_jaar"], values["laatste_jaar"]
        if last < first:
            self.error("Instellingen", cells["laatste_jaar"].ref,
                       f"Het laatste jaar ({last}) ligt vóór het eerste jaar ({first}).")
            return None
        if last - first + 1 > MAX_YEARS:
            self.error("Instellingen", cells["laatste_jaar"].ref,
                       f"Hoogstens {MAX_YEARS} planjaren; nu {last - first + 1}.")
            return None
        return Settings(
            name=values["naam"],
            years=tuple(range(int(first), int(last) + 1)),
            objective=values["doelstelling"],
            benefit_per_person=values["baten_per_persoon"],
            integer_volumes=values["gehele_aantallen"],
            time_limit=values["tijdslimiet"],
            lexicographic_tolerance=values["tolerantie_lexicografisch"] / 100,
            chosen_scenario=values["gekozen_scenario"],
        )

    def budgets(self, years: tuple[int, ...]) -> tuple[dict[tuple[str, int], BudgetYear], dict[str, str]]:
        sheet = "Budgetten"
        parsed = [r for r in self.rows(sheet) if r.values.get("budgetregel") and r.values.get("jaar")]
        rows = self.unique(sheet, parsed, ("budgetregel", "jaar"))
        lines: dict[str, str] = {}
        for row in rows:
            lines.setdefault(normalise(row.values["budgetregel"]), row.values["budgetregel"])
        budgets: dict[tuple[str, int], BudgetYear] = {}
        first_row: dict[str, str] = {}
        bad_years: dict[str, set] = {}  # rows already reported; not reported again as missing
        for row in rows:
            v = row.values
            line = lines[normalise(v["budgetregel"])]
            first_row.setdefault(line, row.ref("budgetregel"))
            if v["jaar"] not in years:
                self.warn(sheet, row.ref("jaar"), f"Het jaar {v['jaar']} valt buiten de planjaren en telt niet mee.")
                continue
            bad_years.setdefault(line, set()).add(v["jaar"])
            topup_from = self.resolve(sheet, row, "aanvulling_uit", lines, "Onbekende budgetregel")
            surplus_to = self.resolve(sheet, row, "overschot_naar", lines, "Onbekende budgetregel")
            if topup_from == line:
                self.error(sheet, row.ref("aanvulling_uit"), "Een budgetregel kan zichzelf niet aanvullen.")
                continue
            if surplus_to == line:
                self.error(sheet, row.ref("overschot_naar"), "Een overschot kan niet naar dezelfde budgetregel gaan.")
                continue
            if v["max_aanvulling"] is not None and v["aanvulling_uit"] is None:
                self.error(sheet, row.ref("max_aanvulling"),
                           "Er is een maximale aanvulling ingevuld maar geen 'aanvulling_uit'; vul in uit welke "
                           "budgetregel de aanvulling komt, of maak de cel leeg.")
                continue
            if not row.ok:
                continue
            bad_years[line].discard(v["jaar"])
            budgets[line, v["jaar"]] = BudgetYear(
                line=line, year=v["jaar"], available=v["beschikbaar"], committed=v["vastgelegd"],
                savings_target=v["besparingstaakstelling"], topup_from=topup_from, topup_cap=v["max_aanvulling"],
                surplus_to=surplus_to, bearer=v["drager"],
            )
        for line, ref in first_row.items():
            missing = [t for t in years if (line, t) not in budgets]
            if missing and all(t not in bad_years.get(line, ()) for t in missing):
                self.error(sheet, ref, f"De budgetregel '{line}' heeft geen regel voor "
                                       f"{_years_text(missing)}; elk planjaar heeft een regel nodig.")
        if not rows and sheet in self.read:
            self.error(sheet, None, "Er staan geen budgetregels in het blad.")
        return budgets, lines

    def groups(self, years) -> tuple[dict[tuple[str, int], GroupYear], dict[str, str]]:
        sheet = "Doelgroepen"
        rows = self.unique(sheet, [r for r in self.rows(sheet) if r.ok], ("doelgroep", "jaar"))
        names: dict[str, str] = {}
        groups = {}
        for row in rows:
            v = row.values
            name = names.setdefault(normalise(v["doelgroep"]), v["doelgroep"])
            if v["jaar"] in years:
                groups[name, v["jaar"]] = GroupYear(name, v["jaar"], v["omvang"], v["soort"] == "precies")
        return groups, names

    def instruments(self, groups: dict[str, str]) -> dict[str, Instrument]:
        sheet = "Instrumenten"
        rows = self.unique(sheet, [r for r in self.rows(sheet) if r.values.get("instrument")], ("instrument",))
        result = {}
        for row in rows:
            v = row.values
            self.instrument_rows[normalise(v["instrument"])] = row
            self.declared_instruments[normalise(v["instrument"])] = v["instrument"]
            group = self.resolve(sheet, row, "doelgroep", groups, "Onbekende doelgroep")
            for low, high in (("min_volume", "max_volume"), ("min_instroom", "max_instroom")):
                if v.get(low) is not None and v.get(high) is not None and v[low] > v[high]:
                    self.error(sheet, row.ref(low), f"{low} ({v[low]:g}) is groter dan {high} ({v[high]:g}).")
                    row.ok = False
            if not row.ok:
                continue
            result[v["instrument"]] = Instrument(
                name=v["instrument"], unit=v["eenheid"], group=group,
                persons_per_unit=v["personen_per_eenheid"], start=v["beginstand"], retention=v["blijfkans"],
                benefit=v["baten_per_persoon"], weight=v["gewicht"], min_volume=v["min_volume"],
                max_volume=v["max_volume"], min_inflow=v["min_instroom"], max_inflow=v["max_instroom"],
                max_change=v["max_verandering"], integer=v["geheel"], organisation=v["organisatie"],
            )
        if not rows and sheet in self.read:
            self.error(sheet, None, "Er staan geen instrumenten in het blad.")
        return result

    def costs(self, instruments, lines, years):
        sheet = "Kosten"
        rows = self.unique(sheet, self.rows(sheet), ("instrument", "budgetregel", "jaar"))
        known = self.declared_instruments
        cost, once = {}, {}
        general, specific = [], []
        for row in rows:
            i = self.resolve(sheet, row, "instrument", known, "Onbekend instrument")
            b = self.resolve(sheet, row, "budgetregel", lines, "Onbekende budgetregel")
            year = row.values["jaar"]
            if year is not None and year not in years:
                self.warn(sheet, row.ref("jaar"), f"Het jaar {year} valt buiten de planjaren en telt niet mee.")
                continue
            if row.ok:
                (general if year is None else specific).append((i, b, year, row.values))
        for i, b, year, v in general + specific:  # a row with a year overrides the row without
            for t in (years if year is None else (year,)):
                cost[i, b, t] = v["kosten_per_eenheid"]
                once[i, b, t] = v["eenmalig_per_instroom"]
        return cost, once

    def requirements(self, instruments, years) -> list[Requirement]:
        sheet = "Eisen"
        rows = self.rows(sheet)
        known = self.declared_instruments
        organisations = {normalise(x.organisation): x.organisation for x in instruments.values() if x.organisation}
        terms_by_name = self._requirement_terms(known)
        kinds: dict[str, str] = {}
        seen: dict[tuple[str, object], str] = {}
        result: dict[tuple[str, object], Requirement] = {}
        for row in rows:
            if not row.ok:
                continue
            v = row.values
            name, kind = v["eis"], v["soort"]
            if kinds.setdefault(normalise(name), kind) != kind:
                self.error(sheet, row.ref("soort"), f"De eis '{name}' heeft op een andere regel de soort "
                                                    f"'{kinds[normalise(name)]}'; één eis heeft één soort.")
                continue
            built = self._requirement(row, known, organisations, terms_by_name, instruments)
            if built is None:
                continue
            year = v["jaar"]
            targets = years if year is None else ((None,) if year == TOTAL else (year,))
            if year not in (None, TOTAL) and year not in years:
                self.warn(sheet, row.ref("jaar"), f"Het jaar {year} valt buiten de planjaren en telt niet mee.")
                continue
            for t in targets:
                key = (normalise(name), t)
                if key in seen and year is None:
                    continue  # a row for a specific year overrides the every-year row
                if key in seen and seen[key] != "elk jaar":
                    self.error(sheet, row.ref("jaar"), f"De eis '{name}' staat voor {t or TOTAL} al in {seen[key]}.")
                    continue
                seen[key] = "elk jaar" if year is None else row.ref("jaar")
                result[key] = Requirement(name=name, year=t, **built)  # replaces an every-year row
        return list(result.values())

    def _requirement_terms(self, known) -> dict[str, list[tuple[str, float]]]:
        sheet = "Eistermen"
        rows = self.unique(sheet, self.rows(sheet), ("eis", "instrument"))
        terms: dict[str, list[tuple[str, float]]] = {}
        for row in rows:
            i = self.resolve(sheet, row, "instrument", known, "Onbekend instrument")
            if row.ok:
                terms.setdefault(normalise(row.values["eis"]), []).append((i, row.values["coefficient"]))
        return terms

    def _requirement(self, row: Row, known, organisations, terms_by_name, instruments) -> dict | None:
        """The kind-specific part of a requirement, as linear terms."""
        sheet = "Eisen"
        v = row.values
        kind = v["soort"]
        listed = self._names(sheet, row, "instrumenten", known)
        sense = v["richting"] or {"doel": ">=", "aandeel": ">=", "capaciteit": "<="}.get(kind)
        common = {"sense": sense, "quantity": v["grootheid"], "kind": kind}
        if listed is None:
            return None
        if kind in ("doel", "aandeel") and not listed:
            self.error(sheet, row.ref("instrumenten"), f"Bij een eis van soort '{kind}' hoort een lijst instrumenten "
                                                       "(gescheiden door ;).")
            return None
        if kind == "doel":
            return {**common, "terms": tuple((i, 1.0) for i in listed), "rhs": v["waarde"]}
        if kind == "aandeel":
            others = self._names(sheet, row, "aandeel_van", known)
            if others is None:
                return None
            if not others:
                self.error(sheet, row.ref("aandeel_van"), "Bij een aandeel hoort 'aandeel_van': de overige "
                                                          "instrumenten in de noemer.")
                return None
            if not 0 <= v["waarde"] <= 100:
                self.error(sheet, row.ref("waarde"), f"Een aandeel is een percentage tussen 0 en 100, niet "
                                                     f"{v['waarde']:g}.")
                return None
            share = v["waarde"] / 100
            base = tuple(dict.fromkeys(listed + others))
            terms = tuple((i, (1.0 if i in listed else 0.0) - share) for i in base)
            return {**common, "terms": terms, "rhs": 0.0, "share": share, "share_part": tuple(listed),
                    "share_base": base}
        if kind == "capaciteit":
            organisation = organisations.get(normalise(v["organisatie"] or ""))
            if organisation is None:
                known_orgs = ", ".join(organisations.values()) or "(geen)"
                self.error(sheet, row.ref("organisatie"), f"Onbekende organisatie '{v['organisatie'] or ''}'. "
                                                          f"Bekend uit blad Instrumenten: {known_orgs}.")
                return None
            members = tuple((n, 1.0) for n, x in instruments.items() if x.organisation == organisation)
            return {**common, "terms": members, "rhs": v["waarde"]}
        terms = terms_by_name.get(normalise(v["eis"]))
        if not terms:
            self.error(sheet, row.ref("eis"), f"De lineaire eis '{v['eis']}' heeft geen termen; vul in blad "
                                              "'Eistermen' per instrument een coëfficiënt in.")
            return None
        if v["richting"] is None:
            self.error(sheet, row.ref("richting"), "Bij een lineaire eis is de richting verplicht (>=, <= of =).")
            return None
        return {**common, "terms": tuple(terms), "rhs": v["waarde"]}

    def _names(self, sheet: str, row: Row, column: str, known: dict[str, str]) -> list[str] | None:
        """Instrument names from a ``;`` list, or ``None`` after reporting an unknown one."""
        names = []
        for name in row.values.get(column) or []:
            found = known.get(normalise(name))
            if found is None:
                self.error(sheet, row.ref(column),
                           f"Onbekend instrument '{name}'. Bekend: {', '.join(known.values())}.")
                return None
            names.append(found)
        return names

    def scenarios(self, instruments, lines, years):
        sheet = "Scenario's"
        rows = self.unique(sheet, self.rows(sheet), ("scenario",))
        known = self.declared_instruments
        result: dict[str, Scenario] = {}
        for row in rows:
            allowed = self._names(sheet, row, "toegestane_instrumenten", known)
            if allowed is None or not row.ok:
                continue
            v = row.values
            result[v["scenario"]] = Scenario(v["scenario"], frozenset(allowed) if allowed else None, v["vast"])
        fixed = [row for row in rows if row.ok and row.values.get("vast")]
        if len(fixed) > 1:
            self.error(sheet, fixed[1].ref("vast"), f"Hoogstens één scenario kan vast staan; nu {len(fixed)}: "
                                                    f"{', '.join(r.values['scenario'] for r in fixed)}.")
        friction, fixed_cost = {}, {}
        sheet = "Scenariokosten"
        names = {normalise(r.values["scenario"]): r.values["scenario"] for r in rows if r.values.get("scenario")}
        for row in self.unique(sheet, self.rows(sheet), ("scenario", "budgetregel", "jaar")):
            s = self.resolve(sheet, row, "scenario", names, "Onbekend scenario")
            b = self.resolve(sheet, row, "budgetregel", lines, "Onbekende budgetregel")
            if not row.ok:
                continue
            if row.values["jaar"] not in years:
                self.warn(sheet, row.ref("jaar"), f"Het jaar {row.values['jaar']} valt buiten de planjaren.")
                continue
            friction[s, b, row.values["jaar"]] = row.values["frictiekosten"]
            fixed_cost[s, b, row.values["jaar"]] = row.values["vaste_kosten"]
        return result, friction, fixed_cost

    def chosen_scenario(self, settings: Settings, scenarios: dict[str, Scenario]) -> Settings:
        """The settings with the chosen plan's scenario spelled as on the scenario sheet."""
        if settings.chosen_scenario is None:
            return settings
        known = {normalise(n): n for n in scenarios}
        name = known.get(normalise(settings.chosen_scenario))
        if name is None:
            cell = self.read["Instellingen"].rows[0]["gekozen_scenario"].ref
            self.error("Instellingen", cell, f"Onbekend scenario '{settings.chosen_scenario}'. Bekend uit blad "
                                             f"Scenario's: {', '.join(scenarios) or '(geen)'}.")
            return settings
        return replace(settings, chosen_scenario=name)

    def chosen_plan(self, instruments, years) -> dict[tuple[str, int], float]:
        sheet = "Gekozen plan"
        known = self.declared_instruments
        plan = {}
        for row in self.unique(sheet, self.rows(sheet), ("instrument", "jaar")):
            i = self.resolve(sheet, row, "instrument", known, "Onbekend instrument")
            if not row.ok:
                continue
            if row.values["jaar"] not in years:
                self.warn(sheet, row.ref("jaar"), f"Het jaar {row.values['jaar']} valt buiten de planjaren.")
                continue
            plan[i, row.values["jaar"]] = row.values["volume"]
        missing = [(i, t) for i in instruments for t in years if (i, t) not in plan]
        if plan and missing:
            listed = ", ".join(f"{i} {t}" for i, t in missing[:5]) + (" ..." if len(missing) > 5 else "")
            self.warn(sheet, None, f"Het gekozen plan noemt {len(missing)} combinatie(s) van instrument en jaar "
                                   f"niet ({listed}); die tellen als 0.")
        return plan

    def cross_checks(self, data: ProblemData) -> None:
        """Checks that need the whole problem: big-M bounds and free instruments."""
        rows = self.instrument_rows
        for name in restricted_instruments(data):
            if any(math.isinf(inflow_bound(data, name, t)) for t in data.years):
                row = rows.get(normalise(name))
                self.error("Instrumenten", row.ref("max_instroom") if row else None,
                           f"'{name}' is niet in elk scenario toegestaan en heeft daarom een bovengrens nodig: vul "
                           "max_instroom of max_volume in, of geef het een doelgroep met een omvang.")
        costly = {i for (i, _, _), c in data.cost.items() if c > 0}
        for name, inst in data.instruments.items():
            if name not in costly and inst.max_volume is None and inst.max_inflow is None and inst.group is None:
                row = rows.get(normalise(name))
                self.warn("Instrumenten", row.ref("instrument") if row else None,
                          f"'{name}' kost niets en heeft geen maximum: het model kan het onbeperkt inzetten. "
                          "Vul kosten in (blad Kosten) of een max_volume.")


def _too_small(column: Column, value: float) -> str:
    if column.minimum == 0:
        return f"'{column.name}' mag niet negatief zijn (gevonden {value:g})"
    return f"{value:g} is kleiner dan het minimum {column.minimum:g} voor '{column.name}'"


def _years_text(years: list[int]) -> str:
    return ", ".join(str(t) for t in years)


def check(path: Path) -> tuple[ProblemData | None, list[Problem]]:
    """Read and validate a workbook: the data (when there are no errors) and every problem."""
    try:
        read, problems = read_workbook(Path(path))
    except InputError as error:
        return None, error.problems
    checker = _Checker(read, problems)
    settings = checker.settings()
    years = settings.years if settings else ()
    budgets, lines = checker.budgets(years)
    groups, group_names = checker.groups(years)
    instruments = checker.instruments(group_names)
    cost, once = checker.costs(instruments, lines, years)
    requirements = checker.requirements(instruments, years)
    scenarios, friction, fixed_cost = checker.scenarios(instruments, lines, years)
    chosen = checker.chosen_plan(instruments, years)
    if settings is not None:
        settings = checker.chosen_scenario(settings, scenarios)
    errors = [p for p in checker.problems if p.severity == "fout"]
    if errors or settings is None:
        return None, checker.problems
    data = ProblemData(
        settings=settings, instruments=instruments, budgets=budgets, cost=cost, once=once, groups=groups,
        requirements=requirements, scenarios=scenarios, friction=friction, fixed_cost=fixed_cost,
        chosen_plan=chosen,
    )
    checker.cross_checks(data)
    errors = [p for p in checker.problems if p.severity == "fout"]
    return (None if errors else data), checker.problems


def load(path: Path) -> ProblemData:
    """The validated data of a workbook, or an :class:`InputError` with every problem."""
    data, problems = check(path)
    if data is None:
        raise InputError([p for p in problems if p.severity == "fout"])
    return data
