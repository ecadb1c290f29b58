"""The one interface every dataset has, and the helpers loaders share.

A :class:`Dataset` holds numpy arrays split into train, validation and (optionally) test.
Its ``task`` says what the labels are and so which loss fits:

``"classification"``
    ``y`` holds int32 class indices of shape ``(n,)``; ``num_classes`` and ``class_names``
    are set. The input may be anything: a vector, an image, a sequence of values or of
    tokens (pattern detection, sentiment).
``"regression"``
    ``y`` holds float32 targets of shape ``(n, k)``; ``num_classes`` is None.
``"sequence"``
    Forecasting: ``x`` is a window of a series ``(n, steps, features)`` and ``y`` holds the
    float32 value(s) that follow it, ``(n, k)``. It trains like regression (mean squared
    error) but says that the input is ordered in time.

``x`` is float32, except token sequences (``x_dtype == "int32"``), which feed an Embedding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from guibuilder.errors import GuibuilderError, shown

TASKS = ("classification", "regression", "sequence")


class DataError(GuibuilderError):
    """A dataset that cannot be loaded: a bad file, a bad option, an unknown name."""


class DatasetUnavailableError(DataError):
    """A downloadable dataset that is neither cached nor reachable."""


@dataclass(frozen=True)
class OptionSpec:
    """One option a dataset accepts (``noise``, ``samples``, ``target`` ...).

    ``kind`` is one of ``int``, ``float``, ``bool``, ``str``, ``choice``, ``size`` (a pair
    of ints), ``path`` or ``column`` (a column's name or its 0-based index; negative
    counts from the end). ``None`` is accepted where ``optional`` is set.
    """

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    optional: bool = False


@dataclass
class Dataset:
    """Arrays split for training, plus what a model needs to know about them."""

    name: str
    task: str
    x_train: np.ndarray | list[np.ndarray]
    y_train: np.ndarray
    x_val: np.ndarray | list[np.ndarray]
    y_val: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    num_classes: int | None = None
    class_names: tuple[str, ...] = ()
    description: str = ""
    spec: dict[str, Any] = field(default_factory=dict)
    feature_names: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_split(
        cls,
        name: str,
        task: str,
        parts: Sequence[Any],
        class_names: Sequence[str] = (),
        **fields: Any,
    ) -> Dataset:
        """A dataset from the six arrays :func:`split` returns (x/y train, val, test).

        ``class_names`` also sets ``num_classes`` for a classification task.
        """
        x_tr, y_tr, x_va, y_va, x_te, y_te = parts
        names = tuple(class_names)
        classes = len(names) if task == "classification" and names else None
        return cls(
            name=name,
            task=task,
            x_train=x_tr,
            y_train=y_tr,
            x_val=x_va,
            y_val=y_va,
            x_test=x_te,
            y_test=y_te,
            num_classes=classes,
            class_names=names,
            **fields,
        )

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, not {shown(self.task)}")

    @property
    def inputs(self) -> list[np.ndarray]:
        """The training inputs as a list: one array, or one per model input (pairs)."""
        return list(self.x_train) if isinstance(self.x_train, list | tuple) else [self.x_train]

    @property
    def input_shapes(self) -> list[tuple[int, ...]]:
        """The shape of one sample of each input, without the batch dimension."""
        return [tuple(int(d) for d in x.shape[1:]) for x in self.inputs]

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one sample (of the first input), without the batch dimension."""
        return self.input_shapes[0]

    @property
    def target_shape(self) -> tuple[int, ...]:
        """The shape of one label: ``()`` for class indices, ``(k,)`` for targets."""
        return tuple(int(d) for d in self.y_train.shape[1:])

    @property
    def x_dtype(self) -> str:
        return str(self.inputs[0].dtype)

    @property
    def vocab_size(self) -> int | None:
        """Number of token ids (padding 0 included) for token sequences, else None."""
        return len(self.vocabulary) if self.vocabulary else self.meta.get("vocab_size")

    @property
    def has_validation(self) -> bool:
        return len(self.y_val) > 0

    @property
    def sizes(self) -> dict[str, int]:
        """Number of samples per split."""
        sizes = {"train": len(self.y_train), "validation": len(self.y_val)}
        if self.y_test is not None:
            sizes["test"] = len(self.y_test)
        return sizes

    def label_text(self, y: Any) -> str:
        """A label as a person reads it: the class name, or the target values."""
        if self.task == "classification":
            index = int(y)
            if 0 <= index < len(self.class_names):
                return self.class_names[index]
            return str(index)
        values = np.atleast_1d(np.asarray(y, dtype=float))
        return ", ".join(f"{v:.3g}" for v in values)

    def preview(self, count: int = 8) -> tuple[np.ndarray, np.ndarray]:
        """A few training samples (of the first input); for classification, the classes
        take turns."""
        count = max(0, min(count, len(self.y_train)))
        if self.task != "classification" or not self.num_classes:
            return self.inputs[0][:count], self.y_train[:count]
        per_class = [np.flatnonzero(self.y_train == c) for c in range(self.num_classes)]
        picked: list[int] = []
        depth = 0
        while len(picked) < count:
            for indices in per_class:
                if depth < len(indices) and len(picked) < count:
                    picked.append(int(indices[depth]))
            depth += 1
        return self.inputs[0][picked], self.y_train[picked]

    def summary(self) -> str:
        """One line: name, task, shape, classes and sizes."""
        parts = [self.name, self.task, "x " + " + ".join(_fmt(s) for s in self.input_shapes)]
        if self.num_classes:
            parts.append(f"{self.num_classes} classes")
        else:
            parts.append("y " + _fmt(self.target_shape))
        parts.append(", ".join(f"{k} {v}" for k, v in self.sizes.items()))
        return " | ".join(parts)


