"""What-ifs, sweeps, sensitivity, 'why' and room to manoeuvre on cases small enough to solve by hand.

Most cases are one year, one budget line 'PB' and instruments with a cost
per unit and weight 1 (participation = the sum of volumes): the optimum
spends the budget on the cheapest instruments first.
"""

import json

import pytest

from models.changes import Change, WhatIf
from models.data import Instrument, Requirement
from models.sensitivity import answer_report, cost_ranges, holds, priced_plan, room
from models.session import Session
from models.whatif import run_batch, sweep
from optimiser.cli import main
from optimiser.validate import load
from optimiser.whatif_input import DefinitionError, parse_text
from optimiser.whatif_report import hold_text, range_text
from tests.conftest import EXAMPLE
from tests.helpers import case


def _ladder(available: float = 8000.0):
    """A: €1.000, at most 5; B: €2.000; C: €3.000 (all per unit). With €8.000: A = 5, B = 1,5, C = 0."""
    return case([Instrument("A", max_volume=5), Instrument("B"), Instrument("C")],
                {("A", "PB"): 1000.0, ("B", "PB"): 2000.0, ("C", "PB"): 3000.0}, {"PB": available},
                s_integer_volumes=False)


def test_tightening_a_budget_changes_the_optimum_by_the_known_amount():
    # Base: A = 5 (€5.000), B = 3.000 / 2.000 = 1,5: participation 6,5.
    # PB * 0,75 = €6.000: A = 5, B = 0,5: 5,5, one unit less.
    data = _ladder()
    session = Session(data)
    whatif = parse_text("PB *0,75", data)
    batch = run_batch(session, [whatif])
    assert batch.base.objective == pytest.approx(6.5)
    outcome = batch.outcomes[0]
    assert outcome.objective == pytest.approx(5.5)
    assert outcome.used[("PB", 2021)] == pytest.approx(6000)
    assert outcome.volumes[("B", 2021)] == pytest.approx(0.5)
    assert not outcome.rebuilt
    # the session is back at the base afterwards
    assert session.solve("participatie").objective == pytest.approx(6.5)


def test_an_infeasible_what_if_carries_its_smallest_relaxation():
    # 'Doel A' asks A >= 5 at €500 each. With PB = €1.000 only 2 fit: either €1.500 more money (weighs 1,5 per
    # the diagnosis' €1.000 = one unit) or the requirement 3 lower (weighs 3): the money is the smaller change.
    data = case([Instrument("A")], {("A", "PB"): 500.0}, {"PB": 10000.0}, s_integer_volumes=False,
                requirements=[Requirement("Doel A", 2021, (("A", 1.0),), ">=", 5.0, kind="doel")])
    batch = run_batch(Session(data), [parse_text("Krap: PB =1000", data)])
    outcome = batch.outcomes[0]
    assert outcome.status == "onhaalbaar"
    rows = outcome.relaxation()
    assert [(r["kind"], r["name"], r["year"], r["direction"]) for r in rows] == [("budget", "PB", 2021, "+")]
    assert rows[0]["change"] == pytest.approx(1500)


def test_a_sweep_finds_the_known_breakpoints():
    # Objective = x / 1.000 up to €5.000 (A fills to its maximum), then 5 + (x - 5.000) / 2.000 with B.
    # Character changes at €1.000 (A enters), €5.000 (A's maximum starts binding), €6.000 (B enters).
    data = _ladder()
    points = sweep(Session(data), Change("budget", "PB", "available", "=", 0.0),
                   [1000.0 * k for k in range(11)])
    expected = [k if k <= 5 else 5 + (k - 5) / 2 for k in range(11)]
    assert [p.objective for p in points] == pytest.approx(expected)
    assert [p.value for p in points if p.breakpoint] == [1000, 5000, 6000]
    assert points[6].entered == ("B",)
    assert ("bound_v", ("A", 2021)) in points[5].starts_binding


