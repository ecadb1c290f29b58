"""Built-in and generated datasets: shapes, dtypes, ranges, class counts, determinism, specs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from guibuilder.data import (
    TASKS,
    DataError,
    Dataset,
    dataset_info,
    list_datasets,
    load_dataset,
)
from guibuilder.data.generated import NEGATIVE, POSITIVE
from guibuilder.errors import GuibuilderError

LOCAL = [i.name for i in list_datasets() if i.source in ("builtin", "generated")]
SMALL = {"samples": 200}  # generated sets: small and fast


def load(name: str, **options) -> Dataset:
    if dataset_info(name).source == "generated":
        options = {**SMALL, **options}
    return load_dataset(name, **options)


def test_the_registry_lists_every_required_dataset():
    names = {i.name for i in list_datasets()}
    assert {"digits", "iris", "wine", "breast_cancer"} <= names
    assert {"spirals", "moons", "circles", "xor", "blobs", "sine", "pattern", "sentiment"} <= names
    assert {"mnist", "fashion_mnist", "cifar10", "cifar100", "imdb"} <= names
    assert not {"csv", "numpy", "image_folder"} & names
    assert {"csv", "numpy", "image_folder"} <= {i.name for i in list_datasets(include_files=True)}
    for info in list_datasets():
        assert info.task in TASKS
        assert info.description and info.title
        assert info.available == (info.source != "keras")  # the cache is empty in tests


@pytest.mark.parametrize("name", LOCAL)
def test_every_local_dataset_keeps_the_interface(name):
    data = load(name)
    info = dataset_info(name)
    assert data.name == name and data.task == info.task
    assert data.input_shape == info.input_shape
    assert data.x_train.dtype in (np.float32, np.int32)
    assert len(data.x_train) == len(data.y_train) > 0
    assert len(data.x_val) == len(data.y_val) > 0
    assert data.x_val.shape[1:] == data.x_train.shape[1:]
    assert data.x_test is None and data.y_test is None
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_val).all()
    if data.task == "classification":
        assert data.num_classes == info.num_classes == len(data.class_names)
        assert data.y_train.dtype == np.int32 and data.y_train.ndim == 1
        assert set(np.unique(data.y_train)) == set(range(data.num_classes))
        assert set(np.unique(data.y_val)) <= set(range(data.num_classes))
    else:
        assert data.num_classes is None and data.class_names == ()
        assert data.y_train.dtype == np.float32 and data.y_train.ndim == 2
    x, y = data.preview(6)
    assert len(x) == len(y) == 6 and x.shape[1:] == data.input_shape
    assert data.label_text(y[0])
    assert name in data.summary()


@pytest.mark.parametrize("name", LOCAL)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b = load(name), load(name)
    for field in ("x_train", "y_train", "x_val", "y_val"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    c = load(name, seed=1)
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("name", LOCAL)
def test_the_spec_is_json_and_reloads_the_same_data(name):
    data = load(name)
    spec = json.loads(json.dumps(data.spec))
    assert spec["name"] == name
    again = load_dataset(spec)
    np.testing.assert_array_equal(again.x_val, data.x_val)
    assert again.spec == data.spec


def test_digits_is_eight_by_eight_in_unit_range_with_an_80_20_split():
    data = load_dataset("digits")
    assert data.input_shape == (8, 8, 1)
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert data.x_train.max() == 1.0
    assert len(data.x_train) + len(data.x_val) == 1797
    assert abs(len(data.x_val) / 1797 - 0.2) < 0.01
    assert data.class_names == tuple("0123456789")
    counts = np.bincount(data.y_val, minlength=10)
    assert counts.min() >= 30  # stratified: every digit is validated


@pytest.mark.parametrize(
    ("name", "features", "classes"), [("iris", 4, 3), ("wine", 13, 3), ("breast_cancer", 30, 2)]
)
def test_tabular_sets_are_standardised_with_training_statistics(name, features, classes):
    data = load_dataset(name, test_split=0.1)
    assert data.input_shape == (features,) and data.num_classes == classes
    assert len(data.feature_names) == features
    np.testing.assert_allclose(data.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(data.x_train.std(axis=0), 1, atol=1e-4)
    assert data.x_test is not None and len(data.x_test) == len(data.y_test) > 0
    assert data.meta["mean"] and data.meta["std"]
    sizes = data.sizes
    assert sum(sizes.values()) == {"iris": 150, "wine": 178, "breast_cancer": 569}[name]


def test_two_d_sets_follow_noise_size_and_classes():
    assert len(load_dataset("moons", samples=100, validation_split=0.1).x_train) == 90
    quiet = load_dataset("circles", samples=400, noise=0.0)
    radii = np.linalg.norm(quiet.x_train, axis=1)
    np.testing.assert_allclose(np.sort(np.unique(np.round(radii, 6))), [0.5, 1.0])
    blobs = load_dataset("blobs", samples=300, classes=5)
    assert blobs.num_classes == 5 and len(blobs.class_names) == 5
    spirals = load_dataset("spirals", samples=300, classes=3)
    assert set(np.unique(spirals.y_train)) == {0, 1, 2}
    assert np.abs(spirals.x_train).max() < 1.5
    xor = load_dataset("xor", samples=400, noise=0.0)
    same_sign = xor.x_train[:, 0] * xor.x_train[:, 1] > 0
    np.testing.assert_array_equal(same_sign, xor.y_train == 1)


def test_classes_are_balanced():
    for name in ("spirals", "pattern", "blobs"):
        data = load_dataset(name, samples=300, validation_split=0.0)
        counts = np.bincount(data.y_train)
        assert counts.max() - counts.min() <= 1, name


def test_sine_windows_predict_the_next_value():
    data = load_dataset("sine", samples=100, window=12, horizon=3, noise=0.0)
    assert data.task == "sequence"
    assert data.input_shape == (12, 1) and data.target_shape == (3,)
    assert np.abs(data.x_train).max() <= 1.0
    # a noise-free sine obeys s[t+1] = 2 cos(w) s[t] - s[t-1]: the target continues the window
    x = data.x_train[:, :, 0].astype(np.float64)
    two_cos = (x[:, 2] + x[:, 0]) / x[:, 1]
    predicted = two_cos * x[:, -1] - x[:, -2]
    ok = np.abs(x[:, 1]) > 0.1
    np.testing.assert_allclose(predicted[ok], data.y_train[ok, 0], atol=1e-3)


def test_adding_targets_are_the_sum_of_the_marked_values():
    data = load_dataset("adding", samples=100, steps=10)
    values, markers = data.x_train[..., 0], data.x_train[..., 1]
    assert (markers.sum(axis=1) == 2).all()
    np.testing.assert_allclose((values * markers).sum(axis=1), data.y_train[:, 0], rtol=1e-6)


def test_pattern_hides_a_ramp_in_the_labelled_direction():
    data = load_dataset("pattern", samples=300, noise=0.0, validation_split=0.0)
    assert data.class_names == ("none", "rise", "fall")
    x = data.x_train[..., 0]
    for label in (0, 1, 2):
        rows = x[data.y_train == label]
        if label == 0:
            assert np.abs(rows).max() == 0
        else:
            first = rows[np.arange(len(rows)), np.argmax(rows != 0, axis=1)]
            assert ((first < 0) if label == 1 else (first > 0)).all()


def test_sentiment_tokens_are_padded_ids_of_a_tiny_vocabulary():
    data = load_dataset("sentiment", samples=300, maxlen=12)
    assert data.x_train.dtype == np.int32 and data.input_shape == (12,)
    assert data.vocabulary[0] == "<pad>" and data.vocab_size == len(data.vocabulary)
    assert data.x_train.min() == 0 and data.x_train.max() < data.vocab_size
    assert (data.x_train[:, -1] == 0).any()  # shorter reviews are padded at the end
    negations = 0
    for row, label in zip(data.x_train, data.y_train, strict=True):
        review = [data.vocabulary[t] for t in row if t]
        score = 0
        for i, word in enumerate(review):
            sign = -1 if i and review[i - 1] == "not" else 1
            negations += sign < 0
            score += sign * ((word in POSITIVE) - (word in NEGATIVE))
        assert score != 0 and (score > 0) == bool(label), review
    assert negations > 0


def test_preview_shows_every_class_first():
    data = load_dataset("digits")
    _, y = data.preview(10)
    assert sorted(y.tolist()) == list(range(10))


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"nosie": 0.1}, ["spirals", "'nosie'", "noise"]),
        ({"samples": 5}, ["'samples'", "at least 20"]),
        ({"samples": 2.5}, ["'samples'", "integer"]),
        ({"noise": "loud"}, ["'noise'", "number"]),
        ({"validation_split": 0.95}, ["'validation_split'", "at most 0.9"]),
    ],
)
def test_bad_options_are_named(options, words):
    with pytest.raises(DataError) as caught:
        load_dataset("spirals", **options)
    for word in words:
        assert word in str(caught.value)


def test_an_unknown_name_lists_the_choices():
    with pytest.raises(GuibuilderError, match="no dataset 'digitz': pick one of digits"):
        load_dataset("digitz")
    with pytest.raises(DataError, match="has no 'name'"):
        load_dataset({"noise": 0.1})
