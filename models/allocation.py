"""The allocation model as a Pyomo model, built in fixed, named steps.

Notation follows ``docs/formulation.md``. Each constraint family is one
function whose docstring states its inequality; constraints are indexed by
the data they come from (instrument, budget line, year, requirement), so
duals map straight back onto the user's rows.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from models.data import ProblemData, Requirement, inflow_bound, restricted_instruments

OBJECTIVE_NAMES = ("participatie", "maatschappelijke_waarde", "lexicografisch")


class Links:
    """Which data touch which budget line, year and group: indexed once, so building stays linear in size."""

    def __init__(self, data: ProblemData):
        self.terms: dict[tuple[str, int], list[tuple[str, float, float]]] = defaultdict(list)
        for i, line, t in dict.fromkeys(list(data.cost) + list(data.once)):
            c, o = data.cost.get((i, line, t), 0.0), data.once.get((i, line, t), 0.0)
            if (c or o) and i in data.instruments:
                self.terms[line, t].append((i, c, o))
        self.scenario_terms: dict[tuple[str, int], list[tuple[str, float]]] = defaultdict(list)
        for s, line, t in dict.fromkeys(list(data.friction) + list(data.fixed_cost)):
            self.scenario_terms[line, t].append((s, data.scenario_cost(s, line, t)))
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


def build(data: ProblemData) -> pyo.ConcreteModel:
    """Build the model for ``data`` with the objective the settings ask for."""
    m = pyo.ConcreteModel(name=data.settings.name)
    m.data = data
    m.links = Links(data)
    add_sets(m, data)
    add_variables(m, data)
    add_stock_dynamics(m, data)
    add_step_limits(m, data)
    add_budgets(m, data)
    add_group_capacity(m, data)
    add_requirements(m, data)
    add_scenarios(m, data)
    add_expressions(m, data)
    objective = data.settings.objective
    if objective == "maatschappelijke_waarde":
        m.objective = pyo.Objective(expr=m.societal_value, sense=pyo.maximize)
    else:  # participation, and phase 1 of the lexicographic objective
        m.objective = pyo.Objective(expr=m.participation, sense=pyo.maximize)
    return m


def add_sets(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Index sets ``T``, ``I``, ``B`` (with its years) and ``S``."""
    m.T = pyo.Set(initialize=list(data.years), ordered=True)
    m.I = pyo.Set(initialize=list(data.instruments), ordered=True)
    m.BT = pyo.Set(initialize=list(data.budgets), dimen=2, ordered=True)
    m.S = pyo.Set(initialize=list(data.scenarios), ordered=True)


