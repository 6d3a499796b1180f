"""One run, from a workbook to a result: what the CLI, the tests, the benchmarks and the web page all call.

``run(source, options)`` reads and checks the workbook (a path or its
bytes), builds one :class:`~models.session.Session`, solves the optimum and,
when the workbook holds a chosen plan, evaluates it and compares it with
the optimum on the same session. :func:`write` turns a run into the result
workbook. Nothing here prints or exits; problems in the input come back in
:attr:`Run.problems`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

from models.compare import Comparison, against_optimum, with_alternatives
from models.data import ProblemData
from models.highs import DEFAULT_MIP_GAP, SolverOptions
from models.session import Deadline, Session
from models.solve import OPTIMAL, TIME_LIMIT, UNBOUNDED, Result, optimise
from models.unbounded import unlimited_instruments
from optimiser.problems import Problem
from optimiser.validate import check, check_bytes

PACKAGES = ("participatie-optimiser", "pyomo", "highspy", "pandas", "openpyxl", "xlsxwriter", "defusedxml")
MODEL_FORMATS = (".lp", ".mps")


@dataclass(frozen=True)
class RunOptions:
    """How to run; ``None`` takes the workbook's setting (Instellingen), a value overrides it."""

    objective: str | None = None
    time_limit: float | None = None
    """Seconds for the whole run (all solves together)."""
    integer_volumes: bool | None = None
    mip_gap: float | None = None
    """Relative MIP gap at which HiGHS may stop (``None``: :data:`models.highs.DEFAULT_MIP_GAP`)."""
    threads: int | None = None
    solver_log: Path | None = None
    """A file for HiGHS's own log."""
    model_file: Path | None = None
    """Write the model as HiGHS receives it (``.lp`` or ``.mps``) before solving."""
    language: str | None = None
    """Language of the result workbook and messages (``nl``, ``en``)."""

    def apply(self, data: ProblemData) -> ProblemData:
        """The data with the workbook's settings overridden where an option is given."""
        changes = {name: value for name, value in (("objective", self.objective), ("time_limit", self.time_limit),
                                                   ("integer_volumes", self.integer_volumes),
                                                   ("language", self.language)) if value is not None}
        return replace(data, settings=replace(data.settings, **changes)) if changes else data

    def solver(self) -> SolverOptions:
        """The part of the options HiGHS itself takes."""
        return SolverOptions(mip_gap=self.mip_gap, threads=self.threads, log_file=self.solver_log)


