"""One glibc malloc arena for the whole process.

A run solves with HiGHS on a second thread while Python builds, reads
and writes on the first (:mod:`models.session`, :mod:`optimiser.pipeline`).
glibc gives each thread an arena of its own, and memory one thread frees
does not serve the other: at 342 municipalities the peak rose from 590 to
710 MB (measured). The program's entry points ask for one arena before any
second thread starts; a library user decides for their own process.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the number of arenas (``malloc.h``)."""


def one_arena() -> bool:
    """Ask glibc for a single malloc arena; False where there is no glibc (macOS, Windows, musl)."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        return False
    return bool(mallopt and mallopt(M_ARENA_MAX, 1))
