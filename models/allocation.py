"""The allocation model as a Pyomo model, built in fixed, named steps.

Notation follows ``docs/formulation.md``. Each constraint family is one
function whose docstring states its inequality; constraints are indexed by
the data they come from (instrument, budget line, year, requirement), so
duals map straight back onto the user's rows.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.core as pyo  # the modelling layer only: pyomo.environ also loads every solver plugin (0,15 s)

from models.data import ProblemData, Requirement, inflow_bound, restricted_instruments

OBJECTIVE_NAMES = ("participatie", "maatschappelijke_waarde", "lexicografisch")


class Links:
    """Which data touch which budget line, year and group: indexed once, so building stays linear in size."""

    def __init__(self, data: ProblemData):
        self.cost_keys = [k for k in dict.fromkeys(list(data.cost) + list(data.once))
                          if (data.cost.get(k, 0.0) or data.once.get(k, 0.0)) and k[0] in data.instruments]
        self.terms: dict[tuple[str, int], list[str]] = defaultdict(list)
        for i, line, t in self.cost_keys:
            self.terms[line, t].append(i)
        self.scenario_keys = list(dict.fromkeys(list(data.friction) + list(data.fixed_cost)))
        self.scenario_terms: dict[tuple[str, int], list[str]] = defaultdict(list)
        for s, line, t in self.scenario_keys:
            self.scenario_terms[line, t].append(s)
        self.payers: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.receivers: dict[tuple[str, int], list[str]] = defaultdict(list)
        for (b, t), budget in data.budgets.items():
            if budget.topup_from is not None:
                self.payers[budget.topup_from, t].append(b)
            if budget.surplus_to is not None:
                self.receivers[budget.surplus_to, t].append(b)
        self.members: dict[str, list[str]] = defaultdict(list)
        for i, inst in data.instruments.items():
            if inst.group is not None:
                self.members[inst.group].append(i)
        self.requirements = {requirement_key(r): r for r in data.requirements}
        self.reserve_lines: dict[tuple[str, int], list[str]] = defaultdict(list)
        for (b, t), budget in data.budgets.items():
            if budget.reserve is not None:
                self.reserve_lines[budget.reserve, t].append(b)


def requirement_key(req: Requirement) -> tuple[str, object]:
    """A requirement's index in the model: (eis, jaar), with ``totaal`` for the sum over all years."""
    return (req.name, req.year if req.year is not None else "totaal")


def build(data: ProblemData, later_phases: bool = False) -> pyo.ConcreteModel:
    """Build the model for ``data`` with the objective the settings ask for.

    A number that sits in many rows (money, a level, a size) is a mutable
    parameter or a variable bound; a number that sits in one row (a cost per
    unit, a retention, a reference volume) is a constant there, read from the
    data by the row's rule, and a session (:mod:`models.session`) builds that
    row again from its rule when the number changes (a parameter costs some
    200 bytes each, and there are 150,000 of them at 342 municipalities).
    The structure (which rows and terms exist) comes from the data.
    With ``later_phases`` the rows only the tie-breaks and the comparison use
    (spending caps, change against a reference) are added too; the elastic
    copies (:mod:`models.diagnose`) do without them.
    """
    m = pyo.ConcreteModel(name=data.settings.name)
    m.data = data
    m.links = Links(data)
    add_sets(m, data)
    add_parameters(m, data)
    add_variables(m, data)
    add_stock_dynamics(m, data)
    add_step_limits(m, data)
    add_direct_costs(m, data)
    add_budgets(m, data)
    add_reserves(m, data)
    add_group_capacity(m, data)
    add_requirements(m, data)
    add_scenarios(m, data)
    add_expressions(m, data)
    add_participation_floor(m)
    if later_phases:
        add_later_phases(m, data)
    objective = data.settings.objective
    if objective == "maatschappelijke_waarde":
        m.objective = pyo.Objective(expr=m.societal_value, sense=pyo.maximize)
    else:  # participation, and phase 1 of the lexicographic objective
        m.objective = pyo.Objective(expr=m.participation, sense=pyo.maximize)
    return m


LATER_FAMILIES = ("spending_cap", "deviation")
"""The rows :func:`add_later_phases` adds: after every other family, so their rows and columns come last."""


