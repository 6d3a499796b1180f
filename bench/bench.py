"""Benchmark: ``optimiser run`` and what-if batches as ratios to a minimal reference, side by side.

    python bench/bench.py                 # everything, writes bench/RESULTS.md (about 15 minutes)
    python bench/bench.py --quick         # example and 1 municipality only, printed (RESULTS.md untouched)

Measured, each as the median of several runs:

- ``optimiser run`` end to end (a fresh process, as a user runs it) against
  ``bench/reference.py`` (openpyxl read of every cell, the same LP passed to
  highspy as arrays, openpyxl write of the solution) on the same workbook:
  the example, 100 and 342 municipalities x 10 years x 10 instruments;
- the chosen-plan path at 342 municipalities (a 'Gekozen plan' sheet in the
  workbook: the evaluation and the comparison on top of the optimum);
- peak memory of ``optimiser run`` at 342;
- a batch of 1,000 single-number changes (the money of one budget line in one
  year) through a :class:`~models.session.Session` against raw highspy
  changing the same row bounds and re-solving warm, at 1 and 100
  municipalities;
- a batch of 1,000 what-ifs through ``models.whatif.run_batch`` (apply, solve,
  summarise, set back) against raw highspy doing the same bound changes, at 1
  and 100 municipalities;
- a 50-point sweep and the room-to-manoeuvre table on the example;
- what pausing the garbage collector during build and compile gains in the pipeline.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import content  # noqa: E402
from models.highs import new_highs  # noqa: E402
from models.session import Session  # noqa: E402
from optimiser import pipeline  # noqa: E402
from optimiser.template import build_workbook  # noqa: E402
from optimiser.validate import load  # noqa: E402

EXAMPLE = ROOT / "inputs" / "steenwijkerland.xlsx"
FACTORS = [0.90, 0.95, 0.97, 1.03, 1.05, 1.10, 0.92, 1.08, 0.99, 1.01]


def median_seconds(function, runs: int, clock=time.perf_counter) -> float:
    """Median time of ``runs`` calls (wall time unless another ``clock`` is given)."""
    times = []
    for _ in range(runs):
        started = clock()
        function()
        times.append(clock() - started)
    return statistics.median(times)


def command(*args: str) -> callable:
    return lambda: subprocess.run([sys.executable, *args], check=True, capture_output=True, cwd=ROOT)


def peak_memory_mb(*args: str) -> float:
    """Peak resident memory of a command, from a wrapper process that only waits for it."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, *args], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    return int(out.stdout.strip()) / 1024


def save_model(workbook: Path, target: Path) -> None:
    """The LP ``optimiser`` builds for a workbook, as arrays for the reference script."""
    session = Session(load(workbook))
    compiled = session.compiled
    vector, _ = compiled.measures["participation"]
    np.savez(target, num_col=compiled.num_col, num_row=compiled.num_row, cost=vector, col_lower=compiled.col_lower,
             col_upper=compiled.col_upper, row_lower=compiled.row_lower, row_upper=compiled.row_upper,
             start=compiled.a_start, index=compiled.a_index, value=compiled.a_value, integer=compiled.integer)


def compile_bytecode() -> None:
    """Our modules' bytecode, as a regular install writes it for every library the reference imports.

    An editable install leaves ``optimiser`` and ``models`` as source, and with
    ``PYTHONDONTWRITEBYTECODE`` set (this machine sets it) Python then compiles
    them again on every run: 0,16 s of each run of the example.
    """
    for package in ("optimiser", "models"):
        compileall.compile_dir(ROOT / package, quiet=1)


def synthetic(folder: Path, municipalities: int, chosen: bool = False) -> Path:
    path = folder / f"synthetisch-{municipalities}x10x10{'-gekozen' if chosen else ''}.xlsx"
    build_workbook(content(municipalities, 10, 10, chosen=chosen)).save(path)
    return path


