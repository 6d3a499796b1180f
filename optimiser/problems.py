"""Problems found in a user's input, each tied to a sheet and a cell."""

from __future__ import annotations

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
