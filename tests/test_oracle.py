"""The tool against an independent oracle on random small workbooks (issue 8, point 6).

Each random case is solved by :mod:`tests.oracle`, a raw highspy model written
from ``docs/formulation.md`` alone. The tool reads the case as a user's
workbook (the template's layout) and solves it. Cases the oracle solves are
put side by side, ten to a workbook (they share nothing, so the optimum is the
sum of theirs; one workbook per ten cases keeps the test fast); a sample of
the infeasible ones is read one by one and must be infeasible too.
"""

import io
from collections import defaultdict

import pytest

from models.solve import INFEASIBLE, OPTIMAL, solve
from optimiser.template import build_workbook
from optimiser.validate import check_bytes
from tests.oracle import merge, oracle, random_content

CASES = 300
PER_WORKBOOK = 10
INFEASIBLE_SAMPLE = 12


def _tool(sheets):
    buffer = io.BytesIO()
    build_workbook(sheets).save(buffer)
    data, problems = check_bytes(buffer.getvalue(), "orakel.xlsx")
    assert data is not None, [str(p) for p in problems]
    return solve(data)


@pytest.fixture(scope="module")
def cases():
    return [(seed, random_content(seed)) for seed in range(CASES)]


def test_the_tool_finds_the_oracles_optimum(cases):
    """Feasible cases, grouped by years and objective, ten to a workbook: the optima add up."""
    groups = defaultdict(list)
    for seed, sheets in cases:
        status, value = oracle(sheets)
        if status == "optimal":
            settings = sheets["Instellingen"][0]
            groups[settings["laatste_jaar"], settings["doelstelling"]].append((seed, sheets, value))
    compared = 0
    for members in groups.values():
        for k in range(0, len(members), PER_WORKBOOK):
            chunk = members[k:k + PER_WORKBOOK]
            result = _tool(merge([sheets for _, sheets, _ in chunk]))
            seeds = [seed for seed, _, _ in chunk]
            assert result.status == OPTIMAL, seeds
            assert result.objective_value == pytest.approx(sum(v for _, _, v in chunk), rel=1e-7, abs=1e-6), seeds
            compared += len(chunk)
    assert compared >= CASES // 2


def test_the_tool_finds_the_oracles_infeasible_cases_infeasible(cases):
    infeasible = [sheets for _, sheets in cases if oracle(sheets)[0] == "infeasible"][:INFEASIBLE_SAMPLE]
    assert len(infeasible) == INFEASIBLE_SAMPLE
    for sheets in infeasible:
        assert _tool(sheets).status == INFEASIBLE
