"""A residual's identity skip is drawn beside the main path, never under its cards."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.graph import Edge
from guibuilder.templates import get_template
from guibuilder.ui.canvas.diagram import DiagramScene
from guibuilder.ui.canvas.items import curve
from guibuilder.ui.window_editor import WindowEditor
from tests.ui.helpers import chain_graph, show, viewport_pos


def passes_behind(scene, edge: Edge) -> list[str]:
    """The cards (other than its ends) that the drawn edge passes behind."""
    return behind(scene, edge, scene.edge_item(edge).path())


def behind(scene, edge: Edge, path: QPainterPath) -> list[str]:
    """The cards (other than the edge's ends) that ``path`` passes behind."""
    points = [path.pointAtPercent(i / 400) for i in range(401)]
    hidden = []
    for item in scene.node_items():
        if item.node_id in (edge.source, edge.target):
            continue
        card = item.mapRectToScene(item.shape().boundingRect()).adjusted(-1, -1, 1, 1)
        if any(card.contains(p) for p in points):
            hidden.append(item.node_id)
    return hidden


def skips(graph) -> list[Edge]:
    """The identity skips: edges into an Add from a node that is not its nearest input."""
    found = []
    for node_id in graph.nodes:
        if graph.node(node_id).type_id == "Add":
            edges = graph.in_edges(node_id)
            sources = {e.source for e in edges}
            found.extend(e for e in edges if (graph.downstream([e.source]) - {e.source}) & sources)
    return found


def test_every_edge_of_the_resnet_template_clears_the_cards_on_the_canvas(window):
    show(window, get_template("resnet-mini").graph())
    scene, graph = window.scene, window.session.graph
    QApplication.processEvents()
    identity = skips(graph)
    assert identity, "the template has an identity skip"
    for edge in graph.edges:
        assert passes_behind(scene, edge) == [], edge
    # Drawn straight, the skip would pass behind the cards of the path it jumps over.
    for edge in identity:
        drawn = scene.edge_item(edge).path()
        straight = curve(drawn.pointAtPercent(0), drawn.pointAtPercent(1))
        assert behind(scene, edge, straight), edge


def test_a_card_dragged_under_an_edge_sends_the_edge_round_it(window, qtbot):
    graph = chain_graph()
    graph.disconnect(graph.in_edges("out")[0])
    graph.connect("x", "out")
    graph.move("hidden", (400.0, 150.0))
    show(window, graph)
    edge = graph.in_edges("out")[0]
    straight = window.scene.edge_item(edge).path()
    viewport = window.view.viewport()
    item = window.scene.node_item("hidden")
    start = viewport_pos(window, item.sceneBoundingRect().center())
    end = viewport_pos(window, item.sceneBoundingRect().center() - QPointF(400.0, 0.0))
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, none, start)
    QTest.mouseMove(viewport, (start + end) / 2)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, left, none, end)
    assert graph.node("hidden").position == (0.0, 150.0)
    assert behind(window.scene, edge, straight) == ["hidden"]
    qtbot.waitUntil(lambda: passes_behind(window.scene, edge) == [], timeout=2000)


def test_the_diagram_export_draws_the_skip_beside_the_path_too(qapp):
    project = get_template("resnet-deep").project()
    session = WindowEditor(project)
    scene = DiagramScene(session)
    try:
        qapp.processEvents()
        for edge in project.graph.edges:
            assert passes_behind(scene, edge) == [], edge
    finally:
        scene.close()
        session.close()