@dataclass
class Run:
    """Everything one run produced; ``data`` and ``result`` are ``None`` when the input has errors.

    :func:`run` returns as soon as the optimum is there; a comparison with
    the chosen plan goes on being solved in the background (HiGHS lets go
    of Python's lock, so the result workbook is written meanwhile). Reading
    :attr:`comparison`, :attr:`session` or :attr:`seconds` waits for it.
    """

    name: str
    digest: str
    problems: list[Problem] = field(default_factory=list)
    data: ProblemData | None = None
    options: RunOptions = field(default_factory=RunOptions)
    result: Result | None = None
    analysis: object | None = None
    """What-ifs, sensitivity, sweep and room to manoeuvre (:class:`optimiser.whatif.Analysis`), when asked for."""
    model_rows: int = 0
    """Rows of the model HiGHS solved (0: none was built)."""
    _comparison: Comparison | None = field(default=None, repr=False)
    _session: Session | None = field(default=None, repr=False)
    _seconds: dict[str, float] = field(default_factory=dict, repr=False)
    _comparing: Future | None = field(default=None, repr=False)
    _evaluated: Future | None = field(default=None, repr=False)

    @property
    def comparison(self) -> Comparison | None:
        """The chosen plan against the optimum (``None`` without a chosen plan)."""
        self.wait()
        return self._comparison

    @property
    def session(self) -> Session | None:
        """The model the run solved, to change and solve again (what-ifs)."""
        self.wait()
        return self._session

    @property
    def seconds(self) -> dict[str, float]:
        """Seconds per stage (check, build, optimum, comparison) and in all."""
        self.wait()
        return self._seconds

    def comparison_so_far(self, whole: bool) -> Comparison | None:
        """The comparison whole, or (``whole=False``) as soon as the chosen plan is evaluated.

        Without ``whole`` the two alternative plans may still be missing (see
        :func:`models.compare.against_optimum`): what the report needs first.
        """
        if not whole and self._evaluated is not None:
            return self._evaluated.result()
        return self.comparison

    def wait(self) -> None:
        """Let a comparison still being solved finish; what it raised is raised here."""
        if self._comparing is not None:
            self._comparison = self._comparing.result()  # raises again at each read while it failed
            self._comparing = None

    @property
    def errors(self) -> list[Problem]:
        """Problems that block the run."""
        return [p for p in self.problems if p.severity == "fout"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that are only reported."""
        return [p for p in self.problems if p.severity != "fout"]

    @property
    def has_plan_to_show(self) -> bool:
        """An optimal plan, or the best one found within the time limit."""
        result = self.result
        return result is not None and (result.status == OPTIMAL or (result.status == TIME_LIMIT and result.has_plan))

    def audit(self) -> dict[str, object]:
        """Label (Dutch) to value: what ran, on what, with which software and options."""
        settings, result = self.data.settings, self.result
        rows: dict[str, object] = {
            "Tijdstip (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "Invoerbestand": self.name,
            "SHA-256 van het invoerbestand": self.digest,
            "Python": platform.python_version(),
        }
        rows.update({f"Versie {p}": _version(p) for p in PACKAGES})
        options = self.options
        rows.update({
            "Rekenmachine": result.solver,
            "Doelstelling": settings.objective,
            "Tijdslimiet (s), voor de hele berekening": settings.time_limit,
            "Gehele aantallen": "ja" if settings.integer_volumes else "nee",
            "Tolerantie lexicografisch": settings.lexicographic_tolerance,
            "MIP-gap gevraagd": options.mip_gap if options.mip_gap is not None else DEFAULT_MIP_GAP,
            "Threads": options.threads if options.threads is not None else "standaard van HiGHS",
            "Model geschreven naar": str(options.model_file) if options.model_file else "(niet gevraagd)",
            "Status": result.status,
            "MIP": "ja" if result.is_mip else "nee",
            "MIP-gap": result.gap,
            "Model opnieuw opgebouwd": "ja" if result.rebuilt else "nee",
            "Rekentijd optimalisatie (s)": round(result.solve_seconds, 3),
            "Totale looptijd (s)": round(self.seconds.get("total", 0.0), 3),
            "Taal": settings.language,
        })
        return rows


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "(niet geïnstalleerd)"


def _digest(source: Path | bytes) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes):
        digest.update(source)
    else:
        with open(source, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
    return digest.hexdigest()


def read(source: Path | bytes, name: str | None = None) -> tuple[ProblemData | None, list[Problem]]:
    """Check a workbook given as a path or as its bytes (an upload): the data and every problem."""
    if not isinstance(source, bytes):
        return check(Path(source))
    return check_bytes(source, Path(name or "werkmap.xlsx").name)


def run(source: Path | bytes, options: RunOptions | None = None, name: str | None = None) -> Run:
    """Check, solve, evaluate and compare one workbook; see the module docstring and :class:`Run`."""
    started = time.perf_counter()
    options = options or RunOptions()
    label = name or (source.name if isinstance(source, Path) else "werkmap.xlsx")
    outcome = Run(name=label, digest=_digest(source) if _exists(source) else "", options=options)
    seconds = outcome._seconds
    data, outcome.problems = read(source, name)
    seconds["check"] = time.perf_counter() - started
    if outcome.errors or data is None:
        seconds["total"] = time.perf_counter() - started
        return outcome
    data = options.apply(data)
    outcome.data = data
    deadline = Deadline(data.settings.time_limit)
    mark = time.perf_counter()
    session = outcome._session = Session(data, options.solver())
    seconds["build"] = time.perf_counter() - mark
    if options.model_file is not None:
        session.write_model(options.model_file)
    mark = time.perf_counter()
    outcome.result = optimise(session, deadline=deadline)
    if outcome.result.status == UNBOUNDED:  # a modelling gap in the workbook: name the instrument
        outcome.result.unlimited = unlimited_instruments(data, options.solver(), deadline)
    seconds["optimum"] = time.perf_counter() - mark
    outcome.model_rows = session.compiled.num_row if session.compiled is not None else 0
    if not data.chosen_plan:
        seconds["total"] = time.perf_counter() - started
        return outcome

    evaluated: Future = Future()

    def comparison() -> Comparison:
        mark = time.perf_counter()
        try:
            try:
                part = against_optimum(data, outcome.result, session, deadline)
            except BaseException as error:
                evaluated.set_exception(error)
                raise
            evaluated.set_result(part)
            return with_alternatives(part, session, deadline)
        finally:
            seconds["comparison"] = time.perf_counter() - mark
            seconds["total"] = time.perf_counter() - started

    outcome._evaluated = evaluated
    outcome._comparing = _in_background(comparison)
    return outcome


def _in_background(work) -> Future:
    """``work()`` on a thread of its own; the future gives its result or raises what it raised.

    Not a daemon thread: a program that ends while it still solves waits for
    it. Python would stop a daemon thread inside HiGHS, and HiGHS then aborts
    the whole process. The command line does not wait after a stop (Ctrl-C),
    see :func:`optimiser.cli.main`.
    """
    future: Future = Future()

    def target() -> None:
        try:
            future.set_result(work())
        except BaseException as error:  # handed to whoever waits for the result
            future.set_exception(error)

    threading.Thread(target=target, name="vergelijking").start()
    return future


def _exists(source: Path | bytes) -> bool:
    return isinstance(source, bytes) or Path(source).is_file()


def write(outcome: Run, target: Path, source: Path | None = None) -> Path:
    """The result workbook of a run, written atomically (never over ``source``)."""
    from optimiser.report import write_result

    # The comparison and the audit (its run time) are asked for as late as the sheets allow: a comparison still
    # being solved goes on while the sheets that do not need it are written.
    staged = outcome.comparison_so_far if outcome.data.chosen_plan else None
    return write_result(outcome.data, outcome.result, source or Path(outcome.name), target, outcome.problems,
                        staged, outcome.audit, outcome.analysis)
