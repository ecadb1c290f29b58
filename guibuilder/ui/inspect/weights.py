"""The Weights tab of the Inspect panel: conv filters as images and weight histograms.

The filters of the first 2-D convolution (or of the convolution chosen) are drawn as small
images on one shared, diverging colour scale (colour images for RGB filters); the chosen
layer's weights as a histogram; and every layer at a glance as a heat map, one row per
layer, of how its weights spread over one common value axis. Clicking a row, a node on the
canvas or a name in the list chooses the layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QSplitter, QWidget

from guibuilder.inspect.weights import CONV_2D, Histogram, conv_filters, weight_histograms
from guibuilder.ui import theme
from guibuilder.ui.inspect.tab_base import LayerBox, WorkerTab, thinned_ticks
from guibuilder.ui.inspect.views import _Plot, _style, _style_bar, _ticks

if TYPE_CHECKING:
    from guibuilder.inspect.subject import Context
    from guibuilder.ui.inspect.panel import InspectPanel

#: Bins of each layer's row in the all-layers heat map.
OVERVIEW_BINS = 80
#: Most filters drawn.
MAX_FILTERS = 64


@dataclass(frozen=True)
class WeightsResult:
    """Every layer's weight histogram, the 2-D convolutions' filters and an overview.

    ``overview[i]`` is layer ``histograms[i]``'s histogram over the common ``overview_edges``,
    scaled so that its fullest bin is 1.
    """

    histograms: tuple[Histogram, ...]
    filters: dict[str, np.ndarray]
    layer_types: dict[str, str]
    overview: np.ndarray
    overview_edges: np.ndarray

    def histogram(self, node_id: str) -> Histogram | None:
        """The histogram of ``node_id``; None when that layer has no weights."""
        return next((h for h in self.histograms if h.node_id == node_id), None)


def weights_job(context: Context) -> WeightsResult:
    """Read the weights of the model (in the worker thread)."""
    model = context.model
    histograms = tuple(weight_histograms(model))
    filters = {
        layer.name: conv_filters(model, layer.name)
        for layer in model.layers
        if type(layer).__name__ in CONV_2D
    }
    values = {
        layer.name: np.concatenate([np.ravel(np.asarray(w)) for w in layer.weights])
        for layer in model.layers
        if layer.weights
    }
    bound = max(
        (float(np.percentile(np.abs(v), 99.5)) for v in values.values() if v.size), default=1.0
    )
    bound = bound if bound > 0 else 1.0
    edges = np.linspace(-bound, bound, OVERVIEW_BINS + 1)
    rows = []
    for h in histograms:
        counts, _ = np.histogram(np.clip(values[h.node_id], -bound, bound), bins=edges)
        rows.append(counts / max(1, counts.max()))
    overview = np.array(rows, dtype="float32").reshape(len(rows), OVERVIEW_BINS)
    types = {layer.name: type(layer).__name__ for layer in model.layers}
    return WeightsResult(histograms, filters, types, overview, edges)


def filter_picture(filters: np.ndarray, pad: int = 1) -> tuple[np.ndarray, float]:
    """The filters ``(n, h, w, channels)`` tiled in a grid, and the bound of its colour scale.

    Filters over three channels give an RGB picture in [0, 1] (grey is zero); any other
    number of channels gives their mean, on a scale symmetric around zero. Gaps are NaN
    (white in RGB).
    """
    from guibuilder.inspect.activations import grid_shape

    count = min(len(filters), MAX_FILTERS)
    n, h, w, channels = filters[:count].shape
    rgb = channels == 3
    tiles = filters[:count] if rgb else filters[:count].mean(axis=-1, keepdims=True)
    bound = float(np.max(np.abs(tiles))) or 1.0
    rows, cols = grid_shape(n)
    depth = 3 if rgb else 1
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, depth), np.nan, "float32")
    for i in range(n):
        r, c = divmod(i, cols)
        grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = tiles[i]
    if rgb:
        grid = np.nan_to_num(0.5 + grid / (2 * bound), nan=1.0)
        return grid, bound
    return grid[:, :, 0], bound


class FilterView(_Plot):
    """The filters of one convolution as small images on one colour scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.vb.setDefaultPadding(0.02)
        _ticks(self.plot, False)
        self.cmap = pg.colormap.get("CET-D1")
        self.bar = pg.ColorBarItem(
            values=(-1, 1), colorMap=self.cmap, interactive=False, width=12, label="weight"
        )
        self.bar.setImageItem(self.image, insert_in=self.plot)
        # As wide as its numbers and title need: the fixed width dropped or clipped numbers.
        self.bar.axis.setWidth(None)
        _style_bar(self.bar)
        self.shown: np.ndarray | None = None
        _style(self.plot, "No 2-D convolution, so no filters")

    def show_filters(self, node_id: str | None, filters: np.ndarray | None) -> None:
        """Draw ``filters`` of ``node_id``; a note when there are none."""
        if node_id is None or filters is None:
            self.image.clear()
            self.shown = None
            _style(self.plot, "No 2-D convolution, so no filters")
            return
        picture, bound = filter_picture(filters)
        self.shown = picture
        n, h, w, channels = filters.shape
        if picture.ndim == 3:
            self.bar.hide()
            self.image.setLookupTable(None)
            self.image.setImage(np.transpose(picture, (1, 0, 2)), levels=(0.0, 1.0))
            how = "colour: the RGB pattern each filter looks for (grey is 0)"
        else:
            self.bar.show()
            self.image.setColorMap(self.cmap)
            self.image.setImage(picture.T, autoLevels=False, levels=(-bound, bound))
            self.bar.setLevels((-bound, bound))
            how = "red excites, blue inhibits" + (
                f" (mean of {channels} input channels)" if channels > 1 else ""
            )
        shown = min(n, MAX_FILTERS)
        count = f"{shown} of {n}" if shown < n else f"{n}"
        self.plot.setLabel("bottom", how)
        _style(self.plot, f"Filters of {node_id}: {count}, {h}x{w}")
        self.plot.enableAutoRange()


class HistogramView(_Plot):
    """One layer's weight histogram."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = theme.current()
        color = pg.mkColor(t.accent)
        fill = pg.mkColor(t.accent)
        fill.setAlpha(110)
        self.curve = pg.PlotDataItem(
            [0, 1], [0], stepMode="center", fillLevel=0, brush=fill, pen=pg.mkPen(color, width=1.5)
        )
        self.plot.addItem(self.curve)
        self.zero = pg.InfiniteLine(0, angle=90, pen=pg.mkPen(t.muted, style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.zero)
        self.plot.setLabel("bottom", "weight value")
        self.plot.setLabel("left", "count")
        self.plot.setMouseEnabled(False, False)
        _ticks(self.plot, True)
        _style(self.plot, "Weight histogram")

    def show_histogram(self, histogram: Histogram, layer_type: str) -> None:
        """Draw ``histogram`` of a ``layer_type`` layer."""
        self.curve.setData(histogram.edges, histogram.counts.astype("float64"))
        self.plot.setLabel(
            "bottom", f"weight value · mean {histogram.mean:.3g}, std {histogram.std:.3g}"
        )
        _style(self.plot, f"{histogram.node_id} ({layer_type}): {histogram.size:,} weights")
        self.plot.enableAutoRange()


class OverviewView(_Plot):
    """Every layer's weights at a glance: one row per layer; a click picks the layer."""

    layer_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("CET-L12"))
        self.plot.addItem(self.image)
        self.plot.invertY(True)
        self.plot.setMouseEnabled(False, False)
        self.plot.setLabel("bottom", "weight value (shared axis)")
        self.marker = pg.QtWidgets.QGraphicsRectItem(0, 0, 1, 1)
        self.marker.setPen(pg.mkPen(theme.current().error, width=2))
        self.marker.hide()
        self.plot.addItem(self.marker)
        self.node_ids: list[str] = []
        self.edges = np.linspace(-1, 1, 2)
        _ticks(self.plot, True)
        _style(self.plot, "All layers")
        self.scene().sigMouseClicked.connect(self._clicked)
        self.plot.vb.sigResized.connect(lambda _vb: self.label_rows())

    def show_overview(self, result: WeightsResult) -> None:
        """Draw one row per layer of ``result``."""
        self.node_ids = [h.node_id for h in result.histograms]
        self.edges = result.overview_edges
        low, high = float(self.edges[0]), float(self.edges[-1])
        rows = len(self.node_ids)
        self.image.setImage(result.overview.T, autoLevels=False, levels=(0.0, 1.0))
        self.image.setRect(low, 0, high - low, rows)
        self.label_rows()
        self.marker.setRect(low, 0, high - low, 1)
        _style(self.plot, "All layers (click a row)")
        self.plot.setRange(xRange=(low, high), yRange=(0, max(1, rows)), padding=0.01)

    def label_rows(self) -> None:
        """Name as many rows as there is room for."""
        height = self.plot.vb.boundingRect().height()
        ticks = thinned_ticks(self.node_ids, height, self.fontMetrics().height())
        self.plot.getAxis("left").setTicks([ticks])

    def mark(self, node_id: str) -> None:
        """Outline the row of ``node_id``."""
        if node_id in self.node_ids:
            low, high = float(self.edges[0]), float(self.edges[-1])
            self.marker.setRect(low, self.node_ids.index(node_id), high - low, 1)
            self.marker.show()

    def row_center(self, node_id: str) -> QPointF:
        """Where the row of ``node_id`` is, in this widget's viewport coordinates."""
        row = self.node_ids.index(node_id) + 0.5
        middle = float(self.edges[0] + self.edges[-1]) / 2
        scene = self.plot.vb.mapViewToScene(QPointF(middle, row))
        return self.mapFromScene(scene).toPointF()

    def _clicked(self, event: Any) -> None:
        point = self.plot.vb.mapSceneToView(event.scenePos())
        row = int(np.floor(point.y()))
        if 0 <= row < len(self.node_ids) and self.edges[0] <= point.x() <= self.edges[-1]:
            self.layer_clicked.emit(self.node_ids[row])


