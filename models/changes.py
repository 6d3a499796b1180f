"""What-if changes as plain data: which input number changes how, and the numbers that reaches.

A :class:`WhatIf` is a name and one or more :class:`Change` s. A change names
one kind of input number of :mod:`models.data` by canonical names (a budget
line, an instrument, a group, a requirement or a scenario), the years it
applies to and how it changes (multiply, add, set). :func:`expand` turns it
into concrete :class:`Setting` s, one number each with its base value.
Light on purpose (no solver imported): checking a workbook reads these.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

BUDGET_FIELDS = ("available", "savings_target", "committed")
COST_FIELDS = ("cost", "once")
BOUND_FIELDS = ("min_volume", "max_volume", "min_inflow", "max_inflow", "max_change")
"""Instrument numbers the session changes in place (``Session.change_instrument``)."""
REBUILD_FIELDS = ("start", "retention", "weight", "benefit", "persons_per_unit")
"""Instrument numbers the session cannot change in place: a what-if on them rebuilds (and says so)."""
SCENARIO_COST_FIELDS = ("friction", "fixed_cost")
FIELDS = {
    "budget": BUDGET_FIELDS,
    "instrument": COST_FIELDS + BOUND_FIELDS + REBUILD_FIELDS,
    "group": ("size",),
    "requirement": ("level",),
    "scenario": SCENARIO_COST_FIELDS + ("fixed",),
}
"""Per kind of subject, the numbers a change can name."""
PER_YEAR = {"available", "savings_target", "committed", "cost", "once", "size", "level", "friction", "fixed_cost"}
"""Fields that have a value per year (the others are one number per instrument or scenario)."""
OPERATIONS = ("*", "+", "=")
@dataclass(frozen=True)
class Change:
    """One kind of input number of one subject, changed in the same way in each of ``years``.

    ``years`` ``None`` means every planning year. ``line`` restricts a cost or
    a scenario cost to one budget line (``None``: every line that has one).
    For ``field == "fixed"`` the subject is the scenario to fix (``None``:
    let the model choose) and ``value`` is unused.
    """

    kind: str
    subject: str | None
    field: str
    operation: str
    value: float | None
    line: str | None = None
    years: tuple[int, ...] | None = None

    def with_value(self, value: float) -> Change:
        """The same change with another amount (a point of a sweep)."""
        return replace(self, value=value)


@dataclass(frozen=True)
class WhatIf:
    """A named set of changes, solved together against the base."""

    name: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Setting:
    """One input number at a new value; ``old`` is its value in the base."""

    kind: str
    key: object
    field: str
    value: object
    old: object


class NoValue(ValueError):
    """A change multiplies or adds to a number the data leaves empty (no maximum, say)."""

    def __init__(self, change: Change):
        super().__init__(f"{change.subject}: {change.field} has no value to {change.operation}")
        self.change = change


def _new(change: Change, old: float | None) -> float | None:
    if change.operation == "=":
        return None if change.value is None else float(change.value)
    if old is None:
        raise NoValue(change)
    return old * change.value if change.operation == "*" else old + change.value


def _years(data, change: Change) -> tuple[int, ...]:
    return data.years if change.years is None else tuple(t for t in change.years if t in data.years)


def expand(data, change: Change) -> list[Setting]:
    """The numbers ``change`` sets in ``data``, each with its base value; empty when it reaches none."""
    kind, subject, name = change.kind, change.subject, change.field
    years = _years(data, change)
    found: list[Setting] = []
    if kind == "budget":
        for t in years:
            if (subject, t) in data.budgets:
                old = getattr(data.budgets[subject, t], name)
                found.append(Setting("budget", (subject, t), name, _new(change, old), old))
    elif kind == "instrument" and name in COST_FIELDS:
        found += _per_line(data, change, "cost", years)
    elif kind == "instrument":
        old = getattr(data.instruments[subject], name)
        found.append(Setting("instrument", subject, name, _new(change, old), old))
    elif kind == "group":
        for t in years:
            if (subject, t) in data.groups:
                old = data.groups[subject, t].size
                found.append(Setting("group", (subject, t), name, _new(change, old), old))
    elif kind == "requirement":
        for req in data.requirements:
            if req.name == subject and (change.years is None or req.year in years):
                old = req.share * 100 if req.kind == "aandeel" else req.rhs
                found.append(Setting("requirement", (req.name, req.year), name, _new(change, old), old))
    elif name == "fixed":
        old = next((s for s, sc in data.scenarios.items() if sc.fixed), None)
        found.append(Setting("scenario", None, name, subject, old))
    else:
        found += _per_line(data, change, "scenario_cost", years)
    return found


def _per_line(data, change: Change, kind: str, years) -> list[Setting]:
    """Settings of a number kept per (instrument or scenario, line, year): a cost, a friction, a fixed cost.

    Multiplying or adding reaches the numbers there are; setting may put one where there was none.
    """
    table, subject = getattr(data, change.field), change.subject
    lines = [change.line] if change.line else list(dict.fromkeys(b for s, b, _ in table if s == subject))
    found = []
    for line in lines:
        for t in years:
            if (line, t) in data.budgets and ((subject, line, t) in table or change.operation == "="):
                old = table.get((subject, line, t), 0.0)
                found.append(Setting(kind, (subject, line, t), change.field, _new(change, old), old))
    return found


def settings_of(data, whatif: WhatIf) -> list[Setting]:
    """Every number a what-if sets, in order (a later change of the same number builds on the earlier)."""
    found: list[Setting] = []
    current: dict[tuple, object] = {}
    for change in whatif.changes:
        for s in expand(data, change):
            key = (s.kind, s.key, s.field)
            if key in current and change.operation != "=":  # a second change of one number builds on the first
                s = replace(s, value=_new(change, current[key]))
            current[key] = s.value
            found.append(s)
    return found