def test_room_to_manoeuvre_two_substitutes_and_one_fixed():
    # A and B cost the same and count the same: any split of 8 units between them is optimal. C is held at 2.
    data = case([Instrument("A"), Instrument("B"), Instrument("C", min_volume=2, max_volume=2)],
                {("A", "PB"): 1000.0, ("B", "PB"): 1000.0, ("C", "PB"): 1000.0}, {"PB": 10000.0},
                s_integer_volumes=False)
    table = room(Session(data), 0.02)
    assert table.best == pytest.approx(10) and table.floor == pytest.approx(9.8)
    rooms = {r.instrument: r for r in table.rooms}
    assert (rooms["A"].lowest, rooms["A"].highest) == pytest.approx((0, 8))
    assert (rooms["B"].lowest, rooms["B"].highest) == pytest.approx((0, 8))
    assert rooms["C"].fixed and rooms["C"].lowest == pytest.approx(2)
    assert not rooms["A"].fixed


def test_answer_report_why_and_cost_ranges_by_hand():
    # Dual of PB: the marginal unit is B at €2.000, so €1 buys 1/2.000 unit. A at its maximum has reduced cost
    # 1 - 1.000/2.000 = 0,5; C has 1 - 3.000/2.000 = -0,5. C enters when it costs €1.000 less (as much as B);
    # B may fall €1.000 (then it is as cheap as A, and A leaves its maximum) and rise €1.000 (then it is as dear as
    # C, which takes its place).
    data = _ladder()
    session = Session(data)
    priced = priced_plan(session)
    rows, bounds = answer_report(session, priced)
    budget = rows[rows.family == "budget"].iloc[0]
    assert bool(budget.binding) and budget.price == pytest.approx(1 / 2000) and budget.value == pytest.approx(8000)
    a = bounds[(bounds.variable == "v") & (bounds["index"] == ("A", 2021))].iloc[0]
    assert bool(a.binding) and a.upper == 5 and a.reduced_cost == pytest.approx(0.5)
    why = {h.instrument: h for h in holds(session, priced)}
    assert why["A"].family == "bound_v" and why["A"].price == pytest.approx(0.5)
    assert why["B"].family == "budget"
    units = {"A": "fte", "B": "fte", "C": "fte"}
    assert "het maximale volume houdt het tegen; één fte meer levert 0,5 gewogen persoonsjaren op" in hold_text(
        why["A"], units, "participatie")
    assert "niet in het plan; elke fte kost 0,5" in hold_text(why["C"], units, "participatie")
    ranges = {r.instrument: r for r in cost_ranges(session, priced)}
    assert ranges["C"].down == pytest.approx(1000, abs=1) and "C" in ranges["C"].down_change.entered
    assert ranges["B"].down == pytest.approx(1000, abs=1) and ranges["B"].up == pytest.approx(1000, abs=1)
    assert ranges["B"].up_change.entered == ("C",) and ranges["B"].up_change.left == ("B",)
    assert range_text(ranges["C"], units).startswith("C komt in het plan als de kosten op PB €1.000 per fte lager")
    # the searches leave the session at the base
    assert session.solve("participatie").objective == pytest.approx(6.5)


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


@pytest.mark.parametrize("text", [
    "BUIG -5%", "Participatiebudget besparingstaakstelling 2023-2025 +150000", "Beschut werk max_volume =40",
    "LKS regulier kosten Participatiebudget +1200", "2 Arbeidsontwikkelbedrijf vast", "Oude Wsw-doelgroep *0,9",
    "Wsw buiten de muren =30", "LKS regulier blijfkans =0,5",
])
def test_a_session_re_solve_equals_a_fresh_solve(example, text):
    session = Session(example)
    batch = run_batch(session, [parse_text(text, example)])
    outcome = batch.outcomes[0]
    fresh = Session(example)
    from models.whatif import apply, settings_of
    apply(fresh, settings_of(example, parse_text(text, example)))
    rebuilt = Session(fresh.data).solve("participatie")
    assert outcome.status == rebuilt.status
    if rebuilt.has_solution:
        assert outcome.objective == pytest.approx(rebuilt.objective, rel=1e-6)
    assert session.solve("participatie").objective == pytest.approx(batch.base.objective, rel=1e-9)


