"""Which instruments make a model unbounded: the modelling gap behind an objective without limit.

A workbook that passes its checks can still leave an instrument free and
unlimited (it costs nothing on balance, or earns money, and nothing caps
its volume); the objective then grows without end. To name it, every
volume gets a cap far above any real one (:data:`CAP`) and the capped
model is solved: the instruments whose volume runs up to the cap are the
ones without a limit of their own.
"""

from __future__ import annotations

from dataclasses import replace

from models.data import ProblemData
from models.highs import SolverOptions
from models.session import Deadline, Session
from models.solve import optimise

CAP = 1e8
"""Above every volume the workbook allows (at most 10 million units), so it binds only where nothing else does."""


def unlimited_instruments(data: ProblemData, options: SolverOptions | None = None,
                          deadline: Deadline | None = None) -> list[str]:
    """The instruments whose volume grows without limit in the best plan (empty when none can be named)."""
    capped = replace(
        data,
        instruments={name: replace(x, max_volume=CAP) if x.max_volume is None else x
                     for name, x in data.instruments.items()},
        # The first step of the lexicographic objective is where participation runs away.
        settings=replace(data.settings, objective="participatie") if data.settings.objective == "lexicografisch"
        else data.settings,
    )
    result = optimise(Session(capped, options), deadline=deadline)
    if not result.has_plan:
        return []
    at_cap = result.plan[result.plan.volume >= CAP / 2]
    return list(dict.fromkeys(at_cap.instrument))
