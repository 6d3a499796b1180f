"""The chosen plan next to the best plans the same data allow.

Four solves on one session: the evaluation of the chosen plan (its volumes
fixed, see :mod:`models.evaluate`); the best plan that uses no more of any
budget line in any year than the chosen plan does (*voor hetzelfde geld, N
persoonsjaren meer*); the optimum within the budgets (*binnen dezelfde
budgetten*, with the extra money it uses); and the cheapest plan with at
least the chosen plan's participation (*voor dezelfde participatie, €X minder*).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from models.data import ProblemData
from models.evaluate import Evaluation, evaluate
from models.session import Deadline, Session
from models.solve import Result, cheapest, optimise
from models.tables import clean

# How the money of a plan splits by who bears it; keys of Result.totals / Evaluation.totals.
MONEY_PREFIX = "money_"


@dataclass
class Comparison:
    """The chosen plan, the optimum, the cheapest equal plan and their differences."""

    chosen: Evaluation
    optimum: Result
    cheapest: Result | None
    volumes: pd.DataFrame
    """Per instrument and year: chosen and optimal volume and persons, and the differences."""
    money: pd.DataFrame
    """Per budget line and year: money used by the chosen and the optimal plan."""
    totals: pd.DataFrame
    """One row per measure: chosen, optimal, difference."""
    extra_person_years: float | None
    """Person-years of the best plan with the chosen plan's money (every line and year) minus the chosen plan's;
    negative when the chosen plan breaks a rule that buys it person-years."""
    money_saved: float | None
    same_money: Result | None = None
    """The best plan whose use of every budget line and year is at most the chosen plan's."""
    extra_person_years_within_budgets: float | None = None
    """The optimum's person-years minus the chosen plan's."""
    extra_money_within_budgets: float | None = None
    """The optimum's total cost minus the chosen plan's."""
    over_budget: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Budget lines and years the chosen plan overspends: line, year, shortfall (euros)."""


def compare(data: ProblemData, optimum: Result | None = None, time_limit: float | None = None,
            session: Session | None = None, deadline: Deadline | None = None) -> Comparison:
    """Compare ``data.chosen_plan`` with the optimum (solved here unless given).

    ``session`` is the optimum's session (built here when not given);
    ``deadline`` the run's time left (else ``time_limit`` from now).
    """
    deadline = deadline or Deadline(data.settings.time_limit if time_limit is None else time_limit)
    session = session or Session(data)
    optimum = optimum if optimum is not None else optimise(session, deadline=deadline)
    return with_alternatives(against_optimum(data, optimum, session, deadline), session, deadline)


def against_optimum(data: ProblemData, optimum: Result, session: Session, deadline: Deadline) -> Comparison:
    """The chosen plan evaluated and set beside the optimum: everything but the two alternative plans.

    :func:`with_alternatives` adds those (the same money, the same
    participation); a report may show this part while they are solved.
    """
    chosen = evaluate(data, data.chosen_plan, data.settings.chosen_scenario, session=session, deadline=deadline)
    if chosen.has_plan:
        chosen.violations = material(chosen.violations)
    both = chosen.has_plan and optimum.has_plan
    return Comparison(
        extra_person_years_within_budgets=clean(optimum.totals["person_years"] - chosen.totals["person_years"], 6)
        if both else None,
        extra_money_within_budgets=clean(optimum.totals["total_cost"] - chosen.totals["total_cost"], 2)
        if both else None,
        over_budget=over_budget(chosen) if chosen.has_plan else pd.DataFrame(),
        chosen=chosen,
        optimum=optimum,
        cheapest=None,
        volumes=_volumes(chosen, optimum) if both else pd.DataFrame(),
        money=_money(chosen, optimum) if both else pd.DataFrame(),
        totals=_totals(chosen, optimum) if both else pd.DataFrame(),
        extra_person_years=None,
        money_saved=None,
    )


def with_alternatives(comparison: Comparison, session: Session, deadline: Deadline) -> Comparison:
    """``comparison`` with the best plan for the chosen plan's money and the cheapest for its participation."""
    chosen = comparison.chosen
    if not chosen.has_plan:
        return comparison
    same = same_money(session, chosen, deadline)
    least = cheapest(session, chosen.totals["participation"], deadline, tables=False)
    extra = clean(same.totals["person_years"] - chosen.totals["person_years"], 6) if same.has_plan else None
    saved = clean(chosen.totals["total_cost"] - least.totals["total_cost"], 2) if least.has_plan else None
    return replace(comparison, same_money=same, cheapest=least, extra_person_years=extra, money_saved=saved)


