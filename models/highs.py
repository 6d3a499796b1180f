"""The one place that talks to HiGHS: a Pyomo model compiled once to arrays, solved and changed in place.

:class:`CompiledModel` turns a Pyomo model into the matrix form HiGHS takes
and keeps its own maps from
constraint family and data index (``("budget", ("PB", 2021))``) to rows and
from variable and index (``("v", ("LKS", 2022))``) to columns. Every linear
measure of a plan (participation, money, ...) is compiled alongside as a
cost vector, so objectives can be switched and totals read as dot products.

:class:`HighsModel` holds one ``highspy.Highs`` instance filled from those
arrays. It changes bounds, coefficients, costs and integrality in place and
solves warm; each solve returns a :class:`Solution` of plain arrays.
"""

from __future__ import annotations

import math
import os
import sys
import time
from array import array
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import highspy
import numpy as np
import pyomo.core as pyo  # the modelling layer only: pyomo.environ also loads every solver plugin (0,15 s)
from pyomo.repn.linear import LinearRepnVisitor

from models.status import ERROR, INFEASIBLE, INFEASIBLE_OR_UNBOUNDED, NUMERICAL, OPTIMAL, TIME_LIMIT, UNBOUNDED

__all__ = ["ERROR", "INFEASIBLE", "INFEASIBLE_OR_UNBOUNDED", "NUMERICAL", "OPTIMAL", "TIME_LIMIT", "UNBOUNDED"]

INF = highspy.kHighsInf
MAXIMIZE, MINIMIZE = "max", "min"


def _finite(x: float | None, default: float) -> float:
    return default if x is None or math.isinf(x) else float(x)


def col_key(var) -> tuple[str, object]:
    """``(variable, index)`` of a variable, e.g. ``("v", ("LKS", 2022))``."""
    return var.parent_component().local_name, var.index()


class IndexMap(Mapping):
    """``(family, index)`` to a row or column, kept per family.

    A plain dict would hold a ``(family, index)`` tuple per entry: some 16 MB
    at 342 municipalities for rows and columns. Positions are given family
    by family, so iterating gives the keys in row (column) order.
    """

    def __init__(self):
        self._families: dict[str, dict] = {}

    def family(self, name: str) -> dict:
        """The family's own map, index to position (made when first asked)."""
        return self._families.setdefault(name, {})

    def positions(self, name: str) -> dict:
        """The family's own map, index to position; empty (and not made) when it has none."""
        return self._families.get(name, {})

    def names(self):
        """The families, in order."""
        return self._families.keys()

    def __getitem__(self, key):
        name, index = key
        return self._families[name][index]

    def get(self, key, default=None):
        positions = self._families.get(key[0])
        return default if positions is None else positions.get(key[1], default)

    def __contains__(self, key) -> bool:
        positions = self._families.get(key[0])
        return positions is not None and key[1] in positions

    def __iter__(self):
        for name, positions in self._families.items():
            for index in positions:
                yield name, index

    def items(self):
        for name, positions in self._families.items():
            for index, position in positions.items():
                yield (name, index), position

    def __len__(self) -> int:
        return sum(len(positions) for positions in self._families.values())


class TriviallyInfeasible(Exception):
    """A constraint without variables that cannot hold (say, committed money above what is available)."""


@dataclass
class Block:
    """Rows and columns compiled apart from a model, to be added to it (:meth:`CompiledModel.block`)."""

    first_col: int
    first_row: int
    columns: list = field(default_factory=list)
    cols: dict[str, dict] = field(default_factory=dict)
    """Variable to its index to column, as in :class:`IndexMap`."""
    rows: dict[str, dict] = field(default_factory=dict)
    col_lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    col_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    integer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    row_lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    offset: np.ndarray = field(default_factory=lambda: np.zeros(0))
    entry_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    """The block's matrix entries: row, column, value (a new row may have entries in old columns)."""
    entry_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    entry_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    measures: dict[str, tuple[np.ndarray, float]] = field(default_factory=dict)

    @property
    def num_row(self) -> int:
        """Number of the block's rows."""
        return len(self.offset)


