"""Step mode records the probe's activations after each step, and only then."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from guibuilder.inspect.callback import ActivationHistory
from guibuilder.inspect.snapshots import Snapshot, SnapshotHistory, live_recorder
from guibuilder.training import TrainConfig, TrainingSession
from guibuilder.training.events import ActivationsEvent, TrainingEvent
from tests.training.helpers import collect, mlp_graph, toy_dataset

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def snap(epoch: int, step: int = 0) -> Snapshot:
    return Snapshot.of(epoch, {"a": np.full((10,), float(epoch), "float32")}, step=step)


def test_a_step_snapshot_is_kept_only_as_the_newest_and_outside_the_caps():
    history = SnapshotHistory(max_snapshots=3)
    for epoch in range(3):
        history.add(snap(epoch))
    history.add(snap(3, step=1))
    history.add(snap(3, step=2))
    kept = history.snapshots
    assert [(s.epoch, s.step) for s in kept] == [(0, 0), (1, 0), (2, 0), (3, 2)]
    assert history.nbytes == sum(s.nbytes for s in kept)
    assert history.at(3).step == 2 and history.at(2).step == 0
    assert kept[-1].when == "epoch 3, step 2" and kept[0].when == "before training"
    history.add(snap(3))
    assert [(s.epoch, s.step) for s in history.snapshots] == [(0, 0), (2, 0), (3, 0)]
    assert history.nbytes == sum(s.nbytes for s in history.snapshots)


def take(session: TrainingSession, events: list[TrainingEvent], count: int) -> None:
    """Move the session's events into ``events`` until ``count`` activations events came."""
    deadline = time.monotonic() + 60
    while sum(isinstance(e, ActivationsEvent) for e in events) < count:
        assert time.monotonic() < deadline, [e.kind for e in events]
        assert session.result is None, session.result
        events.extend(session.drain())
        time.sleep(0.005)


def test_each_step_sends_the_probes_activations_with_its_step():
    data = toy_dataset()
    # 192 training samples in batches of 64: three steps make an epoch.
    config = TrainConfig(epochs=5, batch_size=64, seed=1, learning_rate=0.05)
    session = TrainingSession(
        mlp_graph(), data, config, batch_interval=60.0, recorder=live_recorder(data.x_val[:1])
    )
    session.pause()
    session.start()
    events: list[TrainingEvent] = []
    try:
        take(session, events, 1)  # before training
        for n in range(1, 5):
            session.step()
            take(session, events, n + 1)
            assert session.state == "paused"
    finally:
        session.stop()
        assert session.wait(30)
    events.extend(session.drain())
    live = [e for e in events if isinstance(e, ActivationsEvent)]
    # Step 3 ends epoch 1: the epoch's own snapshot stands for it.
    assert [(e.epoch, e.step) for e in live[:5]] == [(0, 0), (1, 1), (1, 2), (1, 0), (2, 1)]
    assert all(e.epochs == 5 for e in live)
    # The stop cut epoch 2 short: it is recorded by the batches it ran, not as an epoch.
    assert [(e.epoch, e.step) for e in live[5:]] == [(2, session.steps_done - 3)]
    # Each step's event comes before the run pauses after it (a paused event counts the
    # batches done in the epoch).
    kinds = [(e.kind, getattr(e, "step", None)) for e in events]
    assert kinds.index(("activations", 1)) < kinds.index(("paused", 1))
    assert kinds.index(("activations", 2)) < kinds.index(("paused", 2))
    # Every step changed the weights, and so the probe's output.
    outs = [e.activations["out"].astype("float32") for e in live[:5]]
    for before, after in itertools.pairwise(outs):
        assert not np.array_equal(before, after)


def test_a_free_run_records_only_the_start_and_the_epoch_ends(monkeypatch):
    captured: list[tuple[int, int]] = []
    capture = ActivationHistory.capture

    def counted(self, epoch: int, step: int = 0) -> Snapshot:
        captured.append((epoch, step))
        return capture(self, epoch, step)

    monkeypatch.setattr(ActivationHistory, "capture", counted)
    data = toy_dataset()
    config = TrainConfig(epochs=2, batch_size=16, seed=1)
    session = TrainingSession(mlp_graph(), data, config, recorder=live_recorder(data.x_val[:1]))
    live = [e for e in collect(session) if isinstance(e, ActivationsEvent)]
    assert captured == [(0, 0), (1, 0), (2, 0)]
    assert [(e.epoch, e.step) for e in live] == captured