def _fmt(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


@dataclass(frozen=True)
class DatasetInfo:
    """A named dataset as the registry lists it, before anything is loaded.

    ``source`` is ``"builtin"`` (bundled with scikit-learn), ``"generated"``, ``"keras"``
    (downloaded by ``keras.datasets``) or ``"file"`` (the user's own). ``input_shape`` and
    ``samples`` are those of the default options; ``available`` says whether it loads with
    no network.
    """

    name: str
    title: str
    task: str
    source: str
    description: str
    input_shape: tuple[int, ...]
    num_classes: int | None
    options: tuple[OptionSpec, ...]
    load: Callable[[dict[str, Any]], Dataset] = field(repr=False, compare=False)
    samples: int | None = None
    available: bool = True

    def option(self, name: str) -> OptionSpec:
        for spec in self.options:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.options}


# ------------------------------------------------------------------ options
def resolve_options(
    dataset: str, specs: Sequence[OptionSpec], given: Mapping[str, Any]
) -> dict[str, Any]:
    """Defaults overlaid with ``given``, every value checked against its spec."""
    known = {s.name: s for s in specs}
    unknown = [k for k in given if k not in known]
    if unknown:
        names = ", ".join(known) or "none"
        raise DataError(f"{dataset} has no option {shown(unknown[0])} (its options: {names})")
    resolved = {s.name: s.default for s in specs}
    for name, value in given.items():
        resolved[name] = check_option(dataset, known[name], value)
    return resolved


def check_option(dataset: str, spec: OptionSpec, value: Any) -> Any:
    """``value`` converted to the option's kind, or a DataError naming the option."""
    where = f"option {shown(spec.name)} of {dataset}"
    if value is None:
        if spec.optional or spec.default is None:
            return None
        raise DataError(f"{where} needs a value")
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise DataError(f"{where} must be true or false, not {shown(value)}")
        return value
    if spec.kind in ("int", "float"):
        number = _number(value, spec.kind == "int")
        if number is None:
            bounds = (
                f" from {spec.minimum} to {spec.maximum}"
                if spec.minimum is not None and spec.maximum is not None
                else ""
            )
            what = "an integer" if spec.kind == "int" else "a number"
            raise DataError(f"{where} must be {what}{bounds}")
        if spec.minimum is not None and number < spec.minimum:
            raise DataError(f"{where} must be at least {spec.minimum}, not {number}")
        if spec.maximum is not None and number > spec.maximum:
            raise DataError(f"{where} must be at most {spec.maximum}, not {number}")
        return number
    if spec.kind == "choice":
        if value not in spec.choices:
            choices = ", ".join(str(c) for c in spec.choices)
            raise DataError(f"{where} must be one of {choices}, not {shown(value)}")
        return value
    if spec.kind == "size":
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = [value, value]
        pair = [_number(v, True) for v in value] if isinstance(value, list | tuple) else []
        if len(pair) != 2 or any(v is None or v < 1 for v in pair):
            raise DataError(f"{where} must be a pair of positive integers such as [32, 32]")
        if spec.maximum is not None and max(pair) > spec.maximum:
            raise DataError(f"{where} must be at most {spec.maximum:g} on each side, not {pair}")
        return list(pair)
    if spec.kind == "column" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if spec.kind in ("str", "path", "column"):
        if not isinstance(value, str):
            raise DataError(f"{where} must be text, not {shown(value)}")
        return value
    raise DataError(f"{where} has an unknown kind {shown(spec.kind)}")