class CompiledModel:
    """A Pyomo model as arrays, with maps from the model's names to rows and columns.

    Every active constraint becomes one row ``lower <= a x <= upper`` (its
    body's constant moved to the bounds and kept in :attr:`offset`); a
    constraint without variables gets no row, and one that cannot hold raises
    :class:`TriviallyInfeasible`. The model's own objectives are ignored:
    ``measures`` (name to linear expression) are compiled as cost vectors.
    Uses Pyomo's public linear walker (``pyomo.repn.linear``, the one its LP
    writer uses) per row, with one cache of named expressions per compile, so
    a budget line's cost is walked once for its row, its spending cap and
    the money measures; faster here than the standard-form compiler, and no
    SciPy.
    """

    def __init__(self, model: pyo.ConcreteModel, measures: dict[str, object]):
        self.columns: list = []
        self.cols = IndexMap()
        """``(variable, index)`` to column, e.g. ``("v", ("LKS", 2022))``."""
        self.rows = IndexMap()
        """``(family, index)`` to row, e.g. ``("budget", ("PB", 2021))``: no constraint objects are kept, so a
        session may delete them once compiled."""
        self.col_lower, self.col_upper, self.integer = np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)
        self.row_lower, self.row_upper, self.offset = np.zeros(0), np.zeros(0), np.zeros(0)
        self.a_start, self.a_index, self.a_value = np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0)
        self.measures: dict[str, tuple[np.ndarray, float]] = {}
        self.add(self.block(model, measures))

    def block(self, model: pyo.ConcreteModel, measures: dict[str, object],
              families: tuple[str, ...] | None = None) -> Block:
        """The rows of ``families`` (all when ``None``) and the variables this model does not have yet, compiled.

        Rows and columns are numbered after this model's; nothing here
        changes until :meth:`add`, so a solve of this model may run meanwhile.
        """
        new = Block(first_col=self.num_col, first_row=self.num_row)
        for family in model.component_objects(pyo.Var, descend_into=True):
            if family.local_name in self.cols.names():
                continue
            positions = new.cols.setdefault(family.local_name, {})
            for var in family.values():
                positions[var.index()] = self.num_col + len(new.columns)  # the variable's own index: no copy
                new.columns.append(var)
        columns = self.columns + new.columns
        col_of = {id(v): j for j, v in enumerate(columns)}  # only while compiling: later lookups go by name
        # typed arrays, not lists: a list of 400,000 Python floats and ints costs 30 MB at 342 municipalities
        lowers, uppers, offsets = array("d"), array("d"), array("d")
        entry_rows, entry_cols, entry_values = array("i"), array("i"), array("d")
        walker = _walker()
        for family, index, con in _constraints(model, families):
            lower, body, upper = con.to_bounded_expression(evaluate_bounds=True)
            coefficients, constant = _linear(body, walker, col_of)
            if not coefficients:
                if (lower is not None and constant < lower - 1e-9) or (upper is not None and constant > upper + 1e-9):
                    raise TriviallyInfeasible(con.name)
                continue
            row = new.first_row + len(offsets)
            new.rows.setdefault(family, {})[index] = row
            offsets.append(constant)
            lowers.append(-INF if lower is None else _finite(lower - constant, -INF))
            uppers.append(INF if upper is None else _finite(upper - constant, INF))
            entry_rows.extend([row] * len(coefficients))
            entry_cols.extend(coefficients.keys())
            entry_values.extend(coefficients.values())
        new.row_lower, new.row_upper = np.array(lowers, dtype=float), np.array(uppers, dtype=float)
        new.offset = np.array(offsets, dtype=float)
        new.col_lower = np.array([_finite(v.lb, -INF) for v in new.columns])
        new.col_upper = np.array([_finite(v.ub, INF) for v in new.columns])
        new.integer = np.array([v.is_integer() or v.is_binary() for v in new.columns], dtype=bool)
        new.entry_rows = np.frombuffer(entry_rows, dtype=np.intc).astype(np.int32)
        new.entry_cols = np.frombuffer(entry_cols, dtype=np.intc).astype(np.int32)
        new.entry_values = np.frombuffer(entry_values, dtype=float)
        new.measures = _measure_vectors(measures, walker, col_of, len(columns))
        _drop(walker)
        return new

    def add(self, block: Block) -> None:
        """Take in a :meth:`block` made from this model as it is now."""
        if (block.first_col, block.first_row) != (self.num_col, self.num_row):
            raise ValueError("the block was made from another state of the model")
        self.columns += block.columns
        for name, positions in block.cols.items():
            self.cols.family(name).update(positions)
        for name, positions in block.rows.items():
            self.rows.family(name).update(positions)
        self.__dict__.pop("row_keys", None)  # made again when next asked
        self.col_lower = np.concatenate((self.col_lower, block.col_lower))
        self.col_upper = np.concatenate((self.col_upper, block.col_upper))
        self.integer = np.concatenate((self.integer, block.integer))
        self.row_lower = np.concatenate((self.row_lower, block.row_lower))
        self.row_upper = np.concatenate((self.row_upper, block.row_upper))
        self.offset = np.concatenate((self.offset, block.offset))
        # the matrix column-wise, as HiGHS takes it: the entries so far and the block's, sorted by column
        counts = np.diff(self.a_start)
        rows = np.concatenate((self.a_index, block.entry_rows))
        cols = np.concatenate((np.repeat(np.arange(len(counts), dtype=np.int32), counts), block.entry_cols))
        values = np.concatenate((self.a_value, block.entry_values))
        order = np.lexsort((rows, cols))
        self.a_index = rows[order].astype(np.int32, copy=False)
        self.a_value = values[order]
        self.a_start = np.concatenate(([0], np.cumsum(np.bincount(cols, minlength=self.num_col)))).astype(np.int32)
        extra = len(block.columns)
        for name, (vector, constant) in self.measures.items():  # no measure so far has a term in a new column
            self.measures[name] = (np.concatenate((vector, np.zeros(extra))), constant)
        self.measures.update(block.measures)

    def linear(self, expr) -> tuple[dict[int, float], float]:
        """Column to coefficient, and the constant, of a linear expression at the parameters' current values."""
        walker = _walker()
        repn = walker.walk_expression(expr)
        if repn.nonlinear is not None:
            raise ValueError(f"not linear: {expr}")
        col_of = {var_id: self.col(var) for var_id, var in walker.var_map.items()}
        return _collect(repn, col_of)

    @cached_property
    def row_keys(self) -> list[tuple[str, object]]:
        """``(family, index)`` of each row, in row order: made when first asked (labels for what-ifs and analyses)."""
        return list(self.rows)

    @property
    def num_col(self) -> int:
        """Number of columns (variables)."""
        return len(self.columns)

    @property
    def num_row(self) -> int:
        """Number of rows (constraints)."""
        return len(self.offset)

    def col(self, var) -> int | None:
        """The column of a variable, or ``None`` for a variable of another model."""
        j = self.cols.get(col_key(var))
        return j if j is not None and self.columns[j] is var else None

    def measure(self, name: str, x: np.ndarray) -> float:
        """The value of a compiled measure at the column values ``x``."""
        vector, offset = self.measures[name]
        # an elementwise product and sum, not ``vector @ x``: OpenBLAS's threaded dot took 16 ms on 43,000
        # columns next to HiGHS's thread pool (0.06 ms this way), 7 measures per result
        return float(np.add.reduce(vector * x) + offset)

    def recompile_measures(self, measures: dict[str, object]) -> None:
        """Compile the measures again, after parameters in them changed (a cost, committed money)."""
        walker = _walker()
        col_of = {id(v): j for j, v in enumerate(self.columns)}
        self.measures.update(_measure_vectors(measures, walker, col_of, self.num_col))
        _drop(walker)


