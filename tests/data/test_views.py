"""Dataset views: pairs for siamese networks, the input as target for autoencoders."""

from __future__ import annotations

import numpy as np
import pytest

from guibuilder.data import DataError, load_dataset
from guibuilder.data.views import make_pairs


def test_pairs_are_labelled_by_class_and_balanced() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 400)
    x = np.arange(400, dtype="float32")[:, None] * 10 + y[:, None]
    (first, second), same = make_pairs(x, y, seed=0, per_sample=2)
    np.testing.assert_array_equal(first, np.concatenate([x, x]))
    assert len(second) == len(same) == 800
    first_class = (first[:, 0] % 10).astype(int)
    second_class = (second[:, 0] % 10).astype(int)
    np.testing.assert_array_equal(same, (first_class == second_class).astype(int))
    assert 0.4 < same.mean() < 0.6


def test_a_view_in_the_spec_survives_a_reload():
    pairs = load_dataset({"name": "digits", "view": "pairs"})
    assert pairs.num_classes == 2 and len(pairs.x_train) == 2
    assert pairs.spec["view"] == "pairs"
    again = load_dataset(pairs.spec)
    np.testing.assert_array_equal(again.y_train, pairs.y_train)
    recon = load_dataset("digits", view="reconstruct")
    assert recon.task == "regression"
    np.testing.assert_array_equal(recon.y_val, recon.x_val)


def test_bad_views_are_refused_with_one_sentence():
    with pytest.raises(DataError, match="is not one of labels, reconstruct, pairs"):
        load_dataset("digits", view="upside-down")
    with pytest.raises(DataError, match="pairs need a classification dataset"):
        load_dataset("sine", view="pairs")


def test_a_paired_dataset_describes_both_inputs():
    pairs = load_dataset({"name": "digits", "view": "pairs"})
    assert pairs.input_shapes == [(8, 8, 1), (8, 8, 1)]
    assert pairs.input_shape == (8, 8, 1)
    assert pairs.sizes["train"] == len(pairs.y_train) == len(pairs.inputs[0])
    assert "x (8, 8, 1) + (8, 8, 1)" in pairs.summary()
    x, y = pairs.preview(4)
    assert x.shape == (4, 8, 8, 1) and set(y.tolist()) <= {0, 1}
