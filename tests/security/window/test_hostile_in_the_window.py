"""The window: a hostile project is refused at open with one sentence and the window stays
as it was; Copy as Code and paste never run or make anything a project names."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication, QMessageBox

from guibuilder.document.project import project_to_dict
from guibuilder.graph import Graph
from guibuilder.ui.session import NODES_MIME
from tests.security.hostile import MARKER, REFUSED, docstring_payload
from tests.ui.helpers import chain_graph, show


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    return shown


@pytest.fixture
def clipboard(qapp):
    board = QApplication.clipboard()
    board.clear()
    yield board
    board.clear()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_opening_a_hostile_project_is_refused(name, window, write_hostile, warnings):
    show(window, chain_graph())
    before = project_to_dict(window.session.project)
    assert not window.open_path(write_hostile(name))
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert REFUSED[name][1] in warnings[0]
    assert project_to_dict(window.session.project) == before


def test_copy_as_code_keeps_the_title_as_text(window, clipboard, tmp_path, monkeypatch, markers):
    session = show(window, chain_graph())
    session.project.title = docstring_payload() + "\n" + docstring_payload()
    window.copy_code_action.trigger()
    text = clipboard.text()
    assert "def build_model" in text
    monkeypatch.chdir(tmp_path)
    exec(compile(text, "<clipboard>", "exec"), {"__name__": "clipboard"})
    assert not (tmp_path / MARKER).exists()


def test_copy_as_code_of_a_listed_out_layer_says_why(window, clipboard, trap, markers, warnings):
    graph = Graph("hostile")
    graph.add_node("Input", {"shape": [2]}, node_id="x")
    config = {"filepath": str(trap[0]), "call_endpoint": "serve"}
    graph.add_node("KerasLayer", {"class_name": "TFSMLayer", "config": config}, node_id="out")
    graph.connect("x", "out")
    show(window, graph)
    window.copy_code_action.trigger()
    assert len(warnings) == 1 and "TFSMLayer" in warnings[0]
    assert clipboard.text() == ""


def test_pasting_a_hostile_layer_is_refused(window, clipboard, trap, markers):
    session = show(window, chain_graph())
    snippet = session.copy(["hidden"])
    tfsm = {"class_name": "TFSMLayer", "module": "keras.layers", "config": {"filepath": "x"}}
    snippet["nodes"][0]["call_kwargs"] = {"training": tfsm}
    mime = QMimeData()
    mime.setData(NODES_MIME, json.dumps(snippet).encode())
    clipboard.setMimeData(mime)
    before = project_to_dict(session.project)
    window.paste_action.trigger()
    assert project_to_dict(session.project) == before
    assert "TFSMLayer" in window.statusBar().currentMessage()
