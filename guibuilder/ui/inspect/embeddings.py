"""The Embeddings tab of the Inspect panel: a layer's activations of many samples in 2-D.

The activations of a chosen layer (the last hidden one by default) for the first
validation samples are projected to two dimensions: PCA at once, t-SNE on request (it takes
seconds, in the worker thread). Points are coloured by class, with a legend; hovering a
point names its sample, and clicking it makes it the panel's sample.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QProgressBar,
    QPushButton,
)

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.embeddings import pca, tsne
from guibuilder.inspect.subject import validation_split
from guibuilder.ui import theme
from guibuilder.ui.inspect.tab_base import LayerBox, WorkerTab
from guibuilder.ui.inspect.views import _Plot, _style, _ticks

if TYPE_CHECKING:
    from guibuilder.inspect.subject import Context
    from guibuilder.ui.inspect.panel import InspectPanel

#: Most validation samples embedded (the first ones).
MAX_SAMPLES = 500
#: Class colours (Tableau 10, then 10 lighter ones), as in the CLI's figures.
CLASS_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip
#: Most rows of the legend before it takes another column.
LEGEND_ROWS = 6
#: The label of the layer chooser's first entry.
AUTO = "last hidden layer"


@dataclass(frozen=True)
class EmbeddingResult:
    """Samples ``0 .. n-1`` of the validation set placed in 2-D by ``method``.

    ``classes`` holds each sample's class index for a classifier (None otherwise),
    ``targets`` a number per sample for a regression with one target (None otherwise).
    """

    node_id: str
    method: str
    points: np.ndarray
    classes: np.ndarray | None
    targets: np.ndarray | None
    class_names: tuple[str, ...]
    features: int
    seconds: float


def embedding_job(context: Context, node_id: str, method: str) -> EmbeddingResult:
    """Project ``node_id``'s activations (the last hidden layer's when empty) to 2-D."""
    from guibuilder.inspect.cli import _last_hidden

    start = time.perf_counter()
    model, data = context.model, context.data
    node_id = node_id or _last_hidden(model) or ""
    if not node_id:
        raise GuibuilderError("the model has no hidden layer to embed")
    if node_id in context.subject.graph.input_nodes():
        raise GuibuilderError(f"{node_id} is an input: choose a layer of the model")
    x, y = validation_split(data)
    several = isinstance(x, list | tuple)
    count = min(MAX_SAMPLES, len(x[0]) if several else len(x))
    batch = [v[:count] for v in x] if several else x[:count]
    values = context.probe(batch, [node_id])[node_id]
    points = (tsne if method == "t-SNE" else pca)(values)
    if points.shape[1] < 2:
        points = np.column_stack([points[:, 0], np.zeros(len(points))])
    labels = np.asarray(y[:count])
    classes = targets = None
    names: tuple[str, ...] = ()
    if data.task == "classification" and labels.ndim == 1:
        classes = labels.astype("int64")
        names = tuple(data.class_names) or tuple(str(i) for i in range(int(classes.max()) + 1))
    elif labels.ndim == 1 or (labels.ndim == 2 and labels.shape[1] == 1):
        targets = labels.reshape(-1).astype("float64")
    features = int(np.prod(values.shape[1:]))
    seconds = time.perf_counter() - start
    return EmbeddingResult(node_id, method, points, classes, targets, names, features, seconds)


class SideLegend(pg.LegendItem):
    """A legend laid out in the plot's grid (beside the view box) instead of floating over it."""

    def setParentItem(self, parent: Any) -> Any:
        # No anchoring inside the parent: the plot's layout places it.
        return pg.GraphicsWidget.setParentItem(self, parent)

    def updateSize(self) -> None:
        self.setMinimumSize(0, 0)
        self.setMaximumSize(1e6, 1e6)
        super().updateSize()  # sizes the legend to its entries
        hint = self.layout.preferredSize()
        self.setFixedWidth(max(self.width(), hint.width()))
        self.setMaximumHeight(max(self.height(), hint.height()))
        self.updateGeometry()


