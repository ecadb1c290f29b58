"""A finished run gives its memory back: no model, graph or freeze of its own outlives it."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import keras
import pytest

from guibuilder.document.settings import TrainConfig
from guibuilder.errors import KerasUnavailableError
from guibuilder.training import TrainingSession, backend, memory
from tests.training.helpers import collect, mlp_graph, toy_dataset, watch_models

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def built_models(monkeypatch) -> list[weakref.ref]:
    """Weak references to every model the sessions of a test build."""
    return watch_models(monkeypatch)


def run_once(tmp_path: Path, **config) -> TrainingSession:
    settings = {"epochs": 1, "batch_size": 32, "seed": 0, **config}
    config = TrainConfig(**settings)
    session = TrainingSession(mlp_graph(), toy_dataset(), config, run_root=tmp_path)
    events = collect(session)
    assert events[-1].kind == "finished", events[-1]
    return session


def test_the_model_of_a_finished_run_is_freed_without_help(tmp_path, built_models):
    frozen = gc.get_freeze_count()
    session = run_once(tmp_path)
    assert len(built_models) == 1
    # Keras models live in reference cycles; the run collected them itself.
    assert built_models[0]() is None
    assert session.result is not None and session.result.weights is not None
    # The run set nothing aside (frozen objects an earlier window left may die meanwhile).
    assert gc.get_freeze_count() <= frozen


def test_a_stopped_or_failed_run_frees_its_model_too(tmp_path, built_models):
    failing = TrainingSession(mlp_graph(classes=2), toy_dataset(), TrainConfig(epochs=1))
    events = collect(failing)
    assert events[-1].kind == "error"
    stopped = TrainingSession(mlp_graph(), toy_dataset(), TrainConfig(epochs=50))
    stopped.stop()
    assert collect(stopped)[-1].kind == "stopped"
    assert [ref() for ref in built_models] == [None, None]


def test_a_gui_session_leaves_the_collection_to_its_own_thread(tmp_path, built_models):
    data, config = toy_dataset(), TrainConfig(epochs=1, seed=0)
    session = TrainingSession(mlp_graph(), data, config, release_memory=False)
    assert collect(session)[-1].kind == "finished"
    assert built_models[0]() is not None, "the worker collected: it could finalise Qt objects"
    memory.release()
    assert built_models[0]() is None


def test_the_session_lets_go_of_the_dataset_once_the_run_is_over(tmp_path):
    data = toy_dataset()
    gone = weakref.ref(data)
    session = TrainingSession(mlp_graph(), data, TrainConfig(epochs=1), run_root=tmp_path)
    del data
    collect(session)
    assert gone() is None
    assert session.result is not None and session.result.status == "finished"


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="a TensorFlow registry")
def test_runs_leave_no_gradient_registrations_behind(tmp_path):
    before = backend.gradient_names()
    run_once(tmp_path, batch_size=50)  # a last partial batch traces the step twice
    assert backend.gradient_names() == before


def test_forget_gradients_keeps_what_was_there_before():
    table = backend._gradient_registry()
    if table is None:
        pytest.skip("TensorFlow is not the backend")
    name = f"{backend.CUSTOM_GRADIENT}test-{id(table)}"
    keep = backend.gradient_names()
    table[name] = {"type": print}
    assert name in backend.gradient_names()
    assert backend.forget_gradients(keep) == 1
    assert backend.gradient_names() == keep


def test_settle_sets_aside_live_objects_only_and_only_once():
    script = textwrap.dedent(
        """
        import gc, weakref
        from guibuilder.training import memory

        class Node:
            pass

        dead = Node(); dead.me = dead; gone = weakref.ref(dead); del dead
        live = Node(); live.me = live
        gc.disable()
        memory.settle()
        assert gone() is None, "garbage was frozen"
        frozen = gc.get_freeze_count()
        assert frozen > 0
        later = Node(); later.me = later; later_ref = weakref.ref(later); del later
        memory.settle()
        assert gc.get_freeze_count() == frozen, "settle froze twice"
        gc.collect()
        assert later_ref() is None, "objects made after settle are still collected"
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_settle_during_a_run_waits_for_the_run_to_end():
    script = textwrap.dedent(
        """
        import gc, weakref
        from guibuilder.training import memory

        class Model:
            pass

        with memory.run_memory():
            model = Model(); model.me = model; gone = weakref.ref(model)
            memory.settle()
            assert gc.get_freeze_count() == 0, "a running run's objects were set aside"
            del model
        assert gone() is None, "the run's model was not freed"
        assert gc.get_freeze_count() > 0, "the settle asked for during the run never came"
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_without_keras_there_are_no_gradients_to_forget(monkeypatch):
    def unavailable() -> str:
        raise KerasUnavailableError("Keras is not installed")

    monkeypatch.setattr(backend, "backend_name", unavailable)
    assert backend.gradient_names() == frozenset()
    assert backend.forget_gradients(frozenset()) == 0
