"""Training settings: what a project's ``"training"`` slot holds.

:class:`TrainConfig` is a plain dataclass with JSON-ready values. :meth:`TrainConfig.from_dict`
checks every field and raises :class:`ConfigError` with one sentence naming the setting;
:meth:`TrainConfig.to_dict` writes every field, so a saved project shows all settings.
Each field's ``metadata`` holds a one-line ``help`` (and ``choices`` where there are some)
for a settings form. Nothing here imports Keras.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from guibuilder.errors import GuibuilderError, shown

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad", "nadam")
SCHEDULES = ("constant", "step", "cosine", "plateau")
LOSSES = (
    "auto",
    "sparse_categorical_crossentropy",
    "categorical_crossentropy",
    "binary_crossentropy",
    "mse",
    "mae",
    "huber",
)
METRICS = ("accuracy", "top5_accuracy", "auc", "precision", "recall", "mae", "mse", "rmse")
MONITORS = ("auto", "val_loss", "loss", "val_accuracy", "accuracy")
STRATEGIES = ("default", "mirrored")


class ConfigError(GuibuilderError):
    """A training setting with a value that cannot be used; ``setting`` names it."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


def _meta(help_text: str, choices: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"help": help_text, "choices": choices}


@dataclass
class TrainConfig:
    """Every training setting, with a sensible default for a first run."""

    optimizer: str = field(
        default="adam", metadata=_meta("How the weights follow the gradients.", OPTIMIZERS)
    )
    learning_rate: float = field(default=1e-3, metadata=_meta("Size of each update step."))
    momentum: float = field(
        default=0.9, metadata=_meta("Momentum of SGD and RMSprop (0 turns it off).")
    )
    nesterov: bool = field(default=True, metadata=_meta("Nesterov momentum for SGD."))
    weight_decay: float | None = field(
        default=None,
        metadata=_meta("Decoupled weight decay; empty keeps the optimizer's own default."),
    )
    clipnorm: float | None = field(
        default=None, metadata=_meta("Clip each gradient to this norm; empty for none.")
    )
    clipvalue: float | None = field(
        default=None, metadata=_meta("Clip each gradient value to +/- this; empty for none.")
    )
    schedule: str = field(
        default="constant",
        metadata=_meta("How the learning rate changes during training.", SCHEDULES),
    )
    warmup_epochs: int = field(
        default=0, metadata=_meta("Epochs over which the rate rises linearly from zero.")
    )
    decay_every: int = field(
        default=10, metadata=_meta("Step decay: epochs between two reductions.")
    )
    decay_factor: float = field(
        default=0.5, metadata=_meta("Step decay and plateau: multiply the rate by this.")
    )
    plateau_patience: int = field(
        default=3, metadata=_meta("Plateau: epochs without improvement before a reduction.")
    )
    min_learning_rate: float = field(
        default=0.0, metadata=_meta("The lowest rate cosine and plateau schedules reach.")
    )
    batch_size: int = field(default=32, metadata=_meta("Samples per update step."))
    epochs: int = field(default=10, metadata=_meta("Passes over the training data."))
    shuffle: bool = field(default=True, metadata=_meta("Shuffle the training data each epoch."))
    validation_split: float = field(
        default=0.0,
        metadata=_meta(
            "Fraction of the training data held out for validation when the dataset has "
            "no validation split."
        ),
    )
    loss: str = field(
        default="auto",
        metadata=_meta(
            "What training minimises; auto picks one from the task and the labels.", LOSSES
        ),
    )
    from_logits: bool | None = field(
        default=None,
        metadata=_meta(
            "Whether the model outputs raw scores; empty decides from the last activation."
        ),
    )
    metrics: list[str] | None = field(
        default=None,
        metadata=_meta("What is reported besides the loss; empty picks per task.", METRICS),
    )
    early_stopping: bool = field(
        default=False, metadata=_meta("Stop when the monitored value stops improving.")
    )
    patience: int = field(
        default=5, metadata=_meta("Early stopping: epochs to wait for an improvement.")
    )
    monitor: str = field(
        default="auto",
        metadata=_meta(
            "The value that decides the best epoch; auto is val_loss when there is validation "
            "data, else loss.",
            MONITORS,
        ),
    )
    keep_best: bool = field(
        default=True, metadata=_meta("Save the best epoch's model as best.keras.")
    )
    seed: int | None = field(
        default=None,
        metadata=_meta("Random seed for a repeatable run; empty picks one and records it."),
    )
    mixed_precision: bool = field(
        default=False, metadata=_meta("Compute in float16 on a GPU (ignored on the CPU).")
    )
    device: str = field(default="auto", metadata=_meta("Where to train: auto, cpu, gpu or gpu:N."))
    strategy: str = field(
        default="default",
        metadata=_meta("mirrored trains on all GPUs (TensorFlow backend only).", STRATEGIES),
    )

    def __post_init__(self) -> None:
        _check(self)

    def to_dict(self) -> dict[str, Any]:
        """Every setting as a JSON-ready dict."""
        data = asdict(self)
        if data["metrics"] is not None:
            data["metrics"] = list(data["metrics"])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TrainConfig:
        """Settings from a project's ``"training"`` slot; missing ones get their default."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ConfigError(f"the training settings must be an object, not {shown(data)}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise ConfigError(f"unknown training setting {shown(unknown[0])}", unknown[0])
        return cls(**dict(data))

    def replace(self, **changes: Any) -> TrainConfig:
        """A checked copy with ``changes`` applied (``None`` values are ignored)."""
        data = self.to_dict()
        data.update({k: v for k, v in changes.items() if v is not None})
        return TrainConfig.from_dict(data)


# ----------------------------------------------------------------- checking
#: The most epochs (and epochs of waiting) a setting may name: years of training.
MAX_EPOCHS = 100_000
#: The largest batch: past what large-batch training uses, well inside what Keras, numpy
#: and the window's fields hold.
MAX_BATCH_SIZE = 65_536

#: (lowest, highest) of every numeric setting, the one place their bounds are kept: the
#: check below and the window's fields read them. A setting in :data:`ABOVE_LOWEST` must
#: be above its lowest value, not equal to it.
RANGES: dict[str, tuple[float, float]] = {
    "learning_rate": (0.0, 10.0),
    "momentum": (0.0, 1.0),
    "weight_decay": (0.0, 10.0),
    "clipnorm": (0.0, 1e6),
    "clipvalue": (0.0, 1e6),
    "warmup_epochs": (0, MAX_EPOCHS),
    "decay_every": (1, MAX_EPOCHS),
    "decay_factor": (0.0, 1.0),
    "plateau_patience": (0, MAX_EPOCHS),
    "min_learning_rate": (0.0, 10.0),
    "batch_size": (1, MAX_BATCH_SIZE),
    "epochs": (1, MAX_EPOCHS),
    "validation_split": (0.0, 0.9),
    "patience": (0, MAX_EPOCHS),
    "seed": (0, 2**32 - 1),
}
ABOVE_LOWEST = frozenset({"learning_rate", "clipnorm", "clipvalue", "decay_factor"})


def _fail(name: str, expected: str, value: Any) -> ConfigError:
    message = f"training setting {shown(name)} must be {expected}, not {shown(value)}"
    return ConfigError(message, name)


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer of hundreds of digits
        return False


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def _bounds(name: str) -> str:
    low, high = RANGES[name]
    lowest = f"above {_text(low)}" if name in ABOVE_LOWEST else f"at least {_text(low)}"
    return f"{lowest} and at most {_text(high)}"


def _in_range(name: str, value: float) -> bool:
    low, high = RANGES[name]
    return (value > low if name in ABOVE_LOWEST else value >= low) and value <= high


def _number(cfg: TrainConfig, name: str, *, optional: bool = False) -> None:
    value = getattr(cfg, name)
    if value is None and optional:
        return
    if not _is_number(value) or not _in_range(name, value):
        raise _fail(name, ("empty or " if optional else "") + f"a number {_bounds(name)}", value)
    setattr(cfg, name, float(value))


def _integer(cfg: TrainConfig, name: str, *, optional: bool = False) -> None:
    value = getattr(cfg, name)
    if value is None and optional:
        return
    if not _is_int(value) or not _in_range(name, value):
        low, high = RANGES[name]
        expected = f"a whole number from {_text(low)} to {_text(high)}"
        raise _fail(name, ("empty or " if optional else "") + expected, value)


def _flag(cfg: TrainConfig, name: str, optional: bool = False) -> None:
    value = getattr(cfg, name)
    if not (isinstance(value, bool) or (optional and value is None)):
        raise _fail(name, "true or false" + (" or empty" if optional else ""), value)


def _choice(cfg: TrainConfig, name: str, choices: tuple[str, ...]) -> None:
    value = getattr(cfg, name)
    if value not in choices:
        raise _fail(name, "one of " + ", ".join(choices), value)


def _check_device(value: Any) -> None:
    if not isinstance(value, str):
        raise _fail("device", "auto, cpu, gpu or gpu:N", value)
    kind, _, index = value.partition(":")
    if kind in ("auto", "cpu") and not index:
        return
    if kind == "gpu" and (not index or (index.isdigit() and len(index) < 4)):
        return
    raise _fail("device", "auto, cpu, gpu or gpu:N", value)


def _check(cfg: TrainConfig) -> None:
    _choice(cfg, "optimizer", OPTIMIZERS)
    _number(cfg, "learning_rate")
    _number(cfg, "momentum")
    _flag(cfg, "nesterov")
    _number(cfg, "weight_decay", optional=True)
    _number(cfg, "clipnorm", optional=True)
    _number(cfg, "clipvalue", optional=True)
    _choice(cfg, "schedule", SCHEDULES)
    _integer(cfg, "warmup_epochs")
    _integer(cfg, "decay_every")
    _number(cfg, "decay_factor")
    _integer(cfg, "plateau_patience")
    _number(cfg, "min_learning_rate")
    _integer(cfg, "batch_size")
    _integer(cfg, "epochs")
    _flag(cfg, "shuffle")
    _number(cfg, "validation_split")
    _choice(cfg, "loss", LOSSES)
    _flag(cfg, "from_logits", optional=True)
    if cfg.metrics is not None:
        if not isinstance(cfg.metrics, list | tuple):
            raise _fail("metrics", "empty or a list of metric names", cfg.metrics)
        for metric in cfg.metrics:
            if metric not in METRICS:
                raise _fail("metrics", "a list of " + ", ".join(METRICS), metric)
        cfg.metrics = list(dict.fromkeys(cfg.metrics))
    _flag(cfg, "early_stopping")
    _integer(cfg, "patience")
    _choice(cfg, "monitor", MONITORS)
    _flag(cfg, "keep_best")
    _integer(cfg, "seed", optional=True)
    _flag(cfg, "mixed_precision")
    _check_device(cfg.device)
    _choice(cfg, "strategy", STRATEGIES)
    if cfg.min_learning_rate >= cfg.learning_rate and cfg.schedule in ("cosine", "plateau"):
        raise ConfigError(
            f"training setting 'min_learning_rate' ({cfg.min_learning_rate:g}) must be below "
            f"the learning rate ({cfg.learning_rate:g})",
            "min_learning_rate",
        )
    if cfg.clipnorm is not None and cfg.clipvalue is not None:
        raise ConfigError(
            "training settings 'clipnorm' and 'clipvalue' cannot both be set: choose one",
            "clipvalue",
        )
