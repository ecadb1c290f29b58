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
from guibuilder.ui import theme


def _style(plot: pg.PlotItem, title: str) -> None:
    t = theme.current()
    plot.setTitle(title, color=t.text, size="10pt")
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(t.border))
        axis.setTextPen(pg.mkPen(t.muted))
        axis.setLabel(axis.labelText, color=t.muted)


class _Plot(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(260, 220)
        self.setBackground(theme.current().base)
        self.plot = self.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()


class ActivationView(_Plot):
    """One sample's activation of one node: feature maps, a heat map or bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=theme.current().accent)
        self.plot.addItem(self.image)
        self.plot.addItem(self.bars)
        self.kind = ""
        _style(self.plot, "Click a node on the canvas to see its activations")

    def show_activation(
        self, title: str, values: np.ndarray, class_names: Sequence[str] = ()
    ) -> str:
        """Draw ``values`` (one sample, no batch axis) under ``title``; returns how it is drawn.

        Bars are labelled with ``class_names`` when there is one name per value.
        """
        kind = kind_of(values)
        if kind == "image" and values.shape[-1] == 1:
            kind, grid = "map", values[:, :, 0].astype("float32")
        elif kind == "image":
            grid = feature_grid(values)
        elif kind == "sequence":
            grid = sequence_map(values)
        else:
            grid = None
        plot = self.plot
        if grid is not None:
            self.bars.hide()
            self.image.show()
            self.image.setImage(grid.T, autoLevels=False, levels=_levels(grid))
            plot.setAspectLocked(kind != "sequence")
            plot.invertY(True)
            _ticks(plot, kind == "sequence")
            if kind == "image":
                count = min(values.shape[-1], 64)
                plot.setLabel("bottom", f"{count} of {values.shape[-1]} feature maps")
                plot.setLabel("left", f"{values.shape[0]} x {values.shape[1]} each")
            elif kind == "map":
                plot.setLabel("bottom", f"{values.shape[1]} px")
                plot.setLabel("left", f"{values.shape[0]} px")
            else:
                plot.setLabel("bottom", "time step")
                plot.setLabel("left", "unit")
        else:
            flat = np.asarray(values, dtype="float32").ravel()
            self.image.hide()
            self.bars.show()
            self.bars.setOpts(
                x=np.arange(flat.size), height=flat, width=0.8, brush=theme.current().accent
            )
            plot.setAspectLocked(False)
            plot.invertY(False)
            _ticks(plot, True)
            named = len(class_names) == flat.size
            ticks = [[(i, str(n)) for i, n in enumerate(class_names)], []] if named else None
            plot.getAxis("bottom").setTicks(ticks)
            plot.setLabel("bottom", "class" if named else "unit")
            plot.setLabel("left", "activation")
        _style(plot, title)
        plot.autoRange()
        self.kind = kind
        return kind


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
