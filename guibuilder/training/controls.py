"""The events a caller uses to steer a run from another thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Controls:
    """``stop`` asks the run to end; ``running`` is cleared while the run should pause.

    A paused run can also be let through one batch at a time: :meth:`grant_step` allows one
    more batch and keeps the run paused after it (step mode). The training thread asks
    :meth:`take_step` before a batch and blocks in :meth:`wait` while there is nothing to do.
    """

    stop: threading.Event = field(default_factory=threading.Event)
    running: threading.Event = field(default_factory=threading.Event)
    _granted: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.running.set()

    @property
    def steps_granted(self) -> int:
        """Batches granted by :meth:`grant_step` and not yet begun."""
        with self._changed:
            return self._granted

    def grant_step(self, count: int = 1) -> None:
        """Pause the run, then let exactly ``count`` more batches through."""
        with self._changed:
            self.running.clear()
            self._granted += max(0, count)
            self._changed.notify_all()

    def take_step(self) -> bool:
        """Use up one granted batch; False when none is granted."""
        with self._changed:
            if self._granted <= 0:
                return False
            self._granted -= 1
            return True

    def pause(self) -> None:
        """Hold the run before its next batch (steps granted so far still go through)."""
        with self._changed:
            self.running.clear()

    def resume(self) -> None:
        """Run freely again; steps not yet taken are dropped."""
        with self._changed:
            self._granted = 0
            self.running.set()
            self._changed.notify_all()

    def halt(self) -> None:
        """Ask the run to end, waking it up if it is paused."""
        with self._changed:
            self.stop.set()
            self.running.set()
            self._changed.notify_all()

    def may_go(self) -> bool:
        """Whether the next batch may begin now: running, stopping, or a step granted."""
        with self._changed:
            return self.running.is_set() or self.stop.is_set() or self._granted > 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the next batch may begin (see :meth:`may_go`); False on timeout."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self.running.is_set() or self.stop.is_set() or self._granted > 0,
                timeout,
            )
