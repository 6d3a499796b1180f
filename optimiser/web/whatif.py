"""The one place where the web page asks for a what-if: which input numbers it offers, and the solve.

For now a what-if changes one number: the money available on one budget line
in one year. It goes through the run's own session (built once by the
pipeline) with :meth:`Session.update` and is optimised again warm; the
session is put back to the base data afterwards, so every what-if starts
from the uploaded workbook. A general what-if definition (issue 10) plugs in
here: :func:`choices` lists what the form offers, :func:`run_whatif` applies
one and returns its result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from models.session import Deadline
from models.solve import Result, optimise
from optimiser.parse import ParseError, number
from optimiser.pipeline import Run
from optimiser.schema import Column, sheets
from optimiser.texts import euros


@dataclass(frozen=True)
class Choice:
    """An input number the form offers to change."""

    key: str
    """The form's value for it (no user text, so nothing to escape or trust)."""
    label: str
    value: float
    target: tuple
    """Which number: here (budget line, year)."""
    column: Column
    """The workbook column it comes from: its unit and bounds check a new value as the workbook's are."""

    def parse(self, text: str) -> float:
        """A new value typed in the form (Dutch notation allowed); a Dutch :class:`ValueError` when it cannot be."""
        try:
            value = number(text, self.column.unit)
        except ParseError as error:
            raise ValueError(f"Nieuwe waarde: {error}.") from None
        low, high = self.column.minimum, self.column.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"Nieuwe waarde: moet tussen {euros(low)} en {euros(high)} liggen (zoals in kolom "
                             f"'{self.column.name}' van blad '{self.column.sheet}').")
        return value


@dataclass(frozen=True)
class WhatIf:
    """A what-if's outcome: a Dutch sentence saying what changed, and the result."""

    change: str
    result: Result


def choices(run: Run) -> list[Choice]:
    """The numbers a what-if may change: each budget line's available money in each year."""
    column = sheets()["Budgetten"].column("beschikbaar")
    return [Choice(key=f"budget-{k}", label=f"{line} {year}: beschikbaar ({euros(budget.available)})",
                   value=budget.available, target=(line, year), column=column)
            for k, ((line, year), budget) in enumerate(run.data.budgets.items())]


def run_whatif(run: Run, choice: Choice, value: float) -> WhatIf:
    """The optimum with ``choice`` set to ``value``, on the run's session, which is put back afterwards.

    The caller holds the run's session lock: a session serves one solve at a time.
    """
    base = run.data
    key = choice.target
    changed = replace(base, budgets={**base.budgets, key: replace(base.budgets[key], available=value)})
    session = run.session
    session.update(changed)
    try:
        result = optimise(session, deadline=Deadline(base.settings.time_limit))
    finally:
        session.update(base)
    line, year = key
    return WhatIf(change=f"{line} {year}: beschikbaar {euros(choice.value)} → {euros(value)}", result=result)
