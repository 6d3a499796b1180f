"""Process-wide settings for a run that uses two threads.

A run solves with HiGHS on a second thread while Python builds, reads
and writes on the first (:mod:`models.session`, :mod:`optimiser.pipeline`).
Two settings of the process decide how well that goes, so the program's
entry points make them before any second thread starts; a library user
decides for their own process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the number of arenas (``malloc.h``)."""
SWITCH_INTERVAL = 0.0005
"""Seconds a thread runs Python before one waiting for the lock gets it (Python's default: 0,005)."""


def share_two_cores() -> None:
    """One malloc arena and a short switch interval (see :func:`one_arena` and :data:`SWITCH_INTERVAL`).

    The comparison's Python steps (between its solves) wait for the lock
    while the result workbook is written; at the default interval the
    comparison at 342 municipalities took 16 s beside the writing, at
    0,5 ms 13 s (measured; about 11 s alone).
    """
    one_arena()
    sys.setswitchinterval(SWITCH_INTERVAL)


def one_arena() -> bool:
    """Ask glibc for a single malloc arena; False where there is no glibc (macOS, Windows, musl).

    glibc gives each thread an arena of its own, and memory one thread
    frees does not serve the other: at 342 municipalities the peak rose
    from 590 to 710 MB (measured).
    """
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        return False
    return bool(mallopt and mallopt(M_ARENA_MAX, 1))
