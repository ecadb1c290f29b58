"""The pyqtgraph views of the Inspect panel: one node's activations and a confusion matrix.

This module imports pyqtgraph, so the panel imports it only when it is first shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from guibuilder.inspect import feature_grid, kind_of, sequence_map
from guibuilder.inspect.activations import grid_shape
from guibuilder.ui import theme


def _style(plot: pg.PlotItem, title: str) -> None:
    t = theme.current()
    plot.setTitle(title, color=t.text, size="10pt")
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(t.border))
        axis.setTextPen(pg.mkPen(t.muted))
        axis.setLabel(axis.labelText, color=t.muted)


#: Room around a picture, as a fraction of its size.
PAD = 0.02
#: Height of a title with a caption line under it, in pixels.
TWO_LINES = 46


class _Plot(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(260, 220)
        self.setBackground(theme.current().base)
        self.plot = self.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()


class ActivationView(_Plot):
    """One sample's activation of one node: feature maps, a heat map or bars.

    Feature maps are tiled in as many columns as fill the view best, all on one colour
    scale; every heat map has a colour bar beside it that reads its lowest and highest value.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = theme.current()
        self.image = pg.ImageItem()
        cmap = pg.colormap.get("viridis")
        self.image.setColorMap(cmap)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=t.accent)
        self.plot.addItem(self.image)
        self.plot.addItem(self.bars)
        self.color_bar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=cmap, interactive=False, width=12, pen=t.border
        )
        self.color_bar.setImageItem(self.image, insert_in=self.plot)
        # As wide as its numbers need (its fixed width would drop the longer ones).
        self.color_bar.axis.setWidth(None)
        _style_bar(self.color_bar)
        self.color_bar.hide()
        self.kind = ""
        #: Columns of the feature-map grid shown (0 when no feature maps are shown).
        self.columns = 0
        self._maps: np.ndarray | None = None
        self._content: tuple[float, float] | None = None
        #: Margins added on each side (left and right, top and bottom) to hug a picture.
        self._extra = (0.0, 0.0)
        self.plot.vb.sigResized.connect(lambda _vb: self._fit())
        _axes(self.plot, False)  # nothing to measure yet
        _style(self.plot, "Click a node on the canvas to see its activations")

    def show_activation(
        self, title: str, values: np.ndarray, class_names: Sequence[str] = ()
    ) -> str:
        """Draw ``values`` (one sample, no batch axis) under ``title``; returns how it is drawn.

        Bars are labelled with ``class_names`` when there is one name per value.
        """
        kind = kind_of(values)
        self._maps = None
        self.columns = 0
        if kind == "image" and values.shape[-1] == 1:
            kind, grid = "map", values[:, :, 0].astype("float32")
        elif kind == "image":
            self._maps = np.asarray(values, dtype="float32")
            self.columns = self._fit_columns()
            grid = feature_grid(self._maps, normalise=False, cols=self.columns)
        elif kind == "sequence":
            grid = sequence_map(values)
        else:
            grid = None
        plot = self.plot
        if grid is not None:
            low, high = _levels(np.asarray(values, dtype="float32"))
            self.bars.hide()
            self.image.show()
            self.image.setImage(grid.T, autoLevels=False, levels=(low, high))
            self._scale(low, high)
            plot.setAspectLocked(kind != "sequence")
            plot.invertY(True)
            _ticks(plot, kind == "sequence")
            if kind == "sequence":
                _axes(plot, True)
                plot.setLabel("bottom", "time step")
                plot.setLabel("left", "unit")
                _style(plot, title)
            else:
                # A picture: its empty axes would only frame blank space; the caption under
                # the title says what the tiles are.
                _axes(plot, False)
                h, w = values.shape[:2]
                if kind == "image":
                    channels = values.shape[-1]
                    shown = min(channels, 64)
                    count = f"all {channels}" if shown == channels else f"{shown} of {channels}"
                    note = f"{count} feature maps, {h} x {w} each, on one colour scale"
                else:
                    note = f"{h} x {w}"
                _style(plot, _captioned(title, note))
                plot.titleLabel.setMaximumHeight(TWO_LINES)
                plot.layout.setRowFixedHeight(0, TWO_LINES)
        else:
            flat = np.asarray(values, dtype="float32").ravel()
            self.image.hide()
            self.color_bar.hide()
            self.bars.show()
            self.bars.setOpts(
                x=np.arange(flat.size), height=flat, width=0.8, brush=theme.current().accent
            )
            plot.setAspectLocked(False)
            plot.invertY(False)
            _axes(plot, True)
            _ticks(plot, True)
            named = len(class_names) == flat.size
            ticks = [[(i, str(n)) for i, n in enumerate(class_names)], []] if named else None
            plot.getAxis("bottom").setTicks(ticks)
            plot.setLabel("bottom", "class" if named else "unit")
            plot.setLabel("left", "activation")
            _style(plot, title)
        self._content = grid.shape[::-1] if grid is not None and kind != "sequence" else None
        plot.autoRange(padding=PAD if grid is not None else None)
        self._hug()
        self.kind = kind
        return kind

    def scale(self) -> tuple[float, float] | None:
        """The lowest and highest value the colour bar reads, or None when it is hidden."""
        if not self.color_bar.isVisible():
            return None
        low, high = self.color_bar.levels()
        return float(low), float(high)

    def scale_labels(self) -> list[str]:
        """The numbers written on the colour bar, bottom to top."""
        levels = self.color_bar.axis._tickLevels or []
        return [label for level in levels for _value, label in level]

    def _scale(self, low: float, high: float) -> None:
        bar = self.color_bar
        bar.setLevels((low, high))
        ticks = [(low, _number(low)), (high, _number(high))]
        if low < 0 < high:
            ticks.insert(1, (0.0, "0"))
        bar.axis.setTicks([ticks, []])
        bar.show()

    def _room(self) -> tuple[float, float]:
        """The width and height the view box may take: its own and the hugging margins."""
        rect = self.plot.vb.boundingRect()
        x, y = self._extra
        return rect.width() + 2 * x, rect.height() + 2 * y

    def _fit_columns(self) -> int:
        maps = self._maps
        return fit_columns(min(maps.shape[-1], 64), maps.shape[:2], self._room())

    def _fit(self) -> None:
        self._retile()
        self._hug()

    def _hug(self) -> None:
        """Shrink the view box around a picture, so that the title sits over it and the
        colour bar beside it; a heat map of a sequence or bars take the whole view."""
        x = y = 0.0
        bottom = 1.0
        if self._content is not None:
            bottom = 9.0  # room for the colour bar's lowest number, with no axis below
            width, height = self._room()
            w, h = (side * (1 + 2 * PAD) for side in self._content)
            if w > 0 and h > 0 and width > 0 and height > 0:
                scale = min(width / w, height / h)
                x, y = (width - w * scale) / 2, (height - h * scale) / 2
        same = abs(x - self._extra[0]) <= 1 and abs(y - self._extra[1]) <= 1
        if same and self.plot.layout.getContentsMargins()[3] == bottom:
            return
        self._extra = (x, y)
        self.plot.layout.setContentsMargins(1 + x, 1 + y, 1 + x, bottom + y)

    def _retile(self) -> None:
        """Tile the feature maps again when another column count fills the view better."""
        if self._maps is None:
            return
        columns = self._fit_columns()
        if columns == self.columns:
            return
        self.columns = columns
        grid = feature_grid(self._maps, normalise=False, cols=columns)
        self.image.setImage(grid.T, autoLevels=False, levels=self.color_bar.levels())
        self._content = grid.shape[::-1]
        self.plot.autoRange(padding=PAD)


