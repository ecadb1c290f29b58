"""The canvas scene: follows the graph's events and turns mouse gestures into edits.

Items are created, updated and removed only in response to graph events. A gesture
(connect two ports, finish a drag) calls the session, which pushes an undo command; the
command changes the graph, and the graph's events bring the scene up to date.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
)

from guibuilder.compiler.shapes import NodeInfo
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Edge, Node
from guibuilder.ui import theme
from guibuilder.ui.canvas.items import EdgeItem, NodeItem, PortItem, curve
from guibuilder.ui.canvas.overlay import CanvasOverlay, OverlayLegend
from guibuilder.ui.canvas.weight_fit import WeightFit
from guibuilder.ui.window_editor import WindowEditor

GRID = 20.0
SCENE_EXTENT = 50_000.0


class GraphScene(QGraphicsScene):
    """The items of one session's graph."""

    #: A sentence for the status bar (a refused edit, a hint).
    message = Signal(str)

    def __init__(self, session: WindowEditor) -> None:
        super().__init__()
        self.session = session
        self.graph = session.graph
        self.shapes = session.shapes
        self.snap_to_grid = False
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[Edge, EdgeItem] = {}
        self._shown: dict[str, NodeInfo] = {}
        self._press: dict[str, QPointF] = {}
        self._drag_port: PortItem | None = None
        self._drag_line: QGraphicsPathItem | None = None
        self._candidates: dict[PortItem, Edge] = {}
        self.overlay: CanvasOverlay | None = None
        self._legends: list[OverlayLegend] = []
        self.setSceneRect(-SCENE_EXTENT, -SCENE_EXTENT, 2 * SCENE_EXTENT, 2 * SCENE_EXTENT)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        events = self.graph.events
        self._connections = [
            (events.node_added, self._on_node_added),
            (events.node_removed, self._on_node_removed),
            (events.node_changed, self._on_node_changed),
            (events.node_moved, self._on_node_moved),
            (events.edge_added, self._on_edge_added),
            (events.edge_removed, self._on_edge_removed),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)
        self.shapes.updated.connect(self.refresh_shapes)
        self.weight_fit = WeightFit(session, self)
        self.weight_fit.message.connect(self.message)
        for node in self.graph.nodes.values():
            self._on_node_added(node)
        for edge in self.graph.edges:
            self._on_edge_added(edge)
        self.refresh_shapes()

    def close(self) -> None:
        """Stop following the graph (the scene is about to be dropped)."""
        self.set_overlay(None)
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self.shapes.updated.disconnect(self.refresh_shapes)
        self.weight_fit.close()
        self.blockSignals(True)

    # ---------------------------------------------------------------- lookups
    def node_item(self, node_id: str) -> NodeItem | None:
        return self._nodes.get(node_id)

    def edge_item(self, edge: Edge) -> EdgeItem | None:
        return self._edges.get(edge)

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def selected_node_ids(self) -> list[str]:
        """Selected nodes, in graph order."""
        chosen = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        return [nid for nid in self.graph.nodes if nid in chosen]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for node_id in node_ids:
            item = self._nodes.get(node_id)
            if item is not None:
                item.setSelected(True)

    def nodes_rect(self) -> QRectF:
        """The bounding box of every node, or an empty rect."""
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def edge_at(self, pos: QPointF) -> EdgeItem | None:
        for item in self.items(pos):
            if isinstance(item, EdgeItem):
                return item
            if isinstance(item, NodeItem | PortItem):
                return None
        return None

    def port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    # ----------------------------------------------------------- graph events
    def _on_node_added(self, node: Node) -> None:
        item = NodeItem(self, node.id)
        self._nodes[node.id] = item
        item.setPos(*node.position)
        self.addItem(item)
        if self.overlay is not None:
            item.set_tint(*self.overlay.tint(node.id))

    def _on_node_removed(self, node: Node) -> None:
        item = self._nodes.pop(node.id, None)
        self._shown.pop(node.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_node_changed(self, node_id: str, what: str) -> None:
        for nid in (node_id, *self.graph.sharers(node_id)):
            item = self._nodes.get(nid)
            if item is not None:
                item.rebuild_ports()
                item.refresh()
                self._update_edges(nid)

    def _on_node_moved(self, node_id: str, position: tuple) -> None:
        item = self._nodes.get(node_id)
        if item is not None and (item.pos().x(), item.pos().y()) != tuple(position):
            item.setPos(*position)

    def _on_edge_added(self, edge: Edge) -> None:
        item = EdgeItem(self, edge)
        self._edges[edge] = item
        self.addItem(item)
        self._ports_changed(edge)

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self._edges.pop(edge, None)
        if item is not None:
            self.removeItem(item)
        self._ports_changed(edge)

    def _ports_changed(self, edge: Edge) -> None:
        for node_id in (edge.source, edge.target):
            item = self._nodes.get(node_id)
            if item is not None:
                item.rebuild_ports()
                self._update_edges(node_id)

    def _update_edges(self, node_id: str) -> None:
        if node_id not in self.graph:
            return
        for edge in (*self.graph.in_edges(node_id), *self.graph.out_edges(node_id)):
            item = self._edges.get(edge)
            if item is not None:
                item.update_path()

    def node_item_moved(self, node_id: str) -> None:
        """A node item moved (dragged or set from the graph): its edges follow."""
        self._update_edges(node_id)

    def refresh_shapes(self) -> None:
        """Repaint the faces whose shape information changed."""
        results = self.shapes.results()
        for node_id, item in self._nodes.items():
            info = results.get(node_id)
            if info != self._shown.get(node_id):
                if info is None:
                    self._shown.pop(node_id, None)
                else:
                    self._shown[node_id] = info
                item.refresh()

    def set_overlay(self, overlay: CanvasOverlay | None) -> None:
        """Colour the node cards with ``overlay`` and show its legend; None takes it off.

        The overlay is a view of the graph only: nothing of it reaches the graph.
        """
        if overlay is None and self.overlay is None:
            return
        self.overlay = overlay
        for node_id, item in self._nodes.items():
            item.set_tint(*(overlay.tint(node_id) if overlay is not None else (None, "")))
        for legend in self._legends:
            legend.remove()
        self._legends = [
            OverlayLegend(overlay, view.viewport()) for view in self.views() if overlay is not None
        ]

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            port = self.port_at(event.scenePos())
            if port is not None:
                self._start_connection(port, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        self._press = {
            nid: self._nodes[nid].pos() for nid in self.selected_node_ids() if nid in self._nodes
        }

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_port is not None:
            self._follow_connection(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_port is not None:
            self._finish_connection(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self._finish_move()

    def _finish_move(self) -> None:
        moves = {}
        for node_id, old in self._press.items():
            item = self._nodes.get(node_id)
            if item is None:
                continue
            new = item.pos()
            if self.snap_to_grid:
                new = QPointF(round(new.x() / GRID) * GRID, round(new.y() / GRID) * GRID)
            if new != old:
                moves[node_id] = ((old.x(), old.y()), (new.x(), new.y()))
        self._press = {}
        if moves:
            self.session.move_nodes(moves)

    # ------------------------------------------------------ connecting ports
    def _start_connection(self, port: PortItem, pos: QPointF) -> None:
        self._drag_port = port
        line = QGraphicsPathItem()
        pen = QPen(theme.current().color("accent"), 2, Qt.PenStyle.DashLine)
        line.setPen(pen)
        line.setZValue(3)
        self.addItem(line)
        self._drag_line = line
        self._candidates = self._compatible(port)
        for candidate in self._candidates:
            candidate.set_highlight(True)
        self._follow_connection(pos)

    def _edge_between(self, start: PortItem, other: PortItem) -> Edge:
        if start.is_input:
            return Edge(other.node_id, start.node_id, start.port, other.index, start.slot)
        return Edge(start.node_id, other.node_id, other.port, start.index, other.slot)

    def _compatible(self, start: PortItem) -> dict[PortItem, Edge]:
        """Every port that ``start`` may connect to, with the edge it would make."""
        graph = self.graph
        if start.is_input:
            forbidden = graph.downstream([start.node_id])
        else:
            forbidden = graph.upstream([start.node_id])
        taken = {e.target_key for e in graph.edges}
        classroom = self.session.project.classroom
        locked = classroom.locked_nodes if classroom is not None else frozenset()
        found: dict[PortItem, Edge] = {}
        for node_id, item in self._nodes.items():
            if node_id in forbidden:
                continue
            for other in item.outputs if start.is_input else item.inputs:
                edge = self._edge_between(start, other)
                if edge.target_key not in taken and edge.target not in locked:
                    found[other] = edge
        return found

    def _follow_connection(self, pos: QPointF) -> None:
        start = self._drag_port
        if start is None or self._drag_line is None:
            return
        anchor = start.anchor()
        self._drag_line.setPath(curve(pos, anchor) if start.is_input else curve(anchor, pos))

    def _finish_connection(self, pos: QPointF) -> None:
        start = self._drag_port
        for candidate in self._candidates:
            candidate.set_highlight(False)
        if self._drag_line is not None:
            self.removeItem(self._drag_line)
        self._drag_port, self._drag_line = None, None
        candidates, self._candidates = self._candidates, {}
        target = self.port_at(pos)
        if start is None or target is None or target is start:
            return
        edge = candidates.get(target)
        try:
            if edge is None:
                if target.is_input == start.is_input:
                    self.message.emit("Connect an output (below a layer) to an input (above one).")
                    return
                self.session.check_edge(self._edge_between(start, target))
            else:
                self.session.add_edge(edge)
        except GuibuilderError as exc:
            self.message.emit(f"Cannot connect: {exc.message}.")

    # ------------------------------------------------------------- background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        t = theme.current()
        painter.fillRect(rect, t.color("canvas"))
        scale = painter.transform().m11()
        if scale < 0.45:
            return
        painter.setPen(QPen(t.color("grid"), 1.6 / scale))
        left = int(rect.left() // GRID) * GRID
        top = int(rect.top() // GRID) * GRID
        points = []
        y = top
        while y < rect.bottom():
            x = left
            while x < rect.right():
                points.append(QPointF(x, y))
                x += GRID
            y += GRID
        painter.drawPoints(points)
