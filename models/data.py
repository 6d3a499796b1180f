"""Plain data the allocation model is built from.

Nothing here knows about Excel: the application reads and validates a
workbook and hands the model a :class:`ProblemData`. Every constant of the
formulation (see ``docs/formulation.md``) lives in these objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Objective = Literal["participatie", "maatschappelijke_waarde", "lexicografisch"]
Quantity = Literal["volume", "instroom", "personen"]
Sense = Literal[">=", "<=", "="]
PERSONS = "personen"
"""The unit of an instrument counted in persons, and the default unit of a target group."""


@dataclass(frozen=True)
class Settings:
    """Run-wide settings."""

    name: str
    years: tuple[int, ...]
    objective: Objective = "participatie"
    benefit_per_person: float = 5000.0
    integer_volumes: bool = True
    time_limit: float = 60.0
    lexicographic_tolerance: float = 0.001
    """Fraction of the optimal participation that phase 2 may give up."""
    chosen_scenario: str | None = None
    """The scenario that goes with the chosen plan, when it is evaluated."""
    language: str = "nl"
    """Language of the result workbook and messages (``nl`` or ``en``); the model does not read it."""


@dataclass(frozen=True)
class Instrument:
    """One instrument: a volume ``v[i,t]`` and an inflow ``u[i,t]`` per year."""

    name: str
    unit: str = "fte"
    group: str | None = None
    persons_per_unit: float = 1.0
    start: float = 0.0
    retention: float = 1.0
    benefit: float | None = None
    """Benefit per person per year; ``None`` takes the settings' default."""
    weight: float = 1.0
    min_volume: float | None = None
    max_volume: float | None = None
    min_inflow: float | None = None
    max_inflow: float | None = None
    max_change: float | None = None
    integer: bool = False
    organisation: str | None = None
    hard: bool = False
    """Its bounds and step limit are not negotiable (law, contract): a diagnosis never relaxes them."""
    gemeente: str | None = None
    """In a region: the gemeente the instrument belongs to (``None``: one gemeente, or the region)."""


@dataclass(frozen=True)
class BudgetYear:
    """One budget line in one year."""

    line: str
    year: int
    available: float
    committed: float = 0.0
    savings_target: float = 0.0
    topup_from: str | None = None
    topup_cap: float | None = None
    """``None`` means no cap (only when ``topup_from`` is set)."""
    surplus_to: str | None = None
    bearer: str = "gemeente"
    """Who bears the money of this line (``gemeente`` or ``rijk``)."""
    funding_per_unit: float = 0.0
    """Money the line receives per unit of volume of ``funding_instruments`` (funding per realised place)."""
    funding_instruments: tuple[str, ...] = ()
    reserve: str | None = None
    """The reserve this line's unspent money may flow into and later years may draw from (``None``: none)."""
    gemeente: str | None = None
    """In a region: the gemeente whose line this is (``None``: one gemeente)."""

    def funding(self, volume: dict[tuple[str, int], float]) -> float:
        """The money this line receives for the volumes ``volume`` keyed (instrument, year)."""
        return self.funding_per_unit * sum(volume.get((i, self.year), 0.0) for i in self.funding_instruments)


@dataclass(frozen=True)
class Reserve:
    """A reserve (egalisatiereserve, bestemmingsreserve) that carries money of budget lines over the years."""

    name: str
    start: float = 0.0
    """Balance before the first planning year."""
    cap: float | None = None
    """The highest balance at the end of any year; ``None``: no cap."""


@dataclass(frozen=True)
class GroupYear:
    """Size of a target group in one year, in persons."""

    group: str
    year: int
    size: float
    exact: bool = False
    unit: str = PERSONS
    """What the size counts: persons, or the unit its instruments share (then it bounds their volume)."""
    hard: bool = False
    """The size is not negotiable: a diagnosis never relaxes it."""

    def per_unit(self, instrument: Instrument) -> float:
        """How much one unit of the instrument's volume counts towards the size."""
        return instrument.persons_per_unit if self.unit == PERSONS else 1.0


@dataclass(frozen=True)
class Requirement:
    """A linear requirement ``sum coef * q[i,t] (sense) rhs``.

    ``year`` is the year it applies to, or ``None`` for the sum over all
    years. Targets, shares, capacities and free linear requirements all
    arrive in this form; ``kind`` and ``share`` are kept for reporting.
    """

    name: str
    year: int | None
    terms: tuple[tuple[str, float], ...]
    sense: Sense
    rhs: float
    quantity: Quantity = "volume"
    kind: str = "lineair"
    share: float | None = None
    """For a share requirement: the required fraction (0.28 for 28%)."""
    share_part: tuple[str, ...] = ()
    """For a share requirement: the instruments in the numerator."""
    share_base: tuple[str, ...] = ()
    """For a share requirement: all instruments in the denominator."""
    hard: bool = False
    """Not negotiable (a legal right, a signed contract): a diagnosis never relaxes it."""
    gemeente: str | None = None
    """In a region: the gemeente the requirement belongs to (``None``: the whole region)."""


