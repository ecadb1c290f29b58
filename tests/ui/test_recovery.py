"""Autosave and crash recovery: a killed process leaves an autosave that is offered back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QMessageBox

from guibuilder.ui.recovery import Autosaver, find_recoveries
from tests.ui.helpers import chain_graph, show


def test_autosave_writes_only_changes_and_a_save_removes_it(window, tmp_path):
    saver: Autosaver = window.autosaver
    show(window, chain_graph())
    assert not saver.save_now() and not saver.project_file.exists()
    window.session.set_param("hidden", "units", 9)
    assert saver.save_now() and saver.project_file.exists()
    assert not saver.save_now()
    window.save_to(tmp_path / "m.gbproj")
    assert not saver.project_file.exists()


def test_a_killed_process_is_offered_for_restore(window, tmp_path, monkeypatch):
    folder = window.autosaver.folder
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {os.getcwd()!r})
        from pathlib import Path
        from PySide6.QtWidgets import QApplication
        from guibuilder.document import Project
        from guibuilder.ui.recovery import Autosaver
        from guibuilder.ui.window_editor import WindowEditor
        from tests.ui.helpers import chain_graph
        app = QApplication([])
        saver = Autosaver(Path({str(folder)!r}))
        session = WindowEditor(Project(graph=chain_graph()))
        saver.set_session(session)
        session.set_param("out", "units", 5)
        saver.save_now()
        print("saved", flush=True)
        time.sleep(60)
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout.readline().strip() == "saved"
        assert not find_recoveries(folder)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    found = find_recoveries(folder)
    assert len(found) == 1 and found[0].source is None
    asked = []

    def yes(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    window.offer_recovery()
    assert asked and "did not close properly" in asked[0]
    assert window.session.graph.node("out").params["units"] == 5
    assert window.isWindowModified()
    assert not find_recoveries(folder)
    expected = chain_graph()
    expected.set_param("out", "units", 5)
    assert [n.params for n in window.session.graph.nodes.values()] == [
        n.params for n in expected.nodes.values()
    ]