def fit_columns(count: int, tile: tuple[int, int], view: tuple[float, float], pad: int = 1) -> int:
    """How many columns of ``count`` tiles (``tile`` = height, width) fill ``view`` best.

    ``view`` is the width and height there is room for; the tiles are drawn as large as
    that room allows, and among column counts that draw them equally large the one that
    leaves the fewest empty cells wins. Without room (not laid out yet): the squarest grid.
    """
    if count <= 0:
        return 1
    width, height = view
    if width < 1 or height < 1:
        return grid_shape(count)[1]
    h, w = tile
    best, best_key = 1, None
    for cols in range(1, count + 1):
        rows = -(-count // cols)
        size = min(width / (cols * (w + pad) - pad), height / (rows * (h + pad) - pad))
        key = (round(size, 6), -(rows * cols - count))
        if best_key is None or key > best_key:
            best, best_key = cols, key
    return best


def _number(value: float) -> str:
    """``value`` in three significant digits, as a colour bar writes it."""
    return f"{value:.3g}"


def _captioned(title: str, note: str) -> str:
    """``title`` with ``note`` under it, smaller and muted."""
    muted = theme.current().muted
    return f"{title}<br><span style='color:{muted}; font-size:9pt'>{note}</span>"


def _axes(plot: pg.PlotItem, shown: bool) -> None:
    """Show or hide the left and bottom axes of ``plot``."""
    for side in ("left", "bottom"):
        if shown:
            plot.showAxis(side)
        else:
            plot.hideAxis(side)


def _style_bar(bar: pg.ColorBarItem) -> None:
    """Theme the frame and the numbers of a colour bar."""
    t = theme.current()
    for side in ("left", "right", "top", "bottom"):
        axis = bar.getAxis(side)
        axis.setPen(pg.mkPen(t.border))
        axis.setTextPen(pg.mkPen(t.muted))


def _ticks(plot: pg.PlotItem, shown: bool) -> None:
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setStyle(showValues=shown, tickLength=-5 if shown else 0)
        # Turning the prefix off works it out once more from the current range (values
        # under 1 would be shown x1000): no range may have one.
        axis.setSIPrefixEnableRanges(())
        axis.enableAutoSIPrefix(False)


def _levels(grid: np.ndarray) -> tuple[float, float]:
    finite = grid[np.isfinite(grid)]
    if not finite.size:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high if high > low else low + 1.0)