class EmbeddingView(_Plot):
    """Samples as points, one colour per class, with a legend; hover names, click picks."""

    def __init__(self, tab: EmbeddingsTab) -> None:
        super().__init__()
        self.tab = tab
        self.items: list[pg.ScatterPlotItem] = []
        # The legend sits right of the plot, in its own column, so it never hides a point.
        self.legend = SideLegend(labelTextColor=theme.current().text, verSpacing=-8)
        self.plot.layout.setColumnFixedWidth(3, 8)  # a gap after the view box
        self.plot.layout.addItem(self.legend, 2, 4)
        self.plot.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self.plot.legend = self.legend  # named scatters are added to it
        self.marker = pg.ScatterPlotItem(
            size=16, pen=pg.mkPen(theme.current().text, width=2), brush=None, symbol="o"
        )
        self.marker.setZValue(10)
        self.plot.addItem(self.marker)
        self.result: EmbeddingResult | None = None
        self.plot.setLabel("bottom", "component 1")
        self.plot.setLabel("left", "component 2")
        _ticks(self.plot, True)
        _style(self.plot, "Embedding")

    def show_embedding(self, result: EmbeddingResult) -> None:
        """Draw ``result``: a scatter per class (or coloured by target)."""
        self.result = result
        for item in self.items:
            self.plot.removeItem(item)
        self.items = []
        self.legend.clear()
        self.marker.clear()
        points = result.points
        indices = np.arange(len(points))
        pen = pg.mkPen(theme.current().base, width=0.5)
        if result.classes is not None:
            for k in np.unique(result.classes):
                chosen = result.classes == k
                name = result.class_names[k] if k < len(result.class_names) else str(k)
                color = CLASS_COLORS[int(k) % len(CLASS_COLORS)]
                self._add(points[chosen], indices[chosen], pg.mkBrush(color), pen, name)
            self.legend.setColumnCount(max(1, int(np.ceil(len(self.items) / LEGEND_ROWS))))
            self.legend.setVisible(len(self.items) <= len(CLASS_COLORS))
        else:
            if result.targets is not None:
                cmap = pg.colormap.get("viridis")
                t = result.targets
                span = float(t.max() - t.min()) or 1.0
                brush = [pg.mkBrush(cmap.map((v - t.min()) / span, "qcolor")) for v in t]
            else:
                brush = pg.mkBrush(theme.current().accent)
            self._add(points, indices, brush, pen, None)
            self.legend.setVisible(False)
        how = "PCA" if result.method == "PCA" else "t-SNE"
        self.plot.setLabel("bottom", f"{how} 1")
        self.plot.setLabel("left", f"{how} 2")
        _style(
            self.plot,
            f"{how} of {result.node_id} ({result.features:,} values) for {len(points)} "
            "validation samples",
        )
        self.plot.autoRange()

    def _add(self, points: np.ndarray, indices: np.ndarray, brush: Any, pen: Any, name: Any):
        item = pg.ScatterPlotItem(
            points[:, 0],
            points[:, 1],
            data=indices,
            size=7,
            brush=brush,
            pen=pen,
            hoverable=True,
            hoverSize=11,
            tip=self.tab.point_tip,
            name=name,
        )
        item.sigClicked.connect(self._clicked)
        self.plot.addItem(item)
        self.items.append(item)

    def _clicked(self, _item: Any, points: Any, _event: Any = None) -> None:
        if len(points):
            self.tab.pick_sample(int(points[0].data()))

    def mark(self, index: int) -> None:
        """Ring sample ``index``."""
        if self.result is not None and 0 <= index < len(self.result.points):
            x, y = self.result.points[index]
            self.marker.setData([x], [y])
        else:
            self.marker.clear()

    def point_center(self, index: int) -> QPointF:
        """Where sample ``index`` is drawn, in this widget's viewport coordinates."""
        x, y = self.result.points[index]
        scene = self.plot.vb.mapViewToScene(QPointF(float(x), float(y)))
        return self.mapFromScene(scene).toPointF()