def add_later_phases(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """The rows only the tie-breaks and the comparison use: spending caps and change against a reference.

    Added last, to a model :func:`build` made, so a session may add them
    while HiGHS solves the rest (:meth:`models.session.Session.solve`).
    """
    add_spending_caps(m, data)
    add_deviation(m, data)


def add_sets(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Index sets ``T``, ``I``, ``B`` (with its years) and ``S``."""
    m.T = pyo.Set(initialize=list(data.years), ordered=True)
    m.I = pyo.Set(initialize=list(data.instruments), ordered=True)
    m.BT = pyo.Set(initialize=list(data.budgets), dimen=2, ordered=True)
    m.S = pyo.Set(initialize=list(data.scenarios), ordered=True)


def add_parameters(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Money per line and year, funding, given volumes, scenario costs: mutable, so a what-if changes them in place."""
    budgets = data.budgets
    m.available = pyo.Param(m.BT, mutable=True, initialize={k: b.available for k, b in budgets.items()})
    m.savings = pyo.Param(m.BT, mutable=True, initialize={k: b.savings_target for k, b in budgets.items()})
    m.committed = pyo.Param(m.BT, mutable=True, initialize={k: b.committed for k, b in budgets.items()})
    funded = [k for k, b in data.budgets.items() if b.funding_instruments]
    m.FUNDED = pyo.Set(initialize=funded, dimen=2, ordered=True)
    m.funding = pyo.Param(m.FUNDED, mutable=True, initialize={k: data.budgets[k].funding_per_unit for k in funded})
    given = [k for k in data.given_volume if k[0] in data.instruments and k[1] in data.years]
    m.GIVEN = pyo.Set(initialize=given, dimen=2, ordered=True)
    m.given = pyo.Param(m.GIVEN, mutable=True, initialize={k: data.given_volume[k] for k in given})
    m.SCENARIO_COST = pyo.Set(initialize=m.links.scenario_keys, dimen=3, ordered=True)
    m.scenario_cost = pyo.Param(m.SCENARIO_COST, mutable=True,
                                initialize={k: data.scenario_cost(*k) for k in m.links.scenario_keys})


def add_variables(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Volumes ``v``, inflows ``u``, top-ups, surpluses and scenario choice ``y``.

    ``0 <= min_volume <= v[i,t] <= max_volume`` and the same for ``u``;
    ``u`` is integer where the instrument says so and the settings allow it.
    """
    m.v = pyo.Var(m.I, m.T, domain=pyo.NonNegativeReals)
    m.u = pyo.Var(m.I, m.T, domain=pyo.NonNegativeReals)
    for i in m.I:
        for t in m.T:
            set_instrument_bounds(m, data, i, t)
            if data.instruments[i].integer and data.settings.integer_volumes:
                m.u[i, t].domain = pyo.NonNegativeIntegers

    topup_keys = [k for k, b in data.budgets.items() if b.topup_from is not None]
    surplus_keys = [k for k, b in data.budgets.items() if b.surplus_to is not None]
    m.TOPUP = pyo.Set(initialize=topup_keys, dimen=2, ordered=True)
    m.SURPLUS = pyo.Set(initialize=surplus_keys, dimen=2, ordered=True)
    m.topup = pyo.Var(m.TOPUP, domain=pyo.NonNegativeReals)
    for b, t in m.TOPUP:
        set_topup_bounds(m, data, b, t)
    m.surplus = pyo.Var(m.SURPLUS, domain=pyo.NonNegativeReals)
    reserve_keys = [k for k, b in data.budgets.items() if b.reserve is not None]
    m.RESERVE_LINES = pyo.Set(initialize=reserve_keys, dimen=2, ordered=True)
    # One free flow per line and year (> 0 a deposit, < 0 a withdrawal): a line cannot deposit and withdraw at once.
    m.reserve_flow = pyo.Var(m.RESERVE_LINES, domain=pyo.Reals)
    m.y = pyo.Var(m.S, domain=pyo.Binary)


def set_instrument_bounds(m: pyo.ConcreteModel, data: ProblemData, i: str, t: int) -> None:
    """``min_volume <= v[i,t] <= max_volume`` and ``min_inflow <= u[i,t] <= max_inflow`` (a lower bound of 0).

    In a year with a given volume there is no inflow: ``u[i,t] = 0``.
    """
    inst = data.instruments[i]
    m.v[i, t].setlb(inst.min_volume or 0.0)
    m.v[i, t].setub(inst.max_volume)
    given = (i, t) in data.given_volume
    m.u[i, t].setlb(0.0 if given else inst.min_inflow or 0.0)
    m.u[i, t].setub(0.0 if given else inst.max_inflow)


def set_topup_bounds(m: pyo.ConcreteModel, data: ProblemData, b: str, t: int) -> None:
    """``0 <= topup[b,t] <= max_aanvulling`` (no upper bound without a cap)."""
    m.topup[b, t].setlb(0.0)
    m.topup[b, t].setub(data.budgets[b, t].topup_cap)


def _previous_volume(m: pyo.ConcreteModel, data: ProblemData, i: str, t: int):
    """``v[i,t-1]``, or the starting stock in the first year."""
    first = m.T.first()
    return data.instruments[i].start if t == first else m.v[i, m.T.prev(t)]


def stock_rule(m: pyo.ConcreteModel, i: str, t: int):
    """``v[i,t] = r[i,t] * v[i,t-1] + u[i,t]``, or ``v[i,t] = given[i,t] + u[i,t]`` (with ``u = 0``)."""
    if (i, t) in m.GIVEN:  # u stays in the row so that an evaluated plan off the series shows as inflow
        return m.v[i, t] == m.given[i, t] + m.u[i, t]
    return m.v[i, t] == m.data.retention(i, t) * _previous_volume(m, m.data, i, t) + m.u[i, t]


def add_stock_dynamics(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``v[i,t] = r[i,t] * v[i,t-1] + u[i,t]``, with ``v[i,t0-1]`` the starting stock.

    ``r[i,t]`` is the year's own retention where given, else the instrument's.
    In a year with a given volume (a prognosis, such as the old Wsw's run-off)
    ``v[i,t] = given[i,t] + u[i,t]`` with ``u[i,t] = 0``.
    """
    m.stock = pyo.Constraint(m.I, m.T, rule=stock_rule)


def add_step_limits(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``-step[i] <= v[i,t] - v[i,t-1] <= step[i]`` where a step is given."""
    steps = [i for i in m.I if data.instruments[i].max_change is not None]
    m.STEP_INSTRUMENTS = pyo.Set(initialize=steps, ordered=True)
    m.max_change = pyo.Param(m.STEP_INSTRUMENTS, mutable=True,
                             initialize={i: data.instruments[i].max_change for i in steps})
    m.STEP = pyo.Set(initialize=[(i, t) for i in steps for t in m.T], dimen=2, ordered=True)
    m.step_up = pyo.Constraint(m.STEP, rule=step_up_rule)
    m.step_down = pyo.Constraint(m.STEP, rule=step_down_rule)


def step_up_rule(m: pyo.ConcreteModel, i: str, t: int):
    """``v[i,t] - v[i,t-1] <= step[i]``."""
    return m.v[i, t] - _previous_volume(m, m.data, i, t) <= m.max_change[i]


def step_down_rule(m: pyo.ConcreteModel, i: str, t: int):
    """``v[i,t] - v[i,t-1] >= -step[i]``."""
    return m.v[i, t] - _previous_volume(m, m.data, i, t) >= -m.max_change[i]


def direct_cost_rule(m: pyo.ConcreteModel, line: str, year: int):
    """``sum_i cost*v + sum_i once*u + sum_s fixed*y``: what is spent from a line itself, besides committed.

    ``cost`` and ``once`` are the data's numbers (a zero leaves its term out).
    """
    instruments = m.links.terms.get((line, year), ())
    scenarios = m.links.scenario_terms.get((line, year), ())
    if not instruments and not scenarios:
        return pyo.Expression.Skip
    parts = []
    for i in instruments:
        cost, once = m.data.cost.get((i, line, year), 0.0), m.data.once.get((i, line, year), 0.0)
        if cost:
            parts.append(cost * m.v[i, year])
        if once:
            parts.append(once * m.u[i, year])
    parts += [m.scenario_cost[s, line, year] * m.y[s] for s in scenarios]
    return pyo.quicksum(parts)  # 0 when a what-if set every cost of the line to zero


def add_direct_costs(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``direct[b,t]``, named once: the budget row, the spending cap and the money measures all use it."""
    m.direct = pyo.Expression(m.BT, rule=direct_cost_rule)


def direct_cost(m: pyo.ConcreteModel, line: str, year: int):
    """What is spent from a line itself in a year, besides committed (0 for a line no instrument or scenario uses)."""
    return m.direct[line, year] if (line, year) in m.direct else 0.0


def topups_paid(m: pyo.ConcreteModel, line: str, year: int):
    """Top-ups this line pays for other lines in a year."""
    return sum(m.topup[b, year] for b in m.links.payers.get((line, year), ()))


def budget_rule(m: pyo.ConcreteModel, b: str, t: int):
    """``cost + top-ups paid + surplus + flow - top-up - received - funding*v <= available - savings - committed``.

    ``flow[b,t]`` is the line's deposit into its reserve (negative: a withdrawal); received is surplus.

    ``=`` for a line whose surplus flows to another line: all that is unspent flows on.
    """
    lhs = direct_cost(m, b, t) + topups_paid(m, b, t)
    if (b, t) in m.SURPLUS:
        lhs += m.surplus[b, t]
    lhs -= sum(m.surplus[o, t] for o in m.links.receivers.get((b, t), ()))
    if (b, t) in m.TOPUP:
        lhs -= m.topup[b, t]
    if (b, t) in m.RESERVE_LINES:  # a deposit is money the line keeps aside, a withdrawal money it receives
        lhs += m.reserve_flow[b, t]
    if (b, t) in m.FUNDED:  # funding per realised unit: the money available grows with the volume
        lhs -= m.funding[b, t] * sum(m.v[i, t] for i in m.data.budgets[b, t].funding_instruments)
    if isinstance(lhs, (int, float)):  # a line nothing touches: keep a variable so the row exists and is priced
        lhs = 0.0 * m.v[m.I.first(), t]
    # Every number on the right, so that the dual is the value of one extra euro available.
    rhs = m.available[b, t] - m.savings[b, t] - m.committed[b, t]
    if (b, t) in m.SURPLUS:  # every unspent euro flows on, so the surplus is not a free choice
        return lhs == rhs
    return lhs <= rhs


def add_budgets(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Per line and year: spending + surplus <= available - savings + top-up + surplus received."""
    m.budget = pyo.Constraint(m.BT, rule=budget_rule)


def add_reserves(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``balance[R,t] = balance[R,t-1] + sum_{b: reserve R} flow[b,t]``, ``0 <= balance[R,t] <= max_saldo[R]``.

    ``balance[R,t0-1]`` is the reserve's starting balance (a mutable parameter);
    the cap is the balance's upper bound (none when not given).
    """
    names = [r for r in data.reserves if any(b.reserve == r for b in data.budgets.values())]
    m.RESERVES = pyo.Set(initialize=names, ordered=True)
    m.RT = pyo.Set(initialize=[(r, t) for r in names for t in data.years], dimen=2, ordered=True)
    m.reserve_start = pyo.Param(m.RESERVES, mutable=True, initialize={r: data.reserves[r].start for r in names})
    m.reserve_balance = pyo.Var(m.RT, domain=pyo.NonNegativeReals)
    for r, t in m.RT:
        m.reserve_balance[r, t].setub(data.reserves[r].cap)
    m.reserve = pyo.Constraint(m.RT, rule=reserve_rule)


def reserve_rule(m: pyo.ConcreteModel, r: str, t: int):
    """``balance[R,t] - balance[R,t-1] - sum_{b: reserve R} flow[b,t] = 0`` (``start[R]`` in the first year)."""
    flows = sum(m.reserve_flow[b, t] for b in m.links.reserve_lines.get((r, t), ()))
    if t == m.T.first():
        return m.reserve_balance[r, t] - flows == m.reserve_start[r]
    return m.reserve_balance[r, t] - m.reserve_balance[r, m.T.prev(t)] - flows == 0


def add_group_capacity(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``sum_{i in g} p[i,t] <= size[g,t]`` (or ``=`` where the group says exactly).

    A group counted in its instruments' unit (SE, fte, ...) sums ``v`` instead of ``p``.
    """
    keys = [k for k in data.groups if k[1] in data.years and m.links.members.get(k[0])]
    m.GT = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.group_size = pyo.Param(m.GT, mutable=True, initialize={k: data.groups[k].size for k in keys})
    m.group_capacity = pyo.Constraint(m.GT, rule=group_rule)


def group_rule(m: pyo.ConcreteModel, g: str, t: int):
    """``sum_{i in g} p[i,t] <= size[g,t]`` (``=`` for an exact group; ``v`` for a group counted in units)."""
    data = m.data
    group = data.groups[g, t]
    persons = sum(group.per_unit(data.instruments[i]) * m.v[i, t] for i in m.links.members[g])
    return persons == m.group_size[g, t] if group.exact else persons <= m.group_size[g, t]


def quantity(m: pyo.ConcreteModel, data: ProblemData, kind: str, i: str, t: int):
    """``v[i,t]``, ``u[i,t]`` or ``p[i,t]`` as a requirement asks."""
    if kind == "instroom":
        return m.u[i, t]
    if kind == "personen":
        return data.instruments[i].persons_per_unit * m.v[i, t]
    return m.v[i, t]


def requirement_lhs(m: pyo.ConcreteModel, data: ProblemData, req: Requirement):
    """``sum coef * q[i,t]`` over the requirement's year, or over all years."""
    years = data.years if req.year is None else (req.year,)
    return sum(coef * quantity(m, data, req.quantity, i, t) for i, coef in req.terms for t in years)


def requirement_rule(m: pyo.ConcreteModel, name: str, year: object):
    """``sum coef * q (>=, <=, =) rhs`` for the requirement (eis, jaar)."""
    req = m.links.requirements[name, year]
    lhs = requirement_lhs(m, m.data, req)
    if isinstance(lhs, (int, float)):
        return pyo.Constraint.Skip
    rhs = m.requirement_level[name, year]
    if req.sense == ">=":
        return lhs >= rhs
    if req.sense == "<=":
        return lhs <= rhs
    return lhs == rhs


def add_requirements(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Each requirement row: ``sum coef * q (>=, <=, =) rhs``; named (eis, jaar)."""
    m.R = pyo.Set(initialize=list(m.links.requirements), dimen=2, ordered=True)
    m.requirement_level = pyo.Param(m.R, mutable=True,
                                    initialize={k: r.rhs for k, r in m.links.requirements.items()})
    m.requirement = pyo.Constraint(m.R, rule=requirement_rule)


def scenario_rule(m: pyo.ConcreteModel, i: str, t: int):
    """``u[i,t] <= M[i,t] * sum_{s allows i} y[s]``, with ``M`` from the data (:func:`inflow_bound`)."""
    allowing = [s for s, sc in m.data.scenarios.items() if sc.allowed is None or i in sc.allowed]
    return m.u[i, t] <= inflow_bound(m.data, i, t) * sum(m.y[s] for s in allowing)


def fix_scenario(m: pyo.ConcreteModel, scenario: str | None) -> None:
    """``y[s] = 1`` for a fixed scenario, as bounds (the variable stays in the model, so it can be freed again)."""
    for s in m.S:
        m.y[s].setlb(1 if s == scenario else 0)
        m.y[s].setub(1)


def one_scenario_rule(m: pyo.ConcreteModel):
    """``sum_s y[s] = 1``."""
    return sum(m.y[s] for s in m.S) == 1


def add_scenarios(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``sum_s y[s] = 1``; ``y[s] = 1`` if fixed; ``u[i,t] <= M[i,t] * sum_{s allows i} y[s]``.

    The restriction is on new placements ``u``: a scenario cannot undo people
    already employed, it stops new inflow. For an instrument without stock,
    ``u = v`` and this is the restriction on volume.
    """
    if not data.scenarios:
        return
    m.one_scenario = pyo.Constraint(rule=one_scenario_rule)
    fix_scenario(m, next((s for s, sc in data.scenarios.items() if sc.fixed), None))
    keys = [(i, t) for i in restricted_instruments(data) for t in data.years]
    m.RESTRICTED = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.scenario_allows = pyo.Constraint(m.RESTRICTED, rule=scenario_rule)


def add_participation_floor(m: pyo.ConcreteModel) -> None:
    """``participation >= floor``; no floor (``-inf``) until a caller sets one (what-ifs, room per instrument).

    The solve's own phases hold values with :meth:`models.session.Session.hold` instead.
    """
    m.floor = pyo.Param(mutable=True, initialize=-math.inf)
    m.participation_floor = pyo.Constraint(rule=floor_rule)


def floor_rule(m: pyo.ConcreteModel):
    """``participation >= floor``."""
    return m.participation >= m.floor


def add_spending_caps(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``cost + top-ups paid + committed <= cap[b,t]``: no cap (``+inf``) until a comparison sets one.

    The money a plan uses from a line (see the budget table's *used*); the
    comparison's *hetzelfde geld* bounds it by the chosen plan's use of every
    line and year. Written with every number on the right, like the budget row.
    """
    m.cap = pyo.Param(m.BT, mutable=True, initialize=math.inf)
    m.spending_cap = pyo.Constraint(m.BT, rule=spending_cap_rule)


def spending_cap_rule(m: pyo.ConcreteModel, b: str, t: int):
    """``cost + top-ups paid <= cap[b,t] - committed[b,t]`` (none for a line nothing touches)."""
    lhs = direct_cost(m, b, t) + topups_paid(m, b, t)
    if isinstance(lhs, (int, float)):
        return pyo.Constraint.Skip
    return lhs <= m.cap[b, t] - m.committed[b, t]


def add_deviation(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``v[i,t] - c*v[i,t-1] - change_up[i,t] + change_down[i,t] = reference[i,t]``: change against a reference.

    The reference is the chosen plan's volume where the workbook has a chosen
    plan (``c = 0``), else the previous year's volume (``c = 1``, the starting
    stock in the first year). Only the last tie-break phase prices it
    (:data:`models.solve.TIE_BREAKS`); ``change`` is the sum of both parts.
    """
    m.reference_is_plan = bool(data.chosen_plan)
    m.change_up = pyo.Var(m.I, m.T, domain=pyo.NonNegativeReals)
    m.change_down = pyo.Var(m.I, m.T, domain=pyo.NonNegativeReals)
    m.deviation = pyo.Constraint(m.I, m.T, rule=deviation_rule)
    m.change = pyo.Expression(expr=sum(m.change_up[k] + m.change_down[k] for k in m.change_up))


def deviation_rule(m: pyo.ConcreteModel, i: str, t: int):
    """``v[i,t] - c*v[i,t-1] - change_up[i,t] + change_down[i,t] = reference[i,t]`` (see :func:`add_deviation`).

    Whether the reference is a chosen plan is fixed when the model is built;
    its volumes are read from the data (the session sets them).
    """
    first = t == m.T.first()
    if m.reference_is_plan:
        previous, reference = 0.0, m.data.chosen_plan.get((i, t), 0.0)
    else:
        previous, reference = (0.0, m.data.instruments[i].start) if first else (m.v[i, m.T.prev(t)], 0.0)
    return m.v[i, t] - previous - m.change_up[i, t] + m.change_down[i, t] == reference


def add_expressions(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Persons ``p``, participation, societal value, money: the measures a plan is judged by."""
    # p[i,t] = ppu[i] * v[i,t] is written out in each sum: 34,000 named expressions at 342 municipalities cost
    # more to build and to keep than the three sums that use them
    ppu = {i: inst.persons_per_unit for i, inst in data.instruments.items()}
    m.participation = pyo.Expression(expr=pyo.quicksum(data.instruments[i].weight * ppu[i] * m.v[i, t]
                                                        for i in m.I for t in m.T))
    m.person_years = pyo.Expression(expr=pyo.quicksum(ppu[i] * m.v[i, t] for i in m.I for t in m.T))
    m.benefit = pyo.Expression(expr=pyo.quicksum(data.benefit(i) * ppu[i] * m.v[i, t] for i in m.I for t in m.T))
    m.topups = pyo.Expression(expr=sum(m.topup[k] for k in m.TOPUP))
    scenario_costs = sum(m.scenario_cost[s, b, t] * m.y[s] for s, b, t in m.SCENARIO_COST if (b, t) in data.budgets)
    m.societal_value = pyo.Expression(expr=m.benefit - m.topups - scenario_costs)
    m.total_cost = pyo.Expression(expr=sum(direct_cost(m, b, t) + m.committed[b, t] for b, t in data.budgets))
    bearers = sorted({b.bearer for b in data.budgets.values()})
    m.BEARERS = pyo.Set(initialize=bearers)
    m.bearer_money = pyo.Expression(m.BEARERS, rule=lambda _m, who: bearer_money(m, data, who))
    last = m.T.last()
    m.reserve_end = pyo.Expression(expr=sum(m.reserve_balance[r, last] for r in m.RESERVES))
    m.gemeente_spending = pyo.Expression(expr=m.bearer_money["gemeente"] if "gemeente" in bearers else 0.0)


def measures(m: pyo.ConcreteModel) -> dict[str, object]:
    """Every linear measure of a plan by name: the objectives and the totals of a result."""
    named = {"participation": m.participation, "person_years": m.person_years, "benefit": m.benefit,
             "societal_value": m.societal_value, "gemeente_spending": m.gemeente_spending, "topup": m.topups,
             "total_cost": m.total_cost}
    if hasattr(m, "change"):
        named["change"] = m.change
    if len(m.RESERVES):
        named["reserve_end"] = m.reserve_end
    named.update({f"money_{who}": m.bearer_money[who] for who in m.BEARERS})
    return named


def bearer_money(m: pyo.ConcreteModel, data: ProblemData, who: str):
    """Net money a bearer (gemeente, rijk) puts into the plan.

    The direct cost of its own lines, plus top-ups it pays into another
    bearer's lines and surpluses its lines hand over to another bearer, minus
    the same flowing the other way. Summed over bearers this is the total cost.
    """
    budgets = data.budgets
    expr = sum(direct_cost(m, b, t) + m.committed[b, t] for (b, t), budget in budgets.items() if budget.bearer == who)
    for b, t in m.TOPUP:
        payer, receiver = budgets[budgets[b, t].topup_from, t].bearer, budgets[b, t].bearer
        if payer != receiver:
            expr += m.topup[b, t] if payer == who else -m.topup[b, t] if receiver == who else 0
    for b, t in m.SURPLUS:
        giver, receiver = budgets[b, t].bearer, budgets[budgets[b, t].surplus_to, t].bearer
        if giver != receiver:
            expr += m.surplus[b, t] if giver == who else -m.surplus[b, t] if receiver == who else 0
    return expr


ROW_RULES = {"stock": stock_rule, "step_up": step_up_rule, "step_down": step_down_rule, "budget": budget_rule,
             "reserve": reserve_rule, "group_capacity": group_rule, "requirement": requirement_rule,
             "one_scenario": one_scenario_rule, "scenario_allows": scenario_rule, "participation_floor": floor_rule,
             "spending_cap": spending_cap_rule, "deviation": deviation_rule}
"""Every constraint family's rule, by the family's name: what :func:`row_constraint` builds a row from."""


def row_constraint(m: pyo.ConcreteModel, family: str, index, into: pyo.Constraint | None = None):
    """The row ``(family, index)`` built again from its rule, as a constraint of its own (not in ``m``).

    ``None`` when the rule leaves the row out. A session keeps no constraints
    after compiling (see :func:`drop_rows`) and builds a row like this when
    a number in it changes. ``into``, a constraint an earlier call returned,
    is given the row instead of a new one (making one costs more than the row).
    """
    rule = ROW_RULES[family]
    expr = rule(m) if index is None else rule(m, *index)
    if expr is pyo.Constraint.Skip:
        return None
    if into is not None:
        into.set_value(expr)
        return into
    row = pyo.Constraint(expr=expr)
    row.construct()
    return row


def drop_rows(m: pyo.ConcreteModel) -> None:
    """Delete every constraint of ``m``: their expression trees, some 70 MB at 342 municipalities, once compiled.

    Variables, parameters and named expressions (the measures) stay; any row
    can be built again from its rule with :func:`row_constraint`.
    """
    for family in list(m.component_objects(pyo.Constraint)):
        if family.local_name not in ROW_RULES:
            raise ValueError(f"no rule for the rows {family.local_name!r}")
        m.del_component(family)
