"""A region: two gemeenten share one SW-bedrijf (issue 12, point 7).

The case, solved by hand: gemeenten A and B, one year (2021). Each has one budget line (Middelen A
€100.000, Middelen B €50.000, bearer gemeente) and one instrument at the shared company SWB (Beschut A,
Beschut B: a one-year place at €1.000, at most 1.000). The company's exploitatietekort is shared.
Participation is the number of places, so each gemeente fills its line after paying its share.
"""

import openpyxl
import pytest

from models.money import money_table
from models.region import region_money
from models.solve import OPTIMAL, solve
from optimiser.report import json_summary, write_workbook
from optimiser.template import build_workbook
from optimiser.validate import check
from tests.helpers import budget, volumes


def _content(keys: list[dict], shared: list[dict]) -> dict:
    instruments = [{"instrument": f"Beschut {g}", "blijfkans": 0, "max_volume": 1000, "organisatie": "SWB",
                    "gemeente": g} for g in "AB"]
    return {
        "Instellingen": [{"naam": "regio", "eerste_jaar": 2021, "laatste_jaar": 2021, "doelstelling": "participatie",
                          "gehele_aantallen": "nee"}],
        "Budgetten": [{"budgetregel": f"Middelen {g}", "jaar": 2021, "beschikbaar": amount, "gemeente": g}
                      for g, amount in (("A", 100_000), ("B", 50_000))],
        "Instrumenten": instruments,
        "Kosten": [{"instrument": f"Beschut {g}", "budgetregel": f"Middelen {g}", "kosten_per_eenheid": 1000}
                   for g in "AB"],
        "Verdeelsleutels": keys,
        "Gedeelde kosten": shared,
    }


def _keys(kind: str, a: float | None, b: float | None) -> list[dict]:
    return [{"organisatie": "SWB", "gemeente": g, "budgetregel": f"Middelen {g}", "sleutel": kind, "waarde": w}
            for g, w in (("A", a), ("B", b))]


DEFICIT = [{"organisatie": "SWB", "bedrag": 100_000, "component": "exploitatietekort"}]


def _check(tmp_path, content):
    path = tmp_path / "regio.xlsx"
    build_workbook(content).save(path)
    data, problems = check(path)
    return data, [(p.sheet, p.cell, p.message) for p in problems if p.severity == "fout"]


def _money(data, result) -> dict[tuple[str, str], float]:
    return {(g, who): amount for g, who, amount in region_money(data, result.budgets).itertuples(index=False)}


def test_fixed_shares_split_the_deficit(tmp_path):
    """60/40 of €100.000: A pays €60.000 and has €40.000 left: 40 places; B pays €40.000, €10.000 left: 10.

    Money of A €100.000, of B €50.000; the region €150.000 = total cost. 'Geld per regel' shows the share
    as its own part, and each line still adds up to its use.
    """
    data, errors = _check(tmp_path, _content(_keys("vast", 60, 40), DEFICIT))
    assert errors == []
    assert data.gemeenten == ["A", "B"]
    assert data.shared == {("SWB", "Middelen A", 2021, "exploitatietekort"): pytest.approx(60_000),
                           ("SWB", "Middelen B", 2021, "exploitatietekort"): pytest.approx(40_000)}
    result = solve(data)
    assert result.status == OPTIMAL
    assert volumes(result, "Beschut A") == pytest.approx([40])
    assert volumes(result, "Beschut B") == pytest.approx([10])
    assert budget(result, "Middelen A", 2021, "used") == pytest.approx(100_000)
    assert list(result.plan.gemeente) == ["A", "B"]
    assert list(result.budgets.gemeente) == ["A", "B"]
    assert _money(data, result) == {("A", "gemeente"): pytest.approx(100_000), ("B", "gemeente"): pytest.approx(50_000)}
    assert result.totals["total_cost"] == pytest.approx(150_000)
    money = money_table(data, result.plan, result.budgets, result.scenario)
    shared = money[money.source == "gedeeld"]
    assert list(zip(shared.line, shared.name, shared.component, shared.amount, strict=True)) == [
        ("Middelen A", "SWB", "exploitatietekort", pytest.approx(60_000)),
        ("Middelen B", "SWB", "exploitatietekort", pytest.approx(40_000))]
    assert not (money.source == "vastgelegd").any()  # nothing else is committed
    used = money.groupby("line").amount.sum()
    assert used["Middelen A"] == pytest.approx(100_000) and used["Middelen B"] == pytest.approx(50_000)


def test_inhabitants_split_the_deficit(tmp_path):
    """30.000 and 10.000 inhabitants: 75% and 25%. A pays €75.000: 25 places; B pays €25.000: 25 places."""
    data, errors = _check(tmp_path, _content(_keys("inwoners", 30_000, 10_000), DEFICIT))
    assert errors == []
    result = solve(data)
    assert volumes(result, "Beschut A") == pytest.approx([25])
    assert volumes(result, "Beschut B") == pytest.approx([25])


