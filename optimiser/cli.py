"""The ``optimiser`` command: template, check, run.

Only this module prints. Every error a user can cause ends in a Dutch
message and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from optimiser.problems import InputError

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_NO_PLAN = 2
EXIT_INTERNAL = 3
OBJECTIVES = ("participatie", "maatschappelijke_waarde", "lexicografisch")


def _fraction(text: str) -> float:
    """A MIP gap as a fraction: ``0.0001``, ``0,0001`` or ``0,01%``."""
    match = re.fullmatch(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*(%?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is geen getal (bijvoorbeeld 0,01% of 0.0001)")
    value = float(match.group(1).replace(",", "."))
    value = value / 100 if match.group(2) else value
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' moet tussen 0 en 100% liggen")
    return value


def _positive(kind):
    def convert(text: str):
        try:
            value = kind(text.replace(",", "."))
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is geen geldig getal") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"'{text}' moet groter dan 0 zijn")
        return value
    return convert


def _model_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".lp", ".mps"):
        raise argparse.ArgumentTypeError(f"'{text}': kies een bestandsnaam op .lp of .mps")
    return path


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
    run.add_argument("--json", action="store_true", help="druk een samenvatting als JSON af (ook bij invoerfouten)")
    options = run.add_argument_group("rekenopties (gaan voor het blad Instellingen)")
    options.add_argument("--objective", choices=OBJECTIVES, help="doelstelling")
    options.add_argument("--time-limit", type=_positive(float), metavar="S",
                         help="rekentijd in seconden voor de hele berekening")
    options.add_argument("--integer", choices=("ja", "nee"), help="gehele aantallen waar een instrument dat vraagt")
    options.add_argument("--mip-gap", type=_fraction, metavar="GAP",
                         help="relatieve afstand tot het optimum waarbij HiGHS mag stoppen, bijv. 0,01%%")
    options.add_argument("--threads", type=_positive(int), metavar="N", help="aantal threads voor HiGHS")
    options.add_argument("--solver-log", type=Path, metavar="BESTAND", help="schrijf het logboek van HiGHS hierheen")
    options.add_argument("--taal", choices=("nl", "en"),
                         help="taal van de resultaatwerkmap en de meldingen (de invoer blijft Nederlands)")
    options.add_argument("--write-model", type=_model_file, metavar="BESTAND.lp|.mps",
                         help="schrijf het model zoals HiGHS het krijgt, om buiten de tool na te rekenen")
    whatifs = run.add_argument_group("wat-als en gevoeligheid")
    whatifs.add_argument("--wat-als", action="append", default=[], metavar="TEKST",
                         help='een wat-als naast het basisplan, bijv. "Participatiebudget 2023 *0,9" of '
                              '"Krap: BUIG -5%%; Beschut werk max_volume =40" (mag vaker)')
    whatifs.add_argument("--reeks", metavar="TEKST",
                         help='één getal over een bereik, bijv. "Algemene middelen +0 tot 1000000"')
    whatifs.add_argument("--punten", type=_positive(int), default=50, metavar="N", help="punten van de reeks")
    whatifs.add_argument("--speelruimte", type=_fraction, nargs="?", const=0.02, metavar="TOLERANTIE",
                         help="laagste en hoogste volume per instrument binnen deze afstand tot het optimum "
                              "(standaard 2%%)")
    whatifs.add_argument("--analyse", action="store_true",
                         help="antwoordrapport, gevoeligheid met kostenbereiken en 'waarom', ook voor grote modellen")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
        return {"template": _template, "check": _check, "run": _run}[args.command](args)
    except InputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:  # also during the slow imports inside the commands
        print("Afgebroken.", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as error:  # the last line of defence: no traceback for a user
        print(f"Interne fout ({type(error).__name__}: {error}). Er is niets overschreven. Meld dit met het "
              "invoerbestand erbij.", file=sys.stderr)
        return EXIT_INTERNAL


def _template(args) -> int:
    from optimiser.template import write_template

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
    from optimiser.validate import check

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


def _problems_json(problems) -> list[dict]:
    return [{"severity": p.severity, "sheet": p.sheet, "cell": p.cell, "message": p.message, "text": str(p)}
            for p in problems]


def _run(args) -> int:
    from optimiser import pipeline
    from optimiser.comparison_report import summary_text
    from optimiser.report import infeasibility_rows, json_summary
    from optimiser.texts import relaxation_text, status_text, texts
    from optimiser.whatif_report import batch_lines, json_part

    options = pipeline.RunOptions(
        objective=args.objective, time_limit=args.time_limit,
        integer_volumes=None if args.integer is None else args.integer == "ja", mip_gap=args.mip_gap,
        threads=args.threads, solver_log=args.solver_log, model_file=args.write_model, language=args.taal)
    outcome = pipeline.run(args.file, options)
    if outcome.errors:
        if args.json:
            print(json.dumps({"status": "invoerfout", "message": f"{len(outcome.errors)} fout(en) in de invoer.",
                              "problems": _problems_json(outcome.problems)}, ensure_ascii=False, indent=2))
        raise InputError(outcome.errors)
    if not args.json:
        _report_problems(outcome.warnings)
    if outcome.session is not None:
        outcome.analysis = _analyse(outcome, args)
    target = pipeline.write(outcome, args.output or _default_output(args.file), args.file)
    result = outcome.result
    tx = texts(outcome.data.settings.language)
    if args.json:
        summary = json_summary(outcome.data, result, target, outcome.problems, outcome.comparison)
        summary["what_ifs"] = json_part(outcome.analysis, tx)
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(status_text(result, tx))
        for row in infeasibility_rows(result):
            print("  - " + relaxation_text(row, tx))
        if result.has_plan:
            print(f"Doelstelling ({result.objective_name}): {tx.number(result.objective_value, 2)}")
            if result.scenario:
                print(f"Scenario: {result.scenario}")
        if outcome.comparison is not None:
            for line in summary_text(outcome.data, outcome.comparison, tx):
                print(line)
        for line in batch_lines(outcome.analysis, tx):
            print(line)
        if args.write_model:
            print(f"Model geschreven: {args.write_model}")
        print(f"Resultaat geschreven: {target}")
    return EXIT_OK if outcome.has_plan_to_show else EXIT_NO_PLAN


def _analyse(outcome, args):
    """What-ifs (workbook and ``--wat-als``), sweep, room and sensitivity, with a progress bar on the terminal."""
    from tqdm import tqdm

    from optimiser import whatif
    from optimiser.whatif_input import DefinitionError, problems_of

    bar = None

    def progress(done: int, total: int, name: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="wat-als", unit="berekening", file=sys.stderr, disable=None, leave=False)
        bar.set_postfix_str(name[:30])
        bar.update(1)

    try:
        return whatif.analyse(outcome, args.wat_als, sweep_definition=args.reeks, points=args.punten,
                              room_tolerance=args.speelruimte, sensitivity=True if args.analyse else None,
                              ranges=args.analyse, progress=progress)
    except DefinitionError as error:
        raise InputError(problems_of(error)) from None
    finally:
        if bar is not None:
            bar.close()


if __name__ == "__main__":
    sys.exit(main())