def end_to_end(workbook: Path, folder: Path, runs: int) -> dict:
    """``optimiser run`` against the reference, alternating, on one workbook."""
    model = folder / f"{workbook.stem}.npz"
    save_model(workbook, model)
    ours = command("-m", "optimiser.cli", "run", str(workbook), "-o", str(folder / "uit.xlsx"))
    reference = command(str(ROOT / "bench" / "reference.py"), str(workbook), str(model), str(folder / "ref.xlsx"))
    ours_times, reference_times = [], []
    for _ in range(runs):  # side by side, so a busy moment of the machine hits both
        reference_times.append(median_seconds(reference, 1))
        ours_times.append(median_seconds(ours, 1))
    data = load(workbook)
    session = Session(data)
    return {"workbook": workbook.name, "size": f"{session.compiled.num_col} x {session.compiled.num_row}",
            "reference": statistics.median(reference_times), "ours": statistics.median(ours_times)}


def raw_highs(data, keys) -> tuple[highspy.Highs, dict]:
    """Raw highspy holding the session's matrix with participation to maximise, solved once, and the budget rows.

    The session is built only to have the same matrix and the rows of the budget lines.
    """
    session = Session(data)
    compiled = session.compiled
    highs = new_highs()
    lp = session.highs.highs.getLp()
    vector, _ = compiled.measures["participation"]
    lp.col_cost_ = vector
    lp.sense_ = highspy.ObjSense.kMaximize
    highs.passModel(lp)
    highs.run()
    return highs, {key: compiled.rows["budget", key] for key in keys}


def money_changes(data, changes: int) -> tuple[list, list]:
    """The budget lines with money, and ``changes`` (line and year, factor) pairs over them in turn."""
    keys = [key for key in data.budgets if data.budgets[key].available > 0]
    return keys, [(keys[k % len(keys)], FACTORS[k % len(FACTORS)]) for k in range(changes)]


def budget_row_bounds(budget, factor: float) -> tuple[float, float]:
    """The budget row's bounds in HiGHS with ``factor`` times the line's money (``=`` where its surplus flows on)."""
    upper = budget.available * factor - budget.savings_target - budget.committed
    return (upper if budget.surplus_to is not None else -highspy.kHighsInf), upper


def batch(municipalities: int, changes: int, runs: int, folder: Path) -> dict:
    """1,000 single-number changes through a session against raw highspy with the same row bounds, warm."""
    data = load(synthetic(folder, municipalities))
    keys, plan = money_changes(data, changes)

    def through_session():
        session = Session(data)
        session.solve("participatie")
        started = time.perf_counter()
        for (line, year), factor in plan:
            session.change_budget(line, year, available=data.budgets[line, year].available * factor)
            session.solve("participatie")
        return time.perf_counter() - started

    def raw():
        highs, rows = raw_highs(data, keys)
        objectives = []
        started = time.perf_counter()
        for key, factor in plan:
            highs.changeRowBounds(rows[key], *budget_row_bounds(data.budgets[key], factor))
            highs.run()
            objectives.append(highs.getInfo().objective_function_value)
        return time.perf_counter() - started

    ours, theirs = [], []
    for _ in range(runs):
        theirs.append(raw())
        ours.append(through_session())
    return {"municipalities": municipalities, "changes": changes, "session": statistics.median(ours),
            "raw": statistics.median(theirs)}


def whatif_batch(municipalities: int, changes: int, runs: int, folder: Path, tie_breaks: bool = False,
                 workbook: Path | None = None) -> dict:
    """1,000 what-ifs through ``models.whatif.run_batch`` (apply, solve, summarise, revert) against raw highspy.

    Each what-if multiplies the money of one budget line in one year; raw highspy changes the same row bound,
    re-solves warm, reads the objective and sets the bound back, as the batch does. ``tie_breaks`` adds the
    batch's tie-break phases (three more solves per what-if that raw highspy does not do). ``workbook`` (the
    example, a MIP) replaces the synthetic workbook of ``municipalities``.
    """
    from models.changes import Change, WhatIf
    from models.whatif import run_batch

    label = workbook.name if workbook is not None else str(municipalities)
    workbook = workbook or synthetic(folder, municipalities)
    data = load(workbook)
    keys, plan = money_changes(data, changes)
    whatifs = [WhatIf(f"{line} {year} x{factor}", (Change("budget", line, "available", "*", factor, years=(year,)),))
               for (line, year), factor in plan]

    def through_batch():
        session = Session(data)
        session.solve("participatie")
        started = time.perf_counter()
        batch = run_batch(session, whatifs, objective="participatie", explain=False, tie_breaks=tie_breaks)
        assert len(batch.outcomes) == changes
        return time.perf_counter() - started

    def raw():
        highs, rows = raw_highs(data, keys)
        objectives = []
        started = time.perf_counter()
        for key, factor in plan:
            highs.changeRowBounds(rows[key], *budget_row_bounds(data.budgets[key], factor))
            highs.run()
            objectives.append(highs.getInfo().objective_function_value)
            highs.changeRowBounds(rows[key], *budget_row_bounds(data.budgets[key], 1.0))
        return time.perf_counter() - started

    ours, theirs = [], []
    for _ in range(runs):
        theirs.append(raw())
        ours.append(through_batch())
    return {"municipalities": label, "changes": changes, "session": statistics.median(ours),
            "raw": statistics.median(theirs), "tie_breaks": tie_breaks}


