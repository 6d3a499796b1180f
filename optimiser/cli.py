"""The ``optimiser`` command: template, check, run, serve.

Only this module prints, and every sentence it prints itself is in
:mod:`optimiser.cli_texts`. Every error a user can cause ends in a Dutch
message and its own exit status (see :data:`EXIT_OK` and the others), never
a traceback. Ctrl-C and a termination signal at any moment end the run with
one Dutch line, after the temporary result file is removed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import sys
import threading
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from optimiser import cli_texts as say
from optimiser.problems import InputError
from optimiser.process import share_two_cores

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_NO_PLAN = 2
EXIT_INTERNAL = 3
EXIT_USAGE = 4
"""The command line itself was used wrongly (an unknown option, a bad value)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT), as shells report it."""
EXIT_TERMINATED = 143
"""Stopped by SIGTERM (128 + SIGTERM)."""
OBJECTIVES = ("participatie", "maatschappelijke_waarde", "lexicografisch")


class UsageError(Exception):
    """The arguments cannot be used; the message is Dutch."""


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so that every ``finally`` (the temporary file's) runs."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help in Dutch: the usage prefix and the section titles."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, say.USAGE_PREFIX if prefix is None else prefix)

    def start_section(self, heading):
        super().start_section(say.SECTIONS.get(heading, heading))


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are Dutch and do not exit (the caller sets the exit status)."""

    def __init__(self, **kwargs):
        super().__init__(formatter_class=_Formatter, add_help=False, **kwargs)
        self.add_argument("-h", "--help", action="help", help=say.HELP["help"])

    def error(self, message):
        raise UsageError(say.USAGE_ERROR.format(prog=self.prog, message=say.argparse_message(message)))


def _fraction(text: str) -> float:
    """A MIP gap as a fraction: ``0.0001``, ``0,0001`` or ``0,01%``."""
    match = re.fullmatch(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*(%?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(say.NOT_A_GAP.format(text=text))
    value = float(match.group(1).replace(",", "."))
    value = value / 100 if match.group(2) else value
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(say.GAP_RANGE.format(text=text))
    return value


def _positive(kind):
    def convert(text: str):
        try:
            value = kind(text.replace(",", "."))
        except ValueError:
            raise argparse.ArgumentTypeError(say.NOT_A_NUMBER.format(text=text)) from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(say.NOT_FINITE.format(text=text))
        if value <= 0:
            raise argparse.ArgumentTypeError(say.NOT_POSITIVE.format(text=text))
        return value
    return convert


def _model_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".lp", ".mps"):
        raise argparse.ArgumentTypeError(say.MODEL_SUFFIX.format(text=text))
    return path


def _version() -> str:
    try:
        return metadata.version("participatie-optimiser")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
        return "onbekend"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="optimiser", description=say.DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}", help=say.HELP["version"])
    commands = parser.add_subparsers(dest="command", required=True, metavar=say.HELP["commands"],
                                     parser_class=_Parser)
    template = commands.add_parser("template", help=say.HELP["template"])
    template.add_argument("file", type=Path, metavar="BESTAND", help=say.HELP["template_file"])
    template.add_argument("--force", action="store_true", help=say.HELP["force"])
    checker = commands.add_parser("check", help=say.HELP["check"])
    checker.add_argument("file", type=Path, metavar="BESTAND", help=say.HELP["file"])
    run = commands.add_parser("run", help=say.HELP["run"])
    run.add_argument("file", type=Path, metavar="BESTAND", help=say.HELP["file"])
    run.add_argument("-o", "--output", metavar="BESTAND", help=say.HELP["output"])
    run.add_argument("--json", action="store_true", help=say.HELP["json"])
    options = run.add_argument_group(say.HELP["options"])
    options.add_argument("--objective", choices=OBJECTIVES, help=say.HELP["objective"])
    options.add_argument("--time-limit", type=_positive(float), metavar="S", help=say.HELP["time_limit"])
    options.add_argument("--integer", choices=("ja", "nee"), help=say.HELP["integer"])
    options.add_argument("--mip-gap", type=_fraction, metavar="GAP", help=say.HELP["mip_gap"])
    options.add_argument("--threads", type=_positive(int), metavar="N", help=say.HELP["threads"])
    options.add_argument("--solver-log", type=Path, metavar="BESTAND", help=say.HELP["solver_log"])
    options.add_argument("--taal", choices=("nl", "en"), help=say.HELP["taal"])
    options.add_argument("--write-model", type=_model_file, metavar="BESTAND.lp|.mps", help=say.HELP["write_model"])
    whatifs = run.add_argument_group(say.HELP["whatifs"])
    whatifs.add_argument("--wat-als", action="append", default=[], metavar="TEKST", help=say.HELP["wat_als"])
    whatifs.add_argument("--reeks", metavar="TEKST", help=say.HELP["reeks"])
    whatifs.add_argument("--punten", type=_positive(int), default=50, metavar="N", help=say.HELP["punten"])
    whatifs.add_argument("--speelruimte", type=_fraction, nargs="?", const=0.02, metavar="TOLERANTIE",
                         help=say.HELP["speelruimte"])
    whatifs.add_argument("--analyse", action="store_true", help=say.HELP["analyse"])
    serve = commands.add_parser("serve", help=say.HELP["serve"])
    serve.add_argument("--host", default="127.0.0.1", help=say.HELP["host"])
    serve.add_argument("--port", type=_positive(int), default=8000, help=say.HELP["port"])
    serve.add_argument("--workers", type=_positive(int), default=2, help=say.HELP["workers"])
    serve.add_argument("--queue", type=_at_least_zero, default=8, help=say.HELP["queue"])
    serve.add_argument("--max-upload-mb", type=_positive(float), default=10.0, metavar="MB",
                       help=say.HELP["max_upload_mb"])
    serve.add_argument("--keep-minutes", type=_positive(float), default=60.0, metavar="MIN",
                       help=say.HELP["keep_minutes"])
    serve.add_argument("--time-limit", type=_positive(float), metavar="S", help=say.HELP["serve_time_limit"])
    return parser


