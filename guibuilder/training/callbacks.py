"""The Keras callback that connects a running ``fit`` to a :class:`TrainingSession`.

It checks the stop and pause events at every batch (a paused run may be let through one
batch at a time, and each such step is reported and handed to ``on_step``), applies the
learning-rate schedule, watches the loss for NaN, and emits batch and epoch events. Batch
events are sent at most every ``interval`` seconds, so a fast model is not slowed down by
its own progress reports; the last batch before a pause is always reported, and the pause
is announced only once every batch begun before it has ended (a batch's end may run in
Keras's callback thread pool, and on a GPU after the next batches were queued), so the
``paused`` event is the true batch at which the run holds. It also writes the run folder's
history and best model.
Imported only in the training thread, after Keras has loaded.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import keras

from guibuilder.training.config import TrainConfig
from guibuilder.training.controls import Controls
from guibuilder.training.events import (
    BatchEvent,
    EpochEvent,
    PausedEvent,
    ResumedEvent,
    TrainingEvent,
)
from guibuilder.training.runs import RunFolder, order_metrics
from guibuilder.training.schedule import learning_rate_at, varies_within

#: Keys that name the learning rate in Keras logs; reported as ``lr`` instead.
LR_KEYS = ("lr", "learning_rate")

#: The longest a pause waits for the batches already begun to end before it is announced (s).
PAUSE_SETTLE_S = 30.0


def _finite(logs: dict[str, float]) -> bool:
    return all(math.isfinite(v) for k, v in logs.items() if k == "loss")


class SessionCallback(keras.callbacks.Callback):
    """Stop, pause, schedule, NaN watch, events and run-folder writes for one ``fit``.

    ``on_step(epoch, step)`` (both from 1), when given, is called in the training thread
    after each batch that ran as a single step (step mode), before the next batch begins
    and so before the run pauses; a free-running ``fit`` never calls it.
    """

    #: Batch-end work only reads Python floats and puts on a queue, under a lock: Keras may
    #: run it in its callback thread pool on backends that allow it.
    async_safe = True

    def __init__(
        self,
        config: TrainConfig,
        emit: Callable[[TrainingEvent], None],
        controls: Controls,
        *,
        steps_per_epoch: int,
        train_samples: int,
        monitor: str,
        run: RunFolder | None = None,
        interval: float = 0.05,
        on_step: Callable[[int, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.emit = emit
        self.controls = controls
        self.steps_per_epoch = max(1, steps_per_epoch)
        self.train_samples = train_samples
        self.monitor = monitor
        self.minimize = not monitor.endswith("accuracy")
        self.run = run
        self.interval = interval
        self.history: dict[str, list[float]] = {}
        self.best_value: float | None = None
        self.best_epoch: int | None = None
        self.nan_at: tuple[int, int] | None = None
        self.epochs_done = 0
        self.steps_done = 0
        self.steps_started = 0
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)
        self._fitting: Any = None
        self._lr: float | None = None
        self._epoch = 0
        self._steps_begun = 0
        self._eval_cut = False
        self._start = 0.0
        self._paused_s = 0.0
        self._epoch_start = 0.0
        self._epoch_paused_s = 0.0
        self._last_step = 0
        self._last_loss = 0.0
        self._last_time = 0.0
        self._last_emit = 0.0
        self._stepped: set[int] = set()
        self.on_step = on_step
        self._step_due: tuple[int, int] | None = None

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        # Flags are set on the model directly: on JAX, ``self.model`` writes the training
        # state back into the variables, which must only happen in the training thread.
        self._fitting = model

    # ----------------------------------------------------------------- helpers
    @property
    def halted(self) -> bool:
        """Whether the run must end now: a stop request or a NaN loss."""
        return self.controls.stop.is_set() or self.nan_at is not None

    def train_seconds(self) -> float:
        """Seconds spent fitting so far, pauses left out."""
        return self._active_s(time.perf_counter()) if self._start else 0.0

    def _active_s(self, now: float) -> float:
        return max(1e-9, now - self._start - self._paused_s)

    def _samples(self, step: int) -> int:
        return min(step * self.config.batch_size, self.train_samples)

    def _eta(self, now: float) -> float:
        done = self._epoch * self.steps_per_epoch + self._last_step
        total = self.config.epochs * self.steps_per_epoch
        return self._active_s(now) / max(1, done) * max(0, total - done)

    def _set_lr(self, epoch: int, step: int) -> None:
        """Set the rate (in the training thread: ``self.model`` syncs the state on JAX)."""
        value = learning_rate_at(self.config, epoch, step, self.steps_per_epoch)
        if value != self._lr:
            self.model.optimizer.learning_rate = value
            self._lr = value

    def current_lr(self) -> float:
        """The optimizer's learning rate now, as a float."""
        return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    def _wait_while_paused(self, step: int) -> None:
        """Hold a paused run before batch ``step``; a granted step lets that one batch through."""
        controls = self.controls
        if controls.running.is_set() or controls.stop.is_set():
            return
        if controls.take_step():
            self._mark_stepped(step)
            return
        began = time.perf_counter()
        with self._ended:  # the batches begun so far have ended and been reported
            self._ended.wait_for(lambda: self.steps_done >= self.steps_started, PAUSE_SETTLE_S)
        self.emit(PausedEvent(epoch=self._epoch + 1, step=step))
        while not controls.wait(0.1):
            pass
        paused = time.perf_counter() - began
        self._paused_s += paused
        self._epoch_paused_s += paused
        self._last_time += paused
        if controls.stop.is_set():
            return
        if controls.running.is_set():
            self.emit(ResumedEvent(epoch=self._epoch + 1, step=step))
        elif controls.take_step():
            self._mark_stepped(step)

    def _mark_stepped(self, batch: int) -> None:
        """Remember that ``batch`` ran as a single step, so its end is always reported (and
        handed to ``on_step`` before the next batch)."""
        with self._lock:
            self._stepped.add(batch)
        if self.on_step is not None:
            self._step_due = (self._epoch + 1, batch + 1)

    def _step_done(self) -> None:
        """Hand the stepped batch that has just ended to ``on_step``.

        Called at the next batch's begin, which Keras always runs in the training thread
        (batch ends may run in its callback thread pool), before the run pauses there. The
        last batch of an epoch is not handed on: the epoch's end comes first, and with it
        the epoch's own snapshot of the same weights.
        """
        due, self._step_due = self._step_due, None
        if due is not None and self.on_step is not None:
            self.on_step(*due)

    # ---------------------------------------------------------------- training
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch
        self._step_due = None
        self._steps_begun = 0
        self._eval_cut = False
        self._epoch_start = self._last_time = self._last_emit = time.perf_counter()
        self._epoch_paused_s = 0.0
        self._last_step = 0
        self._last_loss = 0.0
        self._set_lr(epoch, 0)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self._step_due is not None:
            self._step_done()
        self._wait_while_paused(batch)
        if self.halted:
            self._fitting.stop_training = True
        if batch and varies_within(self.config, self._epoch):
            self._set_lr(self._epoch, batch)
        self._steps_begun = batch + 1
        self.steps_started += 1

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        step = batch + 1
        with self._lock:
            self.steps_done += 1
            self._ended.notify_all()
            loss = float(logs.get("loss", 0.0))
            if not math.isfinite(loss):
                if self.nan_at is None:
                    self.nan_at = (self._epoch + 1, step)
                self._fitting.stop_training = True
                return
            now = time.perf_counter()
            stepped = batch in self._stepped
            self._stepped.discard(batch)
            due = (
                stepped
                or now - self._last_emit >= self.interval
                or step == self.steps_per_epoch
                or not self.controls.running.is_set()  # the last batch before a pause
            )
            if due and step > self._last_step:
                recent = (loss * step - self._last_loss * self._last_step) / (
                    step - self._last_step
                )
                seconds = max(1e-9, now - self._last_time)
                rate = (self._samples(step) - self._samples(self._last_step)) / seconds
                self._last_step, self._last_loss = step, loss
                self._last_time = self._last_emit = now
                self.emit(
                    BatchEvent(
                        epoch=self._epoch + 1,
                        step=step,
                        steps=self.steps_per_epoch,
                        global_step=self._epoch * self.steps_per_epoch + step,
                        loss=recent,
                        logs={k: float(logs[k]) for k in order_metrics(logs) if k not in LR_KEYS},
                        samples_per_s=rate,
                        eta_s=self._eta(now),
                    )
                )
        if self.controls.stop.is_set():
            self._fitting.stop_training = True

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self.halted:
            self._fitting.stop_evaluating = True
            self._eval_cut = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        raw = {k: float(v) for k, v in (logs or {}).items() if k not in LR_KEYS}
        logs = {k: raw[k] for k in order_metrics(raw)}
        if not _finite(logs) and self.nan_at is None:
            self.nan_at = (epoch + 1, self._steps_begun)
            self._fitting.stop_training = True
        now = time.perf_counter()
        partial = self.nan_at is not None or (
            self.controls.stop.is_set()
            and (self._steps_begun < self.steps_per_epoch or self._eval_cut)
        )
        lr = self.current_lr()
        best = False
        if not partial:
            self.epochs_done = epoch + 1
            row = {"epoch": epoch + 1, **logs, "lr": lr}
            for key, value in row.items():
                self.history.setdefault(key, []).append(value)
            best = self._track_best(epoch + 1, logs)
            if self.run is not None:
                self.run.append_history(row)
                if best and self.config.keep_best:
                    self.model.save(self.run.best_path)
                self.run.log(
                    f"epoch {epoch + 1}/{self.config.epochs}  "
                    + "  ".join(f"{k} {v:.6g}" for k, v in row.items() if k != "epoch")
                )
        epoch_s = max(1e-9, now - self._epoch_start - self._epoch_paused_s)
        remaining = self.config.epochs - (epoch + 1)
        self.emit(
            EpochEvent(
                epoch=epoch + 1,
                epochs=self.config.epochs,
                logs=logs,
                lr=lr,
                elapsed_s=self._active_s(now),
                eta_s=self._active_s(now) / (epoch + 1) * remaining,
                samples_per_s=self._samples(self._steps_begun) / epoch_s,
                best=best,
                partial=partial,
            )
        )

    def _track_best(self, epoch: int, logs: dict[str, float]) -> bool:
        value = logs.get(self.monitor)
        if value is None or not math.isfinite(value):
            return False
        better = self.best_value is None or (
            value < self.best_value if self.minimize else value > self.best_value
        )
        if better:
            self.best_value, self.best_epoch = value, epoch
        return better