def _measure_vectors(measures: dict[str, object], walker: LinearRepnVisitor, col_of: dict,
                     size: int) -> dict[str, tuple[np.ndarray, float]]:
    """Each measure as a cost vector over ``size`` columns and its constant."""
    vectors = {}
    for name, expr in measures.items():
        vector = np.zeros(size)
        coefficients, constant = _linear(expr, walker, col_of)
        vector[list(coefficients)] = list(coefficients.values())
        vectors[name] = (vector, constant)
    return vectors


def _constraints(model: pyo.ConcreteModel, families: tuple[str, ...] | None = None):
    """``(family, index, constraint)`` of every active constraint (of ``families`` only, if given), in order."""
    for family in model.component_objects(pyo.Constraint, active=True, descend_into=True):
        name = family.local_name
        if families is not None and name not in families:
            continue
        for index, con in family.items():
            if con.active:
                yield name, index, con


def _walker() -> LinearRepnVisitor:
    """A fresh linear walker with an empty cache of named expressions.

    The cache holds the parameters' values, so one walker serves one compile
    only: there a budget line's cost is walked once for its row, its spending
    cap and the money measures.
    """
    return LinearRepnVisitor(subexpression_cache={})


def _drop(walker: LinearRepnVisitor) -> None:
    """Empty a walker's cache and variable map now.

    The walker refers to itself, so otherwise only a full collection of the
    garbage frees them (at 342 municipalities some 60 MB, while HiGHS solves).
    """
    walker.subexpression_cache.clear()
    walker.var_map.clear()


def _linear(expr, walker: LinearRepnVisitor, col_of: dict) -> tuple[dict[int, float], float]:
    """Column to coefficient, and the constant, of ``expr``; ``col_of`` maps ``id(var)`` to its column."""
    repn = walker.walk_expression(expr)
    if repn.nonlinear is not None:
        raise ValueError(f"not linear: {expr}")
    return _collect(repn, col_of)


def _collect(repn, col_of: dict) -> tuple[dict[int, float], float]:
    """Coefficients by column (zeros left out) and the constant of a linear walker's result.

    The walker gives each variable once, and each variable has its own column: nothing to add up.
    """
    return {col_of[var_id]: float(coef) for var_id, coef in repn.linear.items() if coef}, float(repn.constant)


def row_bounds(compiled: CompiledModel, row: int, con) -> tuple[float, float]:
    """Row ``row``'s bounds as HiGHS takes them, from the constraint ``con`` it was built from (at its parameters)."""
    lower, _, upper = con.to_bounded_expression(evaluate_bounds=True)
    return bounds_at(compiled, row, lower, upper)


def bounds_at(compiled: CompiledModel, row: int, lower, upper) -> tuple[float, float]:
    """Row ``row``'s bounds as HiGHS takes them from its bound expressions (parameters only) at their values now."""
    lower, upper = pyo.value(lower), pyo.value(upper)
    offset = compiled.offset[row]
    return (_finite(None if lower is None else lower - offset, -INF),
            _finite(None if upper is None else upper - offset, INF))


DEFAULT_MIP_GAP = 1e-9
"""HiGHS's own default (1e-4) let a plan 'optimal' be €585 short of the best on the example; at 1e-9 the figures
are exact to the euro and 0,01 person for objectives up to 10^8 (HiGHS's absolute gap, 1e-6, applies too)."""
FACE_TOLERANCE = 1e-7
"""A reduced cost or dual at most this far from zero counts as zero (HiGHS's default dual feasibility tolerance)."""


@dataclass
class SolverOptions:
    """How HiGHS runs: MIP gap, threads and a log file; the time limit is given per solve."""

    mip_gap: float | None = None
    """Relative MIP gap at which HiGHS stops; ``None`` takes :data:`DEFAULT_MIP_GAP`."""
    threads: int | None = None
    log_file: Path | None = None


@dataclass
class Solution:
    """One solve as plain arrays, indexed like the :class:`CompiledModel` it came from."""

    status: str
    has_solution: bool
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Column values."""
    activity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Row values ``A x``."""
    row_dual: np.ndarray | None = None
    """Change of the objective per unit more right-hand side (``None``: no prices asked or available)."""
    col_dual: np.ndarray | None = None
    """Reduced costs."""
    rhs_down: np.ndarray | None = None
    """How far each binding row's right-hand side may fall with the same price (``inf``: unlimited)."""
    rhs_up: np.ndarray | None = None
    row_basic: np.ndarray | None = None
    """Rows that do not bind in the priced basis (their ranges follow from the plan's slack)."""
    seconds: float = 0.0


_banner_shown = False


def new_highs() -> highspy.Highs:
    """A silent ``highspy.Highs``.

    HiGHS prints its banner to the process's standard output (file
    descriptor 1, not ``sys.stdout``) when the first instance is made; that
    would break ``--json`` output, so the first one is made with it closed.
    """
    global _banner_shown
    if not _banner_shown:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _banner_shown = True
    else:
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