def test_per_se_each_gemeente_pays_for_its_own_places(tmp_path):
    """€500 per SE: a place costs €1.000 + €500. A: €100.000 / €1.500 = 66,67; B: €50.000 / €1.500 = 33,33.

    The deficit is a cost of the instrument on its gemeente's line, labelled exploitatietekort:
    A pays 66,67 x 500 = €33.333,33 of it.
    """
    per_se = [{"organisatie": "SWB", "bedrag": 500, "component": "exploitatietekort"}]
    data, errors = _check(tmp_path, _content(_keys("SE", None, None), per_se))
    assert errors == []
    assert data.shared == {}
    assert data.cost["Beschut A", "Middelen A", 2021] == 1500
    result = solve(data)
    assert volumes(result, "Beschut A") == pytest.approx([200 / 3])
    assert volumes(result, "Beschut B") == pytest.approx([100 / 3])
    money = money_table(data, result.plan, result.budgets, result.scenario)
    part = money[(money.line == "Middelen A") & (money.component == "exploitatietekort")]
    assert list(part.amount) == [pytest.approx(100_000 / 3)]
    assert sum(_money(data, result).values()) == pytest.approx(result.totals["total_cost"])


def test_one_gemeente_stays_the_simple_case(tmp_path):
    """Without gemeenten the result has no gemeente column and no region money."""
    content = _content([], [])
    for sheet in ("Budgetten", "Instrumenten"):
        for row in content[sheet]:
            row.pop("gemeente")
    data, errors = _check(tmp_path, content)
    assert errors == []
    result = solve(data)
    assert "gemeente" not in result.plan.columns and "gemeente" not in result.budgets.columns
    assert region_money(data, result.budgets).empty
    assert json_summary(data, result, None, [])["region"] is None


def test_the_result_shows_the_money_per_gemeente_and_the_region(tmp_path):
    data, _ = _check(tmp_path, _content(_keys("vast", 60, 40), DEFICIT))
    result = solve(data)
    summary = json_summary(data, result, None, [])
    assert summary["region"] == {"gemeenten": {"A": {"gemeente": pytest.approx(100_000)},
                                               "B": {"gemeente": pytest.approx(50_000)}},
                                 "total": pytest.approx(150_000)}
    target = tmp_path / "uit.xlsx"
    write_workbook(target, data, result, tmp_path / "regio.xlsx", [])
    labels = {row[0]: row[1] for row in openpyxl.load_workbook(target)["Samenvatting"].iter_rows(values_only=True)}
    assert labels["Geld van A (gemeente)"] == pytest.approx(100_000)
    assert labels["Geld van de regio totaal (alle gemeenten en dragers)"] == pytest.approx(150_000)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["Instrumenten"][1].update(gemeente="C"),
     ("Instrumenten", "Onbekende gemeente 'C'. Bekend uit blad Budgetten (kolom gemeente): A, B.")),
    (lambda c: c["Verdeelsleutels"][1].update(waarde=30),
     ("Verdeelsleutels", "De vaste aandelen van organisatie 'SWB' tellen op tot 90%, niet tot 100%.")),
    (lambda c: c["Verdeelsleutels"][1].update(organisatie="NWG"),
     ("Verdeelsleutels", "Geen instrument heeft organisatie 'NWG', dus er is niets te verdelen. Bekend uit blad "
                         "Instrumenten (kolom organisatie): SWB.")),
    (lambda c: c["Verdeelsleutels"][1].update(budgetregel="Middelen A"),
     ("Verdeelsleutels", "De budgetregel 'Middelen A' hoort bij A (blad Budgetten, kolom gemeente), niet bij "
                         "gemeente 'B'; een gemeente betaalt haar deel uit een eigen budgetregel.")),
])
def test_bad_region_input_is_named_by_sheet_and_cell(tmp_path, change, expected):
    content = _content(_keys("vast", 60, 40), DEFICIT)
    change(content)
    _, errors = _check(tmp_path, content)
    assert expected in [(sheet, message) for sheet, _, message in errors]
    assert all(cell for _, cell, _ in errors)


def test_the_region_example_runs_and_its_gemeenten_add_up_to_the_region(tmp_path):
    """inputs/regio.xlsx is what inputs/regio.py writes; it solves, and the money per gemeente and bearer adds
    up to the region's total, which is the plan's total cost (and per bearer to the bearer's money)."""
    from inputs.regio import content
    fresh = tmp_path / "fresh.xlsx"
    build_workbook(content()).save(fresh)
    bundled = openpyxl.load_workbook("inputs/regio.xlsx")
    for name in openpyxl.load_workbook(fresh).sheetnames:
        ours = [list(r) for r in openpyxl.load_workbook(fresh)[name].iter_rows(values_only=True)]
        assert ours == [list(r) for r in bundled[name].iter_rows(values_only=True)], "run python inputs/regio.py"
    data, problems = check("inputs/regio.xlsx")
    assert data is not None and data.gemeenten == ["Aadorp", "Beekstad", "Cleefdal"]
    result = solve(data)
    assert result.status == OPTIMAL
    region = json_summary(data, result, None, problems)["region"]
    per = region["gemeenten"]
    assert set(per) == set(data.gemeenten)
    assert sum(m for bearers in per.values() for m in bearers.values()) == pytest.approx(region["total"])
    assert region["total"] == pytest.approx(result.totals["total_cost"])
    for who in ("gemeente", "rijk"):
        assert sum(bearers[who] for bearers in per.values()) == pytest.approx(result.totals[f"money_{who}"])
