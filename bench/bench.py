"""Benchmark: every stage of a run, each as a ratio to raw highspy on the same matrix.

    python bench/bench.py                       # all sizes, writes bench/RESULTS.md
    python bench/bench.py --sizes 1x5x6 --whatifs 5 --output /tmp/r.md

A size is municipalities x years x instruments. For each size a synthetic
workbook is written (bench/generate.py) and timed through: reading and
validation, building the Pyomo model, solving through Pyomo, the whole
``solve()`` (with duals and the independent re-check), writing the result
workbook and the ``optimiser run`` command end to end. The raw reference is
HiGHS itself (``highspy.Highs.run``) on the very matrix Pyomo handed it.
What-if throughput: budgets scaled by a factor, answered by ``solve()`` on
changed data against changing the row bounds of the raw HiGHS model.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyomo.contrib.solver.common.factory import SolverFactory  # noqa: E402

from bench.generate import content  # noqa: E402
from models.allocation import build  # noqa: E402
from models.solve import solve  # noqa: E402
from optimiser.report import write_result  # noqa: E402
from optimiser.template import build_workbook  # noqa: E402
from optimiser.validate import load  # noqa: E402

DEFAULT_SIZES = "1x5x6,10x10x10,100x10x10,342x10x10"
FACTORS = [0.90, 0.95, 0.97, 1.03, 1.05, 1.10, 0.92, 1.08, 0.99, 1.01]


def timed(function, *args, **kwargs):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def scaled(data, factor: float):
    """The same data with every budget line's available money times ``factor``."""
    budgets = {k: replace(b, available=b.available * factor) for k, b in data.budgets.items()}
    return replace(data, budgets=budgets)


def measure(size: str, whatifs: int, folder: Path) -> dict:
    municipalities, years, instruments = (int(x) for x in size.split("x"))
    path = folder / f"synthetisch-{size}.xlsx"
    build_workbook(content(municipalities, years, instruments)).save(path)
    row = {"size": size, "columns": 0, "rows": 0}

    row["read"], data = timed(load, path)
    row["build"], model = timed(build, data)
    solver = SolverFactory("highs")
    row["pyomo_solve"], _ = timed(solver.solve, model, load_solutions=False,
                                  raise_exception_on_nonoptimal_result=False, solver_options={"output_flag": False})
    highs = solver._solver_model  # the highspy.Highs that Pyomo filled: the same matrix
    lp = highs.getLp()
    row["columns"], row["rows"] = lp.num_col_, lp.num_row_
    highs.clearSolver()
    row["raw"], _ = timed(highs.run)
    row["solve"], result = timed(solve, data)
    row["status"] = result.status
    row["write"], _ = timed(write_result, data, result, path, folder / f"resultaat-{size}.xlsx", [])
    command = [sys.executable, "-m", "optimiser.cli", "run", str(path), "-o", str(folder / f"e2e-{size}.xlsx")]
    row["end_to_end"], _ = timed(subprocess.run, command, check=True, capture_output=True, cwd=ROOT)

    factors = (FACTORS * (whatifs // len(FACTORS) + 1))[:whatifs]
    row["whatif"], _ = timed(lambda: [solve(scaled(data, f)) for f in factors])
    budget_rows = [(solver._pyomo_con_to_solver_con_map[model.budget[key]], budget.available)
                   for key, budget in data.budgets.items()]
    lower, upper = list(lp.row_lower_), list(lp.row_upper_)

    def raw_whatifs():
        for f in factors:
            for index, available in budget_rows:
                shift = (f - 1) * available
                new_lower = lower[index] + shift if lower[index] > -1e30 else lower[index]
                highs.changeRowBounds(index, new_lower, upper[index] + shift)
            highs.run()

    row["raw_whatif"], _ = timed(raw_whatifs)
    row["whatifs"] = len(factors)
    return row


def machine() -> list[str]:
    cpu = "unknown"
    if Path("/proc/cpuinfo").exists():
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("pyomo", "highspy", "pandas", "openpyxl"))
    return [f"- date: {dt.date.today().isoformat()}", f"- machine: {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} cores", f"- Python {platform.python_version()}; {versions}"]


def report(rows: list[dict]) -> str:
    lines = ["# Benchmark results", "", "Produced by `python bench/bench.py`. Seconds, and in brackets the ratio "
             "to raw highspy (`Highs.run`) on the same matrix. What-if: seconds per variant.", ""]
    lines += machine() + [""]
    lines += ["| size (gem x jaren x instr) | columns x rows | status | raw highspy | read | build | Pyomo solve | "
              "solve() | write | end to end | what-if solve() | what-if raw |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        raw = max(r["raw"], 1e-9)
        stages = " | ".join(f"{r[k]:.3f} ({r[k] / raw:,.0f}x)"
                            for k in ("read", "build", "pyomo_solve", "solve", "write", "end_to_end"))
        per = r["whatifs"]
        whatif_ratio = r["whatif"] / max(r["raw_whatif"], 1e-9)
        lines.append(f"| {r['size']} | {r['columns']} x {r['rows']} | {r['status']} | {r['raw']:.4f} | {stages} | "
                     f"{r['whatif'] / per:.3f} | {r['raw_whatif'] / per:.4f} ({whatif_ratio:,.0f}x) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument("--whatifs", type=int, default=10)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            print(f"{size} ...", file=sys.stderr, flush=True)
            rows.append(measure(size, args.whatifs, Path(folder)))
    args.output.write_text(report(rows), encoding="utf-8")
    print(report(rows))


if __name__ == "__main__":
    main()