def _at_least_zero(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say.NOT_WHOLE.format(text=text)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(say.NEGATIVE.format(text=text))
    return value


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    share_two_cores()  # before a solve starts a second thread
    main_thread = threading.current_thread() is threading.main_thread()  # only there may signals be handled
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as done:  # --help and --version have printed their text
            return done.code if isinstance(done.code, int) else EXIT_OK
        return {"template": _template, "check": _check, "run": _run, "serve": _serve}[args.command](args)
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except InputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:  # also during the slow imports inside the commands
        print(say.INTERRUPTED, file=sys.stderr)
        return _stopped(EXIT_INTERRUPTED)
    except Terminated:
        print(say.TERMINATED, file=sys.stderr)
        return _stopped(EXIT_TERMINATED)
    except Exception as error:  # the last line of defence: no traceback for a user
        print(say.INTERNAL.format(kind=type(error).__name__), file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def command() -> None:
    """The ``optimiser`` program: :func:`main`, then exit with its status, which a late stop no longer changes.

    Python takes some 0,15 s to shut down after a run. A Ctrl-C or SIGTERM
    then would end the process by the signal, silently, after the result was
    written and reported.
    """
    status = main()
    _ignore_stops()
    sys.exit(status)


def _ignore_stops() -> None:
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.SIG_IGN)


@contextmanager
def _stops_ignored():
    """Ctrl-C and SIGTERM ignored within the block (in the main thread: only there can signals be handled)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {stop: signal.getsignal(stop) for stop in (signal.SIGINT, signal.SIGTERM)}
    _ignore_stops()
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def _stopped(status: int) -> int:
    """After a stop: end the process at once when a comparison still solves on its own thread.

    Python would wait for that thread at the end (see
    ``optimiser.pipeline._in_background``), up to the run's time limit. The
    result file is cleaned up by then; nothing of the comparison is kept.
    """
    program = threading.main_thread()
    if threading.current_thread() is program and any(thread.is_alive() and not thread.daemon
                                                     for thread in threading.enumerate() if thread is not program):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _template(args) -> int:
    from optimiser.template import write_template

    if args.file.exists() and not args.force:
        print(say.TEMPLATE_EXISTS.format(file=args.file), file=sys.stderr)
        return EXIT_INPUT
    target = write_template(args.file)
    print(say.TEMPLATE_WRITTEN.format(target=target))
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
        print(say.ERRORS_FOUND.format(count=len(errors), name=args.file.name), file=sys.stderr)
        return EXIT_INPUT
    print(say.CHECK_OK.format(name=args.file.name, instruments=len(data.instruments), lines=len(data.lines),
                              years=len(data.years), first=data.years[0], last=data.years[-1],
                              requirements=len(data.requirements)))
    return EXIT_OK


def _default_output(source: Path) -> Path:
    return Path.cwd() / "outputs" / f"{source.stem}-resultaat.xlsx"


def _problems_json(problems) -> list[dict]:
    return [{"severity": p.severity, "sheet": p.sheet, "cell": p.cell, "message": p.message, "text": str(p)}
            for p in problems]


def _run(args) -> int:
    from optimiser import pipeline
    from optimiser.output import result_target

    # The target is checked before the solve: a wrong -o should not cost the user the wait.
    target = result_target(_default_output(args.file) if args.output is None else args.output, args.file)
    options = pipeline.RunOptions(
        objective=args.objective, time_limit=args.time_limit,
        integer_volumes=None if args.integer is None else args.integer == "ja", mip_gap=args.mip_gap,
        threads=args.threads, solver_log=args.solver_log, model_file=args.write_model, language=args.taal)
    outcome = pipeline.run(args.file, options)
    if outcome.errors:
        if args.json:
            print(json.dumps({"status": "invoerfout", "message": say.INPUT_ERRORS.format(count=len(outcome.errors)),
                              "problems": _problems_json(outcome.problems)}, ensure_ascii=False, indent=2))
        raise InputError(outcome.errors)
    if not args.json:
        _report_problems(outcome.warnings)
    if outcome.result is not None:  # a model was built
        outcome.analysis = _analyse(outcome, args)
    target = pipeline.write(outcome, target, args.file)
    with _stops_ignored():  # the result is in place: a stop now would only cut short the report of it
        return _report_run(outcome, target, args)


def _report_run(outcome, target: Path, args) -> int:
    """Print what a finished run found (JSON with ``--json``) and give its exit status."""
    from optimiser.comparison_report import summary_text
    from optimiser.report import conflict_rows, infeasibility_rows, json_summary
    from optimiser.texts import conflict_text, relaxation_text, status_text, texts
    from optimiser.whatif_report import batch_lines, json_part

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
        if result.integer_only:
            print("  " + tx("conflict.integer_only"))
        if not result.conflict.empty:
            print("  " + conflict_text(conflict_rows(result), tx))
        if result.has_plan:
            print(tx("cli.objective", name=result.objective_name, value=tx.number(result.objective_value, 2)))
            if result.scenario:
                print(tx("cli.scenario", name=result.scenario))
        if outcome.comparison is not None:
            for line in summary_text(outcome.data, outcome.comparison, tx):
                print(line)
        for line in batch_lines(outcome.analysis, tx):
            print(line)
        if args.write_model:
            print(tx("cli.model_written", path=args.write_model))
        print(tx("cli.result_written", path=target))
    return EXIT_OK if outcome.has_plan_to_show else EXIT_NO_PLAN


def _analyse(outcome, args):
    """What-ifs (workbook and ``--wat-als``), sweep, room and sensitivity, with a progress bar on the terminal."""
    from optimiser import whatif
    from optimiser.whatif_input import DefinitionError, problems_of

    bar = None

    def progress(done: int, total: int, name: str) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm  # only when there are what-ifs to show progress of

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


def _serve(args) -> int:
    import socket

    import uvicorn

    from optimiser.web.app import Config, create_app

    config = Config(max_upload=round(args.max_upload_mb * 1024 * 1024), workers=args.workers, queue=args.queue,
                    keep_seconds=args.keep_minutes * 60, time_limit=args.time_limit)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((args.host, args.port))
        listener.listen()  # a browser opened at once waits in the queue instead of being refused while we start
    except OSError as error:
        listener.close()
        print(say.PORT_BUSY.format(host=args.host, port=args.port, reason=error.strerror), file=sys.stderr)
        return EXIT_INPUT
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    print(say.SERVING.format(host=host, port=args.port), flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning", server_header=False))
    server.run(sockets=[listener])
    return EXIT_OK


if __name__ == "__main__":
    command()
