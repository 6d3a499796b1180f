"""Where a result goes: checking the target before a run, and writing it atomically.

A workbook is written to a hidden temporary file beside the target and then
moved into place, so that a good result is never replaced by a half-written
one and the input is never overwritten. Each way the target can be wrong (a
folder, an empty name, another extension, a read-only folder, a file open
in Excel) gets a Dutch message. The temporary file is removed on every way
out, a termination signal included (the CLI turns SIGTERM into an exception
so that the ``finally`` below runs); one left behind by a killed process is
swept on the next write into that folder.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from optimiser.problems import InputError, Problem

SUFFIX = ".xlsx"
TEMPORARY_PREFIX = ".~optimiser-"
STALE_SECONDS = 15 * 60
"""A temporary file this old belongs to no save still running: a save takes seconds."""


def _refuse(message: str) -> InputError:
    return InputError([Problem(None, None, message)])


def result_target(target: Path | str, source: Path | None = None) -> Path:
    """The result file ``target`` names, or an :class:`InputError` saying why it cannot be written.

    A name without an extension gets ``.xlsx``; another extension is refused
    (the result is always an Excel workbook).
    """
    if str(target).strip() == "":
        raise _refuse("Geen naam voor het resultaatbestand opgegeven (-o is leeg). Kies bijvoorbeeld -o "
                      "resultaat.xlsx.")
    path = Path(target)
    if path.is_dir() or str(target).endswith(("/", os.sep)):
        raise _refuse(f"'{target}' is een map, geen bestand. Kies een bestandsnaam, bijvoorbeeld "
                      f"-o {path / 'resultaat.xlsx'}.")
    if path.suffix == "":
        path = path.with_name(path.name + SUFFIX)
    elif path.suffix.lower() != SUFFIX:
        raise _refuse(f"'{path.name}' heeft de extensie '{path.suffix}', maar het resultaat is een Excel-werkmap. "
                      f"Kies een naam op {SUFFIX}, bijvoorbeeld {path.with_suffix(SUFFIX).name}.")
    path = path.resolve()
    if source is not None and path.exists() and Path(source).exists() and os.path.samefile(path, source):
        raise _refuse(f"Het resultaat zou het invoerbestand '{path.name}' overschrijven; kies een andere naam met -o.")
    folder = _existing_parent(path)
    if not folder.is_dir():
        raise _refuse(f"'{folder}' is geen map; het resultaat kan daar niet worden geschreven.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(f"In de map '{folder}' mag niet worden geschreven (alleen-lezen). Kies een andere map met -o.")
    return path


def _existing_parent(path: Path) -> Path:
    """The nearest folder above ``path`` that exists (missing folders are created when writing)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def save_atomically(write: Callable[[Path], object], target: Path, protect: Path | None = None) -> Path:
    """Let ``write`` write a workbook to a temporary file beside ``target``, then replace ``target`` with it.

    Refuses to write over ``protect`` (the input). A target locked by Excel,
    a read-only folder or a full disk gives a Dutch message; on any error or
    interruption nothing half-written is left behind. The file gets the usual
    mode for a new file (``tempfile.mkstemp`` alone would leave it readable
    by its owner only).
    """
    target = result_target(target, protect)
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep(target.parent)
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=SUFFIX, dir=target.parent)
        os.close(handle)
        write(Path(temporary))
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except PermissionError:
        raise _refuse(f"'{target}' kan niet worden geschreven: het bestand is in gebruik (open in Excel?) of de map "
                      "is alleen-lezen. Sluit het bestand of kies een andere naam met -o.") from None
    except OSError as error:
        raise _refuse(f"'{target}' kan niet worden geschreven ({error.strerror or 'schrijffout'}; bijvoorbeeld een "
                      "volle schijf of een te lange naam). Kies een andere plek met -o.") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
    return target


def sweep(folder: Path) -> list[Path]:
    """Remove temporary files of earlier saves that were killed; returns what was removed."""
    removed = []
    now = time.time()
    for path in folder.glob(f"{TEMPORARY_PREFIX}*{SUFFIX}"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink()
                removed.append(path)
    return removed


def _umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask
