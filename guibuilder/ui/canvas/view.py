"""The canvas view: zoom around the cursor, pan, fit, and drops from the palette."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from guibuilder import catalog
from guibuilder.errors import GuibuilderError
from guibuilder.ui.canvas.find_bar import FindBar
from guibuilder.ui.canvas.items import EdgeItem, NodeItem, PortItem
from guibuilder.ui.canvas.menu import CanvasActions
from guibuilder.ui.canvas.minimap import MiniMapWidget
from guibuilder.ui.canvas.palette import LAYER_MIME
from guibuilder.ui.canvas.scene import GraphScene

MIN_SCALE = 0.08
MAX_SCALE = 3.0
#: The smallest zoom at which a card's text is still read easily: Fit View stops there.
READABLE_SCALE = 0.7
#: The zoom a found layer is shown at, when the view is further out.
FOCUS_SCALE = 1.0
#: Space around the nodes in a fit view (scene units, beyond their ports and badges).
FIT_MARGIN = 12.0


class GraphView(QGraphicsView):
    """Shows a :class:`GraphScene`; a palette layer dropped here is added (or spliced)."""

    #: Node ids added by a drop, for the window to select.
    nodes_added = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setAcceptDrops(True)
        self._pan_from: QPoint | None = None
        self._space = False
        self._drop_edge: EdgeItem | None = None
        self.minimap = MiniMapWidget(self)
        self.find_bar = FindBar(self)

    def graph_scene(self) -> GraphScene:
        return self.scene()

    # ------------------------------------------------------------ navigation
    def zoom(self, factor: float) -> None:
        """Zoom by ``factor`` around the cursor, within sensible limits.

        Below ``MIN_SCALE`` (a transform set directly), zooming out does nothing rather than
        jump in.
        """
        current = self.transform().m11()
        factor = max(min(MIN_SCALE, current) / current, min(MAX_SCALE / current, factor))
        self.scale(factor, factor)

    def center_point(self) -> QPointF:
        """The scene point at the centre of the viewport."""
        return self.mapToScene(self.viewport().rect().center())

    def fit(self, rect: QRectF | None = None) -> None:
        """Show ``rect`` (default: every node) as large as fits, up to 100 %.

        Fit View never zooms out below ``READABLE_SCALE``: a model too tall (or too wide)
        to read whole is shown at that scale from its top (its inputs), across its whole
        width when that fits; the mini-map and Find (Ctrl+F) reach the rest.
        """
        self._fit(rect)
        self.minimap.refresh_now()  # what the view shows changed: the map follows at once

    def _fit(self, rect: QRectF | None) -> None:
        rect = rect if rect is not None else self.graph_scene().nodes_rect()
        if rect.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.transform().m11()
        if scale > 1.0:
            self.resetTransform()
        elif scale < READABLE_SCALE:
            self.setTransform(QTransform.fromScale(READABLE_SCALE, READABLE_SCALE))
            shown = self.mapToScene(self.viewport().rect()).boundingRect()
            across = shown.width() >= rect.width()
            x = rect.center().x() if across else self._top_node_x(rect)
            self.centerOn(x, rect.top() + shown.height() / 2)
            return
        self.centerOn(rect.center())

    def _top_node_x(self, rect: QRectF) -> float:
        """The middle of the topmost card (the first input), or of ``rect``."""
        items = self.graph_scene().node_items()
        if not items:
            return rect.center().x()
        top = min(items, key=lambda item: (item.y(), item.x()))
        return top.sceneBoundingRect().center().x()

    def show_node(self, node_id: str) -> None:
        """Select ``node_id`` and centre it, zoomed in to at least ``FOCUS_SCALE``."""
        scene = self.graph_scene()
        item = scene.node_item(node_id)
        if item is None:
            return
        scene.select_nodes([node_id])
        scale = self.transform().m11()
        if scale < FOCUS_SCALE:
            self.setTransform(QTransform.fromScale(FOCUS_SCALE, FOCUS_SCALE))
        self.centerOn(item.mapToScene(item.shape().boundingRect().center()))

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom(1.0015**delta)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        actions = self.window().findChild(CanvasActions)
        why = actions.refusal_for_key(QKeySequence(event.keyCombination())) if actions else None
        if why is not None:
            self.graph_scene().message.emit(why)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        panning = event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        )
        if panning:
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            now = event.position().toPoint()
            delta = now - self._pan_from
            self._pan_from = now
            h, v = self.horizontalScrollBar(), self.verticalScrollBar()
            h.setValue(h.value() - delta.x())
            v.setValue(v.value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # ---------------------------------------------------------- context menu
    def node_at(self, pos: QPoint) -> str | None:
        """The id of the node under the viewport point ``pos`` (its card or a port)."""
        for item in self.items(pos):
            if isinstance(item, PortItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                return item.node_id
        return None

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The window's canvas menu, for the node under the cursor (selected first)."""
        actions = self.window().findChild(CanvasActions)
        if actions is None:
            event.ignore()
            return
        scene = self.graph_scene()
        node_id = self.node_at(event.pos())
        if node_id is not None and node_id not in scene.selected_node_ids():
            scene.select_nodes([node_id])
        menu = actions.menu(node_id, self)
        menu.exec(event.globalPos())
        menu.deleteLater()
        event.accept()

    # ------------------------------------------------------- palette drops
    @staticmethod
    def _layer_type(event: QDropEvent | QDragMoveEvent | QDragEnterEvent) -> str | None:
        mime = event.mimeData()
        if not mime.hasFormat(LAYER_MIME):
            return None
        type_id = bytes(mime.data(LAYER_MIME).data()).decode("utf-8", "replace")
        return type_id if catalog.has(type_id) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._layer_type(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        type_id = self._layer_type(event)
        if not type_id:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        edge = None
        if catalog.get(type_id).inputs:
            edge = self.graph_scene().edge_at(self.mapToScene(event.position().toPoint()))
        self._set_drop_edge(edge)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drop_edge(None)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        type_id = self._layer_type(event)
        self._set_drop_edge(None)
        if not type_id:
            event.ignore()
            return
        pos = self.mapToScene(event.position().toPoint())
        scene = self.graph_scene()
        edge = scene.edge_at(pos) if catalog.get(type_id).inputs else None
        try:
            if edge is not None:
                node_id = scene.session.splice(type_id, edge.edge, (pos.x(), pos.y()))
            else:
                node_id = scene.session.add_node(type_id, (pos.x(), pos.y()))
        except GuibuilderError as exc:
            scene.message.emit(f"Cannot add {type_id}: {exc.message}.")
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.nodes_added.emit([node_id])

    def _set_drop_edge(self, edge: EdgeItem | None) -> None:
        if self._drop_edge is not None and self._drop_edge is not edge:
            self._drop_edge.set_drop_target(False)
        self._drop_edge = edge
        if edge is not None:
            edge.set_drop_target(True)