class HighsModel:
    """One HiGHS instance holding a compiled model; changed in place and solved warm."""

    def __init__(self, compiled: CompiledModel, options: SolverOptions | None = None):
        self.compiled = compiled
        self.options = options or SolverOptions()
        self.highs = new_highs()
        if self.options.log_file is not None:
            self.highs.setOptionValue("output_flag", True)
            self.highs.setOptionValue("log_to_console", False)
            self.highs.setOptionValue("log_file", str(self.options.log_file))
        gap = DEFAULT_MIP_GAP if self.options.mip_gap is None else self.options.mip_gap
        self.highs.setOptionValue("mip_rel_gap", float(gap))
        if self.options.threads is not None:
            # HiGHS's thread pool is shared by the process: a new size needs a new pool.
            highspy.Highs.resetGlobalScheduler(True)
            self.highs.setOptionValue("threads", int(self.options.threads))
        # the arrays straight to HiGHS: a HighsLp built first would be one more copy of the whole model
        # every column's kind, also for an LP (HiGHS reads an empty array as one of num_col entries)
        integrality = np.where(compiled.integer, int(highspy.HighsVarType.kInteger),
                               int(highspy.HighsVarType.kContinuous)).astype(np.int32)
        self.highs.passModel(compiled.num_col, compiled.num_row, len(compiled.a_value),
                             int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
                             np.zeros(compiled.num_col), compiled.col_lower, compiled.col_upper,
                             compiled.row_lower, compiled.row_upper, compiled.a_start, compiled.a_index,
                             compiled.a_value, integrality)
        # the compiled rows' and columns' bounds as HiGHS holds them now, kept here so reading them costs no call
        self._row_lower, self._row_upper = _as_highs(compiled.row_lower), _as_highs(compiled.row_upper)
        self._col_lower, self._col_upper = _as_highs(compiled.col_lower), _as_highs(compiled.col_upper)
        self.integer = compiled.integer.copy()
        self.sense = MAXIMIZE
        self.face = False
        """True while :meth:`restrict_to_face` or :meth:`set_aside` holds bounds the copies above do not show."""

    # -- changes -----------------------------------------------------------------
    def set_objective(self, vector: np.ndarray, offset: float, sense: str) -> None:
        """Replace the cost vector, its constant and the direction."""
        n = len(vector)
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(vector, dtype=float))
        self.highs.changeObjectiveOffset(float(offset))
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize if sense == MAXIMIZE
                                        else highspy.ObjSense.kMinimize)
        self.sense = sense

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """New bounds of one row."""
        lower, upper = _finite(lower, -INF), _finite(upper, INF)
        self.highs.changeRowBounds(row, lower, upper)
        if row < len(self._row_lower):
            self._row_lower[row], self._row_upper[row] = _as_highs_one(lower), _as_highs_one(upper)

    def set_rows_bounds(self, rows: np.ndarray, lower: float, upper: float) -> None:
        """The same bounds for many rows at once."""
        rows = np.asarray(rows, dtype=np.int32)
        lower, upper = _finite(lower, -INF), _finite(upper, INF)
        self.highs.changeRowsBounds(len(rows), rows, np.full(len(rows), lower), np.full(len(rows), upper))
        kept = rows[rows < len(self._row_lower)]
        self._row_lower[kept], self._row_upper[kept] = _as_highs_one(lower), _as_highs_one(upper)

    def set_col_bounds(self, col: int, lower: float | None, upper: float | None) -> None:
        """New bounds of one column (``None``: unbounded)."""
        lower, upper = _finite(lower, -INF), _finite(upper, INF)
        self.highs.changeColBounds(col, lower, upper)
        if col < len(self._col_lower):
            self._col_lower[col], self._col_upper[col] = _as_highs_one(lower), _as_highs_one(upper)

    def set_col_bounds_all(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """New bounds of the first ``len(lower)`` columns at once."""
        n = len(lower)
        lower, upper = np.maximum(lower, -INF), np.minimum(upper, INF)
        self.highs.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)
        kept = min(n, len(self._col_lower))
        self._col_lower[:kept], self._col_upper[:kept] = _as_highs(lower[:kept]), _as_highs(upper[:kept])

    def set_coefficient(self, row: int, col: int, value: float) -> None:
        """One matrix entry (a new entry where there was none; 0 removes one)."""
        self.highs.changeCoeff(row, col, float(value))

    def set_extra_rows(self, rows: list[tuple[np.ndarray, float, float]]) -> None:
        """Rows after the compiled model's, ``lower <= vector @ x <= upper``, replacing the previous extra rows.

        A session's holds (a later phase keeps what an earlier one reached);
        solutions report the compiled model's rows only.
        """
        base, count = self.compiled.num_row, self.highs.getNumRow()
        if count > base:
            self.highs.deleteRows(count - base, np.arange(base, count, dtype=np.int32))
        for vector, lower, upper in rows:
            cols = np.flatnonzero(vector)
            if len(cols):
                self.highs.addRow(_finite(lower, -INF), _finite(upper, INF), len(cols), cols.astype(np.int32),
                                  np.asarray(vector, dtype=float)[cols])

    def row_entries(self, row: int) -> dict[int, float]:
        """The nonzero entries of a row, column to value."""
        _, _, _, count = self.highs.getRow(row)  # status, lower, upper, number of entries
        if not count:
            return {}
        _, cols, values = self.highs.getRowEntries(row)
        return dict(zip((int(c) for c in cols), (float(v) for v in values), strict=True))

    def set_integrality(self, integer: np.ndarray) -> None:
        """Which columns are integer (all at once)."""
        cols = np.flatnonzero(self.compiled.integer)
        if len(cols):
            kinds = np.array([highspy.HighsVarType.kInteger if integer[j] else highspy.HighsVarType.kContinuous
                              for j in cols])
            self.highs.changeColsIntegrality(len(cols), cols.astype(np.int32), kinds)
        self.integer = integer.copy()

    def add_columns(self, rows: np.ndarray, values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> int:
        """Append one column per entry (``values[k]`` in row ``rows[k]``, cost 0); returns the first new index."""
        first = self.highs.getNumCol()
        count = len(rows)
        if count:
            self.highs.addCols(count, np.zeros(count), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float),
                               count, np.arange(count, dtype=np.int32), np.asarray(rows, dtype=np.int32),
                               np.asarray(values, dtype=float))
        return first

    def add_block(self, block: Block, solution: Solution | None = None) -> Solution | None:
        """Append a block's columns and rows (see :meth:`CompiledModel.block`), at cost 0.

        With ``solution``, a solve of the model without the block that has a
        plan, the basis HiGHS held is extended to the block (see
        :func:`extended_basis`: an optimum and its duals stay optimal), and
        the solution is returned for the whole model, as a solve would give
        it. Adding rows alone makes HiGHS start afresh: 1,7 s more at 342
        municipalities (measured). ``None`` without ``solution``, or when a
        new row cannot be mended (a solve must then find the plan).
        """
        basis = self.highs.getBasis() if solution is not None else None
        count = len(block.columns)
        if count:
            self.highs.addCols(count, np.zeros(count), block.col_lower, block.col_upper, 0,
                               np.zeros(count, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
            integer = np.flatnonzero(block.integer)
            if len(integer):
                self.highs.changeColsIntegrality(len(integer), (integer + block.first_col).astype(np.int32),
                                                 np.full(len(integer), highspy.HighsVarType.kInteger))
        if block.num_row:
            order = np.argsort(block.entry_rows, kind="stable")  # row-wise, as addRows takes them
            rows = block.entry_rows[order] - block.first_row
            starts = np.searchsorted(rows, np.arange(block.num_row)).astype(np.int32)
            self.highs.addRows(block.num_row, block.row_lower, block.row_upper, len(order), starts,
                               block.entry_cols[order], block.entry_values[order])
        self._row_lower = np.concatenate((self._row_lower, _as_highs(block.row_lower)))
        self._row_upper = np.concatenate((self._row_upper, _as_highs(block.row_upper)))
        self._col_lower = np.concatenate((self._col_lower, _as_highs(block.col_lower)))
        self._col_upper = np.concatenate((self._col_upper, _as_highs(block.col_upper)))
        self.integer = np.concatenate((self.integer, block.integer))
        if basis is None or not basis.valid:
            return None
        extension = extended_basis(basis, solution.x, block)
        self.highs.setBasis(basis)
        return _whole(solution, extension) if extension.feasible else None

    def drop_columns_from(self, first: int) -> None:
        """Delete the columns from index ``first`` on (those :meth:`add_columns` appended)."""
        count = self.highs.getNumCol() - first
        if count > 0:
            self.highs.deleteCols(count, np.arange(first, first + count, dtype=np.int32))

    def row_bounds(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Current lower and upper bounds of the given compiled rows (as changed in place since the build)."""
        rows = np.asarray(rows, dtype=np.int64)
        return self._row_lower[rows], self._row_upper[rows]

    def col_bounds(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Current lower and upper bounds of the given compiled columns."""
        cols = np.asarray(cols, dtype=np.int64)
        return self._col_lower[cols], self._col_upper[cols]

    @property
    def is_mip(self) -> bool:
        """True while some column is integer."""
        return bool(self.integer.any())

    def write(self, path: Path) -> None:
        """The model as HiGHS holds it, in ``.lp`` or ``.mps`` (by the file's extension), with readable names."""
        compiled = self.compiled
        for j, var in enumerate(compiled.columns):
            self.highs.passColName(j, _safe_name(var.name, "c", j))
        for r, (family, index) in enumerate(compiled.row_keys):
            self.highs.passRowName(r, _safe_name(_key_name(family, index), "r", r))
        status = self.highs.writeModel(str(path))
        if status == highspy.HighsStatus.kError:
            raise OSError(f"HiGHS could not write the model to {path}")

    @contextmanager
    def options_set(self, **values):
        """HiGHS options (by their HiGHS names) set within the block, restored after it."""
        saved = {name: self.highs.getOptionValue(name)[1] for name in values}
        for name, value in values.items():
            self.highs.setOptionValue(name, value)
        try:
            yield
        finally:
            for name, value in saved.items():
                self.highs.setOptionValue(name, value)

    def start_from(self, x: np.ndarray) -> None:
        """Offer column values ``x`` as the next MIP solve's starting plan (HiGHS ignores it when infeasible)."""
        start = highspy.HighsSolution()
        start.col_value = np.asarray(x, dtype=float).tolist()
        start.value_valid = True
        self.highs.setSolution(start)

    # -- solving -----------------------------------------------------------------
    def solve(self, time_limit: float | None, prices: bool = False, warm: bool = True,
              duals: bool = False) -> Solution:
        """Run HiGHS warm from the current state; with ``prices``, duals and right-hand-side ranging too.

        ``duals`` gives an optimal LP's duals and reduced costs without the
        ranging (what :meth:`restrict_to_face` needs).

        ``warm=False`` forgets the basis first, so presolve runs: much faster
        when many columns were just fixed (a basis makes HiGHS skip presolve).
        """
        started = time.perf_counter()
        if not warm:
            self.highs.clearSolver()
        self.highs.setOptionValue("time_limit", float(max(time_limit, 0.01)) if time_limit is not None else INF)
        self.highs.run()
        status = _status(self.highs.getModelStatus())
        info = self.highs.getInfo()
        feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        has_solution = feasible and status != UNBOUNDED
        solution = Solution(status=status, has_solution=has_solution)
        if has_solution:
            result = self.highs.getSolution()
            solution.x = np.asarray(result.col_value, dtype=float)
            rows = self.compiled.num_row  # without the extra rows
            solution.activity = np.asarray(result.row_value, dtype=float)[:rows]
            solution.objective = float(info.objective_function_value)
            if self.is_mip:
                solution.bound = float(info.mip_dual_bound)
                solution.gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
            else:
                solution.gap = 0.0 if status == OPTIMAL else None
            if (prices or duals) and not self.is_mip and status == OPTIMAL:
                solution.row_dual = np.asarray(result.row_dual, dtype=float)[:rows]
                solution.col_dual = np.asarray(result.col_dual, dtype=float)
            if prices and solution.row_dual is not None:
                solution.rhs_down, solution.rhs_up, solution.row_basic = self._ranging()
        solution.seconds = time.perf_counter() - started
        return solution

    def restrict_to_face(self, solution: Solution) -> int:
        """Keep only the optimal plans of the LP ``solution`` solved: its optimal face.

        By complementary slackness every optimal plan holds a column whose
        reduced cost is not zero at the bound where ``solution`` has it, and
        a row whose dual is not zero at its bound; so fixing those leaves
        exactly the optimal plans, and HiGHS's presolve takes the fixed part
        out of the next solve. A reduced cost within HiGHS's dual feasibility
        tolerance (:data:`FACE_TOLERANCE`) counts as zero: such a column stays
        free (at worst a tie is kept that was none). Undone by :meth:`lift_face`.
        Returns the number of columns and rows fixed.
        """
        cols = np.flatnonzero(np.abs(solution.col_dual[:len(self._col_lower)]) > FACE_TOLERANCE).astype(np.int32)
        at = np.clip(solution.x[cols], self._col_lower[cols], self._col_upper[cols])
        self.highs.changeColsBounds(len(cols), cols, at, at)
        rows = np.flatnonzero(np.abs(solution.row_dual) > FACE_TOLERANCE).astype(np.int32)
        at = np.clip(solution.activity[rows], self._row_lower[rows], self._row_upper[rows])
        self.highs.changeRowsBounds(len(rows), rows, at, at)
        self.face = True
        return len(cols) + len(rows)

    def set_aside(self, cols: np.ndarray, rows: np.ndarray) -> None:
        """Take columns and rows out of the model until :meth:`lift_face`: the columns fixed at 0, the rows free.

        For columns that rest at 0 and rows that bound nothing else (the
        later phases' rows, see :meth:`models.session.Session.prices_at`).
        """
        at = np.clip(0.0, self._col_lower[cols], self._col_upper[cols])
        self.highs.changeColsBounds(len(cols), cols, at, at)
        self.highs.changeRowsBounds(len(rows), rows, np.full(len(rows), -INF), np.full(len(rows), INF))
        self.face = True

    def lift_face(self) -> None:
        """Give every compiled row and column the bounds it had before :meth:`restrict_to_face`."""
        if not self.face:
            return
        cols, rows = len(self._col_lower), len(self._row_lower)
        self.highs.changeColsBounds(cols, np.arange(cols, dtype=np.int32), self._col_lower, self._col_upper)
        self.highs.changeRowsBounds(rows, np.arange(rows, dtype=np.int32), self._row_lower, self._row_upper)
        self.face = False

    def irreducible_infeasible_subset(self, time_limit: float | None) -> tuple[list | None, list | None]:
        """Rows and columns whose bounds cannot hold together, each as ``(index, side)``.

        ``side`` is ``lower``, ``upper`` or both (a fixed bound gives two
        entries). ``(None, None)`` when HiGHS finds no such set (the model is
        feasible as it stands, or the search ran out of time).
        """
        self.highs.setOptionValue("time_limit", float(max(time_limit, 0.01)) if time_limit is not None else INF)
        self.highs.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyIrreducible))
        status, iis = self.highs.getIis()
        if status != highspy.HighsStatus.kOk or not iis.valid_ or not (len(iis.row_index_) or len(iis.col_index_)):
            return None, None
        return (_sides(iis.row_index_, iis.row_bound_), _sides(iis.col_index_, iis.col_bound_))

    def _ranging(self) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """How far each binding row's bound may fall and rise keeping the basis, and which rows are basic.

        ``inf`` means unlimited. HiGHS's row-bound ranging describes a basic row in a form that is not
        "how far may the right-hand side move at this price" (it gave a room
        of 6,000 as a fall of -6,000): for such a row the caller derives the
        range from its slack (:meth:`models.tables.PlanValues.rhs_range`).
        A row free on both sides gets ``nan``.
        """
        status, ranging = self.highs.getRanging()
        if status != highspy.HighsStatus.kOk or not ranging.valid:
            return None, None, None
        rows = self.compiled.num_row
        # the bounds kept beside the model, not getLp(): that copies the whole model (matrix and all) out of HiGHS
        upper, lower = self._row_upper[:rows], self._row_lower[:rows]
        current = np.where(upper < INF, upper, np.where(lower > -INF, lower, np.nan))
        down = np.asarray(ranging.row_bound_dn.value_, dtype=float)[:rows]
        up = np.asarray(ranging.row_bound_up.value_, dtype=float)[:rows]
        del ranging
        with np.errstate(invalid="ignore"):
            fall = np.where(down <= -INF, np.inf, np.maximum(current - down, 0.0))
            rise = np.where(up >= INF, np.inf, np.maximum(up - current, 0.0))
        basis = self.highs.getBasis()
        basic = np.array([s == highspy.HighsBasisStatus.kBasic for s in basis.row_status[:rows]], dtype=bool)
        free = np.isnan(current)
        fall[free], rise[free] = np.nan, np.nan
        return fall, rise, basic


IIS_SIDES = {int(highspy.IisBoundStatus.kIisBoundStatusLower): ("lower",),
             int(highspy.IisBoundStatus.kIisBoundStatusUpper): ("upper",),
             int(highspy.IisBoundStatus.kIisBoundStatusBoxed): ("lower", "upper")}


BASIS_KINDS = (highspy.HighsBasisStatus.kLower, highspy.HighsBasisStatus.kBasic, highspy.HighsBasisStatus.kUpper,
               highspy.HighsBasisStatus.kZero)
LOWER, BASIC, UPPER, ZERO = range(4)


@dataclass
class Extension:
    """What :func:`extended_basis` made of a block: its columns' values, its rows' values and which rows are basic."""

    values: np.ndarray
    activity: np.ndarray
    basic_rows: np.ndarray
    feasible: bool
    """Every new row holds at these values (else a solve must mend the rest)."""


def extended_basis(basis: highspy.HighsBasis, x: np.ndarray, block: Block) -> Extension:
    """Extend ``basis`` (at column values ``x``) in place to a block's columns and rows, keeping it optimal.

    A new column rests at a bound (0 for the change columns). A new row the
    plan already satisfies gets its slack basic. A new row it does not
    satisfy gets basic a new column that appears in that row alone and can
    take the difference within its bounds (in a deviation row, the change up
    or down); the row then rests at the bound it reaches. Each basic new
    column sits in its own row, so the basis stays regular; the new columns
    cost nothing in the objective solved, so every dual stays as it was and
    the new rows' duals are 0. A row no column can mend keeps its slack
    basic, and the extension is not feasible.
    """
    first, count = block.first_col, len(block.columns)
    lower, upper = block.col_lower, block.col_upper
    rest = np.where(np.isfinite(lower), LOWER, np.where(np.isfinite(upper), UPPER, ZERO))
    values = np.where(rest == LOWER, lower, np.where(rest == UPPER, upper, 0.0))
    # the block's entries: row (from 0), column, coefficient; ``own`` is a new column's index in the block
    row, col, coef = block.entry_rows - block.first_row, block.entry_cols, block.entry_values
    new = col >= first
    own = np.maximum(col - first, 0)  # 0 for an old column: only read where ``new``
    old = x[np.minimum(col, len(x) - 1)]  # an old column's value (only read where not ``new``)
    activity = _activity(block, row, coef, np.where(new, values[own], old))
    tolerance = 1e-9 * (1.0 + np.abs(activity))
    below, above = activity < block.row_lower - tolerance, activity > block.row_upper + tolerance
    target = np.where(below, block.row_lower, np.where(above, block.row_upper, np.nan))
    alone = np.bincount(own[new], minlength=count) == 1  # a new column in one row only
    candidate = new & alone[own] & ~np.isnan(target[row])
    column = own[candidate]
    value = values[column] + (target[row[candidate]] - activity[row[candidate]]) / coef[candidate]
    fits = (value >= lower[column] - 1e-9) & (value <= upper[column] + 1e-9)
    mended, first_fit = np.unique(row[candidate][fits], return_index=True)
    col_codes, row_codes = rest.copy(), np.full(block.num_row, BASIC)
    chosen = column[fits][first_fit]
    col_codes[chosen] = BASIC
    values[chosen] = value[fits][first_fit]
    row_codes[mended] = np.where(below[mended], LOWER, UPPER)
    basis.col_status = list(basis.col_status) + [BASIS_KINDS[k] for k in col_codes]
    basis.row_status = list(basis.row_status) + [BASIS_KINDS[k] for k in row_codes]
    activity = _activity(block, row, coef, np.where(new, values[own], old))  # with the mended columns' values
    return Extension(values, activity, row_codes == BASIC, len(mended) == int(np.count_nonzero(below | above)))


def _activity(block: Block, row: np.ndarray, coef: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Each new row's value with its entries' columns at ``at``."""
    return np.bincount(row, weights=coef * at, minlength=block.num_row)


def _whole(solution: Solution, extension: Extension) -> Solution:
    """``solution`` of a model without a block, for the model with it (see :func:`extended_basis`).

    The new rows' and columns' duals are 0; their ranges are unknown
    (``nan``), as no table shows them.
    """
    rows, cols = len(extension.activity), len(extension.values)
    return replace(solution, x=np.concatenate((solution.x, extension.values)),
                   activity=np.concatenate((solution.activity, extension.activity)),
                   row_dual=_more(solution.row_dual, rows, 0.0), col_dual=_more(solution.col_dual, cols, 0.0),
                   rhs_down=_more(solution.rhs_down, rows, np.nan), rhs_up=_more(solution.rhs_up, rows, np.nan),
                   row_basic=None if solution.row_basic is None
                   else np.concatenate((solution.row_basic, extension.basic_rows)))


def _more(array: np.ndarray | None, count: int, fill: float) -> np.ndarray | None:
    return None if array is None else np.concatenate((array, np.full(count, fill)))


def _sides(indices, bounds) -> list[tuple[int, str]]:
    """``(index, side)`` for each bound an IIS holds (a free or dropped bound is not part of the conflict)."""
    return [(int(k), side) for k, b in zip(indices, bounds, strict=True) for side in IIS_SIDES.get(int(b), ())]


def _as_highs(values):
    """Bounds as HiGHS stores them: from its infinite bound (1e20) on, infinite."""
    values = np.asarray(values, dtype=float)
    return np.where(np.abs(values) >= INFINITE_BOUND, np.copysign(np.inf, values), values)


def _as_highs_one(value: float) -> float:
    """One bound as HiGHS stores it (see :func:`_as_highs`)."""
    return math.copysign(math.inf, value) if abs(value) >= INFINITE_BOUND else value


INFINITE_BOUND = 1e20
"""HiGHS's option ``infinite_bound``: bounds of this size and above count as infinite."""


def _status(model_status) -> str:
    status = highspy.HighsModelStatus
    if model_status == status.kOptimal:
        return OPTIMAL
    if model_status == status.kInfeasible:
        return INFEASIBLE
    if model_status == status.kUnbounded:
        return UNBOUNDED
    if model_status == status.kUnboundedOrInfeasible:
        return INFEASIBLE_OR_UNBOUNDED
    if model_status in (status.kTimeLimit, status.kIterationLimit, status.kSolutionLimit, status.kInterrupt):
        return TIME_LIMIT
    return ERROR


def _key_name(family: str, index) -> str:
    """``budget[PB,2021]``: a row's name in Pyomo's form, from its family and index."""
    if index is None:
        return family
    return f"{family}[{','.join(map(str, index if isinstance(index, tuple) else (index,)))}]"


def _safe_name(name: str, prefix: str, k: int) -> str:
    """A name the LP and MPS formats accept (HiGHS drops all names if one has a bracket), unique by its number."""
    kept = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in name).strip("_")
    while "__" in kept:
        kept = kept.replace("__", "_")
    return f"{kept[:200] or prefix}_{k}"


def solver_version() -> str:
    """'HiGHS x.y.z'."""
    h = new_highs()
    return f"HiGHS {h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
