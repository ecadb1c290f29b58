"""Canvas items: a node card with its ports, and an edge curve.

Items hold a node id or an edge (its identity) and read everything else from the graph
and from shape inference when they refresh; they keep no copy of parameters or
connections. Data flows top to bottom: inputs on a card's top edge, outputs at its bottom.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from guibuilder import catalog
from guibuilder.catalog.layers._common import fmt_shape
from guibuilder.compiler.layout import NODE_HEIGHT, NODE_WIDTH
from guibuilder.graph import Edge
from guibuilder.ui import theme
from guibuilder.ui.canvas.overlay import ink_on

if TYPE_CHECKING:
    from guibuilder.ui.canvas.scene import GraphScene

PORT_RADIUS = 5.0
LOCKED_WHAT = "it cannot be deleted, edited or rewired."
CORNER = 7.0
PAD = 11.0


def _fonts() -> tuple[QFont, QFont, QFont, QFont]:
    """Fonts of a node face: name, text, shapes, port labels, in the theme's text size."""
    return _card_fonts(theme.current().font_scale)


@cache
def _card_fonts(_scale: float) -> tuple[QFont, QFont, QFont, QFont]:
    return (
        theme.card_font(9.5, bold=True),
        theme.card_font(8.5),
        theme.card_font(8.5, mono=True),
        theme.card_font(7.0),
    )


