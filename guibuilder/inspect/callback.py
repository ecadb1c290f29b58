"""A Keras callback that keeps a probe sample's activations at every epoch end.

The training engine adds :class:`ActivationHistory` to ``fit``; the window's epoch slider
scrubs back through :attr:`ActivationHistory.snapshots`. The history is bounded: past
``max_snapshots``, every other older snapshot is dropped, so the first epochs stay in view
at a coarser step while the latest are all kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from guibuilder.inspect.activations import Probe, batch_of, layer_ids


@dataclass(frozen=True)
class Snapshot:
    """The probe's activations after one epoch, with each layer's mean and std."""

    epoch: int
    activations: dict[str, np.ndarray]
    mean: dict[str, float]
    std: dict[str, float]


class ActivationHistory(keras.callbacks.Callback):
    """Record the activations of a fixed probe batch at each epoch end.

    Parameters
    ----------
    probe_x
        The probe: a few samples (a batch) of the model's input, the same every epoch.
    node_ids
        The layers to record (every layer but the inputs by default).
    max_snapshots
        The most snapshots kept; older ones are thinned out past that.
    every
        Record every ``every`` epochs (the last epoch of ``fit`` is not forced).
    on_snapshot
        Called with each new :class:`Snapshot` (in the training thread), to send it on.
    """

    def __init__(
        self,
        probe_x: Any,
        node_ids: Iterable[str] | None = None,
        max_snapshots: int = 50,
        every: int = 1,
        on_snapshot: Callable[[Snapshot], None] | None = None,
    ) -> None:
        super().__init__()
        if max_snapshots < 2:
            raise ValueError(f"max_snapshots must be at least 2, not {max_snapshots}")
        self.probe_x = batch_of(probe_x)
        self.node_ids = tuple(node_ids) if node_ids is not None else None
        self.max_snapshots = max_snapshots
        self.every = max(1, every)
        self.on_snapshot = on_snapshot
        self._snapshots: list[Snapshot] = []
        self._lock = threading.Lock()
        self._probe: Probe | None = None

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self._probe = Probe(model, compiled=True)

    @property
    def snapshots(self) -> list[Snapshot]:
        """The snapshots kept so far, oldest first (a copy, safe to read from any thread)."""
        with self._lock:
            return list(self._snapshots)

    def epochs(self) -> list[int]:
        """The (1-based) epochs that have a snapshot."""
        return [s.epoch for s in self.snapshots]

    def at(self, epoch: int) -> Snapshot:
        """The snapshot of ``epoch``, or the latest one before it."""
        kept = self.snapshots
        earlier = [s for s in kept if s.epoch <= epoch]
        if not earlier:
            raise KeyError(f"no snapshot at or before epoch {epoch}")
        return earlier[-1]

    def capture(self, epoch: int) -> Snapshot:
        """Record the probe's activations now, as those of ``epoch`` (1-based)."""
        if self._probe is None:
            raise RuntimeError("the callback has no model yet")
        ids = self.node_ids if self.node_ids is not None else tuple(layer_ids(self._probe.model))
        acts = self._probe(self.probe_x, ids)
        snapshot = Snapshot(
            epoch=epoch,
            activations=acts,
            mean={k: float(v.mean()) for k, v in acts.items()},
            std={k: float(v.std()) for k, v in acts.items()},
        )
        with self._lock:
            self._snapshots.append(snapshot)
            if len(self._snapshots) > self.max_snapshots:
                half = len(self._snapshots) // 2
                self._snapshots = self._snapshots[:half:2] + self._snapshots[half:]
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)
        return snapshot

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every == 0:
            self.capture(epoch + 1)
