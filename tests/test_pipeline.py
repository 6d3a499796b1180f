"""The run pipeline and its options, through the pipeline and through the command line."""

import json
import signal
import subprocess
import sys
import threading
import time

import highspy
import openpyxl
import pytest

from optimiser import pipeline
from optimiser.cli import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, _fraction, main
from tests.conftest import EXAMPLE, ROOT


def test_a_run_from_bytes_equals_a_run_from_the_file():
    from_path = pipeline.run(EXAMPLE)
    from_bytes = pipeline.run(EXAMPLE.read_bytes(), name="upload.xlsx")
    assert from_bytes.name == "upload.xlsx"
    assert from_bytes.digest == from_path.digest
    assert from_bytes.result.objective_value == pytest.approx(from_path.result.objective_value, rel=1e-9)
    assert from_bytes.comparison.money_saved == pytest.approx(from_path.comparison.money_saved, rel=1e-9)


def test_one_session_serves_the_optimum_and_the_comparison():
    outcome = pipeline.run(EXAMPLE)
    assert outcome.session.rebuilds == 0
    assert outcome.comparison.optimum is outcome.result
    assert outcome.comparison.cheapest.status == "optimaal"
    assert {"check", "build", "optimum", "comparison", "total"} <= outcome.seconds.keys()
    audit = outcome.audit()
    assert audit["Model opnieuw opgebouwd"] == "nee"
    assert audit["SHA-256 van het invoerbestand"] == outcome.digest


def test_options_override_the_workbook_settings():
    """The example asks for participation with whole numbers; the options ask for societal value without."""
    workbook = pipeline.run(EXAMPLE)
    assert workbook.data.settings.objective == "participatie"
    assert workbook.session.compiled.integer.sum() == 5 + 3  # Trajecten's inflow in 5 years, 3 scenario choices
    options = pipeline.RunOptions(objective="maatschappelijke_waarde", integer_volumes=False, time_limit=30)
    changed = pipeline.run(EXAMPLE, options)
    assert changed.result.objective_name == "maatschappelijke_waarde"
    assert changed.data.settings.time_limit == 30
    assert changed.session.compiled.integer.sum() == 3  # only the scenario choice stays binary
    assert changed.result.objective_value == pytest.approx(changed.result.totals["societal_value"])


def test_written_model_reproduces_the_optimum_outside_the_tool(tmp_path):
    """HiGHS reads the written .lp and .mps back and finds the same best participation."""
    for suffix in (".lp", ".mps"):
        target = tmp_path / f"model{suffix}"
        outcome = pipeline.run(EXAMPLE, pipeline.RunOptions(model_file=target, mip_gap=0))
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", 0)
        assert highs.readModel(str(target)) == highspy.HighsStatus.kOk
        highs.run()
        assert highs.getInfo().objective_function_value == pytest.approx(outcome.result.objective_value, rel=1e-7)
        assert "budget" in target.read_text()  # rows carry the model's names


def test_solver_log_is_written(tmp_path):
    log = tmp_path / "highs.log"
    pipeline.run(EXAMPLE, pipeline.RunOptions(solver_log=log))
    assert "HiGHS" in log.read_text()


def test_mip_gap_option_reaches_highs():
    """With a gap of 50% HiGHS may stop early: the gap reached is at most what was allowed."""
    outcome = pipeline.run(EXAMPLE, pipeline.RunOptions(mip_gap=0.5))
    assert outcome.result.gap is not None and outcome.result.gap <= 0.5


@pytest.mark.parametrize(("text", "value"), [("0,01%", 0.0001), ("0.0001", 0.0001), ("1%", 0.01), ("0", 0.0)])
def test_mip_gap_is_read_the_dutch_way(text, value):
    assert _fraction(text) == pytest.approx(value)


def test_json_reports_input_errors_too(tmp_path, capsys):
    broken = tmp_path / "kapot.xlsx"
    workbook = openpyxl.load_workbook(EXAMPLE)
    workbook["Budgetten"]["C4"] = "veel geld"
    workbook.save(broken)
    assert main(["run", str(broken), "--json", "-o", str(tmp_path / "uit.xlsx")]) == EXIT_INPUT
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert printed["status"] == "invoerfout"
    problem = next(p for p in printed["problems"] if p["cell"] == "C4")
    assert problem["sheet"] == "Budgetten" and "geen getal" in problem["message"]
    assert not (tmp_path / "uit.xlsx").exists()


def test_cli_options_and_model_file(tmp_path, capsys):
    model = tmp_path / "model.lp"
    out = tmp_path / "uit.xlsx"
    code = main(["run", str(EXAMPLE), "-o", str(out), "--objective", "lexicografisch", "--mip-gap", "0,01%",
                 "--threads", "1", "--write-model", str(model), "--time-limit", "60"])
    assert code == EXIT_OK
    printed = capsys.readouterr().out
    assert "Doelstelling (lexicografisch)" in printed and "Model geschreven" in printed
    assert model.exists()
    audit = dict(openpyxl.load_workbook(out)["Verantwoording"].iter_rows(min_row=2, values_only=True))
    assert audit["MIP-gap gevraagd"] == "0,01%"  # as the user typed it, no longer the bare fraction 0,0001
    assert audit["Threads"] == 1


def test_model_file_needs_lp_or_mps(tmp_path, capsys):
    # A usage error used to leave through argparse's SystemExit(2), the code of "no plan"; it has its own now.
    assert main(["run", str(EXAMPLE), "--write-model", str(tmp_path / "model.txt")]) == EXIT_USAGE
    assert ".lp of .mps" in capsys.readouterr().err


