"""What the window keeps of a run as it goes, and of past runs. No Qt.

:class:`LiveRun` collects a run's events into the series the plots show: each batch's loss
with a smoothed line (an exponential moving average, corrected for its start), and the
epoch history. :class:`RunHistories` reads past runs' histories, again only when a file
changed; :func:`run_label` is a past run's two lines in a list.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from guibuilder.errors import GuibuilderError
from guibuilder.training.events import BatchEvent, EpochEvent, StartedEvent

#: Weight of the newest batch in the smoothed loss line.
SMOOTHING = 0.1


class LiveRun:
    """A run's curves so far; ``dirty_batches``/``dirty_epochs`` say what changed since drawn."""

    def __init__(self) -> None:
        self.steps = 1
        self.epochs = 1
        self.batch_x: list[float] = []
        self.batch_raw: list[float] = []
        self.batch_smooth: list[float] = []
        self.history: dict[str, list[float]] = {}
        self.dirty_batches = False
        self.dirty_epochs = False
        self._ema = 0.0
        self._ema_n = 0

    def started(self, event: StartedEvent) -> None:
        self.steps = max(1, event.steps_per_epoch)
        self.epochs = event.epochs

    def position(self, epoch: int, step: int) -> int:
        """Batches done at ``step`` of ``epoch`` (both from one), for a progress bar."""
        return (epoch - 1) * self.steps + step

    def add_batch(self, event: BatchEvent) -> None:
        loss = float(event.loss)
        self.batch_x.append(event.global_step / self.steps)
        self.batch_raw.append(loss)
        if math.isfinite(loss):
            self._ema_n += 1
            self._ema = (1 - SMOOTHING) * self._ema + SMOOTHING * loss
            self.batch_smooth.append(self._ema / (1 - (1 - SMOOTHING) ** self._ema_n))
        else:
            self.batch_smooth.append(math.nan)
        self.dirty_batches = True

    def add_epoch(self, event: EpochEvent) -> bool:
        """Add a whole epoch's logs to the history; False (and nothing added) for a partial one."""
        if event.partial:
            return False
        self.history.setdefault("epoch", []).append(float(event.epoch))
        for key, value in event.logs.items():
            self.history.setdefault(key, []).append(float(value))
        self.dirty_epochs = True
        return True


def duration_text(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``; ``unknown`` for a time that is not one."""
    if not math.isfinite(seconds) or seconds < 0:
        return "unknown"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunHistories:
    """Past runs' histories, each read again only when its history file has changed."""

    def __init__(self) -> None:
        #: Run folder -> (history file's mtime and size, its history).
        self._cache: dict[Path, tuple[tuple[int, int] | None, dict[str, Any]]] = {}

    def read(self, paths: list[Path]) -> list[dict[str, list[float]]]:
        """The histories of ``paths`` (empty for an unreadable one); others are forgotten."""
        from guibuilder.training import read_history
        from guibuilder.training.runs import HISTORY

        known, self._cache = self._cache, {}
        found = []
        for path in paths:
            try:
                info = (path / HISTORY).stat()
                stamp: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
            except OSError:
                stamp = None
            cached = known.get(path)
            if cached is None or cached[0] != stamp:
                try:
                    cached = (stamp, read_history(path))
                except GuibuilderError:
                    cached = (stamp, {})
            self._cache[path] = cached
            found.append(cached[1])
        return found


def run_label(path: Path, history: dict[str, list[float]]) -> str:
    """A run folder in two lines: its name and time, then its epochs and last loss."""
    stamp, _, name = path.name.partition("-")
    clock, _, name = name.partition("-")
    when = f"{clock[:2]}:{clock[2:4]}:{clock[4:6]}" if len(clock) == 6 else stamp
    epochs = len(history.get("epoch", []))
    key = "val_loss" if history.get("val_loss") else "loss"
    tail = f"{key} {history[key][-1]:.3g}" if history.get(key) else "no epoch"
    return f"{name or path.name}  {when}\n{epochs} epoch{'s' if epochs != 1 else ''} · {tail}"
