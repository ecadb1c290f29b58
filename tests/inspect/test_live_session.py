"""A training run that records a probe sample's activations for the window's live view."""

from __future__ import annotations

import numpy as np

from guibuilder.compiler.build import build_model
from guibuilder.inspect.snapshots import live_recorder
from guibuilder.training import TrainConfig, TrainingSession
from guibuilder.training.events import ActivationsEvent, WarningEvent
from tests.training.helpers import collect, mlp_graph, toy_dataset


def test_a_run_sends_the_probes_activations_at_the_start_and_after_each_epoch():
    data = toy_dataset()
    graph = mlp_graph()
    config = TrainConfig(epochs=2, batch_size=32, seed=1, learning_rate=0.05)
    probe = data.x_val[3:4]
    session = TrainingSession(graph, data, config, recorder=live_recorder(probe))
    events = collect(session)
    kinds = [e.kind for e in events]
    assert kinds[0] == "started" and kinds[-1] == "finished"
    live = [e for e in events if isinstance(e, ActivationsEvent)]
    assert [e.epoch for e in live] == [0, 1, 2]
    assert all(e.epochs == 2 for e in live)
    # Epoch 0 comes before the first batch, epoch 1 before the second epoch's events.
    assert kinds.index("activations") < kinds.index("batch")
    first, last = live[0], live[-1]
    assert sorted(last.activations) == ["hidden", "out"]
    assert last.activations["hidden"].shape == (8,) and last.activations["out"].shape == (3,)
    assert last.activations["out"].dtype == np.float16
    assert abs(last.mean["out"] - float(last.activations["out"].astype("float32").mean())) < 1e-3
    # The last snapshot is the trained model's output for the probe; the first is not.
    model = build_model(session.graph)
    session.result.weights.apply(model, session.graph)
    trained = model.predict(probe, verbose=0)[0]
    np.testing.assert_allclose(last.activations["out"], trained, atol=2e-3)
    assert not np.allclose(first.activations["out"], trained, atol=1e-2)


def test_a_probe_the_model_cannot_take_is_a_warning_and_the_run_goes_on():
    data = toy_dataset()
    config = TrainConfig(epochs=1, batch_size=64, seed=1)
    session = TrainingSession(
        mlp_graph(), data, config, recorder=live_recorder(np.zeros((1, 9), "float32"))
    )
    events = collect(session)
    warnings = [e.message for e in events if isinstance(e, WarningEvent)]
    assert any(m.startswith("live activations are off: ") for m in warnings), warnings
    assert not [e for e in events if isinstance(e, ActivationsEvent)]
    assert events[-1].kind == "finished"


def test_without_a_probe_nothing_is_recorded():
    session = TrainingSession(mlp_graph(), toy_dataset(), TrainConfig(epochs=1, seed=1))
    assert not [e for e in collect(session) if isinstance(e, ActivationsEvent)]
