"""Views of a dataset for models that learn something other than its labels.

A dataset spec may carry ``"view"``: ``"labels"`` (the default) keeps the labels,
``"reconstruct"`` makes the input its own target (autoencoders), ``"pairs"`` pairs the
samples and labels each pair 1 when both have the same class (siamese networks).
"""

from __future__ import annotations

import numpy as np

from guibuilder.data.dataset import DataError, Dataset

VIEWS = ("labels", "reconstruct", "pairs")


def make_pairs(
    x: np.ndarray, y: np.ndarray, seed: int, per_sample: int = 1
) -> tuple[list[np.ndarray], np.ndarray]:
    """Pair each sample with ``per_sample`` others: of its own class half of the time, of
    another class otherwise. Returns ``[first, second]`` and the labels (1 = same class)."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([x] * per_sample)
    labels = np.tile(np.asarray(y).reshape(-1), per_sample)
    by_class = {c: np.flatnonzero(labels == c) for c in np.unique(labels)}
    others = {c: np.flatnonzero(labels != c) for c in by_class}
    same = rng.random(len(labels)) < 0.5
    partner = np.array(
        [
            rng.choice(by_class[c] if s and len(by_class[c]) > 1 else others[c])
            for c, s in zip(labels, same, strict=True)
        ]
    )
    target = (labels[partner] == labels).astype("int32")
    return [x, x[partner]], target


def apply_view(data: Dataset, view: str) -> Dataset:
    """``data`` seen as ``view`` (one of :data:`VIEWS`)."""
    if view not in VIEWS:
        raise DataError(f"dataset view {view!r} is not one of {', '.join(VIEWS)}")
    if view == "labels":
        return data
    if view == "reconstruct":
        return Dataset(
            name=f"{data.name} (reconstruct)",
            task="regression",
            x_train=data.x_train,
            y_train=data.x_train,
            x_val=data.x_val,
            y_val=data.x_val,
            description=f"{data.description} The target is the input itself.",
            spec=dict(data.spec),
        )
    if data.task != "classification":
        raise DataError(f"pairs need a classification dataset, and {data.name} is not one")
    x_train, y_train = make_pairs(data.x_train, data.y_train, seed=0, per_sample=3)
    x_val, y_val = make_pairs(data.x_val, data.y_val, seed=1)
    return Dataset(
        name=f"{data.name} (pairs)",
        task="classification",
        x_train=x_train,
        y_train=y_train,
        x_val=x_val,
        y_val=y_val,
        num_classes=2,
        class_names=("different", "same"),
        description=f"Pairs of {data.name} samples: 1 when both have the same class.",
        spec=dict(data.spec),
    )