class ConfusionView(_Plot):
    """A confusion matrix: true class down, predicted class across; a click picks a cell."""

    cell_clicked = Signal(int, int)  # true class, predicted class

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("CET-L12"))
        self.plot.addItem(self.image)
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.setMouseEnabled(False, False)
        self.plot.setLabel("bottom", "predicted class")
        self.plot.setLabel("left", "true class")
        self.matrix = np.zeros((0, 0), dtype="int64")
        self._texts: list[pg.TextItem] = []
        self.marker = QGraphicsRectItem(0, 0, 1, 1)
        self.marker.setPen(pg.mkPen(theme.current().error, width=2.5))
        self.marker.hide()
        self.plot.addItem(self.marker)
        _style(self.plot, "Confusion matrix")
        self.scene().sigMouseClicked.connect(self._clicked)

    def show_matrix(self, matrix: np.ndarray, names: Sequence[str], title: str) -> None:
        """Draw ``matrix[true, predicted]`` with class ``names`` on both axes."""
        self.matrix = np.asarray(matrix)
        n = len(self.matrix)
        self.image.setImage(
            self.matrix.T.astype("float32"),
            autoLevels=False,
            levels=(0.0, float(max(1, self.matrix.max()))),
        )
        for text in self._texts:
            self.plot.removeItem(text)
        self._texts = []
        peak = max(1, int(self.matrix.max()))
        for true in range(n):
            for pred in range(n):
                count = int(self.matrix[true, pred])
                color = "#ffffff" if count > peak * 0.55 else "#1f2937"
                text = pg.TextItem(str(count), color=color, anchor=(0.5, 0.5))
                text.setPos(pred + 0.5, true + 0.5)
                self.plot.addItem(text)
                self._texts.append(text)
        ticks = [(i + 0.5, str(name)) for i, name in enumerate(names)]
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setTicks([ticks, []])
            axis.setStyle(showValues=True)
        self.marker.hide()
        _style(self.plot, title)
        self.plot.setRange(xRange=(0, n), yRange=(0, n), padding=0.02)

    def cell_center(self, true: int, pred: int) -> QPointF:
        """Where cell ``(true, pred)`` is, in this widget's viewport coordinates."""
        scene = self.plot.vb.mapViewToScene(QPointF(pred + 0.5, true + 0.5))
        return self.mapFromScene(scene).toPointF()

    def mark(self, true: int, pred: int) -> None:
        """Outline cell ``(true, pred)``."""
        self.marker.setRect(pred, true, 1, 1)
        self.marker.show()

    def _clicked(self, event: object) -> None:
        n = len(self.matrix)
        if not n:
            return
        point = self.plot.vb.mapSceneToView(event.scenePos())  # type: ignore[attr-defined]
        pred, true = int(np.floor(point.x())), int(np.floor(point.y()))
        if 0 <= true < n and 0 <= pred < n:
            self.mark(true, pred)
            self.cell_clicked.emit(true, pred)
