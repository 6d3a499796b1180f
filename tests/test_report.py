"""The result workbook as a council reads and prints it: charts, print settings, notation, language, raadsvoorstel."""

import csv
import re
import string
import warnings
import zipfile
from dataclasses import replace

import openpyxl
import pytest

from models.data import BudgetYear, Instrument
from models.evaluate import evaluate
from optimiser import pipeline, whatif
from optimiser.cli import EXIT_OK, main
from optimiser.council import _money_per_year, council_figures
from optimiser.texts import Texts, _table
from optimiser.xlsx import FORMATS, show_chart_axes
from tests.conftest import EXAMPLE, ROOT
from tests.helpers import case

AXES = re.compile(r"<c:(catAx|valAx)>(.*?)</c:\1>", re.S)
# Numbers written the English way: 1,234 (thousands comma; never 0,825, a Dutch fraction) or 0.02% (decimal point
# in a percentage).
ENGLISH_NUMBER = re.compile(r"(?<![\d.,])(?!0,)\d{1,3},\d{3}(?!\d)|\d\.\d+\s?%")


@pytest.fixture(scope="module")
def example_run():
    """The example with a what-if, a sweep, room to manoeuvre, cost ranges and a remark: every sheet there is."""
    run = pipeline.run(EXAMPLE)
    run.analysis = whatif.analyse(run, ["Participatiebudget 2023 *0,9"], sweep_definition="Algemene middelen +0 tot "
                                  "1000000", points=6, room_tolerance=0.02, ranges=True)
    run.analysis.notes.append(("analysis.no_ranges", {"pairs": 1234, "most": 60}))
    return run


@pytest.fixture(scope="module")
def dutch(example_run, tmp_path_factory):
    return pipeline.write(example_run, tmp_path_factory.mktemp("nl") / "resultaat.xlsx", EXAMPLE)


@pytest.fixture(scope="module")
def english(example_run, tmp_path_factory):
    data = example_run.data
    run = replace(example_run, data=replace(data, settings=replace(data.settings, language="en")))
    return pipeline.write(run, tmp_path_factory.mktemp("en") / "result.xlsx", EXAMPLE)


def _parts(path, prefix):
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith(prefix)}


def test_every_chart_axis_is_shown_formatted_and_every_series_titled(dutch):
    charts = _parts(dutch, "xl/charts/chart")
    assert len(charts) == 5  # fte, trajecten, participation, money; the sweep's
    for name, xml in charts.items():
        axes = AXES.findall(xml)
        assert len(axes) == 2, name
        for kind, body in axes:
            assert '<c:delete val="0"/>' in body, (name, kind)  # written out, not left to the default
        value_axis = next(body for kind, body in axes if kind == "valAx")
        assert re.search(r'<c:numFmt formatCode="\[\$-413\][^"]+" sourceLinked="0"/>', value_axis), name
        assert "<c:title>" in value_axis, name
        series = re.findall(r"<c:ser>.*?</c:ser>", xml, re.S)
        assert series and all("<c:tx>" in s for s in series), name