BREACH_TOLERANCE = {"€": 1.0, "%": 0.1}
"""Below this a rule the chosen plan misses is rounding, not a breach: a euro, a tenth of a percentage point,
and for volumes and persons :data:`VOLUME_TOLERANCE`. A chosen plan typed in fte with two decimals is
0,005 fte from its intent, and persons per fte (1,17) or a share over several instruments make more of that."""
VOLUME_TOLERANCE = 0.1


def material(violations: pd.DataFrame) -> pd.DataFrame:
    """The violations that are more than rounding (see :data:`BREACH_TOLERANCE`)."""
    if violations.empty:
        return violations
    keep = [abs(row.shortfall) >= BREACH_TOLERANCE.get(row.unit, VOLUME_TOLERANCE) for row in violations.itertuples()]
    return violations[keep].reset_index(drop=True)


def over_budget(chosen: Evaluation) -> pd.DataFrame:
    """Lines and years whose money the chosen plan overspends, with the amount."""
    frame = chosen.budgets
    short = frame[frame.slack <= -BREACH_TOLERANCE["€"]]
    return pd.DataFrame({"line": short.line, "year": short.year, "shortfall": -short.slack}).reset_index(drop=True)


def same_money(session: Session, chosen: Evaluation, deadline: Deadline) -> Result:
    """The best plan that uses at most what the chosen plan uses of every budget line in every year.

    Solved on the session with :meth:`Session.cap_spending` (the budgets stay
    as well, so where the chosen plan overspends the budget is the bound),
    without the change against a reference (:meth:`Session.change_aside`);
    no prices.
    """
    caps = {(row.line, row.year): float(row.used) for row in chosen.budgets.itertuples()}
    session.cap_spending(caps)
    try:
        with session.change_aside():
            return optimise(session, deadline=deadline, prices=False, tie_breaks=False, tables=False)
    finally:
        session.cap_spending(None)


def _volumes(chosen: Evaluation, optimum: Result) -> pd.DataFrame:
    keys = ["instrument", "year", "unit"]
    left = chosen.plan[keys + ["volume", "persons"]].rename(columns={"volume": "chosen_volume",
                                                                     "persons": "chosen_persons"})
    right = optimum.plan[keys + ["volume", "persons"]].rename(columns={"volume": "optimal_volume",
                                                                       "persons": "optimal_persons"})
    frame = left.merge(right, on=keys)
    frame["volume_difference"] = (frame.optimal_volume - frame.chosen_volume).round(6)
    frame["persons_difference"] = (frame.optimal_persons - frame.chosen_persons).round(6)
    return frame


MONEY_COLUMNS = ("surplus_received", "topup", "used", "surplus", "slack")
"""Per plan, what reconciles a line's money: available - savings + received + topup = used + surplus + slack."""


def _money(chosen: Evaluation, optimum: Result) -> pd.DataFrame:
    keys = ["line", "year", "bearer", "available", "savings_target"]
    left = chosen.budgets[keys + list(MONEY_COLUMNS)].rename(columns={c: f"chosen_{c}" for c in MONEY_COLUMNS})
    right = optimum.budgets[keys + list(MONEY_COLUMNS)].rename(columns={c: f"optimal_{c}" for c in MONEY_COLUMNS})
    frame = left.merge(right, on=keys)
    frame["used_difference"] = (frame.optimal_used - frame.chosen_used).round(2)
    return frame


def _totals(chosen: Evaluation, optimum: Result) -> pd.DataFrame:
    measures = ["person_years", "participation", "benefit", "societal_value", "total_cost", "topup"]
    measures += sorted(k for k in chosen.totals if k.startswith(MONEY_PREFIX))
    rows = []
    for measure in measures:
        a, b = chosen.totals.get(measure), optimum.totals.get(measure)
        rows.append({"measure": measure, "chosen": a, "optimal": b,
                     "difference": clean(b - a, 6) if a is not None and b is not None else None})
    return pd.DataFrame(rows)
