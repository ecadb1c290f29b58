"""Work off the GUI thread: a callable runs in a daemon thread, its outcome comes to the GUI.

:class:`Job` runs one callable once (an export, a model import, a dataset, loading Keras);
:class:`JobQueue` runs keyed jobs one at a time in one long-lived thread (the Inspect
dock's worker, where Keras keeps per-thread state): a new job replaces a queued one of the
same key, so the latest wins, and what a job delivers after a newer job of its key was
submitted is dropped as stale. Both deliver ``finished`` (what the callable returned),
``failed`` (the exception it raised) and ``progress`` (what it passed to its ``report``
argument) through queued signals, so their receivers run in the GUI thread and no Qt
object is touched from a worker. A running callable cannot be interrupted (Keras has no
way to stop a load halfway): :meth:`Job.cancel` drops whatever it delivers afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

#: What a job's callable gets as ``report`` when it reports progress.
Report = Callable[[Any], None]


class Job(QObject):
    """``fn(*args)`` run once in a daemon thread; ``finished``/``failed``/``progress`` in the GUI.

    With ``report=True`` the callable is given a ``report(value)`` function first, and each
    value arrives through ``progress``.
    """

    finished = Signal(object)  # what fn returned
    failed = Signal(object)  # the exception fn raised
    progress = Signal(object)  # a value fn reported
    ended = Signal()  # after finished or failed, and also when the thread of a cancelled job ends
    _delivered = Signal(str, object)

    def __init__(
        self,
        fn: Callable[..., Any],
        *args: Any,
        name: str = "guibuilder-job",
        report: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fn, self._args, self._report = fn, args, report
        self.cancelled = False
        self.done = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        """Whether the worker thread is still at work (also after a cancel)."""
        return self._thread.is_alive()

    @property
    def pending(self) -> bool:
        """Whether the job has started and its outcome has not been delivered yet."""
        return self._thread.ident is not None and not self.done and not self.cancelled

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Deliver nothing more (the thread ends on its own)."""
        self.cancelled = True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker thread ends (tests, shutdown); False on timeout."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(self) -> None:
        args = (self._send_progress, *self._args) if self._report else self._args
        try:
            value = self._fn(*args)
        except Exception as exc:  # handed to the GUI thread, which reports it
            self._delivered.emit("failed", exc)
        else:
            self._delivered.emit("finished", value)

    def _send_progress(self, value: Any) -> None:
        self._delivered.emit("progress", value)

    def _deliver(self, what: str, value: Any) -> None:
        if what == "progress":
            if not (self.cancelled or self.done):
                self.progress.emit(value)
            return
        cancelled, self.done = self.cancelled, True
        if not cancelled:
            (self.finished if what == "finished" else self.failed).emit(value)
        self.ended.emit()


class JobQueue(QObject):
    """Keyed jobs run one at a time in one daemon thread; the latest job of a key wins.

    ``first`` names keys that run before any other queued job, in that order; the others
    run in the order they were first queued. Each signal carries the job's key.
    """

    finished = Signal(str, object)
    failed = Signal(str, object)
    progress = Signal(str, object)
    _delivered = Signal(str, str, int, object)

    def __init__(
        self, name: str, first: tuple[str, ...] = (), parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.first = first
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._jobs: dict[str, tuple[int, Callable[..., Any], tuple[Any, ...]]] = {}
        self._latest: dict[str, int] = {}
        self._count = 0
        self._thread: threading.Thread | None = None
        self._closed = False
        self._busy = False
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def submit(self, key: str, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(report, *args)`` as ``key``, replacing a queued job of that key."""
        with self._lock:
            if self._closed:
                return
            self._count += 1
            self._latest[key] = self._count
            self._jobs[key] = (self._count, fn, args)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
        self._wake.set()

    def idle(self) -> bool:
        """Whether no job is queued or running."""
        with self._lock:
            return not self._jobs and not self._busy

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread after the job it is running; nothing more is delivered."""
        with self._lock:
            self._closed = True
            self._jobs.clear()
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def _next(self) -> tuple[str, int, Callable[..., Any], tuple[Any, ...]] | None:
        with self._lock:
            for key in (*self.first, *self._jobs):
                if key in self._jobs:
                    number, fn, args = self._jobs.pop(key)
                    self._busy = True
                    return key, number, fn, args
            self._busy = False
            self._wake.clear()
            return None

    def _loop(self) -> None:
        while not self._closed:
            job = self._next()
            if job is None:
                self._wake.wait()
                continue
            key, number, fn, args = job

            def report(value: Any, key: str = key, number: int = number) -> None:
                self._delivered.emit("progress", key, number, value)

            try:
                value = fn(report, *args)
            except Exception as exc:  # handed to the GUI thread
                self._delivered.emit("failed", key, number, exc)
            else:
                self._delivered.emit("finished", key, number, value)

    def _deliver(self, what: str, key: str, number: int, value: Any) -> None:
        if self._closed or self._latest.get(key) != number:
            return  # the queue closed, or a newer job of this key was asked for
        getattr(self, what).emit(key, value)
