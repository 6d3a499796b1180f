"""An independent re-check of a plan against the original data.

Written apart from :mod:`models.allocation` on purpose: it recomputes every
rule from :class:`ProblemData` and the plan's numbers with plain arithmetic,
so that a wrong formulation or a solver's numerical trouble cannot hide.
"""

from __future__ import annotations

import math

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
) -> list[str]:
    """Every rule the plan breaks by more than the tolerance, described in English (for logs and tests)."""
    found: list[str] = []

    def check(ok: bool, text: str) -> None:
        if not ok:
            found.append(text)

    years = data.years
    for name, inst in data.instruments.items():
        previous = inst.start
        for t in years:
            v, u = volume[name, t], inflow[name, t]
            tol = _tolerance(v, u, previous)
            check(abs(v - inst.retention * previous - u) <= tol, f"stock {name} {t}")
            check(v >= -tol and u >= -tol, f"sign {name} {t}")
            for low, value in ((inst.min_volume, v), (inst.min_inflow, u)):
                check(low is None or value >= low - tol, f"lower bound {name} {t}")
            for high, value in ((inst.max_volume, v), (inst.max_inflow, u)):
                check(high is None or value <= high + tol, f"upper bound {name} {t}")
            if inst.max_change is not None:
                check(abs(v - previous) <= inst.max_change + tol, f"step {name} {t}")
            if inst.integer and data.settings.integer_volumes:
                check(abs(u - round(u)) <= 1e-6, f"integer inflow {name} {t}")
            if scenario is not None:
                allowed = data.scenarios[scenario].allowed
                check(allowed is None or name in allowed or u <= tol, f"scenario {scenario} excludes {name} {t}")
            previous = v

    for (line, t), budget in data.budgets.items():
        direct = budget.committed
        for name in data.instruments:
            direct += data.cost.get((name, line, t), 0.0) * volume[name, t]
            direct += data.once.get((name, line, t), 0.0) * inflow[name, t]
        if scenario is not None:
            direct += data.friction.get((scenario, line, t), 0.0) + data.fixed_cost.get((scenario, line, t), 0.0)
        paid = sum(amount for (b, tt), amount in topup.items() if tt == t and data.budgets[b, tt].topup_from == line)
        received = sum(amount for (b, tt), amount in surplus.items()
                       if tt == t and data.budgets[b, tt].surplus_to == line)
        given = surplus.get((line, t), 0.0)
        room = budget.available - budget.savings_target + topup.get((line, t), 0.0) + received
        need = direct + paid + given
        tol = _tolerance(room, need)
        check(need <= room + tol, f"budget {line} {t}: {need:.2f} > {room:.2f}")
        if budget.surplus_to is not None:
            check(abs(need - room) <= tol, f"surplus {line} {t} does not carry all unspent money")
        cap = budget.topup_cap
        check(cap is None or topup.get((line, t), 0.0) <= cap + tol, f"top-up cap {line} {t}")

    for (group, t), size in data.groups.items():
        members = [n for n, inst in data.instruments.items() if inst.group == group]
        if not members:
            continue
        persons = sum(data.instruments[n].persons_per_unit * volume[n, t] for n in members)
        tol = _tolerance(size.size, persons)
        check(abs(persons - size.size) <= tol if size.exact else persons <= size.size + tol, f"group {group} {t}")

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
        check(ok[req.sense], f"requirement {req.name} {req.year}: {value:.4f} {req.sense} {req.rhs}")

    if data.scenarios:
        fixed = [s for s, sc in data.scenarios.items() if sc.fixed]
        check(scenario is not None and (not fixed or fixed[0] == scenario), "scenario choice")
    check(all(math.isfinite(x) for x in list(volume.values()) + list(inflow.values())), "finite values")
    return found
