"""Datasets bundled with scikit-learn: always there, no network needed."""

from __future__ import annotations

from typing import Any

import numpy as np

from guibuilder.data.dataset import (
    SEED,
    Dataset,
    DatasetInfo,
    class_labels,
    split,
    standardize,
    testset_option,
    validation_option,
)


def _digits(o: dict[str, Any]) -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.images / 16.0).astype(np.float32)[..., None]
    return _dataset("digits", x, bunch.target, tuple(str(c) for c in range(10)), o, scale=False)


def _tabular(loader_name: str, name: str):
    def load(o: dict[str, Any]) -> Dataset:
        from sklearn import datasets

        bunch = getattr(datasets, loader_name)()
        names = tuple(str(n) for n in bunch.target_names)
        data = _dataset(name, bunch.data.astype(np.float32), bunch.target, names, o, scale=True)
        data.feature_names = tuple(str(f) for f in bunch.feature_names)
        return data

    return load


def _dataset(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    names: tuple[str, ...],
    o: dict[str, Any],
    *,
    scale: bool,
) -> Dataset:
    x_tr, y_tr, x_va, y_va, x_te, y_te = split(
        x,
        class_labels(y),
        validation_split=o["validation_split"],
        test_split=o["test_split"],
        seed=o["seed"],
        stratify=True,
    )
    meta: dict[str, Any] = {}
    if scale:
        (x_tr, x_va, x_te), meta = standardize(x_tr, x_va, x_te)
    parts = (x_tr, y_tr, x_va, y_va, x_te, y_te)
    return Dataset.from_split(name, "classification", parts, names, meta=meta)


OPTIONS = (SEED, validation_option(0.2), testset_option(0.0))


def _entry(name: str, title: str, description: str, shape, classes: int, samples: int, load):
    return DatasetInfo(
        name=name,
        title=title,
        task="classification",
        source="builtin",
        description=description,
        input_shape=shape,
        num_classes=classes,
        options=OPTIONS,
        load=load,
        samples=samples,
    )


ENTRIES = [
    _entry(
        "digits",
        "Digits (8x8)",
        "Handwritten digits as 8x8 grayscale images in [0, 1]: a tiny MNIST that trains fast.",
        (8, 8, 1),
        10,
        1797,
        _digits,
    ),
    _entry(
        "iris",
        "Iris",
        "Four measurements of iris flowers, three species (standardised).",
        (4,),
        3,
        150,
        _tabular("load_iris", "iris"),
    ),
    _entry(
        "wine",
        "Wine",
        "Thirteen chemical measurements of wines from three cultivars (standardised).",
        (13,),
        3,
        178,
        _tabular("load_wine", "wine"),
    ),
    _entry(
        "breast_cancer",
        "Breast cancer",
        "Thirty features of cell nuclei, malignant or benign (standardised).",
        (30,),
        2,
        569,
        _tabular("load_breast_cancer", "breast_cancer"),
    ),
]
