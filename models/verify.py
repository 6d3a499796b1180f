"""An independent re-check of a plan against the original data.

Written apart from :mod:`models.allocation` on purpose: it recomputes every
rule from :class:`ProblemData` and the plan's numbers with plain arithmetic,
so that a wrong formulation or a solver's numerical trouble cannot hide.
"""

from __future__ import annotations

import math
from collections import defaultdict

from models.data import ProblemData

RELATIVE = 1e-6
ABSOLUTE = 1e-5


def _tolerance(*magnitudes: float) -> float:
    return ABSOLUTE + RELATIVE * max([1.0] + [abs(x) for x in magnitudes])


def residuals(
    data: ProblemData,
    volume: dict[tuple[str, int], float],
    inflow: dict[tuple[str, int], float],
    topup: dict[tuple[str, int], float],
    surplus: dict[tuple[str, int], float],
    scenario: str | None,
    reserve_flow: dict[tuple[str, int], float] | None = None,
) -> list[str]:
    """Every rule the plan breaks by more than the tolerance, described in English (for logs and tests).

    ``reserve_flow`` is each line's deposit into its reserve (negative: a withdrawal) by (line, year).
    """
    reserve_flow = reserve_flow or {}
    found: list[str] = []

    def check(ok: bool, text: str, *fields) -> None:
        if not ok:  # the text is made only for a broken rule: most rules hold, and there are 300,000 checks
            found.append(text.format(*fields))

    years = data.years
    for name, inst in data.instruments.items():
        previous = inst.start
        for t in years:
            v, u = volume[name, t], inflow[name, t]
            tol = _tolerance(v, u, previous)
            given = data.given_volume.get((name, t))
            expected = given + u if given is not None else data.retention(name, t) * previous + u
            check(abs(v - expected) <= tol, "stock {} {}", name, t)
            check(given is None or abs(u) <= tol, "inflow in a given year {} {}", name, t)
            check(v >= -tol and u >= -tol, "sign {} {}", name, t)
            for low, value in ((inst.min_volume, v), (inst.min_inflow, u)):
                check(low is None or value >= low - tol, "lower bound {} {}", name, t)
            for high, value in ((inst.max_volume, v), (inst.max_inflow, u)):
                check(high is None or value <= high + tol, "upper bound {} {}", name, t)
            if inst.max_change is not None:
                check(abs(v - previous) <= inst.max_change + tol, "step {} {}", name, t)
            if inst.integer and data.settings.integer_volumes:
                check(abs(u - round(u)) <= 1e-6, "integer inflow {} {}", name, t)
            if scenario is not None:
                allowed = data.scenarios[scenario].allowed
                check(allowed is None or name in allowed or u <= tol, "scenario {} excludes {} {}", scenario, name, t)
            previous = v

    # Own indexes (not the model's), so that the check stays linear in size and independent.
    terms: dict[tuple[str, int], list[tuple[str, float, float]]] = defaultdict(list)
    for i, line, t in dict.fromkeys(list(data.cost) + list(data.once)):
        terms[line, t].append((i, data.cost.get((i, line, t), 0.0), data.once.get((i, line, t), 0.0)))
    paid: dict[tuple[str, int], float] = defaultdict(float)
    received: dict[tuple[str, int], float] = defaultdict(float)
    for (b, t), amount in topup.items():
        paid[data.budgets[b, t].topup_from, t] += amount
    for (b, t), amount in surplus.items():
        received[data.budgets[b, t].surplus_to, t] += amount
    for (line, t), budget in data.budgets.items():
        direct = budget.committed + sum(c * volume[i, t] + o * inflow[i, t] for i, c, o in terms[line, t])
        if scenario is not None:
            direct += data.friction.get((scenario, line, t), 0.0) + data.fixed_cost.get((scenario, line, t), 0.0)
        room = (budget.available - budget.savings_target + topup.get((line, t), 0.0) + received[line, t]
                + budget.funding(volume))
        need = direct + paid[line, t] + surplus.get((line, t), 0.0) + reserve_flow.get((line, t), 0.0)
        tol = _tolerance(room, need)
        check(need <= room + tol, "budget {} {}: {:.2f} > {:.2f}", line, t, need, room)
        if budget.surplus_to is not None:
            check(abs(need - room) <= tol, "surplus {} {} does not carry all unspent money", line, t)
        cap = budget.topup_cap
        check(cap is None or topup.get((line, t), 0.0) <= cap + tol, "top-up cap {} {}", line, t)

    flows: dict[tuple[str | None, int], float] = defaultdict(float)
    for (line, t), f in reserve_flow.items():
        flows[data.budgets[line, t].reserve, t] += f
    for name, reserve in data.reserves.items():
        balance = reserve.start
        for t in years:
            balance += flows[name, t]
            tol = _tolerance(balance)
            check(balance >= -tol, "reserve {} {} below zero", name, t)
            check(reserve.cap is None or balance <= reserve.cap + tol, "reserve {} {} above its cap", name, t)

    group_members: dict[str, list[str]] = defaultdict(list)
    for n, inst in data.instruments.items():
        if inst.group is not None:
            group_members[inst.group].append(n)
    for (group, t), size in data.groups.items():
        members = group_members.get(group)
        if not members:
            continue
        counts = {n: data.instruments[n].persons_per_unit if size.unit == "personen" else 1.0 for n in members}
        persons = sum(counts[n] * volume[n, t] for n in members)
        tol = _tolerance(size.size, persons)
        check(abs(persons - size.size) <= tol if size.exact else persons <= size.size + tol, "group {} {}", group, t)

    for req in data.requirements:
        value = 0.0
        for name, coef in req.terms:
            for t in (years if req.year is None else (req.year,)):
                inst = data.instruments[name]
                q = {"instroom": inflow[name, t], "personen": inst.persons_per_unit * volume[name, t]}.get(
                    req.quantity, volume[name, t])
                value += coef * q
        tol = _tolerance(value, req.rhs)
        ok = {">=": value >= req.rhs - tol, "<=": value <= req.rhs + tol, "=": abs(value - req.rhs) <= tol}
        check(ok[req.sense], "requirement {} {}: {:.4f} {} {}", req.name, req.year, value, req.sense, req.rhs)

    if data.scenarios:
        fixed = [s for s, sc in data.scenarios.items() if sc.fixed]
        check(scenario is not None and (not fixed or fixed[0] == scenario), "scenario choice")
    check(all(math.isfinite(x) for x in list(volume.values()) + list(inflow.values())), "finite values")
    return found
