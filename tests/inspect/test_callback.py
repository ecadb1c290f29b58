"""The activation history recorded during ``fit`` for the epoch slider."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from guibuilder.inspect.callback import ActivationHistory, Snapshot


def tiny_model() -> keras.Model:
    x = keras.Input((4,), name="input")
    hidden = keras.layers.Dense(6, activation="relu", name="hidden")(x)
    model = keras.Model(x, keras.layers.Dense(3, activation="softmax", name="out")(hidden))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    return model


def data(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=n)
    x = (np.eye(4)[y] * 3 + rng.normal(size=(n, 4))).astype("float32")
    return x, y


def test_the_start_and_each_epoch_end_record_the_probe_with_the_weights_of_then():
    keras.utils.set_random_seed(0)
    model = tiny_model()
    x, y = data()
    untrained = model.predict(x[:5], verbose=0)
    seen: list[Snapshot] = []
    history = ActivationHistory(x[:5], on_snapshot=seen.append, precision="float32")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[history])
    assert history.epochs() == [0, 1, 2, 3]
    assert [s.epoch for s in seen] == [0, 1, 2, 3]
    np.testing.assert_allclose(history.at(0).activations["out"], untrained, rtol=1e-5)
    last = history.snapshots[-1]
    assert sorted(last.activations) == ["hidden", "out"]
    assert last.activations["hidden"].shape == (5, 6)
    # The last snapshot is what the trained model gives for the probe now.
    np.testing.assert_allclose(last.activations["out"], model.predict(x[:5], verbose=0), rtol=1e-5)
    assert last.mean["hidden"] == pytest.approx(float(last.activations["hidden"].mean()))
    assert last.std["out"] == pytest.approx(float(last.activations["out"].std()), rel=1e-5)
    # Training changed the weights between epochs, so the activations changed too.
    first = history.snapshots[1].activations["out"]
    assert not np.allclose(first, last.activations["out"])
    assert history.at(2).epoch == 2 and history.at(10).epoch == 3
    with pytest.raises(KeyError):
        history.at(-1)


def test_history_stays_bounded_and_keeps_the_first_and_latest_epochs():
    model = tiny_model()
    x, y = data(16)
    history = ActivationHistory(x[:2], node_ids=["hidden"], max_snapshots=4, every=1)
    model.fit(x, y, epochs=9, batch_size=16, verbose=0, callbacks=[history])
    epochs = history.epochs()
    assert len(epochs) <= 4
    assert epochs[0] == 0 and epochs[-1] == 9 and epochs == sorted(epochs)
    assert list(history.snapshots[-1].activations) == ["hidden"]
    every = ActivationHistory(x[:2], every=2, at_start=False)
    model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[every])
    assert every.epochs() == [2, 4]


def test_snapshots_are_float16_and_the_probe_model_is_let_go_after_fit():
    model = tiny_model()
    x, y = data(16)
    history = ActivationHistory(x[:3])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[history])
    snapshot = history.snapshots[-1]
    assert {v.dtype for v in snapshot.activations.values()} == {np.dtype("float16")}
    exact = model.predict(x[:3], verbose=0)
    np.testing.assert_allclose(snapshot.activations["out"], exact, atol=2e-3)
    assert history._probe is None
    with pytest.raises(RuntimeError, match="no model"):
        history.capture(5)


def test_a_failing_recording_is_reported_once_and_training_goes_on():
    model = tiny_model()
    x, y = data(16)
    errors: list[Exception] = []
    wrong = ActivationHistory(np.zeros((1, 7), "float32"), on_error=errors.append)
    fitted = model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[wrong])
    assert len(fitted.history["loss"]) == 3
    assert len(errors) == 1 and wrong.failed and wrong.epochs() == []
    loud = ActivationHistory(np.zeros((1, 7), "float32"))
    with pytest.raises(Exception):  # noqa: B017 - Keras' own error for a wrong input shape
        model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[loud])
