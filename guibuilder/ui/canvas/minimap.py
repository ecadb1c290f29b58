"""The mini-map: an overview of the whole model in the canvas' corner, to jump around in.

It shows only when the model does not fit in the view: every card as a small block in its
category's colour, the edges, and the part of the model in view as a frame. A click or a
drag centres the view there.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from guibuilder import catalog
from guibuilder.ui import theme

#: The largest the map gets, in pixels, and its distance from the view's edges.
MAX_SIZE = QSize(170, 260)
MARGIN = 12
PAD = 8.0
#: The shortest time between two drawings of the map, in milliseconds.
REFRESH_MS = 40


class MiniMapWidget(QWidget):
    """An overview of ``view``'s model in its bottom-right corner; click to jump."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self.setObjectName("MiniMap")
        self.view = view
        self._scene: QGraphicsScene | None = None
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview of the model: click or drag to move the view there")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh_now)
        view.installEventFilter(self)
        view.horizontalScrollBar().valueChanged.connect(self.refresh)
        view.verticalScrollBar().valueChanged.connect(self.refresh)
        self.hide()

    # ------------------------------------------------------------ geometry
    def _nodes_rect(self) -> QRectF:
        scene = self.view.scene()
        return scene.nodes_rect() if scene is not None else QRectF()

    def _shown(self) -> QRectF:
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    def _to_map(self, rect: QRectF) -> QTransform:
        """Scene to map coordinates for a model whose cards span ``rect``."""
        inner = QRectF(self.rect()).adjusted(PAD, PAD, -PAD, -PAD)
        scale = min(inner.width() / rect.width(), inner.height() / rect.height())
        dx = inner.left() + (inner.width() - rect.width() * scale) / 2 - rect.left() * scale
        dy = inner.top() + (inner.height() - rect.height() * scale) / 2 - rect.top() * scale
        return QTransform(scale, 0, 0, scale, dx, dy)

    def refresh(self, *_args: object) -> None:
        """Draw the map again soon (at most every ``REFRESH_MS``: a drag changes the scene
        at every mouse move, and the canvas comes first)."""
        if not self._timer.isActive():
            self._timer.start()

    def refresh_now(self) -> None:
        """Follow the view's scene; show the map when the model does not fit in view."""
        scene = self.view.scene()
        if scene is not self._scene:
            if self._scene is not None and shiboken6.isValid(self._scene):
                self._scene.changed.disconnect(self.refresh)
            self._scene = scene
            if scene is not None:
                scene.changed.connect(self.refresh)
        rect = self._nodes_rect()
        wanted = not rect.isEmpty() and not self._shown().contains(rect)
        if wanted:
            most = min(MAX_SIZE.height(), self.view.height() // 2 - MARGIN)
            scale = min(MAX_SIZE.width() / rect.width(), most / rect.height())
            size = QSize(
                max(60, round(rect.width() * scale + 2 * PAD)),
                max(60, round(rect.height() * scale + 2 * PAD)),
            )
            if size != self.size():
                self.resize(size)
            view = self.view
            corner = QPoint(
                view.width() - size.width() - MARGIN, view.height() - size.height() - MARGIN
            )
            if corner != self.pos():
                self.move(corner)
        if wanted != self.isVisible():
            self.setVisible(wanted)
            if wanted:
                self.raise_()
        elif wanted:
            self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.refresh()
        return False

    # ------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self._nodes_rect()
        scene = self.view.scene()
        if rect.isEmpty() or scene is None:
            return
        t = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        background = QColor(t.color("card"))
        background.setAlpha(235)
        painter.setPen(QPen(t.color("card_border"), 1))
        painter.setBrush(background)
        painter.drawRoundedRect(frame, 6, 6)
        painter.setClipRect(frame.adjusted(2, 2, -2, -2))
        transform = self._to_map(rect)
        painter.setTransform(transform)
        edge_pen = QPen(t.color("edge"), 1)
        edge_pen.setCosmetic(True)
        painter.setPen(edge_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for item in scene.edge_items():
            painter.drawPath(item.path())
        painter.setPen(Qt.PenStyle.NoPen)
        graph = scene.graph
        for item in scene.node_items():
            category = catalog.get(graph.node(item.node_id).type_id).category
            painter.setBrush(theme.category_color(category))
            painter.drawRect(item.mapRectToScene(item.shape().boundingRect()))
        painter.resetTransform()
        shown = transform.mapRect(self._shown()).intersected(frame.adjusted(1, 1, -1, -1))
        accent = QColor(t.color("accent"))
        painter.setPen(QPen(accent, 1.5))
        accent.setAlpha(40)
        painter.setBrush(accent)
        painter.drawRect(shown)

    # --------------------------------------------------------------- mouse
    def _jump(self, pos: QPointF) -> None:
        rect = self._nodes_rect()
        if rect.isEmpty():
            return
        inverse, ok = self._to_map(rect).inverted()
        if ok:
            self.view.centerOn(inverse.map(pos))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._jump(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._jump(event.position())
        event.accept()
