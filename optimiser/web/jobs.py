"""Solves off the event loop: a fixed pool of worker threads behind a bounded queue.

Threads, not processes: a run's :class:`~models.session.Session` (the
built model and its HiGHS instance) must stay alive for what-ifs, and it
does not pickle. HiGHS and most of the build release the interpreter often
enough for the event loop to keep answering other users while a solve runs.
A full queue is refused at once (:class:`QueueFull`), never waited on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

WAITING, RUNNING, DONE, FAILED = "wachtrij", "bezig", "klaar", "fout"

log = logging.getLogger(__name__)


class QueueFull(Exception):
    """Every worker is busy and the queue holds as many jobs as it may."""


@dataclass(eq=False)
class Job:
    """One piece of work and how far it is; ``value`` is what the work returned."""

    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    state: str = WAITING
    value: object = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def seconds(self) -> float:
        """Seconds spent running so far (or in all, once finished)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started


class Pool:
    """``workers`` threads; at most ``queue`` further jobs wait for one."""

    def __init__(self, workers: int, queue: int):
        if workers < 1 or queue < 0:
            raise ValueError("a pool needs at least one worker and a queue of zero or more")
        self.workers, self.queue = workers, queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="optimiser-rekenen")
        self._lock = threading.Lock()
        self._waiting: list[Job] = []
        self._running = 0

    def submit(self, work: Callable[[], object]) -> Job:
        """Queue ``work``; raises :class:`QueueFull` when there is no room."""
        job = Job()
        with self._lock:
            if self._running + len(self._waiting) >= self.workers + self.queue:
                raise QueueFull
            self._waiting.append(job)
        self._executor.submit(self._run, job, work)
        return job

    def position(self, job: Job) -> int | None:
        """1 for the next job to start; ``None`` when the job is not waiting."""
        with self._lock:
            return self._waiting.index(job) + 1 if job in self._waiting else None

    def _run(self, job: Job, work: Callable[[], object]) -> None:
        with self._lock:
            self._waiting.remove(job)
            self._running += 1
        job.started, job.state = time.monotonic(), RUNNING
        try:
            job.value, job.state = work(), DONE
        except Exception:  # a job's failure is shown as a Dutch message; the details go to the server's log
            log.exception("een berekening is mislukt")
            job.state = FAILED
        finally:
            job.finished = time.monotonic()
            with self._lock:
                self._running -= 1
            job.done.set()

    def shutdown(self) -> None:
        """Let running jobs finish; drop the waiting ones."""
        self._executor.shutdown(wait=True, cancel_futures=True)