def format_count(count: int) -> str:
    """``1234567`` -> ``1.23M``; short enough for a node face."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.2f}M"
    if count >= 10_000:
        return f"{count / 1000:.1f}k"
    return f"{count:,}"


def format_shapes(shapes: tuple) -> str:
    return "  ".join(fmt_shape(s) for s in shapes)


class PortItem(QGraphicsItem):
    """An input (``port``, ``slot``) or output (``index``) connector of a node."""

    def __init__(
        self,
        node: NodeItem,
        is_input: bool,
        port: str = "",
        slot: int = 0,
        index: int = 0,
        label: str = "",
    ) -> None:
        super().__init__(node)
        self.node_item = node
        self.is_input = is_input
        self.port = port
        self.slot = slot
        self.index = index
        self.label = label
        self.connected = False
        self.highlight = False
        self.hovered = False
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.setCursor(Qt.CursorShape.CrossCursor)
        if is_input:
            what = f"input '{label or port}'" + (f", slot {slot}" if slot else "")
        else:
            what = f"output {index}"
        self.setToolTip(f"{what}: drag to connect")

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def boundingRect(self) -> QRectF:
        r = PORT_RADIUS + 4
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def anchor(self) -> QPointF:
        return self.scenePos()

    def set_highlight(self, on: bool) -> None:
        if on != self.highlight:
            self.highlight = on
            self.update()

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = False
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = PORT_RADIUS + (1.5 if self.highlight or self.hovered else 0)
        if self.highlight or self.hovered:
            painter.setPen(QPen(t.color("accent"), 2))
            painter.setBrush(t.color("accent") if self.hovered else t.color("card"))
        else:
            painter.setPen(QPen(t.color("edge"), 1.5))
            painter.setBrush(t.color("edge") if self.connected else t.color("card"))
        painter.drawEllipse(QPointF(0, 0), radius, radius)
        if self.label:
            painter.setFont(_fonts()[3])
            painter.setPen(t.color("muted"))
            painter.drawText(QPointF(radius + 3, -4 if self.is_input else 11), self.label)


class NodeItem(QGraphicsItem):
    """One node's card: name, type, key parameters, output shape, parameter count."""

    def __init__(self, scene: GraphScene, node_id: str) -> None:
        super().__init__()
        self.graph_scene = scene
        self.node_id = node_id
        self.inputs: list[PortItem] = []
        self.outputs: list[PortItem] = []
        self.error: str | None = None
        #: A view-only colour over the card (an inspect overlay) and its tooltip line.
        self.tint: QColor | None = None
        self.tint_note = ""
        self.locked = False
        self.frozen = False
        self._lines: tuple[str, str, str, str] = ("", "", "", "")
        self._category = "Other"
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.rebuild_ports()
        self.refresh()

    # ------------------------------------------------------------ content
    def rebuild_ports(self) -> None:
        """Lay out the ports again: a variadic input shows its slots plus one free."""
        graph = self.graph_scene.graph
        spec = graph.spec(self.node_id)
        in_edges = graph.in_edges(self.node_id)
        wanted: list[tuple[str, int, str]] = []
        named = len(spec.inputs) > 1 or any(p.name not in ("input", "inputs") for p in spec.inputs)
        for port in spec.inputs:
            label = (port.label or port.name) if named else ""
            if port.variadic:
                slots = sorted(e.slot for e in in_edges if e.port == port.name)
                slots.append(max(slots, default=-1) + 1)
                wanted.extend((port.name, s, label) for s in slots)
            else:
                wanted.append((port.name, 0, label))
        outputs = graph.num_outputs(self.node_id)
        current = [(p.port, p.slot, p.label) for p in self.inputs]
        if current != wanted or len(self.outputs) != outputs:
            scene = self.scene()
            for item in (*self.inputs, *self.outputs):
                if scene is not None:
                    scene.removeItem(item)
                item.setParentItem(None)
            self.inputs = [PortItem(self, True, n, s, label=lab) for n, s, lab in wanted]
            self.outputs = [
                PortItem(self, False, index=i, label=str(i) if outputs > 1 else "")
                for i in range(outputs)
            ]
        for i, port in enumerate(self.inputs):
            port.setPos(NODE_WIDTH * (i + 1) / (len(self.inputs) + 1), 0)
        for i, port in enumerate(self.outputs):
            port.setPos(NODE_WIDTH * (i + 1) / (len(self.outputs) + 1), NODE_HEIGHT)
        connected_in = {(e.port, e.slot) for e in in_edges}
        connected_out = {e.output for e in graph.out_edges(self.node_id)}
        for port in self.inputs:
            port.connected = (port.port, port.slot) in connected_in
            port.update()
        for port in self.outputs:
            port.connected = port.index in connected_out
            port.update()

    def refresh(self) -> None:
        """Read name, parameters and shape information again and repaint."""
        graph = self.graph_scene.graph
        node = graph.node(self.node_id)
        spec = catalog.get(node.type_id)
        info = self.graph_scene.shapes.info(self.node_id)
        params = graph.effective_params(self.node_id)
        detail = spec.describe(params) if spec.describe else ""
        kind = spec.type_id if not node.shares else f"{spec.type_id} (shares {node.shares})"
        subtitle = f"{kind} · {detail}" if detail else kind
        if info.error:
            shape = "error"
        elif info.pending:
            shape = "waiting for Keras…"
        else:
            shape = format_shapes(info.outputs) if info.outputs else "?"
        count = "" if node.shares or not info.params else format_count(info.params)
        self.frozen = not node.trainable and node.type_id != "Input"
        if self.frozen:
            count = f"{count} ❄" if count else "frozen ❄"
        self._lines = (node.name, subtitle, shape, count)
        self._category = spec.category
        self.error = info.error
        classroom = self.graph_scene.session.project.classroom
        self.locked = classroom is not None and self.node_id in classroom.locked_nodes
        tip = [f"<b>{node.name}</b> ({spec.type_id})", spec.summary]
        if self.frozen:
            tip.append("❄ Frozen: training leaves its weights as they are.")
        if self.locked:
            tip.append(f"{lock_html()} Locked by the teacher: {LOCKED_WHAT}")
        if info.error:
            color = theme.current().error
            tip.append(f"<span style='color:{color}'>{info.error}</span>")
        if self.tint_note:
            tip.append(self.tint_note)
        self.setToolTip("<br>".join(tip))
        self.update()

    # ------------------------------------------------------------ geometry
    def set_tint(self, color: QColor | None, note: str = "") -> None:
        """Colour the card with ``color`` (None: its normal look); ``note`` joins the tooltip."""
        self.tint, self.tint_note = color, note
        self.refresh()

    def boundingRect(self) -> QRectF:
        return QRectF(-12, -22, NODE_WIDTH + 24, NODE_HEIGHT + 40)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT), CORNER, CORNER)
        return path

    def input_anchor(self, port: str, slot: int) -> QPointF:
        for item in self.inputs:
            if item.port == port and item.slot == slot:
                return item.anchor()
        return self.mapToScene(QPointF(NODE_WIDTH / 2, 0))

    def output_anchor(self, index: int) -> QPointF:
        if 0 <= index < len(self.outputs):
            return self.outputs[index].anchor()
        return self.mapToScene(QPointF(NODE_WIDTH / 2, NODE_HEIGHT))

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.graph_scene.node_item_moved(self.node_id)
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.update()
        return super().itemChange(change, value)

    # ------------------------------------------------------------ painting
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = theme.current()
        name_font, text_font, mono_font, _ = _fonts()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT)
        color = theme.category_color(self._category)

        shadow = QColor(0, 0, 0, 28 if t.name == "light" else 70)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shadow)
        painter.drawRoundedRect(rect.translated(0, 2), CORNER, CORNER)

        if self.error:
            border = QPen(t.color("error"), t.border_width + 1)
        elif self.isSelected():
            border = QPen(t.color("accent"), t.border_width + 1)
        else:
            border = QPen(t.color("card_border"), t.border_width)
        painter.setPen(border)
        if self.tint is not None:
            painter.setBrush(self.tint)
        elif self.frozen:
            painter.setBrush(frost(t.color("card")))
        else:
            painter.setBrush(t.color("card"))
        painter.drawRoundedRect(rect, CORNER, CORNER)
        ink = None if self.tint is None else ink_on(self.tint)

        band = QPainterPath()
        band.addRoundedRect(rect, CORNER, CORNER)
        strip = QPainterPath()
        strip.addRect(QRectF(0, 0, 5, NODE_HEIGHT))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPath(band.intersected(strip))

        name, subtitle, shape, count = self._lines
        left, width = PAD, NODE_WIDTH - PAD - 8
        painter.setFont(name_font)
        painter.setPen(ink or t.color("text"))
        metrics = QFontMetricsF(name_font)
        name_w = width - (18 if self.error else 0) - (18 if self.locked else 0)
        painter.drawText(
            QRectF(left, 7, name_w, 18),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_w),
        )
        painter.setFont(text_font)
        painter.setPen(ink or theme.category_text_color(self._category, t.color("card")))
        metrics = QFontMetricsF(text_font)
        painter.drawText(
            QRectF(left, 25, width, 16),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(subtitle, Qt.TextElideMode.ElideRight, width),
        )
        count_w = metrics.horizontalAdvance(count) + 4 if count else 0
        painter.setPen(ink or t.color("muted"))
        painter.drawText(
            QRectF(left, NODE_HEIGHT - 22, width, 16),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            count,
        )
        painter.setFont(mono_font)
        painter.setPen(t.color("error") if self.error else ink or t.color("text"))
        metrics = QFontMetricsF(mono_font)
        shape_w = width - count_w - 4
        painter.drawText(
            QRectF(left, NODE_HEIGHT - 22, shape_w, 16),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(shape, Qt.TextElideMode.ElideRight, shape_w),
        )
        if self.error:
            center = QPointF(NODE_WIDTH - 14, 15)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.color("error"))
            painter.drawEllipse(center, 8, 8)
            painter.setPen(QPen(QColor("#ffffff"), 2))
            painter.drawLine(center + QPointF(0, -4), center + QPointF(0, 1))
            painter.drawPoint(center + QPointF(0, 4))
        if self.locked:
            draw_lock(painter, QPointF(NODE_WIDTH - (34 if self.error else 14), 15), t)


