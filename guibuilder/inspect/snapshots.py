"""Activation snapshots taken during training, kept in a bounded history.

A :class:`Snapshot` is what a probe gave at one epoch; :class:`SnapshotHistory` keeps them
oldest first under a count and a byte cap: past either, every other snapshot of the older
half is dropped, so the first epochs stay in view at a coarser step while the latest are
all kept. No Keras and no Qt here: the training callback fills a history in the training
thread, and the window keeps its own for the epoch slider.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

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
    mean and std. ``activations`` maps node ids to arrays."""

    epoch: int
    activations: Mapping[str, np.ndarray]
    mean: Mapping[str, float]
    std: Mapping[str, float]

    @classmethod
    def of(
        cls, epoch: int, activations: Mapping[str, np.ndarray], precision: str = "float16"
    ) -> Snapshot:
        """A snapshot of ``activations``; the statistics use the values before compacting."""
        stats = {k: np.asarray(v, dtype=np.float64) for k, v in activations.items()}
        return cls(
            epoch=epoch,
            activations={k: compact(v, precision) for k, v in activations.items()},
            mean={k: float(v.mean()) if v.size else 0.0 for k, v in stats.items()},
            std={k: float(v.std()) if v.size else 0.0 for k, v in stats.items()},
        )

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(int(np.asarray(v).nbytes) for v in self.activations.values())


class SnapshotHistory:
    """Snapshots oldest first, thinned past ``max_snapshots`` or ``max_bytes``.

    The first and the latest snapshot are always kept. Safe to use from several threads.
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
        """Keep ``snapshot`` (a later epoch than those kept), thinning older ones if needed."""
        with self._lock:
            self._items.append(snapshot)
            self._bytes += snapshot.nbytes
            while len(self._items) > 2 and (
                len(self._items) > self.max_snapshots or self._bytes > self.max_bytes
            ):
                half = max(2, len(self._items) // 2)
                older, newer = self._items[:half], self._items[half:]
                self._items = older[::2] + newer
                self._bytes = sum(s.nbytes for s in self._items)

    def clear(self) -> None:
        """Forget every snapshot."""
        with self._lock:
            self._items = []
            self._bytes = 0

    def at(self, epoch: int) -> Snapshot:
        """The snapshot of ``epoch``, or the latest one before it."""
        with self._lock:
            earlier = [s for s in self._items if s.epoch <= epoch]
        if not earlier:
            raise KeyError(f"no snapshot at or before epoch {epoch}")
        return earlier[-1]