def sweep_and_room(runs: int) -> dict:
    """A 50-point sweep and the room-to-manoeuvre table on the example: seconds of solving each."""
    from models.changes import Change
    from models.sensitivity import room
    from models.whatif import linspace, sweep

    data = load(EXAMPLE)
    session = Session(data)
    session.solve(data.settings.objective)
    line = data.lines[-1]
    change = Change("budget", line, "available", "+", 0.0)
    clock = time.process_time  # CPU seconds of this process (HiGHS's threads included): less hit by other jobs
    sweep_cpu = median_seconds(lambda: sweep(session, change, linspace(0, 1_000_000, 50)), runs, clock)
    room_cpu = median_seconds(lambda: room(session, 0.02), runs, clock)
    sweep_time = median_seconds(lambda: sweep(session, change, linspace(0, 1_000_000, 50)), runs)
    room_time = median_seconds(lambda: room(session, 0.02), runs)
    return {"line": line, "sweep": sweep_time, "room": room_time, "sweep_cpu": sweep_cpu, "room_cpu": room_cpu,
            "mip": session.is_mip}


def collector_gain(workbook: Path, runs: int) -> dict:
    """The pipeline with and without the session's pause of the garbage collector during build and compile.

    (It replaced a ``gc.freeze()`` around build and solve in the pipeline, which gained nothing once the
    collector was paused: 3.97 s with, 3.93 s without at 100 municipalities.)
    """
    import contextlib

    from models import session as session_module

    with_pause = median_seconds(lambda: pipeline.run(workbook), runs)
    original = session_module._collector_paused
    session_module._collector_paused = contextlib.nullcontext
    try:
        without = median_seconds(lambda: pipeline.run(workbook), runs)
    finally:
        session_module._collector_paused = original
    return {"workbook": workbook.name, "with": with_pause, "without": without}


def machine() -> list[str]:
    cpu = "unknown"
    if Path("/proc/cpuinfo").exists():
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("pyomo", "highspy", "openpyxl", "xlsxwriter")
                         if _installed(p))
    return [f"- date: {dt.date.today().isoformat()}", f"- machine: {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} cores", f"- Python {platform.python_version()}; {versions}"]


