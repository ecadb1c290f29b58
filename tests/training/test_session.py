"""TrainingSession: real (tiny) runs in a worker thread, steered and observed by events."""

from __future__ import annotations

import csv
import json
import time

import keras
import numpy as np
import pytest

from guibuilder.data import Dataset
from guibuilder.document.weights import WeightStore
from guibuilder.training import (
    EpochEvent,
    ErrorEvent,
    FinishedEvent,
    NanEvent,
    StartedEvent,
    StoppedEvent,
    TrainConfig,
    TrainingSession,
)
from tests.training.helpers import collect, mlp_graph, toy_dataset

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def wait_for(session, kind: str, timeout: float = 60.0) -> list:
    """Events up to and including the first of ``kind``."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in session.drain():
            seen.append(event)
            if event.kind == kind:
                return seen
            assert not event.terminal, f"the run ended early: {event}"
        time.sleep(0.005)
    raise AssertionError(f"no {kind} event within {timeout} s")


# ------------------------------------------------------------ a finished run
@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    graph = mlp_graph()
    config = TrainConfig(
        epochs=2,
        batch_size=16,
        learning_rate=0.05,
        warmup_epochs=1,
        schedule="step",
        decay_every=1,
        decay_factor=0.5,
        seed=3,
    )
    session = TrainingSession(graph, toy_dataset(), config, run_root=root, name="tiny")
    graph.set_param("hidden", "units", 99)  # edits after the snapshot do not reach the run
    events = collect(session)
    return session, events, graph


def test_events_come_in_order_and_end_with_finished(finished):
    session, events, _ = finished
    kinds = [e.kind for e in events]
    assert kinds[0] == "started"
    assert kinds[-1] == "finished" and events[-1].terminal
    assert kinds.count("epoch") == 2
    assert "batch" in kinds and "error" not in kinds
    started = events[0]
    assert isinstance(started, StartedEvent)
    assert (started.steps_per_epoch, started.train_samples, started.val_samples) == (12, 192, 48)
    assert started.loss == "sparse_categorical_crossentropy" and started.metrics == ("accuracy",)
    assert started.params == 4 * 8 + 8 + 8 * 3 + 3
    assert started.backend == keras.backend.backend()
    assert started.device == "CPU" and started.seed == 3
    assert session.state == "finished"
    assert session.steps_done == 24


def test_batch_events_carry_progress_speed_and_eta(finished):
    _, events, _ = finished
    batches = [e for e in events if e.kind == "batch"]
    assert all(1 <= b.step <= b.steps == 12 for b in batches)
    assert [b.global_step for b in batches] == sorted(b.global_step for b in batches)
    assert batches[-1].global_step == 24 and batches[-1].eta_s == 0
    assert all(b.samples_per_s > 0 and np.isfinite(b.loss) for b in batches)
    assert set(batches[-1].logs) == {"loss", "accuracy"}


def test_epoch_events_have_validation_logs_learning_rate_and_eta(finished):
    _, events, _ = finished
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert [e.epoch for e in epochs] == [1, 2]
    assert list(epochs[0].logs) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert [e.lr for e in epochs] == pytest.approx([0.05, 0.025])  # warm-up, then step decay
    assert epochs[-1].eta_s == 0 and epochs[0].eta_s > 0
    assert not any(e.partial for e in epochs)
    assert epochs[1].logs["loss"] < epochs[0].logs["loss"]


def test_the_run_folder_holds_config_history_models_and_log(finished):
    session, events, _ = finished
    run_dir = session.run_dir
    assert run_dir is not None and run_dir.name.endswith("-tiny")
    assert events[-1].run_dir == run_dir == session.result.run_dir
    assert {p.name for p in run_dir.iterdir()} == {
        "config.json",
        "history.csv",
        "best.keras",
        "last.keras",
        "train.log",
    }
    config = json.loads((run_dir / "config.json").read_text())
    assert config["config"]["epochs"] == 2 and config["config"]["seed"] == 3
    assert config["resolved"]["loss"] == "sparse_categorical_crossentropy"
    assert config["dataset"]["name"] == "toy" and config["dataset"]["train_samples"] == 192
    assert config["environment"]["backend"] == keras.backend.backend()
    hidden = next(n for n in config["project"]["nodes"] if n["id"] == "hidden")
    assert hidden["params"]["units"] == 8
    with (run_dir / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert [r["epoch"] for r in rows] == ["1", "2"]
    log = (run_dir / "train.log").read_text()
    assert "epoch 2/2" in log and "finished: trained 2 epochs" in log


def test_trained_weights_come_back_as_a_weight_store(finished):
    from guibuilder.compiler.build import build_model

    session, _, graph = finished
    result = session.result
    assert isinstance(result.weights, WeightStore)
    assert sorted(result.weights.node_ids()) == ["hidden", "out"]
    assert result.history["epoch"] == [1, 2] and len(result.history["val_loss"]) == 2
    assert result.best_epoch in (1, 2)
    last = keras.saving.load_model(session.run_dir / "last.keras")
    rebuilt = build_model(session.graph, result.weights)
    x = toy_dataset().x_val[:5]
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), last.predict(x, verbose=0), atol=1e-6)
    assert graph.node("hidden").params["units"] == 99


# ---------------------------------------------------------------- steering
def long_run(**changes) -> TrainingSession:
    settings = {"epochs": 50, "batch_size": 1, "seed": 0, **changes}
    return TrainingSession(mlp_graph(), toy_dataset(), TrainConfig(**settings), batch_interval=0)


def test_pause_holds_the_run_resume_continues_and_stop_ends_it_within_a_batch():
    session = long_run()
    session.start()
    try:
        wait_for(session, "batch")
        session.pause()
        wait_for(session, "paused")
        assert session.state == "paused"
        held = session.steps_done
        time.sleep(0.3)
        assert session.steps_done == held
        session.resume()
        wait_for(session, "resumed")
        wait_for(session, "batch")
        assert session.steps_done > held
        before = session.steps_started
        session.stop()
        assert session.wait(30)
    finally:
        session.stop()
        session.wait(30)
    assert session.steps_started <= before + 1
    end = session.drain()[-1]
    assert isinstance(end, StoppedEvent), end
    assert session.state == "stopped"
    assert "stopped after 0 of 50 epochs" in end.message
    assert session.result.weights is not None


def test_a_pause_is_announced_at_the_true_batch_after_the_last_one_is_reported(monkeypatch):
    """The paused event comes after every batch begun before it, the last one reported
    (however rarely batches are reported), and no batch follows it while paused."""
    from guibuilder.training.callbacks import SessionCallback

    real_end = SessionCallback.on_train_batch_end

    def slow_end(self, batch, logs=None):  # a batch end that lags, as on a busy GPU
        time.sleep(0.02)
        real_end(self, batch, logs)

    monkeypatch.setattr(SessionCallback, "on_train_batch_end", slow_end)
    session = TrainingSession(
        mlp_graph(), toy_dataset(), TrainConfig(epochs=50, batch_size=1), batch_interval=60.0
    )
    session.start()
    try:
        seen = wait_for(session, "epoch")
        time.sleep(0.2)  # into the next epoch, between two reported batches
        session.pause()
        seen += wait_for(session, "paused")
        time.sleep(0.3)
        later, done = session.drain(), session.steps_done
    finally:
        session.stop()
        session.wait(30)
    paused = seen[-1]
    steps = next(e.steps_per_epoch for e in seen if isinstance(e, StartedEvent))
    held = (paused.epoch - 1) * steps + paused.step
    last = [e for e in seen if e.kind == "batch"][-1]
    assert last.global_step == held == done
    assert not [e for e in later if e.kind == "batch"]


def test_stop_while_paused_ends_the_run():
    session = long_run()
    session.pause()
    session.start()
    wait_for(session, "paused")
    session.stop()
    assert session.wait(30)
    assert session.steps_started <= 1
    end = session.drain()[-1]
    assert end.kind == "stopped", end


def test_a_nan_loss_stops_the_run_with_a_clear_message(tmp_path):
    data = toy_dataset()
    data.x_train[0, 0] = np.inf
    config = TrainConfig(epochs=3, batch_size=8, shuffle=False, seed=0)
    session = TrainingSession(mlp_graph(), data, config, run_root=tmp_path)
    events = collect(session)
    end = events[-1]
    assert isinstance(end, NanEvent) and session.state == "nan"
    assert (end.epoch, end.step) == (1, 1)
    assert "NaN or infinite" in end.message and "lower learning rate" in end.message
    assert session.result.weights is None
    assert [e.partial for e in events if e.kind == "epoch"] == [True]
    assert not (session.run_dir / "last.keras").exists()
    assert "nan: the loss became NaN" in (session.run_dir / "train.log").read_text()


# -------------------------------------------------------------- failures
def broken_loader():
    raise OSError("the disk is on fire")


def strings_dataset():
    data = toy_dataset()
    data.x_train = data.x_train.astype(str)
    return data


@pytest.mark.parametrize(
    ("dataset", "config", "words", "node_ids"),
    [
        (broken_loader, TrainConfig(), "training failed: the disk is on fire", ()),
        (
            lambda: toy_dataset(features=5),
            TrainConfig(),
            "input node 'input' expects samples of shape (4,) but the dataset 'toy' gives (5,)",
            ("input",),
        ),
        (
            lambda: toy_dataset(classes=5),
            TrainConfig(),
            "output node 'out' gives 3 values per sample but the labels have 5 classes",
            ("out",),
        ),
        (
            toy_dataset,
            TrainConfig(loss="categorical_crossentropy"),
            "categorical_crossentropy needs one-hot labels",
            (),
        ),
        (strings_dataset, TrainConfig(epochs=1), "training failed", ()),
        (toy_dataset, TrainConfig(device="gpu"), "sees no GPU", ()),
    ],
    ids=[
        "loader-raises",
        "input-shape",
        "too-few-classes",
        "one-hot-loss",
        "keras-fails",
        "no-gpu",
    ],
)
def test_errors_from_data_and_model_become_one_error_event(dataset, config, words, node_ids):
    session = TrainingSession(mlp_graph(), dataset, config)
    events = collect(session)
    end = events[-1]
    assert isinstance(end, ErrorEvent) and session.state == "error"
    assert words in end.message and "\n" not in end.message
    assert end.node_ids == node_ids == session.result.node_ids
    assert sum(e.terminal for e in events) == 1


def test_an_invalid_graph_is_reported_with_its_nodes():
    graph = mlp_graph()
    graph.disconnect(graph.in_edges("out")[0])
    events = collect(TrainingSession(graph, toy_dataset(), TrainConfig()))
    assert events[-1].kind == "error" and "out" in events[-1].node_ids


# ------------------------------------------------- schedules and stopping
def test_plateau_and_early_stopping_on_a_frozen_model_and_mixed_precision_on_cpu():
    graph = mlp_graph()
    for node_id in ("hidden", "out"):
        graph.set_trainable(node_id, False)
    config = TrainConfig(
        epochs=10,
        batch_size=64,
        learning_rate=0.01,
        schedule="plateau",
        plateau_patience=0,
        decay_factor=0.5,
        early_stopping=True,
        patience=2,
        mixed_precision=True,
        seed=1,
    )
    events = collect(TrainingSession(graph, toy_dataset(), config))
    warnings = [e.message for e in events if e.kind == "warning"]
    assert "mixed precision needs a GPU: training in float32" in warnings
    end = events[-1]
    assert isinstance(end, FinishedEvent)
    assert end.epochs_run == 3 and "early stopping ended the run after 3 of 10" in end.message
    assert [e.lr for e in events if e.kind == "epoch"] == pytest.approx([0.01, 0.01, 0.005])


def test_validation_split_holds_out_data_when_the_dataset_has_none():
    full = toy_dataset()
    data = Dataset(
        name="noval",
        task="classification",
        x_train=full.x_train,
        y_train=full.y_train,
        x_val=full.x_train[:0],
        y_val=full.y_train[:0],
        num_classes=3,
    )
    config = TrainConfig(epochs=1, batch_size=32, validation_split=0.25, keep_best=False)
    events = collect(TrainingSession(mlp_graph(), data, config))
    started = events[0]
    assert (started.train_samples, started.val_samples) == (144, 48)
    assert "val_loss" in next(e for e in events if e.kind == "epoch").logs


def test_a_session_runs_once_and_an_idle_one_is_idle():
    session = TrainingSession(mlp_graph(), toy_dataset(), TrainConfig())
    assert session.state == "idle" and session.drain() == [] and session.wait(0)
    session.stop()
    session.start()
    with pytest.raises(RuntimeError, match="runs only once"):
        session.start()
    assert session.wait(60)
    end = session.drain()[-1]
    assert end.kind == "stopped", end