def test_volume_charts_give_each_instrument_one_colour_solid_optimal_dashed_chosen(dutch):
    xml = _parts(dutch, "xl/charts/chart1.xml")["xl/charts/chart1.xml"]
    series = re.findall(r"<c:ser>.*?</c:ser>", xml, re.S)
    colours = [re.search(r'<a:srgbClr val="(\w+)"', s).group(1) for s in series]
    dashed = ['<a:prstDash val="dash"/>' in s for s in series]
    assert colours[0::2] == colours[1::2]  # chosen and optimal of one instrument share a colour
    assert len(set(colours[0::2])) == len(colours) // 2  # and instruments differ
    assert dashed == [True, False] * (len(series) // 2)  # chosen first, dashed


def test_axis_flag_is_added_only_where_missing(tmp_path):
    """A chart part with one axis flagged hidden keeps it; the other axis gets the explicit 'shown' flag."""
    path = tmp_path / "t.xlsx"
    xml = ('<c:catAx><c:axId val="1"/><c:scaling/><c:delete val="1"/></c:catAx>'
           '<c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:axPos/></c:valAx>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/charts/chart1.xml", xml)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    show_chart_axes(path)
    with zipfile.ZipFile(path) as archive:
        out = archive.read("xl/charts/chart1.xml").decode()
        assert archive.read("xl/workbook.xml") == b"<workbook/>"
    assert out.count("<c:delete ") == 2
    assert '<c:delete val="1"/></c:catAx>' in out
    assert '</c:scaling><c:delete val="0"/><c:axPos/>' in out


def test_every_sheet_prints_landscape_fitted_to_width_with_footer_and_repeated_header(dutch):
    workbook = openpyxl.load_workbook(dutch)
    for ws in workbook.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (1, None), ws.title  # None is Excel's default of 1
        assert "&P" in ws.oddFooter.center.text and ws.oddFooter.left.text == "&F", ws.title
        if ws.title not in ("Raadsvoorstel", "Grafieken"):
            assert ws.print_title_rows, ws.title


def test_the_sheets_of_every_branch_are_there_titled_and_explained(dutch):
    """Money per line (issue 12) and the what-if sheets (issue 10) have the layout of every sheet (issue 11)."""
    workbook = openpyxl.load_workbook(dutch)
    assert workbook.sheetnames == ["Raadsvoorstel", "Samenvatting", "Plan", "Budgetgebruik", "Geld per regel",
                                   "Eisen", "Doelgroepen", "Vergelijking", "Geld per budgetregel",
                                   "Overtredingen gekozen plan", "Grafieken", "Grafiekdata", "Wat-als",
                                   "Antwoordrapport", "Gevoeligheid", "Waarom", "Reeks", "Speelruimte", "Analyse",
                                   "Verantwoording"]
    for name in ("Geld per regel", "Wat-als", "Antwoordrapport", "Gevoeligheid", "Waarom", "Reeks", "Speelruimte",
                 "Analyse"):
        ws = workbook[name]
        assert ws["A1"].font.b and ws["A1"].font.sz == 13, name
        assert ws["A2"].alignment.wrap_text and len(ws["A2"].value) > 40, name
        assert ws["A4"].fill.fgColor.rgb.endswith("DDEBF7"), name  # the table's header
    assert workbook["Budgetgebruik"]["I4"].value == "Bekostiging (€)"
    assert workbook["Doelgroepen"]["C4"].value == "Eenheid"
    assert workbook["Analyse"]["A5"].value == ("Kostenbereiken zijn niet gezocht: 1.234 combinaties van instrument en "
                                               "budgetregel (hoogstens 60).")
    why = workbook["Waarom"]
    long = next(r for r in range(5, why.max_row + 1) if len(why.cell(r, 4).value) > 100)
    assert why.cell(long, 4).alignment.wrap_text and why.row_dimensions[long].height >= 30  # a sentence wraps


def test_no_cell_holds_an_english_number(dutch):
    workbook = openpyxl.load_workbook(dutch)
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    assert cell.number_format.startswith("[$-413]"), (ws.title, cell.coordinate, cell.number_format)
                elif isinstance(cell.value, str) and ws.title != "Verantwoording":  # versions such as 3.1.5
                    assert not ENGLISH_NUMBER.search(cell.value), (ws.title, cell.coordinate, cell.value)


def test_explanations_and_paragraphs_wrap_across_the_table(dutch):
    workbook = openpyxl.load_workbook(dutch)
    plan = workbook["Plan"]
    assert plan["A1"].value == "Optimaal plan per instrument en jaar" and plan["A1"].font.b
    assert any(str(m) .startswith("A2:") and m.max_col >= 7 for m in plan.merged_cells.ranges)  # across 2 + 5 years
    assert plan["A2"].alignment.wrap_text
    council = workbook["Raadsvoorstel"]
    paragraphs = [m for m in council.merged_cells.ranges if m.min_row > 2]
    assert len(paragraphs) >= 6  # one cell per paragraph
    for merged in paragraphs:
        cell = council.cell(merged.min_row, 1)
        assert merged.max_col == 7 and cell.alignment.wrap_text
        lines = -(-len(cell.value) // 130)  # 7 columns are about 125 characters wide
        assert (council.row_dimensions[merged.min_row].height or 15) >= 15 * lines  # None: the default 15


def test_plan_is_an_instrument_by_year_table_in_three_blocks_and_reduced_cost(dutch, example_run):
    plan = openpyxl.load_workbook(dutch)["Plan"]
    rows = list(plan.iter_rows(values_only=True))
    titles = [r[0] for r in rows if r[0] in ("Volume", "Instroom (nieuwe plaatsingen)", "Personen",
                                             "Gereduceerde kosten")]
    assert titles == ["Volume", "Instroom (nieuwe plaatsingen)", "Personen", "Gereduceerde kosten"]
    header = rows[4]
    assert header[:7] == ("Instrument", "Eenheid", "2021", "2022", "2023", "2024", "2025")
    beschut = next(r for r in rows if r[0] == "Beschut werk")  # first block: volume
    frame = example_run.result.plan
    expected = frame[frame.instrument == "Beschut werk"].volume.tolist()
    assert list(beschut[2:7]) == pytest.approx(expected)


def test_gemeente_money_per_year_counts_each_transfer_once():
    """Hand case, one year: PB (gemeente) €40 of cost; BUIG (rijk) €30 of cost and a €20 surplus to AM (gemeente).

    Gemeente: PB 40 - 20 received by AM = 20; rijk: 30 + 20 handed over = 50 (the model's money_ totals).
    """
    budgets = {("PB", 2021): BudgetYear("PB", 2021, 40),
               ("BUIG", 2021): BudgetYear("BUIG", 2021, 50, surplus_to="AM", bearer="rijk"),
               ("AM", 2021): BudgetYear("AM", 2021, 0)}
    data = case([Instrument("A", retention=0), Instrument("B", retention=0)],
                {("A", "PB"): 1, ("B", "BUIG"): 1}, {}, budgets=budgets)
    evaluation = evaluate(data, {("A", 2021): 40, ("B", 2021): 30})
    assert _money_per_year(evaluation.budgets, "gemeente") == {2021: pytest.approx(20)}
    assert _money_per_year(evaluation.budgets, "rijk") == {2021: pytest.approx(50)}


def test_council_figures_reconcile_with_the_totals(example_run):
    figures = council_figures(example_run.data, example_run.comparison)
    comparison = example_run.comparison
    assert sum(figures.gemeente["optimal"].values()) == pytest.approx(comparison.optimum.totals["money_gemeente"])
    assert sum(figures.gemeente["chosen"].values()) == pytest.approx(comparison.chosen.totals["money_gemeente"])
    assert sum(figures.persons["optimal"].values()) == pytest.approx(comparison.optimum.totals["person_years"])
    assert figures.volumes["Beschut werk", 2021] == pytest.approx(21.4)  # the taakstelling binds in 2021


def test_raadsvoorstel_states_the_plan_its_gains_costs_and_rules_in_council_amounts(dutch):
    council = openpyxl.load_workbook(dutch)["Raadsvoorstel"]
    text = " ".join(str(v) for row in council.iter_rows(values_only=True) for v in row if isinstance(v, str))
    assert "meerjarenraming hieronder" in text
    assert "2.338 persoonsjaren" in text and "het gekozen plan haalt 2.203" in text
    assert re.search(r"€ \d+,\d\d mln", text)  # rounded as a council text rounds
    assert "€ 5.000 per persoon per jaar" in text
    assert "Taakstelling beschut werk 2021: 21 fte, eis 21,4 fte: 0,4 fte te weinig." in text
    assert "AANNAME" in text
    assert not re.search(r"€ ?\d{1,3}(\.\d{3}){2}(?!,)", text.replace(" mln", ""))  # no amounts to the euro
    rows = list(council.iter_rows(values_only=True))
    wsw = next(r for r in rows if r[0] == "Wsw intern")
    assert all(isinstance(v, int) for v in wsw[2:7])  # whole FTE


def test_english_workbook_uses_the_same_code_with_the_other_texts(english):
    workbook = openpyxl.load_workbook(english)
    assert workbook.sheetnames[:4] == ["Council proposal", "Summary", "Plan", "Budget use"]
    assert "Chart data" in workbook.sheetnames
    proposal = " ".join(str(r[0]) for r in workbook["Council proposal"].iter_rows(values_only=True) if r[0])
    assert "We propose" in proposal and "2,338 person-years" in proposal
    assert workbook["Budget use"]["D4"].value == "Available (€)"
    assert workbook["Budget use"]["D5"].number_format == FORMATS["en"].euro
    for name, xml in _parts(english, "xl/charts/chart").items():
        assert "[$-809]" in xml, name
    assert workbook.sheetnames[4] == "Money per line"
    for name in ("What-if", "Answer report", "Sensitivity", "Why", "Sweep", "Room to manoeuvre", "Analysis"):
        assert name in workbook.sheetnames
        for row in workbook[name].iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    assert cell.number_format.startswith("[$-809]"), (name, cell.coordinate)
    why = " ".join(str(r[3]) for r in workbook["Why"].iter_rows(min_row=5, values_only=True))
    assert "holds it back" in why and "houdt" not in why
    assert workbook["What-if"]["B5"].value == "optimal" and workbook["What-if"]["B4"].value == "Status"


def test_cli_taal_en_prints_english(tmp_path, capsys):
    assert main(["run", str(EXAMPLE), "-o", str(tmp_path / "r.xlsx"), "--taal", "en"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Optimal: this is the best plan" in out and "2,337.84" in out
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Council proposal"


def test_text_table_has_every_text_in_both_languages_with_the_same_fields():
    with open(ROOT / "optimiser" / "texts.csv", encoding="utf-8", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert len(ids) == len(set(ids))  # one row per id
    fields = string.Formatter()
    for key, row in _table().items():
        assert row["nl"] and row["en"], key
        assert ({f for _, f, _, _ in fields.parse(row["nl"]) if f}
                == {f for _, f, _, _ in fields.parse(row["en"]) if f}), key
        if key.startswith("sheet."):
            assert len(row["en"]) <= 31 and not set(row["en"]) & set("[]:*?/\\"), key


@pytest.mark.parametrize(("amount", "nl", "en"), [
    (1_034_567, "€ 1,03 mln", "€1.03 million"),
    (1_100_000, "€ 1,10 mln", "€1.10 million"),
    (245_123, "€ 245.000", "€245,000"),
    (4_533, "€ 4.500", "€4,500"),
    (50, "€ 50", "€50"),  # below €1.000 to the euro: rounding to hundreds would say € 0
    (-16_477_733, "-€ 16,48 mln", "-€16.48 million"),
])
def test_amounts_are_rounded_as_a_council_text_rounds(amount, nl, en):
    assert Texts("nl").amount(amount) == nl
    assert Texts("en").amount(amount) == en


def test_percentages_are_written_as_percentages():
    assert Texts("nl").percent(0.0002, 2) == "0,02%"
    assert Texts("en").percent(0.061) == "6.1%"


def _printed_pages(path) -> int:
    """Pages the workbook prints: each visible sheet starts a page and is fitted to its own height in pages."""
    workbook = openpyxl.load_workbook(path)
    return sum(ws.page_setup.fitToHeight or 1 for ws in workbook.worksheets if ws.sheet_state == "visible")


def test_the_example_run_prints_in_twelve_pages_with_the_appendices_hidden_and_named(tmp_path):
    """The run the README shows prints in at most 12 pages; the detail sheets stay in the file, hidden and named."""
    target = tmp_path / "r.xlsx"
    assert main(["run", str(EXAMPLE), "-o", str(target)]) == EXIT_OK
    workbook = openpyxl.load_workbook(target)
    hidden = [ws.title for ws in workbook.worksheets if ws.sheet_state == "hidden"]
    assert hidden == ["Geld per regel", "Grafiekdata", "Antwoordrapport", "Waarom", "Verantwoording"]
    assert workbook["Antwoordrapport"].max_row > 100  # hidden, not emptied
    summary = {row[0]: row[1] for row in workbook["Samenvatting"].iter_rows(min_row=5, values_only=True)}
    assert "Geld per regel, Antwoordrapport, Waarom, Verantwoording" in summary["Bijlagen"]
    assert _printed_pages(target) <= 12
    audit = {row[0]: row[1] for row in workbook["Verantwoording"].iter_rows(min_row=5, values_only=True)}
    assert audit["MIP-gap gevraagd"] == "0,0000001%"  # the default 1e-9, readable


def test_an_english_run_prints_its_own_lines_in_english(tmp_path, capsys):
    assert main(["run", str(EXAMPLE), "-o", str(tmp_path / "r.xlsx"), "--taal", "en"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "Objective (participatie): 2,337.84" in printed
    assert f"Result written: {tmp_path / 'r.xlsx'}" in printed
    assert "Resultaat geschreven" not in printed and "Doelstelling" not in printed


def test_a_chart_draws_the_eight_largest_on_their_own_and_the_rest_as_one_overige_line(tmp_path):
    """12 instruments and 12 budget lines: 8 pairs of series plus 'Overige (4)', and no library warning.

    Instrument k pays 1 per FTE from its own line Lk, which has 10 + k: the optimum fills every line, so
    I4..I11 (lines of 14..21) are the eight largest, I0..I3 go together (10+11+12+13 = 46 FTE a year).
    """
    from models.compare import compare
    from optimiser.charts import add_chart_sheets
    from optimiser.xlsx import Book

    names = [f"I{k}" for k in range(12)]
    data = case([Instrument(n, retention=0) for n in names], {(n, f"L{k}"): 1 for k, n in enumerate(names)},
                {f"L{k}": 10 + k for k in range(12)}, years=(2021, 2022),
                chosen_plan={(n, t): 1 for n in names for t in (2021, 2022)})
    comparison = compare(data)
    target = tmp_path / "charts.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with Book(target) as book:
            add_chart_sheets(book, data, comparison)
    charts = _parts(target, "xl/charts/chart")
    counts = sorted(xml.count("<c:ser>") for xml in charts.values())
    assert counts == [2, 18, 18]  # persons; volumes and money: 8 + Overige, chosen and optimal each
    figures = openpyxl.load_workbook(target)["Grafiekdata"]
    rows = list(figures.iter_rows(values_only=True))
    header = rows[1]
    assert header[-2:] == ("Overige (4) gekozen", "Overige (4) optimaal")
    assert [h for h in header if h and h.endswith("optimaal")][:2] == ["I4 optimaal", "I5 optimaal"]
    assert rows[2][-1] == pytest.approx(46)
    for xml in charts.values():
        if xml.count("<c:ser>") == 18:
            assert xml.count("<c:legendEntry>") == 9  # only the optimal plan's entries in the legend