@pytest.mark.parametrize(("text", "message"), [
    ("Participatiebudgt 2023 *0,9", "Onbekend onderwerp 'Participatiebudgt'; bedoelt u 'Participatiebudget'?"),
    ("LKS regulier kosten BUIGG +5", "Onbekende budgetregel 'BUIGG'; bedoelt u 'BUIG'?"),
    ("Beschut werk max_volum =40", "Onbekende grootheid 'max_volum'; bedoelt u 'max_volume'?"),
    ("Beschut werk max_volume +5", "heeft geen max_volume om mee te rekenen"),
    ("Oude Wsw-doelgroep 2030 *2", "Geen van de jaren 2030 is een planjaar"),
])
def test_a_bad_definition_names_the_nearest_existing_name(example, text, message):
    with pytest.raises(DefinitionError, match=message.replace("?", r"\?").replace("*", r"\*")):
        parse_text(text, example)


def test_several_changes_in_one_what_if_build_on_each_other(example):
    whatif = parse_text("Twee: BUIG *0,5; BUIG +1000", example)
    assert whatif.name == "Twee" and len(whatif.changes) == 2
    from models.changes import settings_of
    first = next(s for s in settings_of(example, whatif) if s.key == ("BUIG", 2023) and s.value != s.old * 0.5)
    assert first.value == pytest.approx(example.budgets["BUIG", 2023].available * 0.5 + 1000)


def test_the_workbook_sheet_is_read_and_a_bad_cell_is_named(tmp_path, example_content):
    from optimiser.template import build_workbook
    from optimiser.validate import check
    content = dict(example_content)
    content["Wat-als"] = [
        {"wat_als": "BUIG lager", "onderwerp": "BUIG", "grootheid": "beschikbaar", "van_jaar": 2023,
         "tot_jaar": 2024, "bewerking": "maal", "waarde": 0.95},
        {"wat_als": "Fout", "onderwerp": "Beschutwerk", "grootheid": "max_volume", "bewerking": "wordt",
         "waarde": 40},
    ]
    path = tmp_path / "wat-als.xlsx"
    build_workbook(content).save(path)
    data, problems = check(path)
    assert data is None
    [problem] = [p for p in problems if p.severity == "fout"]
    assert problem.sheet == "Wat-als" and problem.cell == "B5"
    assert "Onbekend onderwerp 'Beschutwerk'; bedoelt u 'Beschut werk'?" in problem.message
    content["Wat-als"] = content["Wat-als"][:1]
    build_workbook(content).save(path)
    data, problems = check(path)
    [whatif] = data.what_ifs
    assert whatif == WhatIf("BUIG lager", (Change("budget", "BUIG", "available", "*", 0.95, None, (2023, 2024)),))


def test_cli_runs_what_ifs_and_reports_them_in_json(tmp_path, capsys):
    code = main(["run", str(EXAMPLE), "-o", str(tmp_path / "uit.xlsx"), "--json", "--wat-als",
                 "Krap: Participatiebudget besparingstaakstelling +150000", "--speelruimte", "2%"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    [run] = out["what_ifs"]["runs"]
    assert run["name"] == "Krap" and run["status"] == "optimaal" and run["difference"] < 0
    assert len(out["what_ifs"]["room"]) == 6
    code = main(["run", str(EXAMPLE), "-o", str(tmp_path / "uit2.xlsx"), "--wat-als", "Participatiebudgt *0,9"])
    assert code == 1
    assert "bedoelt u 'Participatiebudget'?" in capsys.readouterr().err
