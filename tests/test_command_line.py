"""The command line's own answers: usage errors, --version, where the result goes, and signals.

Signals are sent to a real subprocess: Ctrl-C and SIGTERM must end a run
with one Dutch line and their own exit status, and a run stopped during the
save must leave no hidden temporary file behind.
"""

import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from optimiser.cli import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_NO_PLAN, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE, main
from optimiser.output import STALE_SECONDS, TEMPORARY_PREFIX, save_atomically
from tests.conftest import EXAMPLE, ROOT

ENGLISH = ("usage:", "error:", "the following", "invalid", "unrecognized", "expected", "Traceback")


@pytest.mark.parametrize("argv", [
    [], ["run"], ["run", "x.xlsx", "--bogus"], ["run", "x.xlsx", "--objective", "zoveel"], ["frobnicate"],
    ["run", "x.xlsx", "--time-limit"], ["run", "x.xlsx", "--threads", "twee"],
])
def test_a_usage_error_is_dutch_and_has_its_own_exit_status(argv, capsys):
    assert main(argv) == EXIT_USAGE
    assert EXIT_USAGE not in (EXIT_OK, EXIT_INPUT, EXIT_NO_PLAN)
    err = capsys.readouterr().err
    assert "fout:" in err and "--help" in err
    assert not [word for word in ENGLISH if word in err], err


