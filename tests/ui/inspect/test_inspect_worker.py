"""The Inspect worker runs a tab's jobs in its thread and answers through signals."""

from __future__ import annotations

import threading

import pytest

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.subject import Subject
from guibuilder.ui.inspect.worker import InspectWorker
from tests.ui.helpers import chain_graph

SLOW = 60_000


@pytest.fixture
def worker(qtbot):
    worker = InspectWorker()
    yield worker
    worker.close()


def subject(version: int = 1) -> Subject:
    graph = chain_graph()
    graph.set_param("x", "shape", [4])
    graph.set_param("out", "units", 3)
    return Subject(version, graph, None, {"name": "iris"}, None)


def test_a_tab_job_runs_in_the_worker_thread_with_the_data_and_model(worker, qtbot):
    seen = {}

    def job(context, scale):
        seen["thread"] = threading.current_thread().name
        return context.data.name, context.model.count_params() * scale

    with qtbot.waitSignal(worker.result_ready, timeout=SLOW) as signal:
        worker.compute("count", subject(7), job, 2)
    kind, version, (name, doubled) = signal.args
    assert (kind, version, name) == ("count", 7, "iris")
    assert doubled == 2 * ((4 * 4 + 4) + (4 * 3 + 3))
    assert seen["thread"] == "guibuilder-inspect"


def test_a_job_error_is_one_sentence_and_the_worker_goes_on(worker, qtbot):
    def broken(_context):
        raise GuibuilderError("this view needs an image input")

    with qtbot.waitSignal(worker.failed, timeout=SLOW) as signal:
        worker.compute("broken", subject(), broken)
    assert signal.args == ["broken", "this view needs an image input"]

    with qtbot.waitSignal(worker.result_ready, timeout=SLOW) as signal:
        worker.compute("fine", subject(), lambda context: "ok")
    assert signal.args[0] == "fine" and signal.args[2] == "ok"


def test_own_job_kinds_cannot_be_taken_by_a_tab(worker):
    with pytest.raises(ValueError, match="own jobs"):
        worker.compute("activation", subject(), lambda context: None)
