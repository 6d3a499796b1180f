"""Why a model has no plan: the smallest relaxation in money, and the rules that conflict.

The smallest relaxation comes from an elastic copy of the model: every rule
that is not marked ``hard`` (budget lines, requirements, target groups, step
limits, volume and inflow bounds) gets a slack in the direction that relaxes
it, and the copy minimises what the slacks are worth in money:

- a euro more on a budget line weighs 1;
- one unit more or less of a requirement, group, step limit or bound weighs
  ``RULE_PREMIUM`` times what one unit of its dearest instrument costs a
  year on all lines (the one-off cost too for inflow, per person for a count
  of persons; at least ``MIN_UNIT_VALUE``).

So the advice does not depend on units, and where money and a rule can
close the same gap, the money is named (a rule is worth more than the
money it would save). A rule marked ``hard`` (a legal right, a signed
contract) and an inflow of 0 fixed by a given series (the legal intake stop
of the old Wsw) get no slack.

The conflicting rules come from HiGHS's irreducible infeasible subset (IIS)
of the session's model with integrality relaxed: a set of rows and bounds
that cannot hold together, of which every proper subset can.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyomo.core as pyo  # the modelling layer only: pyomo.environ also loads every solver plugin (0,15 s)

from models.allocation import build, requirement_key
from models.data import PERSONS, ProblemData
from models.evaluate import describe
from models.highs import MINIMIZE, CompiledModel, HighsModel, SolverOptions, col_key

RULE_PREMIUM = 2.0
"""A unit of a rule weighs this many times the money the unit costs."""
MIN_UNIT_VALUE = 1000.0
"""€ per unit for instruments that cost (next to) nothing, so relaxing their rules is never free."""
TOLERANCE = 1e-6
"""A relaxation below this many units (a thousand times this in euros) is solver noise."""
FAMILIES = ("budget", "requirement", "group_capacity", "step_up", "step_down", "bound")
COLUMNS = ["kind", "name", "year", "change", "direction", "unit", "value"]
"""One row per relaxation; ``value`` is what it is worth in euros (its weight in the elastic model)."""
CONFLICT_COLUMNS = ["kind", "name", "year", "side", "hard"]


@dataclass(frozen=True)
class Soft:
    """One relaxed rule: its slack and what it is."""

    slack: pyo.Var
    kind: str
    name: str
    year: object
    direction: str
    """``+`` when the bound or budget must go up, ``-`` when it must go down."""
    unit: str
    weight: float
    """Euros per unit of relaxation."""


@dataclass
class Diagnosis:
    """Why a model has no plan."""

    relaxation: pd.DataFrame
    """The smallest relaxation in money, one row per change (see :data:`COLUMNS`)."""
    conflict: pd.DataFrame
    """Rules that cannot hold together (HiGHS's IIS), one row per rule or bound (see :data:`CONFLICT_COLUMNS`)."""
    integer_only: bool = False
    """True when the model is feasible without whole numbers: only integrality conflicts."""


class UnitValues:
    """What one unit of each instrument costs a year on all lines (the one-off cost too, for inflow)."""

    def __init__(self, data: ProblemData):
        self.data = data
        self.volume: dict[tuple[str, int], float] = {}
        self.inflow: dict[tuple[str, int], float] = {}
        for (i, _line, t), cost in data.cost.items():
            self.volume[i, t] = self.volume.get((i, t), 0.0) + abs(cost)
            self.inflow[i, t] = self.inflow.get((i, t), 0.0) + abs(cost)
        for (i, _line, t), once in data.once.items():
            self.inflow[i, t] = self.inflow.get((i, t), 0.0) + abs(once)

    def of(self, instrument: str, year: object, quantity: str = "volume") -> float:
        """€ per unit of ``quantity`` (volume, instroom, personen) of an instrument in a year (``totaal``: dearest)."""
        data = self.data
        years = data.years if year in (None, "totaal") else (year,)
        table = self.inflow if quantity == "instroom" else self.volume
        value = max((table.get((instrument, t), 0.0) for t in years), default=0.0)
        if quantity == PERSONS:
            value /= data.instruments[instrument].persons_per_unit
        return max(value, MIN_UNIT_VALUE)

    def weight(self, family: str, index, quantity: str | None = None) -> float:
        """Euros per unit of relaxation of a row (``bound``: ``index`` is (instrument, year))."""
        data = self.data
        if family == "budget":
            return 1.0
        if family == "requirement":
            req = next(r for r in data.requirements if requirement_key(r) == index)
            value = max(self.of(i, index[1], req.quantity) for i, _ in req.terms)
        elif family == "group_capacity":
            group = data.groups[index]
            members = [i for i, inst in data.instruments.items() if inst.group == index[0]]
            counted = PERSONS if group.unit == PERSONS else "volume"
            value = max(self.of(i, index[1], counted) for i in members)
        else:  # step limits and bounds of one instrument
            value = self.of(index[0], index[1], quantity or "volume")
        return RULE_PREMIUM * value


def _is_hard(data: ProblemData, family: str, index) -> bool:
    if family == "requirement":
        return next(r for r in data.requirements if requirement_key(r) == index).hard
    if family == "group_capacity":
        return data.groups[index].hard
    if family in ("step_up", "step_down"):
        return data.instruments[index[0]].hard
    return False


def _soften_bounds(m: pyo.ConcreteModel, data: ProblemData, values: UnitValues) -> list[Soft]:
    """Volume and inflow bounds that may be relaxed become rows with a slack; hard ones stay bounds."""
    rows, soft = [], []
    for var_name, label, quantity in (("v", "volume", "volume"), ("u", "instroom", "instroom")):
        for (i, t), var in getattr(m, var_name).items():
            if data.instruments[i].hard or (var_name == "u" and (i, t) in data.given_volume):
                continue
            unit, weight = data.instruments[i].unit, values.weight("bound", (i, t), quantity)
            if var.lb is not None and var.lb > 0:
                slack = m.slack.add()
                rows.append(var + slack >= var.lb)
                soft.append(Soft(slack, f"min_{label}", i, t, "-", unit, weight))
            if var.ub is not None:
                slack = m.slack.add()
                rows.append(var - slack <= var.ub)
                soft.append(Soft(slack, f"max_{label}", i, t, "+", unit, weight))
            var.setlb(0)
            var.setub(None)
    m.BOUNDS = pyo.Set(initialize=range(len(rows)))
    m.bound = pyo.Constraint(m.BOUNDS, rule=lambda _m, k: rows[k])
    return soft


def make_elastic(data: ProblemData) -> tuple[pyo.ConcreteModel, list[Soft]]:
    """The model with a slack on every rule that is not hard; its objective is switched off."""
    m = build(data)
    m.slack = pyo.VarList(domain=pyo.NonNegativeReals)
    values = UnitValues(data)
    soft = _soften_bounds(m, data, values)
    for family in FAMILIES[:-1]:
        for index, con in getattr(m, family).items():
            if _is_hard(data, family, index):
                continue
            kind, name, year, unit = describe(data, family, index)
            weight = values.weight(family, index)
            body, lower, upper = con.body, con.lower, con.upper
            if con.equality:
                up, down = m.slack.add(), m.slack.add()
                con.set_value(body + up - down == upper)
                soft += [Soft(up, kind, name, year, "-", unit, weight), Soft(down, kind, name, year, "+", unit, weight)]
            elif upper is not None:
                slack = m.slack.add()
                con.set_value(body - slack <= upper)
                soft.append(Soft(slack, kind, name, year, "+", unit, weight))
            else:
                slack = m.slack.add()
                con.set_value(body + slack >= lower)
                soft.append(Soft(slack, kind, name, year, "-", unit, weight))
    m.objective.deactivate()
    return m, soft


def smallest_relaxation(data: ProblemData, time_limit: float | None = None,
                        options: SolverOptions | None = None) -> pd.DataFrame:
    """The relaxation of least value in money that makes ``data`` feasible, one row per change.

    Columns :data:`COLUMNS`; ``change`` is always positive, ``direction``
    ``+`` (raise) or ``-`` (lower). Empty when nothing that may be relaxed
    helps (hard rules or whole numbers are the cause).
    """
    m, soft = make_elastic(data)
    compiled = CompiledModel(m, {"relaxation": sum(s.weight * s.slack for s in soft)})
    # One HiGHS instance owns the run's log file (a second would start it again): not this one.
    highs = HighsModel(compiled, replace(options, log_file=None) if options else None)
    highs.set_objective(*compiled.measures["relaxation"], MINIMIZE)
    solution = highs.solve(time_limit)
    rows = []
    if solution.has_solution:
        for s in soft:
            col = compiled.col(s.slack)
            amount = float(solution.x[col]) if col is not None else 0.0
            if amount > TOLERANCE * (1000 if s.kind == "budget" else 1.0):
                rows.append({"kind": s.kind, "name": s.name, "year": s.year, "change": amount,
                             "direction": s.direction, "unit": s.unit, "value": amount * s.weight})
    return pd.DataFrame(rows, columns=COLUMNS)


BOUND_KINDS = {("v", "lower"): "min_volume", ("v", "upper"): "max_volume", ("u", "lower"): "min_instroom",
               ("u", "upper"): "max_instroom", ("topup", "upper"): "max_aanvulling", ("y", "lower"): "scenario_vast",
               ("y", "upper"): "scenario_vast"}
ROW_KINDS = {"budget": "budget", "requirement": "eis", "group_capacity": "doelgroep", "step_up": "max_verandering",
             "step_down": "max_verandering", "stock": "verloop", "scenario_allows": "scenario",
             "one_scenario": "scenario", "participation_floor": "participatie"}


def conflicting_rules(session, time_limit: float | None = None) -> tuple[pd.DataFrame, bool]:
    """The rules of an irreducible infeasible subset of the session's model, and whether only integers conflict.

    Integrality is relaxed for the search (an IIS is defined for a linear
    program) and restored afterwards. A lower bound of 0 on a volume, inflow
    or top-up is not a rule anyone set and is left out.
    """
    highs, compiled, data = session.highs, session.compiled, session.data
    integer = highs.integer.copy()
    highs.set_integrality(np.zeros_like(integer))
    try:
        rows, cols = highs.irreducible_infeasible_subset(time_limit)
    finally:
        highs.set_integrality(integer)
        session.forget_objective()
    if rows is None:
        return pd.DataFrame(columns=CONFLICT_COLUMNS), bool(integer.any())
    found = []
    for row, side in rows:
        family, index = compiled.row_keys[row]
        kind = ROW_KINDS.get(family, family)
        name, year = (index if isinstance(index, tuple) and len(index) == 2 else (None, None))
        found.append({"kind": kind, "name": name, "year": year, "side": side,
                      "hard": kind in ("eis", "doelgroep", "max_verandering") and _is_hard(data, family, index)})
    for col, side in cols:
        var = compiled.columns[col]
        if col >= compiled.num_col:
            continue
        name_, index = col_key(var)
        bound = var.lb if side == "lower" else var.ub
        if side == "lower" and not bound:
            continue
        kind = BOUND_KINDS.get((name_, side), name_)
        name, year = index if isinstance(index, tuple) and len(index) == 2 else (index, None)
        hard = name_ in ("v", "u") and data.instruments[name].hard
        found.append({"kind": kind, "name": name, "year": year, "side": side, "hard": hard})
    return pd.DataFrame(found, columns=CONFLICT_COLUMNS).drop_duplicates(ignore_index=True), False


def explain_infeasibility(data: ProblemData, time_limit: float | None = None, options: SolverOptions | None = None,
                          session=None) -> Diagnosis:
    """The smallest relaxation and, given the model's ``session``, the conflicting rules."""
    relaxation = smallest_relaxation(data, time_limit, options)
    if session is None or session.compiled is None:
        return Diagnosis(relaxation, pd.DataFrame(columns=CONFLICT_COLUMNS))
    conflict, integer_only = conflicting_rules(session, time_limit)
    return Diagnosis(relaxation, conflict, integer_only)