def frost(card: QColor) -> QColor:
    """The card colour of a frozen layer: the card with a cold blue cast."""
    ice = QColor("#60a5fa")
    share = 0.16 if card.lightness() > 128 else 0.22
    return QColor.fromRgbF(
        *(c + (i - c) * share for c, i in zip(card.getRgbF()[:3], ice.getRgbF()[:3], strict=True))
    )


def draw_lock(painter: QPainter, center: QPointF, t: theme.Theme) -> None:
    """A small padlock centred on ``center``: the badge of a layer the teacher locked."""
    painter.save()
    color = t.color("muted")
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(color, 1.6))
    painter.drawArc(QRectF(center.x() - 3.5, center.y() - 7, 7, 8), 0, 180 * 16)
    painter.drawLine(center + QPointF(-3.5, -3), center + QPointF(-3.5, -1))
    painter.drawLine(center + QPointF(3.5, -3), center + QPointF(3.5, -1))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(QRectF(center.x() - 5.5, center.y() - 1.5, 11, 8.5), 1.5, 1.5)
    painter.setBrush(t.color("card"))
    painter.drawEllipse(center + QPointF(0, 2.5), 1.4, 1.4)
    painter.restore()


def lock_html() -> str:
    """An ``<img>`` of the padlock badge, for rich-text labels (the UI font has no emoji)."""
    return _lock_html(theme.current().name)


@cache
def _lock_html(_theme_name: str) -> str:
    pixmap = QPixmap(28, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(2, 2)
    draw_lock(painter, QPointF(7, 8.5), theme.current())
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    encoded = bytes(data.toBase64()).decode()
    return f'<img src="data:image/png;base64,{encoded}" width="14" height="16">'


class EdgeItem(QGraphicsPathItem):
    """A connection drawn as a vertical cubic curve; hover shows the tensor's shape."""

    def __init__(self, scene: GraphScene, edge: Edge) -> None:
        super().__init__()
        self.graph_scene = scene
        self.edge = edge
        self.hovered = False
        self.drop_target = False
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.update_path()

    def update_path(self) -> None:
        source = self.graph_scene.node_item(self.edge.source)
        target = self.graph_scene.node_item(self.edge.target)
        if source is None or target is None:
            return
        self.setPath(
            curve(
                source.output_anchor(self.edge.output),
                target.input_anchor(self.edge.port, self.edge.slot),
            )
        )

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def boundingRect(self) -> QRectF:
        return self.path().boundingRect().adjusted(-8, -8, 8, 8)

    def tensor_text(self) -> str:
        info = self.graph_scene.shapes.info(self.edge.source)
        if self.edge.output < len(info.outputs):
            return fmt_shape(info.outputs[self.edge.output])
        return "shape unknown"

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = True
        self.setToolTip(f"{self.edge.source} → {self.edge.target}: {self.tensor_text()}")
        self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = False
        self.update()

    def set_drop_target(self, on: bool) -> None:
        if on != self.drop_target:
            self.drop_target = on
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        active = self.hovered or self.isSelected() or self.drop_target
        width = t.edge_width + 1 if active else t.edge_width
        pen = QPen(t.color("accent") if active else t.color("edge"), width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.drop_target:
            painter.setBrush(QBrush(t.color("accent")))
            painter.drawEllipse(self.path().pointAtPercent(0.5), 5, 5)


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth top-to-bottom curve from an output (below a node) to an input (above one)."""
    path = QPainterPath(start)
    bend = max(40.0, abs(end.y() - start.y()) * 0.5, abs(end.x() - start.x()) * 0.25)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
    return path
