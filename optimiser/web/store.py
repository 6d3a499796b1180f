"""Uploaded runs kept for a while: each under an unguessable id, its files under generated names.

The client's file name is kept only as a label (its last part, restricted to
plain characters); it never becomes a path. A run is forgotten, and its
folder deleted, a set time after its upload.
"""

from __future__ import annotations

import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from optimiser.web.jobs import Job

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
RESULT_FILE = "resultaat.xlsx"
DEFAULT_NAME = "werkmap.xlsx"


def new_id() -> str:
    """32 URL-safe characters from 24 random bytes (192 bits)."""
    return secrets.token_urlsafe(24)


def safe_name(client_name: str | None) -> str:
    """The uploaded file's name as a plain label: no folders, only letters, digits and ``. _ -`` and spaces."""
    last = re.split(r"[\\/]", client_name or "")[-1]
    cleaned = re.sub(r"[^\w .-]", "_", last, flags=re.ASCII).strip(" .")[-100:]
    return cleaned or DEFAULT_NAME


@dataclass(eq=False)
class Entry:
    """One upload: its job, its folder and the what-ifs asked on it."""

    id: str
    name: str
    folder: Path
    created: float
    job: Job | None = None
    whatifs: dict[str, Job] = field(default_factory=dict)
    session_lock: threading.Lock = field(default_factory=threading.Lock)
    """What-ifs change the run's session; one at a time."""

    @property
    def result_file(self) -> Path:
        """Where the result workbook is written."""
        return self.folder / RESULT_FILE


class Store:
    """Entries by id under ``root``; each lives ``keep_seconds`` from its upload."""

    def __init__(self, root: Path, keep_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.root, self.keep_seconds, self.clock = Path(root), keep_seconds, clock
        self.root.mkdir(parents=True, exist_ok=True)
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()

    def add(self, client_name: str | None) -> Entry:
        """A new entry with a fresh id and an empty folder."""
        entry_id = new_id()
        folder = self.root / entry_id
        folder.mkdir(mode=0o700)
        entry = Entry(id=entry_id, name=safe_name(client_name), folder=folder, created=self.clock())
        with self._lock:
            self._entries[entry_id] = entry
        return entry

    def get(self, entry_id: str) -> Entry | None:
        """The entry, or ``None`` when the id is malformed, unknown or expired."""
        if not ID_PATTERN.fullmatch(entry_id):
            return None
        self.purge()
        with self._lock:
            return self._entries.get(entry_id)

    def forget(self, entry: Entry) -> None:
        """Drop an entry and delete its folder (an upload that never started)."""
        with self._lock:
            self._entries.pop(entry.id, None)
        shutil.rmtree(entry.folder, ignore_errors=True)

    def purge(self) -> int:
        """Forget every expired entry whose work has finished; how many went."""
        now = self.clock()
        with self._lock:
            expired = [e for e in self._entries.values() if now - e.created > self.keep_seconds and _idle(e)]
            for entry in expired:
                del self._entries[entry.id]
        for entry in expired:
            shutil.rmtree(entry.folder, ignore_errors=True)
        return len(expired)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _idle(entry: Entry) -> bool:
    jobs = [entry.job, *entry.whatifs.values()]
    return all(job is None or job.done.is_set() for job in jobs)