class WeightsTab(WorkerTab):
    """Filters, the chosen layer's histogram and every layer's spread."""

    kinds = ("weights",)

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.result: WeightsResult | None = None
        self.layer_box = LayerBox("WeightsLayer", "The layer whose weights the histogram shows")
        self.layer_box.currentIndexChanged.connect(self._layer_chosen)
        self.filter_view: FilterView | None = None
        self.histogram_view: HistogramView | None = None
        self.overview_view: OverviewView | None = None
        self.add_controls("Layer:", self.layer_box, self.status)

    def build(self) -> None:
        self.filter_view = FilterView()
        self.histogram_view = HistogramView()
        self.overview_view = OverviewView()
        self.overview_view.layer_clicked.connect(self.choose_layer)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for view in (self.filter_view, self.histogram_view, self.overview_view):
            splitter.addWidget(view)
        self.layout().addWidget(splitter, 1)

    def update_jobs(self) -> None:
        if self.ask("weights", weights_job):
            self.status.setText("Reading the weights…")

    def show_result(self, kind: str, value: Any) -> None:
        result: WeightsResult = value
        self.result = result
        chosen = self.layer_box.currentText()
        self.layer_box.set_layers([h.node_id for h in result.histograms])
        self.overview_view.show_overview(result)
        weights = self.panel.session.project.weights if self.panel.session else None
        trained = weights is not None and len(weights) > 0
        self.status.setText(
            "Trained weights of the project."
            if trained
            else "The project has no trained weights: these are the initial weights."
        )
        first = next(iter(result.filters), None)
        self.filter_view.show_filters(first, result.filters.get(first))
        if result.histograms:
            wanted = chosen if result.histogram(chosen) else result.histograms[0].node_id
            if self.panel.node_id and result.histogram(self.panel.node_id):
                wanted = self.panel.node_id
            self.choose_layer(wanted)

    def choose_layer(self, node_id: str) -> None:
        """Show the histogram of ``node_id`` (and its filters when it is a convolution)."""
        result = self.result
        if result is None or result.histogram(node_id) is None:
            return
        if self.layer_box.currentText() != node_id:
            self.layer_box.setCurrentText(node_id)
            return
        self.histogram_view.show_histogram(result.histogram(node_id), result.layer_types[node_id])
        self.overview_view.mark(node_id)
        if node_id in result.filters:
            self.filter_view.show_filters(node_id, result.filters[node_id])

    def _layer_chosen(self, _index: int) -> None:
        self.choose_layer(self.layer_box.currentText())

    def follow_node(self, node_id: str, current: bool) -> bool:
        if not current:
            return False
        if self.result is not None:
            if self.result.histogram(node_id) is None:
                self.status.setText(f"{node_id} has no weights.")
            else:
                self.choose_layer(node_id)
        return True