@dataclass(frozen=True)
class Scenario:
    """An organisational scenario; ``allowed`` is ``None`` when it allows all."""

    name: str
    allowed: frozenset[str] | None = None
    fixed: bool = False


@dataclass
class ProblemData:
    """Everything one run of the model needs."""

    settings: Settings
    instruments: dict[str, Instrument]
    budgets: dict[tuple[str, int], BudgetYear]
    cost: dict[tuple[str, str, int], float] = field(default_factory=dict)
    """Yearly cost per unit of volume, keyed (instrument, line, year)."""
    once: dict[tuple[str, str, int], float] = field(default_factory=dict)
    """One-off cost per unit of inflow, keyed (instrument, line, year)."""
    groups: dict[tuple[str, int], GroupYear] = field(default_factory=dict)
    requirements: list[Requirement] = field(default_factory=list)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    friction: dict[tuple[str, str, int], float] = field(default_factory=dict)
    """One-off friction cost keyed (scenario, line, year)."""
    fixed_cost: dict[tuple[str, str, int], float] = field(default_factory=dict)
    """Yearly fixed cost keyed (scenario, line, year)."""
    chosen_plan: dict[tuple[str, int], float] = field(default_factory=dict)
    """The council's chosen volumes keyed (instrument, year)."""
    components: dict[tuple[str, str, int, str], tuple[float, float]] = field(default_factory=dict)
    """Labelled parts of ``cost`` and ``once``, keyed (instrument, line, year, component): (yearly, one-off).

    The model uses the totals in ``cost`` and ``once``; the parts are shown apart in the result (what the
    parts of a key do not cover shows as a part without a label).
    """
    retention_by_year: dict[tuple[str, int], float] = field(default_factory=dict)
    """Retention of an instrument in one year keyed (instrument, year); overrides the instrument's own."""
    given_volume: dict[tuple[str, int], float] = field(default_factory=dict)
    """A given volume series (a prognosis) keyed (instrument, year): no inflow in those years."""
    reserves: dict[str, Reserve] = field(default_factory=dict)
    """Reserves by name; budget lines name the one they deposit into and withdraw from (``BudgetYear.reserve``)."""
    shared: dict[tuple[str, str, int, str], float] = field(default_factory=dict)
    """A gemeente's share of a shared organisation's fixed cost, keyed (organisation, line, year, component).

    Split by a fixed or per-inhabitant key, so a constant: it is part of the line's ``committed`` money
    (the model sees only the total); the result shows it apart. A per-SE key gives ``cost`` rows instead.
    """
    what_ifs: list = field(default_factory=list)
    """What-if definitions (:class:`models.whatif.WhatIf`) the workbook holds; they do not change this data."""

    @property
    def years(self) -> tuple[int, ...]:
        """The planning years, in order."""
        return self.settings.years

    @property
    def lines(self) -> list[str]:
        """Budget lines in the order they first appear."""
        return list(dict.fromkeys(line for line, _ in self.budgets))

    @property
    def gemeenten(self) -> list[str]:
        """The gemeenten of a region in the order their lines appear; empty for one gemeente."""
        return list(dict.fromkeys(b.gemeente for b in self.budgets.values() if b.gemeente is not None))

    def benefit(self, instrument: str) -> float:
        """Benefit per person per year of an instrument."""
        own = self.instruments[instrument].benefit
        return self.settings.benefit_per_person if own is None else own

    def retention(self, instrument: str, year: int) -> float:
        """Retention ``r[i,t]``: the fraction of last year's volume still there in ``year``."""
        own = self.retention_by_year.get((instrument, year))
        return self.instruments[instrument].retention if own is None else own

    def scenario_cost(self, scenario: str, line: str, year: int) -> float:
        """Friction plus fixed cost a scenario puts on a line in a year."""
        key = (scenario, line, year)
        return self.friction.get(key, 0.0) + self.fixed_cost.get(key, 0.0)


def inflow_bound(data: ProblemData, instrument: str, year: int) -> float:
    """A finite upper bound on ``u[i,t]`` from the data, or ``inf``.

    Used as the big-M of the scenario constraint: the smallest of the
    instrument's maximum inflow, maximum volume and its group's size.
    """
    inst = data.instruments[instrument]
    bounds = [b for b in (inst.max_inflow, inst.max_volume) if b is not None]
    group = data.groups.get((inst.group, year)) if inst.group else None
    if group is not None and group.per_unit(inst) > 0:
        bounds.append(group.size / group.per_unit(inst))
    return min(bounds, default=math.inf)


def restricted_instruments(data: ProblemData) -> list[str]:
    """Instruments that at least one scenario does not allow."""
    if not data.scenarios:
        return []
    return [
        name
        for name in data.instruments
        if any(s.allowed is not None and name not in s.allowed for s in data.scenarios.values())
    ]