class EmbeddingsTab(WorkerTab):
    """PCA (at once) and t-SNE (on request) of a layer's activations over the validation set."""

    kinds = ("embedding", "embedding-tsne")

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.results: dict[str, EmbeddingResult] = {}
        self.view: EmbeddingView | None = None
        self.layer_box = LayerBox("EmbeddingLayer", "The layer whose activations are shown", AUTO)
        self.layer_box.currentIndexChanged.connect(lambda _i: self._layer_chosen())
        self.pca_button = QPushButton("PCA")
        self.tsne_button = QPushButton("t-SNE")
        self.pca_button.setToolTip("Principal components: fast, keeps large distances")
        self.tsne_button.setToolTip(
            "t-SNE: slower (seconds), keeps neighbourhoods, so clusters stand out"
        )
        self.methods = QButtonGroup(self)
        for button in (self.pca_button, self.tsne_button):
            button.setCheckable(True)
            self.methods.addButton(button)
        self.pca_button.setChecked(True)
        self.methods.buttonClicked.connect(lambda _b: self.refresh())
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self._tsne = (0.0, "")
        self.add_controls(
            "Layer:", self.layer_box, self.pca_button, self.tsne_button, self.busy, self.status
        )

    def build(self) -> None:
        self.view = EmbeddingView(self)
        self.layout().addWidget(self.view, 1)

    # ------------------------------------------------------------------- state
    def method(self) -> str:
        """The projection shown: ``PCA`` or ``t-SNE``."""
        return "t-SNE" if self.tsne_button.isChecked() else "PCA"

    def layer(self) -> str:
        """The chosen layer's node id, or "" for the last hidden layer."""
        return self.layer_box.layer()

    def _fill_layers(self) -> None:
        session = self.panel.session
        if session is None:
            return
        graph = session.graph
        inputs = set(graph.input_nodes())
        self.layer_box.set_layers([node_id for node_id in graph.nodes if node_id not in inputs])

    def update_jobs(self) -> None:
        self._fill_layers()
        method, layer = self.method(), self.layer()
        kind = "embedding-tsne" if method == "t-SNE" else "embedding"
        if self.ask(kind, embedding_job, layer, method):
            self.results.pop(method, None)
            what = layer or "the last hidden layer"
            if method == "t-SNE":
                self._tsne = (time.monotonic(), f"Running t-SNE on the activations of {what}")
                self.busy.show()
                self.clock.start()
                self._tick()
            else:
                self.status.setText(f"Projecting the activations of {what}…")
        elif method in self.results:
            self._show(self.results[method])

    def project_changed(self) -> None:
        self.results.clear()

    # ----------------------------------------------------------------- results
    def show_result(self, kind: str, value: Any) -> None:
        result: EmbeddingResult = value
        self.results[result.method] = result
        if result.method == "t-SNE":
            self._tsne_done()
        if result.method == self.method():
            self._show(result)

    def _show(self, result: EmbeddingResult) -> None:
        if self.view.result is not result:
            self.view.show_embedding(result)
        self.view.mark(self.panel.sample_box.value())
        self.status.setText(
            f"{result.method} of {result.node_id} in {result.seconds:.1f} s. "
            "Hover a point for its sample; click it to show it."
        )

    def show_failure(self, kind: str, text: str) -> None:
        if kind == "embedding-tsne":
            self._tsne_done()
        super().show_failure(kind, text)

    def _tick(self) -> None:
        started, text = self._tsne
        if self.method() == "t-SNE":
            self.status.setText(f"{text}… {time.monotonic() - started:.0f} s (it takes a while)")

    def _tsne_done(self) -> None:
        self.busy.hide()
        self.clock.stop()

    def point_tip(self, x: float, y: float, data: Any) -> str:
        """The hover text of a point: its sample and label."""
        index = int(data)
        result = self.view.result if self.view is not None else None
        label = ""
        if result is not None and result.classes is not None:
            k = int(result.classes[index])
            label = f" · class {result.class_names[k] if k < len(result.class_names) else k}"
        elif result is not None and result.targets is not None:
            label = f" · target {result.targets[index]:.3g}"
        return f"sample {index}{label}"

    def pick_sample(self, index: int) -> None:
        """Make validation sample ``index`` the panel's sample (its picture is shown)."""
        self.panel.sample_box.setValue(index)
        if self.view is not None:
            self.view.mark(index)

    def _layer_chosen(self) -> None:
        self.results.clear()
        self.refresh()

    def follow_node(self, node_id: str, current: bool) -> bool:
        if not current:
            return False
        if self.panel.session is not None and node_id not in self.panel.session.graph.input_nodes():
            self._fill_layers()
            self.layer_box.setCurrentText(node_id)
        return True