def add_variables(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Volumes ``v``, inflows ``u``, top-ups, surpluses and scenario choice ``y``.

    ``0 <= min_volume <= v[i,t] <= max_volume`` and the same for ``u``;
    ``u`` is integer where the instrument says so and the settings allow it.
    """

    def volume_bounds(_m, i, _t):
        inst = data.instruments[i]
        return (inst.min_volume or 0.0, inst.max_volume)

    def inflow_bounds(_m, i, _t):
        inst = data.instruments[i]
        return (inst.min_inflow or 0.0, inst.max_inflow)

    def inflow_domain(_m, i, _t):
        integer = data.instruments[i].integer and data.settings.integer_volumes
        return pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals

    m.v = pyo.Var(m.I, m.T, bounds=volume_bounds, domain=pyo.NonNegativeReals)
    m.u = pyo.Var(m.I, m.T, bounds=inflow_bounds, domain=inflow_domain)

    topup_keys = [k for k, b in data.budgets.items() if b.topup_from is not None]
    surplus_keys = [k for k, b in data.budgets.items() if b.surplus_to is not None]
    m.TOPUP = pyo.Set(initialize=topup_keys, dimen=2, ordered=True)
    m.SURPLUS = pyo.Set(initialize=surplus_keys, dimen=2, ordered=True)
    m.topup = pyo.Var(
        m.TOPUP, domain=pyo.NonNegativeReals, bounds=lambda _m, b, t: (0.0, data.budgets[b, t].topup_cap)
    )
    m.surplus = pyo.Var(m.SURPLUS, domain=pyo.NonNegativeReals)
    m.y = pyo.Var(m.S, domain=pyo.Binary)


def _previous_volume(m: pyo.ConcreteModel, data: ProblemData, i: str, t: int):
    """``v[i,t-1]``, or the starting stock in the first year."""
    first = m.T.first()
    return data.instruments[i].start if t == first else m.v[i, m.T.prev(t)]


def add_stock_dynamics(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``v[i,t] = r[i] * v[i,t-1] + u[i,t]``, with ``v[i,t0-1]`` the starting stock."""

    def rule(_m, i, t):
        retention = data.instruments[i].retention
        return m.v[i, t] == retention * _previous_volume(m, data, i, t) + m.u[i, t]

    m.stock = pyo.Constraint(m.I, m.T, rule=rule)


def add_step_limits(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``-step[i] <= v[i,t] - v[i,t-1] <= step[i]`` where a step is given."""
    keys = [(i, t) for i in m.I for t in m.T if data.instruments[i].max_change is not None]
    m.STEP = pyo.Set(initialize=keys, dimen=2, ordered=True)

    def change(i, t):
        return m.v[i, t] - _previous_volume(m, data, i, t)

    m.step_up = pyo.Constraint(m.STEP, rule=lambda _m, i, t: change(i, t) <= data.instruments[i].max_change)
    m.step_down = pyo.Constraint(m.STEP, rule=lambda _m, i, t: change(i, t) >= -data.instruments[i].max_change)


def direct_cost(m: pyo.ConcreteModel, data: ProblemData, line: str, year: int):
    """``sum_i cost*v + sum_i once*u + sum_s fixed*y + committed``: what is spent from a line itself."""
    terms = m.links.terms.get((line, year), ())
    scenario_terms = m.links.scenario_terms.get((line, year), ())
    parts = [c * m.v[i, year] + o * m.u[i, year] for i, c, o in terms] + [a * m.y[s] for s, a in scenario_terms]
    if not parts:  # keep a variable in the row, so an empty line is a real (checkable, priced) constraint
        parts = [0.0 * m.v[m.I.first(), year]]
    return data.budgets[line, year].committed + pyo.quicksum(parts)


def topups_paid(m: pyo.ConcreteModel, data: ProblemData, line: str, year: int):
    """Top-ups this line pays for other lines in a year."""
    return sum(m.topup[b, year] for b in m.links.payers.get((line, year), ()))


def spending(m: pyo.ConcreteModel, data: ProblemData, line: str, year: int):
    """Money charged to a line in a year: its direct cost plus the top-ups it pays for other lines."""
    return direct_cost(m, data, line, year) + topups_paid(m, data, line, year)


def add_budgets(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Per line and year: spending + surplus <= available - savings + top-up + surplus received.

    ``=`` for a line whose surplus flows to another line: all that is unspent flows on.
    """

    def rule(_m, b, t):
        budget = data.budgets[b, t]
        lhs = spending(m, data, b, t)
        if (b, t) in m.SURPLUS:
            lhs += m.surplus[b, t]
        received = sum(m.surplus[o, t] for o in m.links.receivers.get((b, t), ()))
        topup = m.topup[b, t] if (b, t) in m.TOPUP else 0.0
        # Constants on the right so that the dual is the value of one extra euro available.
        if (b, t) in m.SURPLUS:  # every unspent euro flows on, so the surplus is not a free choice
            return lhs - topup - received == budget.available - budget.savings_target
        return lhs - topup - received <= budget.available - budget.savings_target

    m.budget = pyo.Constraint(m.BT, rule=rule)


def add_group_capacity(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``sum_{i in g} p[i,t] <= size[g,t]`` (or ``=`` where the group says exactly)."""
    keys = [k for k in data.groups if k[1] in data.years]

    def rule(_m, g, t):
        group = data.groups[g, t]
        members = m.links.members.get(g, [])
        if not members:
            return pyo.Constraint.Skip
        persons = sum(data.instruments[i].persons_per_unit * m.v[i, t] for i in members)
        return persons == group.size if group.exact else persons <= group.size

    m.GT = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.group_capacity = pyo.Constraint(m.GT, rule=rule)


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


def add_requirements(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Each requirement row: ``sum coef * q (>=, <=, =) rhs``; named (eis, jaar)."""
    keys = [(r.name, r.year if r.year is not None else "totaal") for r in data.requirements]
    by_key = dict(zip(keys, data.requirements, strict=True))
    m.R = pyo.Set(initialize=keys, dimen=2, ordered=True)

    def rule(_m, name, year):
        req = by_key[name, year]
        lhs = requirement_lhs(m, data, req)
        if isinstance(lhs, (int, float)):
            return pyo.Constraint.Skip
        if req.sense == ">=":
            return lhs >= req.rhs
        if req.sense == "<=":
            return lhs <= req.rhs
        return lhs == req.rhs

    m.requirement = pyo.Constraint(m.R, rule=rule)


def add_scenarios(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """``sum_s y[s] = 1``; ``y[s] = 1`` if fixed; ``u[i,t] <= M[i,t] * sum_{s allows i} y[s]``.

    The restriction is on new placements ``u``: a scenario cannot undo people
    already employed, it stops new inflow. For an instrument without stock,
    ``u = v`` and this is the restriction on volume.
    """
    if not data.scenarios:
        return
    m.one_scenario = pyo.Constraint(expr=sum(m.y[s] for s in m.S) == 1)
    for s, scenario in data.scenarios.items():
        if scenario.fixed:
            m.y[s].fix(1)
    keys = [(i, t) for i in restricted_instruments(data) for t in data.years]
    m.RESTRICTED = pyo.Set(initialize=keys, dimen=2, ordered=True)

    def rule(_m, i, t):
        allowing = [s for s, sc in data.scenarios.items() if sc.allowed is None or i in sc.allowed]
        return m.u[i, t] <= inflow_bound(data, i, t) * sum(m.y[s] for s in allowing)

    m.scenario_allows = pyo.Constraint(m.RESTRICTED, rule=rule)


def add_expressions(m: pyo.ConcreteModel, data: ProblemData) -> None:
    """Persons ``p``, participation, societal value and the gemeente's spending."""
    m.p = pyo.Expression(m.I, m.T, rule=lambda _m, i, t: data.instruments[i].persons_per_unit * m.v[i, t])
    m.participation = pyo.Expression(expr=sum(data.instruments[i].weight * m.p[i, t] for i in m.I for t in m.T))
    benefit = sum(data.benefit(i) * m.p[i, t] for i in m.I for t in m.T)
    topups = sum(m.topup[k] for k in m.TOPUP)
    scenario_costs = sum(a * m.y[s] for key, terms in m.links.scenario_terms.items() if key in data.budgets
                         for s, a in terms)
    m.societal_value = pyo.Expression(expr=benefit - topups - scenario_costs)
    m.total_cost = pyo.Expression(expr=sum(direct_cost(m, data, b, t) for b, t in data.budgets))
    bearers = sorted({b.bearer for b in data.budgets.values()})
    m.BEARERS = pyo.Set(initialize=bearers)
    m.bearer_money = pyo.Expression(m.BEARERS, rule=lambda _m, who: bearer_money(m, data, who))
    m.gemeente_spending = pyo.Expression(expr=m.bearer_money["gemeente"] if "gemeente" in bearers else 0.0)


def bearer_money(m: pyo.ConcreteModel, data: ProblemData, who: str):
    """Net money a bearer (gemeente, rijk) puts into the plan.

    The direct cost of its own lines, plus top-ups it pays into another
    bearer's lines and surpluses its lines hand over to another bearer, minus
    the same flowing the other way. Summed over bearers this is the total cost.
    """
    budgets = data.budgets
    expr = sum(direct_cost(m, data, b, t) for (b, t), budget in budgets.items() if budget.bearer == who)
    for b, t in m.TOPUP:
        payer, receiver = budgets[budgets[b, t].topup_from, t].bearer, budgets[b, t].bearer
        if payer != receiver:
            expr += m.topup[b, t] if payer == who else -m.topup[b, t] if receiver == who else 0
    for b, t in m.SURPLUS:
        giver, receiver = budgets[b, t].bearer, budgets[budgets[b, t].surplus_to, t].bearer
        if giver != receiver:
            expr += m.surplus[b, t] if giver == who else -m.surplus[b, t] if receiver == who else 0
    return expr
