"""What a training run reports, as small immutable values put on a queue.

Every event has a ``kind`` string. A run emits ``started`` once, then ``batch`` and
``epoch`` events (with ``paused``/``resumed``/``warning`` in between), and ends with exactly
one terminal event: ``finished``, ``stopped``, ``nan`` or ``error``. Epochs and steps are
counted from 1, as a person counts them. Values are plain Python (floats, str, dicts); the
``activations`` event, sent when the run records a probe sample (at the start, after each
epoch, and after each step in step mode), also carries small numpy arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class TrainingEvent:
    """Base of every event."""

    kind: ClassVar[str] = ""
    terminal: ClassVar[bool] = False


@dataclass(frozen=True)
class StartedEvent(TrainingEvent):
    """The model is built and compiled; fitting starts now."""

    kind: ClassVar[str] = "started"
    epochs: int
    steps_per_epoch: int
    batch_size: int
    train_samples: int
    val_samples: int
    loss: str
    metrics: tuple[str, ...]
    backend: str
    device: str
    seed: int
    params: int
    run_dir: Path | None = None


@dataclass(frozen=True)
class BatchEvent(TrainingEvent):
    """Progress within an epoch, sent at most every few milliseconds.

    ``logs`` holds Keras' running means over the epoch so far; ``loss`` is the mean loss of
    the batches since the previous batch event, which is what a live per-batch curve wants.
    """

    kind: ClassVar[str] = "batch"
    epoch: int
    step: int
    steps: int
    global_step: int
    loss: float
    logs: dict[str, float]
    samples_per_s: float
    eta_s: float


@dataclass(frozen=True)
class EpochEvent(TrainingEvent):
    """One epoch done: its logs (``val_`` ones included), the learning rate and the ETA.

    ``partial`` is true for an epoch cut short by a stop; it is not written to the history.
    """

    kind: ClassVar[str] = "epoch"
    epoch: int
    epochs: int
    logs: dict[str, float]
    lr: float
    elapsed_s: float
    eta_s: float
    samples_per_s: float
    best: bool = False
    partial: bool = False


@dataclass(frozen=True)
class ActivationsEvent(TrainingEvent):
    """The probe sample's activations in every layer, before the first epoch (``epoch``
    0) and after each epoch, for the window's live view and epoch slider.

    ``activations`` maps node ids to one sample's activation (no batch axis; float16 where
    the values fit); ``mean`` and ``std`` are each layer's, from the float32 values.

    In step mode one is also sent after each stepped batch, before the run pauses: then
    ``step`` is that batch's number in epoch ``epoch`` (both from 1, the epoch not over).
    ``step`` is 0 for the snapshots of epoch ends (and of the start).
    """

    kind: ClassVar[str] = "activations"
    epoch: int
    epochs: int
    activations: Mapping[str, np.ndarray]
    mean: Mapping[str, float]
    std: Mapping[str, float]
    step: int = 0


@dataclass(frozen=True)
class PausedEvent(TrainingEvent):
    kind: ClassVar[str] = "paused"
    epoch: int
    step: int


@dataclass(frozen=True)
class ResumedEvent(TrainingEvent):
    kind: ClassVar[str] = "resumed"
    epoch: int
    step: int


@dataclass(frozen=True)
class WarningEvent(TrainingEvent):
    """Something the user should know that does not stop the run."""

    kind: ClassVar[str] = "warning"
    message: str


@dataclass(frozen=True)
class _EndEvent(TrainingEvent):
    terminal: ClassVar[bool] = True
    message: str
    epochs_run: int = 0
    elapsed_s: float = 0.0
    history: dict[str, list[float]] = field(default_factory=dict)
    run_dir: Path | None = None


@dataclass(frozen=True)
class FinishedEvent(_EndEvent):
    """Every epoch ran (or early stopping ended the run)."""

    kind: ClassVar[str] = "finished"


@dataclass(frozen=True)
class StoppedEvent(_EndEvent):
    """The user stopped the run; the weights so far are kept."""

    kind: ClassVar[str] = "stopped"


@dataclass(frozen=True)
class NanEvent(_EndEvent):
    """The loss became NaN or infinite, so the run was stopped."""

    kind: ClassVar[str] = "nan"
    epoch: int = 0
    step: int = 0


@dataclass(frozen=True)
class ErrorEvent(_EndEvent):
    """The data, the model or Keras failed; ``message`` is one sentence."""

    kind: ClassVar[str] = "error"
    node_ids: tuple[str, ...] = ()
