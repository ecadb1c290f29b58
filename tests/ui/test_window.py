"""Files through the menus, the title, the summary panel, the status bar, the screenshot."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from guibuilder.document import Project, project_to_dict, save_project
from guibuilder.ui.app import run
from tests.ui.helpers import chain_graph, show

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "digits_cnn.gbproj"


def test_save_and_reopen_through_the_menus(window, tmp_path, monkeypatch):
    show(window, chain_graph())
    window.session.set_param("hidden", "units", 7)
    assert window.isWindowModified() and window.windowTitle().startswith("chain")
    target = tmp_path / "model"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Projects (*.gbproj)")
    )
    window.save_as_action.trigger()
    saved = tmp_path / "model.gbproj"
    assert saved.exists()
    assert not window.isWindowModified() and window.windowTitle().startswith("model.gbproj")
    before = project_to_dict(window.session.project)

    window.new_action.trigger()
    assert not window.session.graph.nodes
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(saved), ""))
    window.open_action.trigger()
    assert project_to_dict(window.session.project) == before
    assert window.session.undo_stack.count() == 0
    assert len(window.scene.node_items()) == 3


def test_save_on_the_bundled_demo_or_a_read_only_file_asks_where_and_keeps_the_original(
    window, tmp_path, monkeypatch
):
    original = DEMO.read_bytes()
    asked: list[tuple[str, str]] = []
    target = tmp_path / "mine.gbproj"

    def save_as(_parent, title, start, _filter=""):
        asked.append((title, start))
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    window.load(DEMO)
    window.session.set_param("conv_1", "filters", 12)
    window.save_action.trigger()
    assert DEMO.read_bytes() == original and target.exists()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    ((title, start),) = asked
    assert "copy of digits_cnn.gbproj" in title
    assert Path(start) == Path(documents) / "digits_cnn.gbproj"
    assert window.session.path == target
    window.session.set_param("conv_1", "filters", 13)
    window.save_action.trigger()  # the copy is the user's: saved again without asking
    assert len(asked) == 1 and not window.isWindowModified()

    locked = tmp_path / "locked.gbproj"
    save_project(Project(chain_graph()), locked)
    locked.chmod(0o444)
    window.load(locked)
    window.session.set_param("hidden", "units", 7)
    window.save_action.trigger()
    assert len(asked) == 2 and window.session.path == target


def test_a_broken_file_keeps_the_open_document(window, tmp_path, monkeypatch):
    show(window, chain_graph())
    before = project_to_dict(window.session.project)
    bad = tmp_path / "broken.gbproj"
    bad.write_text('{"format": "guibuilder-project", "version": 1, "nodes": [')
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    assert not window.open_path(bad)
    assert shown and "broken.gbproj" in shown[0]
    assert project_to_dict(window.session.project) == before


def test_a_damaged_weights_file_opens_the_graph_untrained_and_says_so(
    window, tmp_path, monkeypatch
):
    import numpy as np

    from guibuilder.document.weights import WeightStore

    project = Project(graph=chain_graph())
    project.weights = WeightStore({"out": [np.ones((4, 2), "float32"), np.ones(2, "float32")]})
    path = tmp_path / "chain.gbproj"
    save_project(project, path)
    (tmp_path / "chain.weights.h5").write_bytes(b"not hdf5 at all")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()
    assert window.session.project.path == path
    assert window.session.project.weights is None
    assert sorted(item.node_id for item in window.scene.node_items()) == ["hidden", "out", "x"]
    message = window.statusBar().currentMessage()
    assert (
        "chain.weights.h5 next to chain.gbproj is damaged" in message and "fresh weights" in message
    )
    assert "will replace chain.weights.h5" in message and "\n" not in message


def test_summary_lists_nodes_and_a_click_selects(window):
    show(window, chain_graph())
    summary = window.summary
    summary.refresh()
    assert summary.row_ids() == ["x", "hidden", "out"]
    assert summary.table.item(1, 3).text() == "36"
    assert "46" in summary.total.text()
    summary.table.cellClicked.emit(2, 0)
    assert window.scene.selected_node_ids() == ["out"]
    assert window.inspector.node_id == "out"


def test_status_bar_reports_params_and_build_state(window):
    show(window, chain_graph())
    assert window.params_label.text() == "46 parameters"
    assert "Builds" in window.build_label.text()


def test_screenshot_of_the_demo(tmp_path, qapp):
    out = tmp_path / "shot.png"
    assert run(str(DEMO), str(out)) == 0
    image = QImage(str(out))
    assert image.width() >= 1600 and image.height() >= 1000


def test_saving_over_a_folder_says_why_in_a_sentence(window, tmp_path, monkeypatch):
    show(window, chain_graph())
    window.session.set_param("hidden", "units", 7)
    folder = tmp_path / "taken.gbproj"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(folder), ""))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    window.save_as_action.trigger()
    assert shown == [f"{folder} cannot be saved: is a directory."]
    assert window.isWindowModified() and folder.is_dir()
