"""Presentation mode: large high-contrast view, panels on demand, and an exact way back."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolBar

from guibuilder.ui import theme
from guibuilder.ui.canvas import items
from guibuilder.ui.classroom.presentation import ACTIVE_KEY, DOCKS_KEY, SCALE_KEY
from guibuilder.ui.mainwindow import MainWindow
from tests.ui.helpers import chain_graph, show


def visible_docks(window) -> dict[str, bool]:
    return {d.objectName(): d.isVisible() for d in window.presentation.docks()}


def on_screen(window) -> dict:
    """The size of every panel that shows on screen (not a tab behind another)."""
    docks = window.presentation.docks()
    return {d.objectName(): d.size() for d in docks if not d.visibleRegion().isEmpty()}


def press(window, key: Qt.Key) -> None:
    window.activateWindow()
    QTest.keyClick(window, key)
    QApplication.processEvents()


def test_f5_enters_a_large_high_contrast_view_and_f5_restores_everything(window, qtbot):
    session = show(window, chain_graph())
    window.view.zoom(0.7)
    qtbot.wait(20)
    before_docks = visible_docks(window)
    before_sizes = on_screen(window)
    before_transform = window.view.transform()
    before_center = window.view.center_point()
    before_font = QApplication.font().pointSizeF()
    before_card = items._fonts()[0].pointSizeF()
    before_window = window.size()

    press(window, Qt.Key.Key_F5)
    assert window.presentation.active and window.presentation.toggle_action.isChecked()
    current = theme.current()
    assert current.variant == "presentation" and current.name == "light"
    assert current.text == "#000000" and current.edge_width > theme.LIGHT.edge_width
    assert QApplication.font().pointSizeF() >= 1.4 * before_font
    assert items._fonts()[0].pointSizeF() > before_card
    assert window.isFullScreen()
    assert visible_docks(window) == {
        name: name == "ExplainDock" for name in visible_docks(window)
    }, "at first only the layer explanations are shown beside the canvas"
    assert not window.dark_action.isEnabled()
    assert QSettings().value(ACTIVE_KEY, False, type=bool)
    assert not session.modified, "presenting does not touch the project"

    press(window, Qt.Key.Key_F5)
    qtbot.wait(20)
    assert not window.presentation.active
    assert theme.current() is theme.LIGHT
    assert QApplication.font().pointSizeF() == before_font
    assert items._fonts()[0].pointSizeF() == before_card
    assert not window.isFullScreen() and window.size() == before_window
    assert visible_docks(window) == before_docks
    assert on_screen(window) == before_sizes
    assert window.view.transform() == before_transform
    center = window.view.center_point()
    assert abs(center.x() - before_center.x()) < 2 and abs(center.y() - before_center.y()) < 2
    assert window.dark_action.isEnabled()
    assert not QSettings().value(ACTIVE_KEY, True, type=bool)


def test_the_model_fills_the_canvas_in_presentation_mode(window, qtbot):
    show(window, chain_graph())
    window.view.resetTransform()
    window.presentation.set_active(True)
    qtbot.wait(50)
    try:
        shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
        assert shown.contains(window.scene.nodes_rect())
        assert window.view.transform().m11() > 1.0, "a small model is shown larger than 100 %"
    finally:
        window.presentation.set_active(False)


def test_panels_toggle_with_alt_keys_and_the_choice_is_remembered(window):
    show(window, chain_graph())
    mode = window.presentation
    mode.set_active(True)
    names = [d.objectName() for d in mode.docks()]
    assert names[:3] == ["LayersDock", "InspectorDock", "ExplainDock"]
    training = window.training_dock
    number = names.index("TrainingDock") + 1
    assert training.toggleViewAction().shortcut().toString() == f"Alt+{number}"
    assert not training.isVisible()
    training.toggleViewAction().trigger()
    assert training.isVisible()
    mode.set_active(False)
    assert "TrainingDock" in QSettings().value(DOCKS_KEY).split(",")
    mode.set_active(True)
    try:
        assert training.isVisible()
    finally:
        mode.set_active(False)


def test_canvas_only_hides_every_panel_and_tool_bar_and_brings_them_back(window):
    show(window, chain_graph())
    before = visible_docks(window)
    bars = [b for b in window.findChildren(QToolBar) if b.isVisible()]
    assert bars
    press(window, Qt.Key.Key_F6)
    assert window.presentation.canvas_only
    assert not any(visible_docks(window).values())
    assert not any(b.isVisible() for b in bars)
    press(window, Qt.Key.Key_F6)
    assert not window.presentation.canvas_only
    assert visible_docks(window) == before
    assert all(b.isVisible() for b in bars)


def test_leaving_from_canvas_only_restores_the_layout_from_before(window):
    show(window, chain_graph())
    before = visible_docks(window)
    window.presentation.set_active(True)
    window.presentation.set_canvas_only(True)
    window.presentation.set_active(False)
    assert not window.presentation.canvas_only
    assert visible_docks(window) == before


def test_text_size_is_a_preference_and_not_part_of_the_project(window, tmp_path):
    session = show(window, chain_graph())
    mode = window.presentation
    assert not mode.larger_action.isEnabled(), "only while presenting"
    mode.set_active(True)
    try:
        size = QApplication.font().pointSizeF()
        mode.larger_action.trigger()
        assert QSettings().value(SCALE_KEY, type=float) == theme.PRESENTATION_SCALE + 0.25
        assert QApplication.font().pointSizeF() > size
        mode.smaller_action.trigger()
        mode.smaller_action.trigger()
        assert QApplication.font().pointSizeF() < size
        window.save_to(tmp_path / "model.gbproj")
    finally:
        mode.set_active(False)
    saved = json.loads((tmp_path / "model.gbproj").read_text())
    assert "presentation" not in json.dumps(saved).lower()
    assert not session.modified


def test_a_window_opens_in_presentation_mode_when_it_was_left_in_it(qtbot, monkeypatch):
    QSettings().setValue(ACTIVE_KEY, True)
    second = MainWindow(load_keras=False)
    qtbot.addWidget(second)
    monkeypatch.setattr(second, "maybe_save", lambda: True)
    second.show()
    try:
        qtbot.waitUntil(lambda: second.presentation.active, timeout=2000)
        assert theme.current().variant == "presentation"
        second.presentation.set_active(False)
        assert theme.current() is theme.LIGHT
    finally:
        second.close()


def test_presentation_mode_follows_the_dark_theme(window):
    window.dark_action.trigger()
    try:
        window.presentation.set_active(True)
        assert theme.current().name == "dark" and theme.current().canvas == "#000000"
        window.presentation.set_active(False)
        assert theme.current() is theme.DARK
    finally:
        window.dark_action.trigger()
    assert theme.current() is theme.LIGHT


def test_entering_from_canvas_only_still_leads_back_to_every_panel(window):
    show(window, chain_graph())
    before = visible_docks(window)
    bars = [b for b in window.findChildren(QToolBar) if b.isVisible()]
    window.presentation.set_canvas_only(True)
    window.presentation.set_active(True)
    assert not window.presentation.canvas_only
    window.presentation.set_active(False)
    assert visible_docks(window) == before
    assert all(b.isVisible() for b in bars)


def test_panels_opened_while_presenting_leave_the_old_panel_sizes_on_the_way_back(window, qtbot):
    show(window, chain_graph())
    qtbot.wait(100)
    before = on_screen(window)
    press(window, Qt.Key.Key_F5)
    for dock in (window.summary_dock, window.training_dock):
        number = window.presentation.docks().index(dock) + 1
        window.activateWindow()
        QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.AltModifier)
        qtbot.wait(100)  # the panels settle at full-screen size, as in a live session
        assert dock.isVisible()
    press(window, Qt.Key.Key_F5)
    qtbot.wait(100)
    assert on_screen(window) == before
