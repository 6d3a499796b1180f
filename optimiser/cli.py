"""The ``optimiser`` command: template, check, run.

Only this module prints. Every error a user can cause ends in a Dutch
message and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from models.compare import compare
from models.solve import OPTIMAL, TIME_LIMIT, solve
from optimiser.audit import audit_rows
from optimiser.comparison_report import summary_text
from optimiser.problems import InputError
from optimiser.report import infeasibility_rows, json_summary, write_result
from optimiser.template import write_template
from optimiser.texts import relaxation_text, status_text
from optimiser.validate import check

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_NO_PLAN = 2
EXIT_INTERNAL = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="optimiser", description="Optimale inzet van het Participatiebudget.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="opdracht")
    template = commands.add_parser("template", help="schrijf een leeg invoersjabloon")
    template.add_argument("file", type=Path, help="naam van het nieuwe .xlsx-bestand")
    template.add_argument("--force", action="store_true", help="overschrijf een bestaand bestand")
    checker = commands.add_parser("check", help="controleer een invoerwerkmap en meld alle fouten")
    checker.add_argument("file", type=Path)
    run = commands.add_parser("run", help="bereken het optimale plan en schrijf een resultaatwerkmap")
    run.add_argument("file", type=Path)
    run.add_argument("-o", "--output", type=Path, help="resultaatbestand (standaard: outputs/<naam>-resultaat.xlsx)")
    run.add_argument("--json", action="store_true", help="druk een samenvatting als JSON af")
    run.add_argument("--time-limit", type=float, help="rekentijd in seconden (gaat voor de instelling)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return {"template": _template, "check": _check, "run": _run}[args.command](args)
    except InputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as error:  # the last line of defence: no traceback for a user
        print(f"Interne fout ({type(error).__name__}: {error}). Er is niets overschreven. Meld dit met het "
              "invoerbestand erbij.", file=sys.stderr)
        return EXIT_INTERNAL


def _template(args) -> int:
    if args.file.exists() and not args.force:
        print(f"'{args.file}' bestaat al; kies een andere naam of gebruik --force.", file=sys.stderr)
        return EXIT_INPUT
    target = write_template(args.file)
    print(f"Sjabloon geschreven: {target}")
    return EXIT_OK


def _report_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _check(args) -> int:
    data, problems = check(args.file)
    _report_problems(problems)
    errors = [p for p in problems if p.severity == "fout"]
    if errors:
        print(f"{len(errors)} fout(en) gevonden in '{args.file.name}'.", file=sys.stderr)
        return EXIT_INPUT
    print(f"'{args.file.name}' is in orde: {len(data.instruments)} instrumenten, {len(data.lines)} budgetregels, "
          f"{len(data.years)} jaren ({data.years[0]}-{data.years[-1]}), {len(data.requirements)} eisen.")
    return EXIT_OK


def _default_output(source: Path) -> Path:
    return Path.cwd() / "outputs" / f"{source.stem}-resultaat.xlsx"


def _run(args) -> int:
    started = time.perf_counter()
    data, problems = check(args.file)
    errors = [p for p in problems if p.severity == "fout"]
    if errors:
        raise InputError(errors)
    if not args.json:
        _report_problems(problems)
    result = solve(data, time_limit=args.time_limit)
    comparison = compare(data, result, args.time_limit) if data.chosen_plan else None
    audit = audit_rows(args.file, data, result, time.perf_counter() - started)
    target = write_result(data, result, args.file, args.output or _default_output(args.file), problems,
                          comparison, audit)
    if args.json:
        summary = json_summary(data, result, target, problems, comparison)
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(status_text(result))
        for row in infeasibility_rows(result):
            print("  - " + relaxation_text(row))
        if result.has_plan:
            print(f"Doelstelling ({result.objective_name}): {result.objective_value:,.2f}")
            if result.scenario:
                print(f"Scenario: {result.scenario}")
        if comparison is not None:
            for line in summary_text(data, comparison):
                print(line)
        print(f"Resultaat geschreven: {target}")
    ok = result.status == OPTIMAL or (result.status == TIME_LIMIT and result.has_plan)
    return EXIT_OK if ok else EXIT_NO_PLAN


if __name__ == "__main__":
    sys.exit(main())
