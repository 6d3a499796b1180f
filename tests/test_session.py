"""A session changed in place must hold exactly the model a fresh build of the changed data gives.

For every kind of change a what-if can make, the example's session is changed
in place and compared with a new session built from the changed data: the
matrix, bounds and integrality HiGHS holds, every compiled measure, and the
optimum (objective value and status). A change the session cannot make in
place must rebuild, visibly.
"""

from dataclasses import replace

import highspy
import numpy as np
import pytest

from models.allocation import requirement_key
from models.session import Deadline, Session
from models.solve import optimise
from optimiser.validate import load
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


def _lp(session: Session) -> dict:
    lp = session.highs.highs.getLp()
    matrix = lp.a_matrix_
    starts, index, value = list(matrix.start_), list(matrix.index_), list(matrix.value_)
    # HiGHS may hold the matrix by rows once rows were added to it (the later phases' rows, see Session.complete)
    by_rows = matrix.format_ == highspy.MatrixFormat.kRowwise
    entries = {}
    for outer in range(lp.num_row_ if by_rows else lp.num_col_):
        for k in range(starts[outer], starts[outer + 1]):
            if value[k] != 0:
                entries[(outer, int(index[k])) if by_rows else (int(index[k]), outer)] = value[k]
    return {"col_lower": list(lp.col_lower_), "col_upper": list(lp.col_upper_), "row_lower": list(lp.row_lower_),
            "row_upper": list(lp.row_upper_), "entries": entries,
            "integrality": [int(k) for k in lp.integrality_]}


def _measures(session: Session) -> dict:
    session.measure("participation", np.zeros(session.compiled.num_col))  # brings stale measures up to date
    return {name: (vector.tolist(), offset) for name, (vector, offset) in session.compiled.measures.items()}


def _same_model(changed: Session, fresh: Session) -> None:
    ours, theirs = _lp(changed), _lp(fresh)
    for key in ("col_lower", "col_upper", "row_lower", "row_upper", "integrality"):
        assert ours[key] == pytest.approx(theirs[key], abs=1e-9), key
    assert ours["entries"].keys() == theirs["entries"].keys()
    for cell, value in theirs["entries"].items():
        assert ours["entries"][cell] == pytest.approx(value, abs=1e-9), cell
    ours, theirs = _measures(changed), _measures(fresh)
    assert ours.keys() == theirs.keys()
    for name, (vector, offset) in theirs.items():
        assert ours[name][0] == pytest.approx(vector, abs=1e-9), name
        assert ours[name][1] == pytest.approx(offset, abs=1e-6), name
    best, reference = optimise(changed), optimise(fresh)
    assert best.status == reference.status
    assert best.objective_value == pytest.approx(reference.objective_value, rel=1e-7)
    assert best.totals["participation"] == pytest.approx(reference.totals["participation"], rel=1e-7)


def _requirement(data, name, year):
    return next(r for r in data.requirements if requirement_key(r) == (name, year))


def _with_requirement(data, name, year, **changes):
    reqs = [replace(r, **changes) if requirement_key(r) == (name, year) else r for r in data.requirements]
    return replace(data, requirements=reqs)


def _with(data, table: str, key, **changes):
    rows = dict(getattr(data, table))
    rows[key] = replace(rows[key], **changes)
    return replace(data, **{table: rows})


