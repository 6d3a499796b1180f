"""Properties on random valid problems (hypothesis, derandomised so CI is repeatable)."""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.data import BudgetYear, Instrument, ProblemData, Requirement, Settings
from models.evaluate import evaluate
from models.solve import INFEASIBLE, OPTIMAL, solve

PROPERTY = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
money = st.floats(min_value=50, max_value=5000, allow_nan=False)
cost = st.floats(min_value=1, max_value=200, allow_nan=False)


@st.composite
def problems(draw):
    years = tuple(range(2030, 2030 + draw(st.integers(1, 3))))
    names = [f"I{k}" for k in range(draw(st.integers(1, 4)))]
    lines = [f"L{k}" for k in range(draw(st.integers(1, 2)))]
    instruments = {}
    for name in names:
        instruments[name] = Instrument(
            name,
            retention=draw(st.floats(0, 1)),
            start=draw(st.floats(0, 5)),
            persons_per_unit=draw(st.floats(0.5, 2)),
            weight=draw(st.floats(0.5, 2)),
            max_volume=draw(st.one_of(st.none(), st.floats(10, 100))),
            max_change=draw(st.one_of(st.none(), st.floats(5, 50))),
        )
    budgets = {(b, t): BudgetYear(b, t, draw(money), committed=draw(st.floats(0, 20)),
                                  savings_target=draw(st.floats(0, 20))) for b in lines for t in years}
    costs = {(i, b, t): draw(cost) for i in names for b in lines for t in years}
    once = {(i, b, t): draw(st.floats(0, 20)) for i in names for b in lines for t in years}
    requirements = []
    if draw(st.booleans()):
        requirements.append(Requirement("doel", years[-1], ((names[0], 1.0),), ">=", draw(st.floats(0, 3))))
    return ProblemData(Settings("random", years), instruments, budgets, cost=costs, once=once,
                       requirements=requirements)


def _scaled(data: ProblemData, factor: float) -> ProblemData:
    budgets = {k: dataclasses.replace(b, available=b.available * factor, committed=b.committed * factor,
                                      savings_target=b.savings_target * factor) for k, b in data.budgets.items()}
    return dataclasses.replace(data, budgets=budgets, cost={k: v * factor for k, v in data.cost.items()},
                               once={k: v * factor for k, v in data.once.items()})


@PROPERTY
@given(problems())
def test_every_solution_passes_the_independent_check(data):
    result = solve(data)
    assert result.status in (OPTIMAL, INFEASIBLE)  # a failed re-check would say numeriek_probleem
    if result.status == OPTIMAL:
        assert result.check_failures == []


@PROPERTY
@given(problems())
def test_evaluating_the_optimal_plan_gives_the_reported_objective(data):
    result = solve(data)
    if result.status != OPTIMAL:
        return
    plan = {(r.instrument, r.year): r.volume for r in result.plan.itertuples()}
    evaluation = evaluate(data, plan)
    assert evaluation.violations.empty, evaluation.violations
    assert evaluation.objective_value == pytest.approx(result.objective_value, rel=1e-6, abs=1e-6)


@PROPERTY
@given(problems(), st.sampled_from([0.001, 7.0, 1000.0]))
def test_scaling_all_money_changes_no_volume(data, factor):
    first, second = solve(data), solve(_scaled(data, factor))
    assert first.status == second.status
    if first.status != OPTIMAL:
        return
    assert second.objective_value == pytest.approx(first.objective_value, rel=1e-6, abs=1e-6)
    assert second.plan.volume.tolist() == pytest.approx(first.plan.volume.tolist(), rel=1e-5, abs=1e-5)
