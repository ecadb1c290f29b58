"""The learning rate of every step, worked out in plain Python.

A schedule is applied by the training callback, which sets the optimizer's rate only when
this value changes. That keeps one code path for every backend and keeps saved models
free of custom schedule classes. ``plateau`` is Keras' ReduceLROnPlateau after the
warm-up: here it stays at the base rate, and the callback never overrides a reduction.
"""

from __future__ import annotations

import math

from guibuilder.document.settings import TrainConfig


def learning_rate_at(config: TrainConfig, epoch: int, step: int, steps_per_epoch: int) -> float:
    """The rate for batch ``step`` (from 0) of epoch ``epoch`` (from 0)."""
    base = config.learning_rate
    steps_per_epoch = max(1, steps_per_epoch)
    done = epoch * steps_per_epoch + step
    warmup = config.warmup_epochs * steps_per_epoch
    if done < warmup:
        return base * (done + 1) / warmup
    if config.schedule == "step":
        return base * config.decay_factor ** (epoch // config.decay_every)
    if config.schedule == "cosine":
        total = config.epochs * steps_per_epoch - warmup
        progress = min(1.0, (done - warmup) / max(1, total))
        low = config.min_learning_rate
        return low + (base - low) * 0.5 * (1.0 + math.cos(math.pi * progress))
    return base


def varies_within(config: TrainConfig, epoch: int) -> bool:
    """Whether the rate can change between two batches of epoch ``epoch`` (from 0)."""
    return epoch < config.warmup_epochs or config.schedule == "cosine"
