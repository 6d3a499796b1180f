"""What-ifs, sensitivity, sweeps and room to manoeuvre on a finished run: what the CLI and the web page call.

Every function takes a :class:`~optimiser.pipeline.Run` that has a plan (its
session is at the base data) and leaves the session there:

- :func:`run_batch` ``(run, definitions, progress=None)``: every what-if
  (a :class:`~models.changes.WhatIf` or its command-line text) against the
  base, on the run's session; ``progress(done, total, name)`` after each one;
  Ctrl-C ends it cleanly with the finished ones kept (``batch.interrupted``);
- :func:`run_sweep` ``(run, definition, stop, points=50)``: one change from
  its value in the definition to ``stop``, parametric re-solves;
- :func:`run_room` ``(run, tolerance=0.02)``: room to manoeuvre;
- :func:`analyse`: the above as asked, plus the answer report, the cost
  ranges and what holds each instrument, gathered in an :class:`Analysis`
  that :mod:`optimiser.whatif_report` writes (``run.analysis``).

Definition errors come back as :class:`~optimiser.whatif_input.DefinitionError`
with a Dutch message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from models.changes import Change, WhatIf
from models.sensitivity import CostRange, Hold, Priced, RoomTable, answer_report, cost_ranges, holds, priced_plan, room
from models.session import Deadline
from models.whatif import Batch, Progress, SweepPoint, linspace, sweep
from models.whatif import run_batch as batch_on_session
from optimiser.whatif_input import DefinitionError, Names, parse_sweep, parse_text

SMALL_MODEL_ROWS = 5000
"""Up to this many rows the answer report, the cost ranges and the 'why' sheet come with every run."""
MAX_COST_RANGES = 60
"""Cost ranges are searched (about 30 solves each) for at most this many instrument-line pairs."""


@dataclass
class SweepResult:
    """A sweep: what changed, and each point."""

    label: str
    change: Change
    points: list[SweepPoint]


@dataclass
class Analysis:
    """Everything this module adds to a run; ``None`` for a part not asked for or not possible."""

    batch: Batch | None = None
    sweep: SweepResult | None = None
    room: RoomTable | None = None
    priced: Priced | None = None
    rows: pd.DataFrame | None = None
    """Answer report: every constraint (see :func:`models.sensitivity.answer_report`)."""
    bounds: pd.DataFrame | None = None
    """Answer report: every variable bound."""
    ranges: list[CostRange] | None = None
    holds: list[Hold] | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)
    """Remarks on what was left out and why: a text id of ``texts.csv`` and its fields."""


def _check(run) -> None:
    if run.result is None:  # a session is built for every run without input errors
        raise ValueError("what-ifs need a run that got as far as building its model")


def definitions_of(run, definitions: Iterable[WhatIf | str]) -> list[WhatIf]:
    """What-ifs from objects or command-line texts (:class:`DefinitionError` for a bad text)."""
    names = Names(run.data)
    return [d if isinstance(d, WhatIf) else parse_text(d, run.data, names) for d in definitions]


def run_batch(run, definitions: Iterable[WhatIf | str], progress: Progress | None = None) -> Batch:
    """Every what-if against the base, on the run's session (see :func:`models.whatif.run_batch`)."""
    _check(run)
    return batch_on_session(run.session, definitions_of(run, definitions), progress=progress)


def run_sweep(run, definition: Change | str, stop: float | None = None, points: int = 50) -> SweepResult:
    """Sweep one change from its value to ``stop``; a text holds both ('Algemene middelen +0 tot 1000000')."""
    _check(run)
    if isinstance(definition, str):
        label = definition
        change, start, stop = parse_sweep(definition, run.data)
    else:
        label, change, start = str(definition), definition, definition.value
        if stop is None:
            raise DefinitionError("Een reeks heeft een eindwaarde nodig")
    values = linspace(start, stop, points)
    return SweepResult(label, change, sweep(run.session, change, values))


def run_room(run, tolerance: float = 0.02) -> RoomTable:
    """Room to manoeuvre within ``tolerance`` of the best participation."""
    _check(run)
    return room(run.session, tolerance)


def analyse(run, definitions: Iterable[WhatIf | str] = (), sweep_definition: str | None = None, points: int = 50,
            room_tolerance: float | None = None, sensitivity: bool | None = None, ranges: bool = False,
            progress: Progress | None = None) -> Analysis:
    """The what-ifs, sweep and room asked for, and the answer report, cost ranges and what holds each instrument.

    ``sensitivity`` ``None`` computes the answer report and what holds each
    instrument for a small model only (:data:`SMALL_MODEL_ROWS`); the cost
    ranges (about 30 re-solves per instrument and line) only with ``ranges``.
    The workbook's own what-ifs come first.
    """
    _check(run)
    analysis = Analysis()
    whatifs = list(definitions_of(run, [*run.data.what_ifs, *definitions]))
    small = run.model_rows <= SMALL_MODEL_ROWS
    if not run.has_plan_to_show:
        analysis.notes.append(("analysis.no_plan", {}))
    elif sensitivity or (sensitivity is None and small):
        session = run.session  # waits for a comparison still using it
        deadline = Deadline(run.data.settings.time_limit)
        analysis.priced = priced_plan(session, deadline=deadline)
        if analysis.priced.priced is not None:
            analysis.rows, analysis.bounds = answer_report(session, analysis.priced)
            analysis.holds = holds(session, analysis.priced)
            pairs = {(i, b) for i, b, _ in [*run.data.cost, *run.data.once]}
            if ranges and len(pairs) <= MAX_COST_RANGES:
                analysis.ranges = cost_ranges(session, analysis.priced, deadline=deadline)
            elif ranges:
                analysis.notes.append(("analysis.no_ranges", {"pairs": len(pairs), "most": MAX_COST_RANGES}))
    elif sensitivity is None:
        analysis.notes.append(("analysis.too_large", {"rows": run.model_rows, "most": SMALL_MODEL_ROWS}))
    if sweep_definition and run.has_plan_to_show:
        analysis.sweep = run_sweep(run, sweep_definition, points=points)
    if room_tolerance is not None and run.has_plan_to_show:
        analysis.room = run_room(run, room_tolerance)
    if whatifs:  # last: a stop (Ctrl-C) keeps what is done and everything above
        analysis.batch = batch_on_session(run.session, whatifs, progress=progress)
    return analysis