def _number(value: Any, integer: bool) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    try:
        if not math.isfinite(float(value)):
            return None
    except OverflowError:  # an integer of hundreds of digits
        return None
    if integer:
        return int(value) if float(value).is_integer() else None
    return float(value)


SEED = OptionSpec(
    "seed",
    "int",
    0,
    "Random seed: the same seed gives the same data.",
    minimum=0,
    maximum=2**32 - 1,
)


def validation_option(default: float = 0.2) -> OptionSpec:
    return OptionSpec(
        "validation_split",
        "float",
        default,
        "Fraction of the samples held out to validate on.",
        minimum=0.0,
        maximum=0.9,
    )


def testset_option(default: float = 0.0) -> OptionSpec:
    return OptionSpec(
        "test_split",
        "float",
        default,
        "Fraction of the samples held out as a test set.",
        minimum=0.0,
        maximum=0.5,
    )


# ------------------------------------------------------------------ splits
def split(
    x: np.ndarray,
    y: np.ndarray,
    *,
    validation_split: float,
    test_split: float = 0.0,
    seed: int = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, ...]:
    """Shuffle and split into (x_train, y_train, x_val, y_val, x_test, y_test).

    With ``stratify`` every split keeps the class proportions. The test arrays are None
    when ``test_split`` is 0.
    """
    n = len(x)
    rng = np.random.default_rng(seed)
    if stratify:
        parts = _stratified_indices(y, (validation_split, test_split), rng)
    else:
        order = rng.permutation(n)
        n_val, n_test = _count(n, validation_split), _count(n, test_split)
        parts = (order[n_val + n_test :], order[:n_val], order[n_val : n_val + n_test])
    if len(parts[0]) == 0:
        raise DataError(
            f"after splitting off validation and test data no training sample is left (of {n})"
        )
    train, val, test = parts
    out = [x[train], y[train], x[val], y[val]]
    if test_split > 0:
        out += [x[test], y[test]]
    else:
        out += [None, None]
    return tuple(out)


def _count(n: int, fraction: float) -> int:
    return round(n * fraction) if fraction > 0 else 0


def _stratified_indices(
    y: np.ndarray, fractions: tuple[float, float], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    train: list[np.ndarray] = []
    val: list[np.ndarray] = []
    test: list[np.ndarray] = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_val, n_test = _count(len(members), fractions[0]), _count(len(members), fractions[1])
        val.append(members[:n_val])
        test.append(members[n_val : n_val + n_test])
        train.append(members[n_val + n_test :])
    return tuple(rng.permutation(np.concatenate(p)).astype(np.int64) for p in (train, val, test))


def standardize(*arrays: np.ndarray | None) -> tuple[list[np.ndarray | None], dict[str, list]]:
    """Scale every array with the first one's mean and standard deviation, per feature."""
    reference = arrays[0]
    mean = reference.mean(axis=0)
    std = reference.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    scaled = [None if a is None else ((a - mean) / std).astype(np.float32) for a in arrays]
    return scaled, {"mean": mean.tolist(), "std": std.tolist()}


def class_labels(y: np.ndarray) -> np.ndarray:
    """Class indices as int32, shape (n,)."""
    return np.asarray(y).reshape(-1).astype(np.int32)


def targets(y: np.ndarray) -> np.ndarray:
    """Regression targets as float32, shape (n, k)."""
    y = np.asarray(y, dtype=np.float32)
    return y.reshape(len(y), -1)


def first_array(x: Any) -> np.ndarray:
    """The first array of ``x`` (an array, a list/tuple of arrays or a dict of them)."""
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, list | tuple):
        x = x[0]
    return np.asarray(x)


def auto_loss(task: str | None, y: Any, output_units: int | None = None) -> str:
    """The loss an ``auto`` setting trains with, from the labels ``y`` of a ``task``.

    Class indices (or any integer labels) take sparse categorical cross-entropy, or binary
    cross-entropy for a one-unit output; one-hot labels take categorical cross-entropy;
    real-valued targets take mean squared error (``mse``). Training and the data lint
    both decide with this rule.
    """
    labels = first_array(y)
    integer = np.issubdtype(labels.dtype, np.integer) or labels.dtype == np.bool_
    if task == "classification" or integer:
        if not integer and labels.ndim >= 2 and labels.shape[-1] > 1:
            return "categorical_crossentropy"
        return "binary_crossentropy" if output_units == 1 else "sparse_categorical_crossentropy"
    return "mse"
