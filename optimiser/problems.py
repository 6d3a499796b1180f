"""Problems found in a user's input, each tied to a sheet and a cell."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the workbook, in Dutch, with where it is."""

    sheet: str | None
    cell: str | None
    message: str
    severity: str = "fout"
    """``fout`` blocks the run; ``waarschuwing`` is reported only."""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"blad '{self.sheet}'")
        if self.cell:
            where.append(f"cel {self.cell}")
        prefix = ", ".join(where)
        label = "Waarschuwing" if self.severity == "waarschuwing" else "Fout"
        return f"{label}: {prefix}: {self.message}" if prefix else f"{label}: {self.message}"


class InputError(Exception):
    """The input cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


PER_KIND = 5
"""Problems of one kind shown per sheet; the rest are counted."""
_VARYING = re.compile(r"'[^']*'|\d[\d.,]*|\b[A-Z]{1,3}\d+\b")


def capped(problems: list[Problem], limit: int = PER_KIND) -> list[Problem]:
    """The problems with at most ``limit`` of each kind per sheet, then one line 'en nog N dergelijke'.

    Two messages are of one kind when they differ only in quoted names, numbers and cell addresses.
    """
    shown: list[Problem | list] = []
    counts: dict[tuple, list] = {}
    for problem in problems:
        key = (problem.severity, problem.sheet, _VARYING.sub("", problem.message))
        seen = counts.setdefault(key, [0, None])
        seen[0] += 1
        if seen[0] <= limit:
            shown.append(problem)
        elif seen[1] is None:
            seen[1] = [problem]  # placeholder where the count goes
            shown.append(seen[1])
    result = []
    for item in shown:
        if isinstance(item, Problem):
            result.append(item)
            continue
        first = item[0]
        more = counts[(first.severity, first.sheet, _VARYING.sub("", first.message))][0] - limit
        result.append(Problem(first.sheet, None, f"... en nog {more} dergelijke melding(en) op dit blad.",
                              first.severity))
    return result
