"""Small graphs and coordinate helpers shared by the window tests."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.document import Project
from guibuilder.graph import Graph
from guibuilder.ui.mainwindow import MainWindow
from guibuilder.ui.window_editor import WindowEditor


def chain_graph() -> Graph:
    """Input -> Dense -> Dense, laid out top to bottom."""
    graph = Graph("chain")
    graph.add_node("Input", {"shape": [8]}, node_id="x", position=(0.0, 0.0))
    graph.add_node("Dense", {"units": 4}, node_id="hidden", position=(0.0, 150.0))
    graph.add_node("Dense", {"units": 2}, node_id="out", position=(0.0, 300.0))
    graph.connect("x", "hidden")
    graph.connect("hidden", "out")
    return graph


def show(window: MainWindow, graph: Graph) -> WindowEditor:
    session = WindowEditor(Project(graph=graph))
    window.set_session(session)
    QApplication.processEvents()
    window.view.resetTransform()
    window.view.centerOn(90, 200)
    return session


def viewport_pos(window: MainWindow, scene_point: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_point)


def click_node(window: MainWindow, node_id: str) -> None:
    """A left click on the middle of the node's item on the canvas, as a person does."""
    item = window.scene.node_item(node_id)
    window.view.centerOn(item)
    QApplication.processEvents()
    point = viewport_pos(window, item.sceneBoundingRect().center())
    QTest.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )
