"""Step mode: a paused run trains exactly one batch per step and pauses again."""

from __future__ import annotations

import threading
import time

import pytest

from guibuilder.document.settings import TrainConfig
from guibuilder.training import BatchEvent, EpochEvent, TrainingSession
from guibuilder.training.controls import Controls
from tests.training.helpers import mlp_graph, toy_dataset

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

#: 192 training samples in batches of 64: three steps make an epoch.
STEPS_PER_EPOCH = 3


def stepping_session(epochs: int = 5) -> TrainingSession:
    """A paused session whose batch events come only from steps and epoch ends."""
    config = TrainConfig(epochs=epochs, batch_size=64, seed=1)
    session = TrainingSession(mlp_graph(), toy_dataset(), config, batch_interval=60.0)
    session.pause()
    return session


def settle(session: TrainingSession, steps: int, timeout: float = 60.0) -> None:
    """Wait until ``steps`` batches are done, then make sure no further one begins."""
    deadline = time.monotonic() + timeout
    while session.steps_done < steps:
        assert time.monotonic() < deadline, f"only {session.steps_done} of {steps} steps ran"
        assert session.result is None, session.result
        time.sleep(0.005)
    time.sleep(0.3)
    assert session.steps_started == steps
    assert session.steps_done == steps


def finish(session: TrainingSession) -> None:
    session.stop()
    assert session.wait(30)


def test_each_step_trains_exactly_one_batch_and_reports_it():
    session = stepping_session()
    session.start()
    try:
        for n in (1, 2, 3, 4):
            session.step()
            settle(session, n)
            assert session.state == "paused"
    finally:
        finish(session)
    events = session.drain()
    batches = [e for e in events if isinstance(e, BatchEvent)]
    assert [b.global_step for b in batches] == [1, 2, 3, 4]
    assert [(b.epoch, b.step) for b in batches] == [(1, 1), (1, 2), (1, 3), (2, 1)]
    epochs = [e for e in events if isinstance(e, EpochEvent) and not e.partial]
    assert [e.epoch for e in epochs] == [1]
    assert "val_loss" in epochs[0].logs
    assert events[-1].kind == "stopped"


def test_steps_asked_for_at_once_add_up():
    session = stepping_session()
    session.step(2)
    session.step()
    session.start()
    try:
        settle(session, 3)
        assert session.state == "paused"
    finally:
        finish(session)
    batches = [e for e in session.drain() if isinstance(e, BatchEvent)]
    assert [b.global_step for b in batches] == [1, 2, 3]


def test_a_step_pauses_a_running_session_and_resume_lets_it_run_on():
    config = TrainConfig(epochs=50, batch_size=8, seed=1)
    session = TrainingSession(mlp_graph(), toy_dataset(), config, batch_interval=0)
    session.start()
    try:
        deadline = time.monotonic() + 60
        while session.steps_done < 2:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        session.step()
        assert session.state == "paused"
        time.sleep(0.5)
        held = session.steps_done
        time.sleep(0.3)
        assert session.steps_done == held
        session.resume()
        deadline = time.monotonic() + 60
        while session.steps_done < held + 5:
            assert time.monotonic() < deadline, "the run did not go on after resume"
            time.sleep(0.005)
        assert session.state == "running"
    finally:
        finish(session)
    kinds = [e.kind for e in session.drain()]
    assert "paused" in kinds
    assert "resumed" in kinds


def test_stop_ends_a_stepping_session_that_waits_for_its_next_step():
    session = stepping_session()
    session.step()
    session.start()
    settle(session, 1)
    finish(session)
    assert session.steps_started <= 2  # a stop lets at most one more batch begin
    assert session.result.status == "stopped"


# ----------------------------------------------------------------- controls
def test_controls_grant_steps_one_at_a_time():
    controls = Controls()
    assert controls.may_go()
    controls.pause()
    assert not controls.may_go()
    assert not controls.take_step()
    controls.grant_step(2)
    assert controls.steps_granted == 2
    assert controls.take_step() and controls.take_step()
    assert not controls.take_step()
    assert not controls.running.is_set()
    controls.grant_step()
    controls.resume()
    assert controls.steps_granted == 0
    assert controls.may_go()


def test_a_waiting_thread_wakes_for_a_step_and_for_a_stop():
    controls = Controls()
    controls.pause()
    assert not controls.wait(0.05)
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(controls.wait(10)))
    waiter.start()
    time.sleep(0.05)
    controls.grant_step()
    waiter.join(5)
    assert woke == [True]
    assert controls.take_step()
    waiter = threading.Thread(target=lambda: woke.append(controls.wait(10)))
    waiter.start()
    time.sleep(0.05)
    controls.halt()
    waiter.join(5)
    assert woke == [True, True]
    assert controls.stop.is_set()
