"""A session keeps no Pyomo constraints: every row it changes is built again from its family's rule.

These tests check that a row built again (``allocation.row_constraint``)
is exactly the row HiGHS received from the compile, for every row of the
example and of the region example (reserves, shared costs, scenarios), and
that the maps from (family, index) to rows and columns behave like the
dicts they replace.
"""

import pyomo.core as pyo
import pytest

from models import allocation
from models.highs import IndexMap, row_bounds
from models.session import Session
from optimiser.validate import load
from tests.conftest import EXAMPLE, ROOT


@pytest.mark.parametrize("workbook", [EXAMPLE, ROOT / "inputs" / "regio.xlsx"], ids=["example", "region"])
def test_every_row_built_again_is_the_row_highs_has(workbook):
    session = Session(load(workbook))
    assert not list(session.model.component_objects(pyo.Constraint))  # deleted once compiled
    families = {family for family, _ in session.compiled.rows}
    assert families <= set(allocation.ROW_RULES)
    assert {"stock", "budget", "deviation", "spending_cap"} <= families
    lower, upper = session.highs.row_bounds(range(session.compiled.num_row))
    for (family, index), row in session.compiled.rows.items():
        con = allocation.row_constraint(session.model, family, index)
        coefficients, constant = session.compiled.linear(con.body)
        assert coefficients == pytest.approx(session.highs.row_entries(row), abs=0), (family, index)
        assert constant == session.compiled.offset[row]
        assert row_bounds(session.compiled, row, con) == (lower[row], upper[row])


def test_a_row_built_into_an_earlier_constraint_replaces_its_expression():
    session = Session(load(EXAMPLE))
    budget = next(k for f, k in session.compiled.rows if f == "budget")
    cap = next(k for f, k in session.compiled.rows if f == "spending_cap")
    first = allocation.row_constraint(session.model, "budget", budget)
    again = allocation.row_constraint(session.model, "spending_cap", cap, into=first)
    assert again is first
    built = allocation.row_constraint(session.model, "spending_cap", cap)
    assert session.compiled.linear(again.body) == session.compiled.linear(built.body)


def test_index_map_behaves_like_a_dict_in_insertion_order():
    positions = IndexMap()
    positions.family("v")[("A", 2021)] = 0
    positions.family("v")[("A", 2022)] = 1
    positions.family("u")[("A", 2021)] = 2
    positions.family("floor")[None] = 3
    plain = {("v", ("A", 2021)): 0, ("v", ("A", 2022)): 1, ("u", ("A", 2021)): 2, ("floor", None): 3}
    assert list(positions) == list(plain)
    assert list(positions.items()) == list(plain.items())
    assert len(positions) == 4
    assert positions["u", ("A", 2021)] == 2
    assert ("v", ("A", 2023)) not in positions and ("w", ("A", 2021)) not in positions
    assert positions.get(("w", 1)) is None and positions.get(("v", ("B", 2021)), -1) == -1
    with pytest.raises(KeyError):
        positions["v", ("B", 2021)]


def test_a_coefficient_that_becomes_zero_leaves_the_row():
    """Beschut werk keeps 95% of its volume into 2023: ``v[2023] - 0,95 v[2022] - u[2023] = 0``.

    With a retention of 0 in 2023 the row is ``v[2023] - u[2023] = 0``: the
    entry of ``v[2022]`` must go, as a fresh build has no such entry.
    """
    data = load(EXAMPLE)
    session = Session(data)
    row = session.compiled.rows["stock", ("Beschut werk", 2023)]
    before = session.compiled.cols["v", ("Beschut werk", 2022)]
    assert session.highs.row_entries(row)[before] == pytest.approx(-0.95)
    session.change_run_off("Beschut werk", 2023, retention=0.0)
    assert session.rebuilds == 0
    fresh = Session(session.data)
    expected = fresh.highs.row_entries(fresh.compiled.rows["stock", ("Beschut werk", 2023)])
    assert session.highs.row_entries(row) == expected
    assert before not in session.highs.row_entries(row)