# Each case: (what the session does, the data a fresh build gets).
CASES = {
    "available": (lambda s: s.change_budget("BUIG", 2023, available=11_000_000),
                  lambda d: _with(d, "budgets", ("BUIG", 2023), available=11_000_000)),
    "savings target": (lambda s: s.change_budget("Participatiebudget", 2022, savings_target=570_000),
                       lambda d: _with(d, "budgets", ("Participatiebudget", 2022), savings_target=570_000)),
    "committed": (lambda s: s.change_budget("Gemeentelijke bijdrage NWG", 2024, committed=-150_000),
                  lambda d: _with(d, "budgets", ("Gemeentelijke bijdrage NWG", 2024), committed=-150_000)),
    "cost": (lambda s: s.change_cost("Wsw intern", "Participatiebudget", 2022, cost=25_000),
             lambda d: replace(d, cost={**d.cost, ("Wsw intern", "Participatiebudget", 2022): 25_000})),
    "scenario cost": (lambda s: s.change_scenario_cost("2 Arbeidsontwikkelbedrijf", "Algemene middelen", 2021,
                                                       friction=900_000),
                      lambda d: replace(d, friction={**d.friction,
                                                     ("2 Arbeidsontwikkelbedrijf", "Algemene middelen", 2021):
                                                     900_000})),
    "volume bound": (lambda s: s.change_instrument("LKS bij NWG", max_volume=40),
                     lambda d: _with(d, "instruments", "LKS bij NWG", max_volume=40)),
    "inflow bounds": (lambda s: s.change_instrument("LKS regulier", min_inflow=2, max_inflow=12),
                      lambda d: _with(d, "instruments", "LKS regulier", min_inflow=2, max_inflow=12)),
    "maximum change": (lambda s: s.change_instrument("Beschut werk", max_change=4),
                       lambda d: _with(d, "instruments", "Beschut werk", max_change=4)),
    "requirement level": (lambda s: s.change_requirement("Taakstelling beschut werk", 2023, 30),
                          lambda d: _with_requirement(d, "Taakstelling beschut werk", 2023, rhs=30)),
    "share": (lambda s: s.change_requirement("Wsw buiten de muren", 2022, 35),
              lambda d: _with_requirement(
                  d, "Wsw buiten de muren", 2022, share=0.35,
                  terms=tuple((i, (1.0 if i in _requirement(d, "Wsw buiten de muren", 2022).share_part else 0.0)
                               - 0.35) for i in _requirement(d, "Wsw buiten de muren", 2022).share_base))),
    "group size": (lambda s: s.change_group("Doelgroep Participatiewet", 2024, 400),
                   lambda d: _with(d, "groups", ("Doelgroep Participatiewet", 2024), size=400)),
    "fixed scenario": (lambda s: s.fix_scenario("2 Arbeidsontwikkelbedrijf"),
                       lambda d: _with(d, "scenarios", "2 Arbeidsontwikkelbedrijf", fixed=True)),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_change_in_place_equals_a_fresh_build(example, kind):
    change, changed_data = CASES[kind]
    session = Session(example)
    optimise(session)  # solved once before the change: the re-solve starts warm
    change(session)
    assert session.rebuilds == 0, "this change must be made in place"
    _same_model(session, Session(changed_data(example)))


@pytest.mark.parametrize("kind", list(CASES))
def test_update_with_changed_data_finds_the_same_change(example, kind):
    """``Session.update`` works out the change from the data and makes it in place."""
    _, changed_data = CASES[kind]
    session = Session(example)
    session.update(changed_data(example))
    assert session.rebuilds == 0
    _same_model(session, Session(changed_data(example)))


def test_changes_one_after_another_and_back(example):
    session = Session(example)
    base = optimise(session).objective_value
    session.change_budget("BUIG", 2023, available=9_000_000)
    session.change_instrument("LKS bij NWG", max_volume=10)
    session.fix_scenario("1 Wsw en beschut werk")
    session.update(example)  # back to the workbook
    assert session.rebuilds == 0
    assert optimise(session).objective_value == pytest.approx(base, rel=1e-9)
    _same_model(session, Session(example))


def test_a_change_the_session_cannot_make_in_place_rebuilds_visibly(example):
    """A cost where the model has no term: a new term in the row, so the model is built again."""
    session = Session(example)
    key = ("Trajecten", "Gemeentelijke bijdrage NWG", 2022)
    assert key not in example.cost or not example.cost[key]
    session.change_cost(*key, cost=1_000)
    assert session.rebuilds == 1
    assert optimise(session).rebuilt is True  # the next result shows the rebuild ...
    assert optimise(session).rebuilt is False  # ... once
    fresh = replace(example, cost={**example.cost, key: 1_000})
    _same_model(session, Session(fresh))


def test_update_with_a_new_budget_line_rebuilds(example):
    session = Session(example)
    extra = {(line, t): replace(b, line=line) for (_, t), b in example.budgets.items() if _ == "BUIG"
             for line in ["Extra"]}
    session.update(replace(example, budgets={**example.budgets, **extra}))
    assert session.rebuilds == 1


def test_the_callers_data_is_never_changed(example):
    before = (dict(example.budgets), list(example.requirements), dict(example.instruments))
    session = Session(example)
    session.change_budget("BUIG", 2023, available=1)
    session.change_requirement("Taakstelling beschut werk", 2023, 1)
    session.change_instrument("LKS regulier", max_inflow=1)
    assert (example.budgets, example.requirements, example.instruments) == before


def test_unknown_names_are_refused(example):
    session = Session(example)
    with pytest.raises(KeyError):
        session.change_budget("Geen regel", 2023, available=1)
    with pytest.raises(KeyError):
        session.change_requirement("Geen eis", 2023, 1)
    with pytest.raises(KeyError):
        session.fix_scenario("Geen scenario")


def test_deadline_is_shared_by_the_solves_of_a_run():
    deadline = Deadline(0.0)
    assert deadline.left() == pytest.approx(0.01)
    assert Deadline(None).left() is None


def test_after_a_comparison_the_session_holds_the_model_it_was_built_with(example):
    """The evaluation fixes the chosen plan's volumes and adds slack columns, the same-money plan caps every
    line, the tie-breaks fix the optimal face: a run's session must get all of it back (what-ifs follow)."""
    from models.compare import compare

    session = Session(example)
    compare(example, optimise(session), session=session)
    assert session.rebuilds == 0
    _same_model(session, Session(example))


def test_a_line_changed_again_after_its_row_was_rebuilt(example):
    """Money, then a cost in the same row (the row is built again), then money again: the session keeps each row's
    bound expressions between pushes, so the second change of money must see the row as rebuilt."""
    session = Session(example)
    session.change_budget("Participatiebudget", 2022, available=5_000_000)
    session.change_cost("Wsw intern", "Participatiebudget", 2022, cost=25_000)
    session.change_budget("Participatiebudget", 2022, available=5_500_000, committed=10_000)
    fresh = _with(replace(example, cost={**example.cost, ("Wsw intern", "Participatiebudget", 2022): 25_000}),
                  "budgets", ("Participatiebudget", 2022), available=5_500_000, committed=10_000)
    assert session.rebuilds == 0
    _same_model(session, Session(fresh))


def test_the_chosen_plan_changed_twice(example):
    """The least-change rows hold the chosen plan's volumes as numbers (no parameter): a second new plan must
    reach them as the first did, as a fresh build with that plan has them."""
    session = Session(example)
    for extra in (1, 5):
        session.update(replace(example, chosen_plan={key: value + extra for key, value in example.chosen_plan.items()}))
    assert session.rebuilds == 0
    _same_model(session, Session(replace(example, chosen_plan={k: v + 5 for k, v in example.chosen_plan.items()})))
