"""Work off the GUI thread: outcomes arrive in the GUI thread; cancelled and stale ones do not."""

from __future__ import annotations

import threading

import pytest

from guibuilder.ui.jobs import Job, JobQueue


def test_a_job_runs_in_its_thread_and_delivers_in_the_gui_thread(qtbot):
    seen = {}

    def work(report, x):
        seen["worker"] = threading.current_thread().name
        report(1)
        report(2)
        return x * 2

    job = Job(work, 21, name="test-job", report=True)
    progress, ended = [], []
    job.progress.connect(lambda v: progress.append((v, threading.current_thread())))
    job.ended.connect(lambda: ended.append(True))
    with qtbot.waitSignal(job.finished, timeout=5000) as signal:
        job.start()
    assert signal.args == [42] and seen["worker"] == "test-job"
    assert [v for v, _ in progress] == [1, 2]
    assert all(t is threading.main_thread() for _, t in progress)
    qtbot.waitUntil(lambda: ended == [True])
    assert not job.pending and job.wait(5)


def test_an_error_is_delivered_as_the_exception(qtbot):
    def broken():
        raise ValueError("no")

    job = Job(broken)
    with qtbot.waitSignal(job.failed, timeout=5000) as signal:
        job.start()
    assert isinstance(signal.args[0], ValueError) and str(signal.args[0]) == "no"


def test_a_cancelled_job_delivers_nothing_but_its_end(qtbot):
    release = threading.Event()
    job = Job(lambda: release.wait(5) and "late")
    got = []
    job.finished.connect(got.append)
    job.start()
    assert job.pending
    job.cancel()
    assert not job.pending and job.running
    with qtbot.waitSignal(job.ended, timeout=5000):
        release.set()
    assert got == []


@pytest.fixture
def queue(qtbot):
    queue = JobQueue("test-queue", first=("urgent",))
    yield queue
    queue.close()


def test_the_latest_job_of_a_key_wins_and_older_answers_are_dropped(queue, qtbot):
    started, release = threading.Event(), threading.Event()
    done = []
    queue.finished.connect(lambda key, value: done.append((key, value)))

    def slow(_report, value):
        started.set()
        release.wait(5)
        return value

    queue.submit("a", slow, "first")  # runs at once and is outdated while it runs
    assert started.wait(5)
    queue.submit("a", lambda _r, v: v, "second")  # queued ...
    queue.submit("a", lambda _r, v: v, "third")  # ... and replaced
    queue.submit("b", lambda _r, v: v, "other")
    release.set()
    qtbot.waitUntil(lambda: queue.idle() and len(done) == 2, timeout=5000)
    qtbot.wait(50)
    assert done == [("a", "third"), ("b", "other")]


def test_keys_named_first_run_before_the_others(queue, qtbot):
    release = threading.Event()
    order = []
    queue.submit("block", lambda _r: release.wait(5))
    queue.submit("later", lambda _r: order.append("later"))
    queue.submit("urgent", lambda _r: order.append("urgent"))
    release.set()
    qtbot.waitUntil(queue.idle, timeout=5000)
    assert order == ["urgent", "later"]


def test_errors_and_progress_carry_their_key(queue, qtbot):
    def work(report):
        report("half")
        raise ValueError("broken")

    progress = []
    queue.progress.connect(lambda key, value: progress.append((key, value)))
    with qtbot.waitSignal(queue.failed, timeout=5000) as signal:
        queue.submit("k", work)
    assert signal.args[0] == "k" and isinstance(signal.args[1], ValueError)
    assert progress == [("k", "half")]