@pytest.mark.parametrize("value", ["0", "-5", "nan", "NaN", "inf", "-inf", "1e999"])
def test_a_time_limit_must_be_a_positive_finite_number(value, capsys):
    assert main(["run", str(EXAMPLE), f"--time-limit={value}"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "argument --time-limit" in err and ("groter dan 0" in err or "eindig getal" in err), err


def test_help_is_dutch(capsys):
    assert main(["run", "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("gebruik: optimiser run")
    assert "opties:" in out and "toon deze hulp en stop" in out
    assert "usage" not in out and "show this help" not in out


def test_version(capsys):
    assert main(["--version"]) == EXIT_OK
    out = capsys.readouterr().out.strip()
    assert out.startswith("optimiser ") and out.split()[1][0].isdigit()


@pytest.mark.parametrize(("target", "says"), [
    ("{tmp}", "is een map, geen bestand"),
    ("", "-o is leeg"),
    ("{tmp}/uit.csv", "heeft de extensie '.csv'"),
])
def test_a_wrong_output_is_refused_before_the_solve(target, says, tmp_path, capsys):
    started = time.perf_counter()
    assert main(["run", str(EXAMPLE), "-o", target.format(tmp=tmp_path)]) == EXIT_INPUT
    assert time.perf_counter() - started < 2, "refused before solving"
    err = capsys.readouterr().err
    assert says in err and "Interne fout" not in err
    assert not list(tmp_path.iterdir())


def test_an_output_without_extension_gets_xlsx(tmp_path, capsys):
    assert main(["run", str(EXAMPLE), "-o", str(tmp_path / "uit")]) == EXIT_OK
    assert (tmp_path / "uit.xlsx").is_file()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_is_refused(tmp_path, capsys):
    folder = tmp_path / "alleen-lezen"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert main(["run", str(EXAMPLE), "-o", str(folder / "uit.xlsx")]) == EXIT_INPUT
    finally:
        folder.chmod(0o755)
    assert "alleen-lezen" in capsys.readouterr().err


def test_a_failing_save_names_the_file_and_leaves_nothing(tmp_path):
    """A write that fails with an OS error (here: a read-only folder under root too) gives a Dutch message."""

    def failing(path):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(Exception) as caught:
        save_atomically(failing, tmp_path / "uit.xlsx")
    assert "kan niet worden geschreven" in str(caught.value)
    assert not list(tmp_path.iterdir())


def test_the_result_gets_the_users_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        target = save_atomically(lambda path: path.write_bytes(b"x"), tmp_path / "uit.xlsx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # 0666 less the umask, not mkstemp's 0600


def test_stale_temporary_files_are_swept_and_fresh_ones_kept(tmp_path):
    stale = tmp_path / f"{TEMPORARY_PREFIX}oud.xlsx"
    fresh = tmp_path / f"{TEMPORARY_PREFIX}bezig.xlsx"
    other = tmp_path / ".~lock.uit.xlsx#"  # LibreOffice's lock file is not ours
    for path in (stale, fresh, other):
        path.write_bytes(b"x")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    save_atomically(lambda path: path.write_bytes(b"x"), tmp_path / "uit.xlsx")
    assert not stale.exists() and fresh.exists() and other.exists()


# The save is held open (the workbook written, the move not yet done) until the test sends its signal.
SLOW_SAVE = """
import sys, time
from pathlib import Path
import optimiser.report as report
from optimiser.cli import main
original = report.write_workbook
def slow(path, *args, **kwargs):
    original(path, *args, **kwargs)
    Path(sys.argv[2]).write_text("bezig")
    time.sleep(60)
report.write_workbook = slow
sys.exit(main(["run", sys.argv[1], "-o", sys.argv[3]]))
"""


def _wait_for(path, process, seconds=60):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached the save"
        time.sleep(0.05)


@pytest.mark.parametrize(("sent", "status", "line"), [(signal.SIGTERM, EXIT_TERMINATED, "gestopt"),
                                                      (signal.SIGINT, EXIT_INTERRUPTED, "Ctrl-C")])
def test_a_signal_during_the_save_removes_the_temporary_file(sent, status, line, tmp_path):
    marker, target = tmp_path / "marker", tmp_path / "uit" / "resultaat.xlsx"
    process = subprocess.Popen([sys.executable, "-c", SLOW_SAVE, str(EXAMPLE), str(marker), str(target)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(marker, process)
    assert list(target.parent.glob(f"{TEMPORARY_PREFIX}*")), "the temporary file exists while saving"
    process.send_signal(sent)
    out, err = process.communicate(timeout=30)
    assert process.returncode == status
    assert err.strip().splitlines()[-1].startswith("Afgebroken") and line in err and "Traceback" not in err
    assert not list(target.parent.glob(f"{TEMPORARY_PREFIX}*")) and not target.exists()


def test_ctrl_c_during_start_up_is_one_dutch_line(tmp_path):
    """Ctrl-C while the solver libraries are still being imported: no traceback, status 130."""
    process = subprocess.Popen([sys.executable, "-c", "import sys; from optimiser.cli import main; "
                                f"sys.exit(main(['run', {str(EXAMPLE)!r}, '-o', {str(tmp_path / 'u.xlsx')!r}]))"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.6)  # past the interpreter's own start, inside the run's imports or the solve
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    if process.returncode == EXIT_OK:
        pytest.skip("the run finished before the signal arrived")
    assert process.returncode == EXIT_INTERRUPTED, err
    assert err.strip().splitlines() == ["Afgebroken door de gebruiker (Ctrl-C); er is niets overschreven."]


# A stop sent by the program to itself: while it reports a written result, or while Python shuts down after it.
LATE_STOP = """
import atexit, os, signal, sys
import optimiser.whatif_report as whatif_report
from optimiser.cli import command
when, sent = sys.argv[1], getattr(signal, sys.argv[2])
if when == "report":  # batch_lines: only the command line's report of a finished run asks for it
    real = whatif_report.batch_lines
    def batch_lines(*args):
        os.kill(os.getpid(), sent)
        return real(*args)
    whatif_report.batch_lines = batch_lines
else:
    atexit.register(lambda: os.kill(os.getpid(), sent))
sys.argv = ["optimiser", "run", sys.argv[3], "-o", sys.argv[4]]
command()
"""


@pytest.mark.parametrize("when", ["report", "shutdown"])
@pytest.mark.parametrize("sent", ["SIGINT", "SIGTERM"])
def test_a_stop_after_the_result_is_written_changes_nothing(when, sent, tmp_path):
    """The result is in place and reported: status 0, no 'Afgebroken ... niets overschreven', no traceback.

    Before, such a Ctrl-C said nothing was overwritten (status 130) while the
    file had just been replaced, or ended the process by the signal, silently.
    """
    target = tmp_path / "uit.xlsx"
    completed = subprocess.run([sys.executable, "-c", LATE_STOP, when, sent, str(EXAMPLE), str(target)], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == EXIT_OK, completed.stderr
    assert "Resultaat geschreven" in completed.stdout and target.exists()
    assert "Afgebroken" not in completed.stderr and "Traceback" not in completed.stderr
    assert "KeyboardInterrupt" not in completed.stderr