def test_check_and_template_do_not_import_pyomo_or_pandas(tmp_path):
    """The light commands stay light: no solver and no data frames imported."""
    code = (
        "import sys; from optimiser.cli import main; "
        f"assert main(['check', {str(EXAMPLE)!r}]) == 0; "
        f"assert main(['template', {str(tmp_path / 't.xlsx')!r}]) == 0; "
        "heavy = [m for m in ('pyomo', 'pandas', 'highspy') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_the_sheets_are_written_while_the_comparison_is_solved(tmp_path, monkeypatch):
    """Each stage of the comparison waits for sheets the report writes before it asks for that stage.

    The chosen plan's evaluation waits until the result's own sheets are
    written; the two alternative plans wait until the sheets that need only
    the evaluation are written. A report that waited for either first would
    hang, and the stage fails after its time.
    """
    from optimiser import comparison_report, report

    own_sheets, evaluation_sheets = threading.Event(), threading.Event()
    real_against, real_alternatives = pipeline.against_optimum, pipeline.with_alternatives
    real_frame_sheet, real_money_sheet = report._frame_sheet, comparison_report._money_sheet

    def against_optimum(*args, **kwargs):
        assert own_sheets.wait(timeout=20), "the result's own sheets were not written while the evaluation ran"
        return real_against(*args, **kwargs)

    def with_alternatives(*args, **kwargs):
        assert evaluation_sheets.wait(timeout=20), "the evaluation's sheets were not written while the rest ran"
        return real_alternatives(*args, **kwargs)

    def frame_sheet(book, tx, key, *args, **kwargs):
        real_frame_sheet(book, tx, key, *args, **kwargs)
        if key == "groups":  # the last of the result's own sheets
            own_sheets.set()

    def money_sheet(*args, **kwargs):
        real_money_sheet(*args, **kwargs)
        evaluation_sheets.set()

    monkeypatch.setattr(pipeline, "against_optimum", against_optimum)
    monkeypatch.setattr(pipeline, "with_alternatives", with_alternatives)
    monkeypatch.setattr(report, "_frame_sheet", frame_sheet)
    monkeypatch.setattr(comparison_report, "_money_sheet", money_sheet)
    outcome = pipeline.run(EXAMPLE)
    target = pipeline.write(outcome, tmp_path / "uit.xlsx")
    assert outcome.comparison.money_saved is not None
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames[:2] == ["Raadsvoorstel", "Samenvatting"]
    assert "Wij stellen voor" in str(next(book["Raadsvoorstel"].iter_rows(min_row=3, max_row=3, values_only=True))[0])
    headlines = [row for row in book["Vergelijking"].iter_rows(values_only=True) if row[0] and "goedkoper" in row[0]]
    assert headlines[0][3] == pytest.approx(outcome.comparison.money_saved)


@pytest.mark.parametrize("stage", ["against_optimum", "with_alternatives"])
def test_an_error_in_the_comparison_comes_out_where_the_comparison_is_read(tmp_path, monkeypatch, stage):
    """In either stage: the write stops with the error (it does not wait for ever) and leaves nothing."""
    def broken(*args, **kwargs):
        raise RuntimeError("vergelijking mislukt")

    monkeypatch.setattr(pipeline, stage, broken)
    outcome = pipeline.run(EXAMPLE)
    assert outcome.result.has_plan
    with pytest.raises(RuntimeError, match="vergelijking mislukt"):
        pipeline.write(outcome, tmp_path / "uit.xlsx")
    assert list(tmp_path.iterdir()) == []  # nothing half written
    with pytest.raises(RuntimeError, match="vergelijking mislukt"):  # again: never as if there were no chosen plan
        _ = outcome.comparison


# The comparison's alternatives are held back, so the program below ends while they are still to come.
LATE_COMPARISON = """
import sys, time
from pathlib import Path
from optimiser import pipeline
real = pipeline.with_alternatives
def late(*args):
    time.sleep(float(sys.argv[3]))
    done = real(*args)
    Path(sys.argv[2]).write_text("klaar")
    return done
pipeline.with_alternatives = late
"""


def test_a_program_that_ends_during_the_comparison_waits_for_it(tmp_path):
    """Python would stop a daemon thread at the end, inside HiGHS (which aborts the process) or before it."""
    marker = tmp_path / "klaar"
    code = LATE_COMPARISON + "pipeline.run(Path(sys.argv[1]))\n"
    completed = subprocess.run([sys.executable, "-c", code, str(EXAMPLE), str(marker), "0.5"], cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert marker.read_text() == "klaar"


def test_ctrl_c_while_the_comparison_solves_ends_at_once(tmp_path):
    """The command line does not wait for the comparison after a stop: status 130 at once, no file."""
    marker, target = tmp_path / "klaar", tmp_path / "uit.xlsx"
    code = LATE_COMPARISON + ("from optimiser.cli import main\n"
                              f"sys.exit(main(['run', sys.argv[1], '-o', {str(target)!r}]))\n")
    process = subprocess.Popen([sys.executable, "-c", code, str(EXAMPLE), str(marker), "60"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # the optimum is there by then (about 1 s); the report waits for the held-back alternatives
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == EXIT_INTERRUPTED, err
    assert err.strip().splitlines()[-1].startswith("Afgebroken") and "Traceback" not in err
    assert not marker.exists() and not target.exists()
