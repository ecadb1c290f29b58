"""A Keras callback that keeps a probe sample's activations at every epoch end.

The training engine adds :class:`ActivationHistory` to ``fit``: it records every layer's
activations for a fixed probe batch before the first epoch (epoch 0) and at each epoch
end, through one multi-output probe model made once per ``fit`` and run by a compiled
predict function (one forward pass of the probe per epoch). The values are kept as
float16 where they fit, in a bounded :class:`~guibuilder.inspect.snapshots.SnapshotHistory`,
and handed to ``on_snapshot`` for the window's epoch slider.

Step mode: whoever knows a batch ran as a single step (the training engine's callback)
calls :meth:`ActivationHistory.record_step` in the training thread once that batch is
done, for a step snapshot. Nothing is recorded per batch otherwise: the callback only counts the
batches begun (no batch-end hook, so Keras may still dispatch batch ends asynchronously),
and a free-running ``fit`` pays nothing more for it. An epoch that a stop cuts short is
recorded as a step snapshot of the batches it ran, not as a whole epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import keras

from guibuilder.inspect.activations import Probe, batch_of, layer_ids
from guibuilder.inspect.snapshots import Snapshot, SnapshotHistory

__all__ = ["ActivationHistory", "Snapshot"]


class ActivationHistory(keras.callbacks.Callback):
    """Record the activations of a fixed probe batch at the start and at each epoch end,
    and after a step when asked (:meth:`record_step`).

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
    at_start
        Also record the untrained model, as epoch 0, when ``fit`` begins.
    precision
        ``float16`` (values beyond its range stay float32) or ``float32``.
    max_bytes
        The most bytes the kept snapshots may hold; older ones are thinned out past that.
    on_error
        Called with the exception when a recording fails; recording then stops and
        training goes on. Without it the exception propagates and ends ``fit``.
    """

    def __init__(
        self,
        probe_x: Any,
        node_ids: Iterable[str] | None = None,
        max_snapshots: int = 50,
        every: int = 1,
        on_snapshot: Callable[[Snapshot], None] | None = None,
        *,
        at_start: bool = True,
        precision: str = "float16",
        max_bytes: int = 64 * 2**20,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        super().__init__()
        if precision not in ("float16", "float32"):
            raise ValueError(f"precision must be float16 or float32, not {precision!r}")
        self.probe_x = batch_of(probe_x)
        self.node_ids = tuple(node_ids) if node_ids is not None else None
        self.every = max(1, every)
        self.on_snapshot = on_snapshot
        self.at_start = at_start
        self.precision = precision
        self.on_error = on_error
        self.history = SnapshotHistory(max_snapshots, max_bytes)
        self.failed = False
        self._probe: Probe | None = None
        self._batches = 0

    @property
    def max_snapshots(self) -> int:
        """The most snapshots kept."""
        return self.history.max_snapshots

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self._probe = Probe(model, compiled=True) if model is not None else None

    @property
    def snapshots(self) -> list[Snapshot]:
        """The snapshots kept so far, oldest first (a copy, safe to read from any thread)."""
        return self.history.snapshots

    def epochs(self) -> list[int]:
        """The epochs that have a snapshot (0 is the untrained model)."""
        return self.history.epochs()

    def at(self, epoch: int) -> Snapshot:
        """The snapshot of ``epoch``, or the latest one before it."""
        return self.history.at(epoch)

    def capture(self, epoch: int, step: int = 0) -> Snapshot:
        """Record the probe's activations now, as those of ``epoch`` (1-based; 0 = start).

        With ``step`` > 0, a step snapshot: after batch ``step`` of epoch ``epoch``, that
        epoch still under way (see :class:`~guibuilder.inspect.snapshots.SnapshotHistory`).
        """
        if self._probe is None:
            raise RuntimeError("the callback has no model yet")
        # Reading ``self.model`` brings the trained values into the variables on JAX.
        model = self.model
        ids = self.node_ids if self.node_ids is not None else tuple(layer_ids(model))
        values = self._probe(self.probe_x, ids)
        snapshot = Snapshot.of(epoch, values, self.precision, step=step)
        self.history.add(snapshot)
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)
        return snapshot

    def record_step(self, epoch: int, step: int) -> None:
        """Record a step snapshot: batch ``step`` of epoch ``epoch`` (both from 1) ran as a
        single step and is done. Call it in the training thread, before the next batch.

        A failure is handled as at an epoch end (see ``on_error``).
        """
        self._record(epoch, step)

    def _record(self, epoch: int, step: int = 0) -> None:
        if self.failed:
            return
        try:
            self.capture(epoch, step)
        except Exception as exc:
            if self.on_error is None:
                raise
            self.failed = True
            self.on_error(exc)

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.at_start:
            self._record(0)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._batches = 0

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        # Only counts (a batch-begin hook keeps Keras' asynchronous batch ends).
        self._batches = batch + 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        steps = (self.params or {}).get("steps")
        if steps and 0 < self._batches < steps:
            # A stop cut the epoch short: what its batches so far gave, as a step snapshot.
            self._record(epoch + 1, self._batches)
        elif (epoch + 1) % self.every == 0:
            self._record(epoch + 1)

    def on_train_end(self, logs: dict | None = None) -> None:
        # The probe model holds the trained model; the snapshots outlive it.
        self._probe = None
