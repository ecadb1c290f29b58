"""The Attention tab of the Inspect panel: a MultiHeadAttention layer's weights per head.

For the panel's sample, one heat map per head: how much each query position (down) attends
to each key position (across); every row sums to one. Rows are labelled with the sample's
words when the dataset has a vocabulary. Clicking a MultiHeadAttention node on the canvas
brings this tab to the front.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF

from guibuilder.inspect.activations import attention_scores, grid_shape, sample_of
from guibuilder.inspect.subject import validation_split
from guibuilder.ui import theme
from guibuilder.ui.inspect.tab_base import LayerBox, WorkerTab, thinned_ticks
from guibuilder.ui.inspect.views import _style, _style_bar, _ticks

if TYPE_CHECKING:
    from guibuilder.inspect.subject import Context
    from guibuilder.ui.inspect.panel import InspectPanel

#: The layer type this tab shows.
ATTENTION = "MultiHeadAttention"


@dataclass(frozen=True)
class AttentionResult:
    """The attention weights ``(heads, query, key)`` of ``node_id`` for one sample.

    ``tokens`` names the positions when the sample is a sequence of word indices.
    """

    node_id: str
    sample: int
    scores: np.ndarray
    tokens: tuple[str, ...] | None


def attention_job(context: Context, node_id: str, sample: int) -> AttentionResult:
    """Compute ``node_id``'s attention weights for validation sample ``sample``."""
    x, _y = validation_split(context.data)
    batch = sample_of(x, sample)
    scores = attention_scores(context.model, node_id, batch)[0]
    tokens = None
    vocabulary = tuple(context.data.vocabulary or ())
    words = np.asarray(batch[0] if isinstance(batch, list) else batch)[0]
    integers = words.ndim == 1 and np.issubdtype(words.dtype, np.integer)
    if vocabulary and integers and len(words) == scores.shape[1]:
        tokens = tuple(vocabulary[i] if 0 <= i < len(vocabulary) else "?" for i in words)
    return AttentionResult(node_id, sample, np.asarray(scores, dtype="float32"), tokens)