def _installed(package: str) -> bool:
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def report(runs: list[dict], chosen: dict | None, memory: float | None, batches: list[dict],
           collector: dict | None, whatifs: list[dict] | None = None, analysis: dict | None = None,
           command: str = "python bench/bench.py") -> str:
    lines = ["# Benchmark results", "", f"Produced by `{command}`. Medians of several runs; ours and the "
             "reference alternate, so a busy moment of the machine hits both. Our modules are compiled to "
             "bytecode first, as a regular install does for the libraries the reference imports.", ""]
    lines += machine() + [""]
    lines += ["## `optimiser run` against the minimal reference (target <= 2x)", "",
              "| workbook | columns x rows | reference (s) | optimiser run (s) | ratio |", "|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['workbook']} | {r['size']} | {r['reference']:.2f} | {r['ours']:.2f} | "
                     f"{r['ours'] / r['reference']:.2f}x |")
    if chosen:
        lines += ["", f"Chosen-plan path at 342 municipalities (evaluation and comparison on top of the optimum): "
                      f"**{chosen['ours']:.1f} s** end to end (target < 30 s); the reference without a chosen plan "
                      f"{chosen['reference']:.1f} s."]
    if memory is not None:
        lines += ["", f"Peak memory of `optimiser run` at 342 municipalities: **{memory:.0f} MB** (target < 400 MB)."]
    lines += ["", "## A batch of single-number changes, warm (target <= 2x)", "",
              "| municipalities | changes | session (s) | raw highspy (s) | per change: session / raw (ms) | ratio |",
              "|---|---|---|---|---|---|"]
    for b in batches:
        lines.append(f"| {b['municipalities']} | {b['changes']} | {b['session']:.2f} | {b['raw']:.2f} | "
                     f"{1000 * b['session'] / b['changes']:.2f} / {1000 * b['raw'] / b['changes']:.2f} | "
                     f"{b['session'] / b['raw']:.2f}x |")
    if whatifs:
        lines += ["", "## A batch of 1,000 what-ifs through `models.whatif.run_batch`, warm (target <= 2x)", "",
                  "Each what-if is applied, solved, summarised (totals, money per line, what binds, volumes) and set "
                  "back; raw highspy changes and resets the same row bound and re-solves.", "",
                  "| workbook (municipalities) | what-ifs | batch (s) | raw highspy (s) "
                  "| per what-if: batch / raw (ms) | ratio |",
                  "|---|---|---|---|---|---|"]
        for b in whatifs:
            label = f"{b['municipalities']}{' (tie-breaks)' if b.get('tie_breaks') else ''}"
            lines.append(f"| {label} | {b['changes']} | {b['session']:.2f} | {b['raw']:.2f} | "
                         f"{1000 * b['session'] / b['changes']:.2f} / {1000 * b['raw'] / b['changes']:.2f} | "
                         f"{b['session'] / b['raw']:.2f}x |")
    if analysis:
        kind = "a MIP, each point solved as a MIP" if analysis["mip"] else "an LP"
        lines += ["", f"On the example ({kind}): a sweep of 50 points of extra money on '{analysis['line']}' took "
                      f"**{analysis['sweep']:.2f} s** ({analysis['sweep_cpu']:.2f} s of CPU), the room-to-manoeuvre "
                      f"table (two solves per instrument) **{analysis['room']:.2f} s** "
                      f"({analysis['room_cpu']:.2f} s of CPU) "
                      "(targets < 2 s each)."]
    if collector:
        gain = 1 - collector["with"] / collector["without"]
        lines += ["", f"The garbage collector paused during build and compile ({collector['workbook']}, "
                      f"`pipeline.run` in process): {collector['with']:.2f} s with, {collector['without']:.2f} s "
                      f"without ({gain:.0%} saved)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="example and 1 municipality only")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the results (default: bench/RESULTS.md for a full run; "
                             "--quick only prints, so a trial never overwrites the full results)")
    args = parser.parse_args()
    output = args.output or (None if args.quick else ROOT / "bench" / "RESULTS.md")
    compile_bytecode()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        runs = [end_to_end(EXAMPLE, folder, args.runs)]
        chosen = memory = collector = None
        batches = [batch(1, 1000, args.runs, folder)]
        whatifs = [whatif_batch(1, 1000, args.runs, folder), whatif_batch(1, 1000, args.runs, folder, True),
                   whatif_batch(1, 1000, args.runs, folder, workbook=EXAMPLE),
                   whatif_batch(1, 1000, 1, folder, True, workbook=EXAMPLE)]  # 1,000 MIPs x 4 phases: once
        analysis = sweep_and_room(args.runs)
        if not args.quick:
            for municipalities in (100, 342):
                print(f"{municipalities} ...", file=sys.stderr, flush=True)
                runs.append(end_to_end(synthetic(folder, municipalities), folder, args.runs))
            big = synthetic(folder, 342, chosen=True)
            chosen = end_to_end(big, folder, args.runs)  # varies most from run to run: a median too
            memory = peak_memory_mb("-m", "optimiser.cli", "run", str(big), "-o", str(folder / "m.xlsx"))
            batches.append(batch(100, 1000, 1, folder))
            whatifs.append(whatif_batch(100, 1000, 1, folder))
            collector = collector_gain(synthetic(folder, 100), args.runs)
    command = " ".join(["python bench/bench.py", *sys.argv[1:]])
    text = report(runs, chosen, memory, batches, collector, whatifs, analysis, command)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
