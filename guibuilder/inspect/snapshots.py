"""Activation snapshots taken during training, kept in a bounded history.

A :class:`Snapshot` is what a probe gave at one epoch; :class:`SnapshotHistory` keeps them
oldest first under a count and a byte cap: past either, every other snapshot of the older
half is dropped, so the first epochs stay in view at a coarser step while the latest are
all kept. No Keras and no Qt here: the training callback fills a history in the training
thread, and the window keeps its own for the epoch slider.

In step mode a snapshot is also taken after each stepped batch (``step`` > 0). Such a
step snapshot is only ever the live view: a history keeps at most one, as its newest
entry, outside the caps. The next snapshot of any kind replaces it, so stepping through
an epoch neither floods the history nor thins out the epochs kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Largest magnitude float16 holds; larger activations are kept as float32.
FLOAT16_MAX = float(np.finfo(np.float16).max)


def compact(values: np.ndarray, precision: str = "float16") -> np.ndarray:
    """``values`` as ``precision`` (float16 or float32) to keep memory low.

    float16 is used only where every value fits in its range; otherwise float32.
    """
    array = np.asarray(values)
    if precision == "float16" and array.size:
        finite = array[np.isfinite(array)] if np.issubdtype(array.dtype, np.floating) else array
        if not finite.size or float(np.max(np.abs(finite))) < FLOAT16_MAX:
            return array.astype(np.float16)
    return array.astype(np.float32)


@dataclass(frozen=True)
class Snapshot:
    """The probe's activations at one epoch (0 = before training), with each layer's
    mean and std. ``activations`` maps node ids to arrays.

    ``step`` is 0 for a snapshot taken at an epoch end (``epoch`` epochs done). A step
    snapshot (``step`` > 0) was taken in step mode after batch ``step`` of epoch ``epoch``,
    both counted from 1: that epoch is not over yet.
    """

    epoch: int
    activations: Mapping[str, np.ndarray]
    mean: Mapping[str, float]
    std: Mapping[str, float]
    step: int = 0

    @classmethod
    def of(
        cls,
        epoch: int,
        activations: Mapping[str, np.ndarray],
        precision: str = "float16",
        *,
        step: int = 0,
    ) -> Snapshot:
        """A snapshot of ``activations``; the statistics use the values before compacting."""
        stats = {k: np.asarray(v, dtype=np.float64) for k, v in activations.items()}
        return cls(
            epoch=epoch,
            activations={k: compact(v, precision) for k, v in activations.items()},
            mean={k: float(v.mean()) if v.size else 0.0 for k, v in stats.items()},
            std={k: float(v.std()) if v.size else 0.0 for k, v in stats.items()},
            step=step,
        )

    @property
    def when(self) -> str:
        """When it was taken, for a caption: before training, epoch 2, epoch 3, step 4."""
        if self.step:
            return f"epoch {self.epoch}, step {self.step}"
        return "before training" if self.epoch == 0 else f"epoch {self.epoch}"

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(int(np.asarray(v).nbytes) for v in self.activations.values())


class SnapshotHistory:
    """Snapshots oldest first, thinned past ``max_snapshots`` or ``max_bytes``.

    The first and the latest snapshot are always kept. A step snapshot is kept only while
    it is the newest: the next :meth:`add` replaces it. It is not counted against the caps
    (so it never thins out the epochs kept), which bounds it to one snapshot's memory.
    Safe to use from several threads.
    """

    def __init__(self, max_snapshots: int = 50, max_bytes: int = 64 * 2**20) -> None:
        if max_snapshots < 2:
            raise ValueError(f"max_snapshots must be at least 2, not {max_snapshots}")
        self.max_snapshots = max_snapshots
        self.max_bytes = max_bytes
        self._items: list[Snapshot] = []
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def snapshots(self) -> list[Snapshot]:
        """The snapshots kept, oldest first (a copy)."""
        with self._lock:
            return list(self._items)

    @property
    def nbytes(self) -> int:
        """Bytes held by the snapshots kept."""
        with self._lock:
            return self._bytes

    def epochs(self) -> list[int]:
        """The epochs that have a snapshot, in order."""
        with self._lock:
            return [s.epoch for s in self._items]

    def add(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` (later than those kept), thinning older ones if needed.

        A step snapshot kept as the newest is replaced by ``snapshot``.
        """
        with self._lock:
            if self._items and self._items[-1].step:
                self._bytes -= self._items.pop().nbytes
            self._items.append(snapshot)
            self._bytes += snapshot.nbytes
            # A step snapshot (the newest) is outside the caps.
            outside = 1 if snapshot.step else 0
            spare = snapshot.nbytes if snapshot.step else 0
            while len(self._items) - outside > 2 and (
                len(self._items) - outside > self.max_snapshots
                or self._bytes - spare > self.max_bytes
            ):
                half = max(2, (len(self._items) - outside) // 2)
                older, newer = self._items[:half], self._items[half:]
                self._items = older[::2] + newer
                self._bytes = sum(s.nbytes for s in self._items)

    def clear(self) -> None:
        """Forget every snapshot."""
        with self._lock:
            self._items = []
            self._bytes = 0

    def at(self, epoch: int) -> Snapshot:
        """The snapshot of ``epoch``, or the latest one before it.

        A step snapshot of epoch ``e`` (under way) answers for ``e``: no epoch-end
        snapshot of ``e`` or later is kept beside it.
        """
        with self._lock:
            earlier = [s for s in self._items if s.epoch <= epoch]
        if not earlier:
            raise KeyError(f"no snapshot at or before epoch {epoch}")
        return earlier[-1]


def live_recorder(probe_x: Any) -> Callable[..., Any]:
    """The ``recorder`` a :class:`~guibuilder.training.TrainingSession` takes to send the
    activations of ``probe_x`` (a batch of one) live: called in the training thread with
    ``on_snapshot`` and ``on_error``, it makes the
    :class:`~guibuilder.inspect.callback.ActivationHistory` callback, which keeps only the
    two newest snapshots (the session sends each one on)."""

    def make(**callbacks: Any) -> Any:
        from guibuilder.inspect.callback import ActivationHistory

        return ActivationHistory(probe_x, max_snapshots=2, **callbacks)

    return make