class AttentionView(pg.GraphicsLayoutWidget):
    """One heat map per head, on one colour scale from 0 to the largest weight."""

    def __init__(self) -> None:
        super().__init__()
        self.setBackground(theme.current().base)
        self.setMinimumSize(260, 220)
        self.cmap = pg.colormap.get("viridis")
        self.plots: list[pg.PlotItem] = []
        self.images: list[pg.ImageItem] = []
        self.bar: pg.ColorBarItem | None = None
        self.result: AttentionResult | None = None
        self._columns = 1
        self.scene().sigMouseMoved.connect(self._hovered)

    def show_scores(self, result: AttentionResult) -> None:
        """Draw every head of ``result``."""
        self.result = result
        heads, queries, keys = result.scores.shape
        if len(self.plots) != heads:
            self._make_plots(heads)
        high = float(result.scores.max()) or 1.0
        for head, (plot, image) in enumerate(zip(self.plots, self.images, strict=True)):
            image.setImage(result.scores[head].T, autoLevels=False, levels=(0.0, high))
            image.setRect(0, 0, keys, queries)
            _style(plot, f"head {head + 1}")
            plot.setRange(xRange=(0, keys), yRange=(0, queries), padding=0)
        self.bar.setLevels((0.0, high))
        self.label_axes()

    def label_axes(self) -> None:
        """Label the positions (with words where known), as many as there is room for."""
        if self.result is None:
            return
        _heads, queries, keys = self.result.scores.shape
        words = self.result.tokens or tuple(str(i) for i in range(queries))
        line = self.fontMetrics().height()
        for head, plot in enumerate(self.plots):
            box = plot.vb.boundingRect()
            rows = thinned_ticks(words, box.height(), line)
            plot.getAxis("left").setTicks([rows] if head % self._columns == 0 else [[]])
            columns = thinned_ticks([str(i) for i in range(keys)], box.width(), 2.2 * line)
            plot.getAxis("bottom").setTicks([columns])

    def _make_plots(self, heads: int) -> None:
        self.clear()
        self.plots, self.images = [], []
        rows, self._columns = grid_shape(heads) if heads > 4 else (1, heads)
        for head in range(heads):
            plot = self.addPlot(row=head // self._columns, col=head % self._columns)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(False, False)
            plot.invertY(True)
            plot.setLabel("bottom", "key position")
            if head % self._columns == 0:
                plot.setLabel("left", "query")
            _ticks(plot, True)
            plot.vb.sigResized.connect(lambda _vb: self.label_axes())
            image = pg.ImageItem()
            image.setColorMap(self.cmap)
            plot.addItem(image)
            self.plots.append(plot)
            self.images.append(image)
        self.bar = pg.ColorBarItem(
            values=(0, 1),
            colorMap=self.cmap,
            interactive=False,
            width=12,
            label="weight",
            pen=theme.current().border,
        )
        _style_bar(self.bar)
        self.bar.setImageItem(self.images)
        self.addItem(self.bar, row=0, col=self._columns, rowspan=max(1, rows))

    def cell_text(self, head: int, query: int, key: int) -> str:
        """What cell ``(query, key)`` of ``head`` says, in words."""
        result = self.result
        words = result.tokens
        q = f"{query} '{words[query]}'" if words else str(query)
        k = f"{key} '{words[key]}'" if words else str(key)
        weight = result.scores[head, query, key]
        return f"head {head + 1}: position {q} looks at {k} with weight {weight:.2f}"

    def _hovered(self, position: QPointF) -> None:
        if self.result is None:
            return
        _heads, queries, keys = self.result.scores.shape
        for head, plot in enumerate(self.plots):
            if plot.vb.sceneBoundingRect().contains(position):
                point = plot.vb.mapSceneToView(position)
                key, query = int(np.floor(point.x())), int(np.floor(point.y()))
                if 0 <= query < queries and 0 <= key < keys:
                    self.setToolTip(self.cell_text(head, query, key))
                    return
        self.setToolTip("")

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.label_axes()

    def cell_center(self, head: int, query: int, key: int) -> QPointF:
        """Where cell ``(query, key)`` of ``head`` is, in this widget's viewport coordinates."""
        scene = self.plots[head].vb.mapViewToScene(QPointF(key + 0.5, query + 0.5))
        return self.mapFromScene(scene).toPointF()


class AttentionTab(WorkerTab):
    """The attention weights per head of a MultiHeadAttention layer, for the panel's sample."""

    kinds = ("attention",)

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.view: AttentionView | None = None
        self.layer_box = LayerBox("AttentionLayer", "The MultiHeadAttention layer shown")
        self.layer_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.add_controls("Layer:", self.layer_box, self.status)

    def build(self) -> None:
        self.view = AttentionView()
        self.layout().addWidget(self.view, 1)
        self.layout().addStretch()  # takes the room of a hidden view: the sentence stays up

    def attention_nodes(self) -> list[str]:
        """The MultiHeadAttention nodes of the project's graph, in graph order."""
        session = self.panel.session
        if session is None:
            return []
        graph = session.graph
        return [node.id for node in graph if node.type_id == ATTENTION]

    def _fill_layers(self) -> None:
        self.layer_box.set_layers(self.attention_nodes())

    def update_jobs(self) -> None:
        self._fill_layers()
        node_id = self.layer_box.currentText()
        self.layer_box.setEnabled(bool(node_id))
        if not node_id:
            self.status.setText(
                "This model has no MultiHeadAttention layer: there are no attention weights."
            )
            if self.view is not None:
                self.view.hide()
            return
        self.view.show()
        sample = self.panel.sample_box.value()
        if self.ask("attention", attention_job, node_id, sample):
            self.status.setText(f"Computing the attention of {node_id} for sample {sample}…")

    def show_result(self, kind: str, value: Any) -> None:
        result: AttentionResult = value
        self.view.show_scores(result)
        heads, queries, keys = result.scores.shape
        self.status.setText(
            f"{heads} heads, {queries} queries x {keys} keys: each row is where one position "
            "looks, and sums to 1."
        )

    def follow_node(self, node_id: str, current: bool) -> bool:
        if node_id not in self.attention_nodes():
            return False
        self._fill_layers()
        self.layer_box.setCurrentText(node_id)
        return True
