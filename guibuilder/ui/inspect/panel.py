"""The Inspect panel: a node's activations for a validation sample, and a confusion matrix.

Pick a sample of the project's validation set with the spin box (its image is previewed);
clicking a node on the canvas shows that node's activations: a grid of feature maps for
conv layers, bars for dense layers, a time-by-units heat map for sequences. The second tab
shows the model's confusion matrix on the validation set; clicking a cell lists the
samples in it. The model is built from the project's graph and weights in a worker
thread, and nothing is computed while the panel is hidden. pyqtgraph is imported when the
panel is first shown.

Live: a run started from the training panel records the sample's activations after each
epoch; the view follows the newest and an epoch slider scrubs back (:mod:`.live_epochs`).
The confusion matrix and its cells' samples are in :mod:`.confusion`.

Step mode: each step (Step, F10) also sends the sample's activations once its batch is
done, and the view follows it at once ("epoch 1, step 3"). Only the latest step is kept,
as the slider's last position: the next step or the epoch's end replaces it, so stepping
never thins out the epochs kept (see :class:`~guibuilder.inspect.snapshots.SnapshotHistory`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from guibuilder.document.weights import WeightStore
from guibuilder.inspect.activations import sample_of
from guibuilder.inspect.sample_input import is_sequence_shape
from guibuilder.inspect.snapshots import SnapshotHistory
from guibuilder.inspect.subject import (
    ActivationResult,
    ConfusionResult,
    LayersResult,
    Subject,
    sample_count,
    validation_split,
)
from guibuilder.ui.inspect.attention import AttentionTab
from guibuilder.ui.inspect.attribution import AdversarialTab, AttributionTab
from guibuilder.ui.inspect.confusion import ConfusionTab
from guibuilder.ui.inspect.embeddings import EmbeddingsTab
from guibuilder.ui.inspect.evaluation import EvaluationTab
from guibuilder.ui.inspect.health import HealthTab
from guibuilder.ui.inspect.live_epochs import LIVE_BYTES, LIVE_SNAPSHOTS, LiveEpochs
from guibuilder.ui.inspect.pictures import sequence_image
from guibuilder.ui.inspect.predict import PredictTab
from guibuilder.ui.inspect.weights import WeightsTab
from guibuilder.ui.inspect.worker import InspectWorker

if TYPE_CHECKING:
    from guibuilder.ui.window_editor import WindowEditor

#: Side of the sample preview, in pixels.
PREVIEW_SIZE = 72
#: Labels with more values than this (an image to reconstruct) are shown by their shape.
MAX_LABEL_VALUES = 8

#: Tabs after Activations and Confusion: a title and a page class. A page is made
#: with the panel as its only argument; its ``refresh()`` runs whenever the panel refreshes
#: while the page is the current tab and the dataset is loaded. A page may also have
#: ``follow_node(node_id, current) -> bool`` (whether it shows a node clicked on the canvas;
#: the first that does comes to the front, the current page asked first) and
#: ``project_changed()`` (called whenever the project or its version changes).
TABS: tuple[tuple[str, Callable[[InspectPanel], QWidget]], ...] = (
    ("Evaluation", EvaluationTab),
    ("Weights", WeightsTab),
    ("Health", HealthTab),
    ("Embeddings", EmbeddingsTab),
    ("Attention", AttentionTab),
    ("Attribution", AttributionTab),
    ("Adversarial", AdversarialTab),
    ("Predict", PredictTab),
)

#: What each tab shows, as its tooltip.
TAB_TIPS = {
    "Activations": "What the node clicked on the canvas outputs for the sample: feature maps, "
    "a heat map or bars, after each epoch of the last run",
    "Confusion": "The confusion matrix of the validation set (true class down, predicted "
    "across); click a cell to list its samples",
    "Evaluation": "How well the model does on the validation set: each class's precision and "
    "recall and the most confident mistakes, or predicted against true values",
    "Weights": "Conv filters as images, a layer's weight histogram and every layer's spread",
    "Health": "Activation statistics and gradient norms per layer, naming vanishing or "
    "exploding gradients and dead ReLUs",
    "Embeddings": "A layer's activations of many validation samples in 2-D (PCA or t-SNE), "
    "coloured by class",
    "Attention": "The attention weights of a MultiHeadAttention layer, one heat map per head",
    "Attribution": "Which pixels the prediction for the sample depends on: saliency, "
    "occlusion and Grad-CAM laid over it",
    "Adversarial": "A fast-gradient-sign change to the sample, and the prediction before "
    "and after it",
    "Predict": "Draw or drop an image of your own and watch the model's prediction",
}


def preview_image(sample: np.ndarray, size: int = PREVIEW_SIZE) -> QImage | None:
    """A grey (or colour) image of one image-like sample, scaled to ``size``; a line plot
    (or heat map strip) twice as wide of a sequence sample; None otherwise."""
    array = np.asarray(sample, dtype="float32")
    if is_sequence_shape(array.shape):
        return sequence_image(array, 2 * size, size)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] != 3):
        return None
    low, high = float(array.min()), float(array.max())
    scaled = (array - low) / (high - low) if high > low else np.zeros_like(array)
    pixels = np.ascontiguousarray((scaled * 255).astype("uint8"))
    h, w = pixels.shape[:2]
    if pixels.ndim == 2:
        image = QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return image.copy().scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class InspectPanel(LiveEpochs, ConfusionTab, QWidget):
    """Activations of the clicked node and the confusion matrix, for the open project."""

    message = Signal(str)
    #: A tab asks for this node to be selected on the canvas.
    node_chosen = Signal(str)
    #: A tab's colouring of the canvas nodes (a CanvasOverlay), or None to take it off.
    canvas_overlay = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InspectPanel")
        self.session: WindowEditor | None = None
        self.dataset: Any = None
        self.node_id: str | None = None
        self.activation_view: Any = None
        self.confusion_view: Any = None
        self.last_activation: ActivationResult | None = None
        self.last_confusion: ConfusionResult | None = None
        self._version = 0
        self._subject: Subject | None = None
        self._stale = {"dataset", "activation", "confusion"}
        self.live = SnapshotHistory(LIVE_SNAPSHOTS, LIVE_BYTES)
        self.live_sample: int | None = None
        self.live_epochs = 0
        self.live_running = False
        self.shown_epoch: int | None = None
        #: The step of the step snapshot on view (0: an epoch's, or none).
        self.shown_step = 0
        self._live_session: WindowEditor | None = None
        self._slider_epoch: int | None = None
        self._layers: LayersResult | None = None
        self._draws = 0

        self.worker = InspectWorker(self)
        self.worker.dataset_ready.connect(self._dataset_ready)
        self.worker.activation_ready.connect(self._activation_ready)
        self.worker.layers_ready.connect(self._layers_ready)
        self.worker.confusion_ready.connect(self._confusion_ready)
        self.worker.failed.connect(self._failed)

        self.sample_box = QSpinBox()
        self.sample_box.setObjectName("InspectSample")
        self.sample_box.setPrefix("Sample ")
        self.sample_box.setEnabled(False)
        self.sample_box.setMinimumWidth(170)
        self.sample_box.valueChanged.connect(self._sample_changed)
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QLabel.Shape.StyledPanel)
        self.sample_label = QLabel("No dataset loaded")
        self.sample_label.setWordWrap(True)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(self.sample_box, 0, Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.sample_label)
        side.addWidget(self.status_label)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(side, 1)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.activation_page = QWidget()
        activation_layout = QVBoxLayout(self.activation_page)
        activation_layout.setContentsMargins(0, 4, 0, 0)
        activation_layout.addLayout(self._build_epoch_row())
        self.confusion_page = QWidget()
        confusion_layout = QHBoxLayout(self.confusion_page)
        confusion_layout.setContentsMargins(0, 4, 0, 0)
        self.cell_list = QListWidget()
        self.cell_list.setObjectName("InspectCellSamples")
        self.cell_list.setMaximumWidth(170)
        self.cell_list.itemActivated.connect(self._cell_sample_chosen)
        self.cell_title = QLabel("Click a cell to list its samples")
        self.cell_title.setWordWrap(True)
        self.cell_title.setMaximumWidth(170)
        cell_side = QVBoxLayout()
        cell_side.addWidget(self.cell_title)
        cell_side.addWidget(self.cell_list, 1)
        confusion_layout.addLayout(cell_side)
        self.tabs.addTab(self.activation_page, "Activations")
        self.tabs.addTab(self.confusion_page, "Confusion")
        for title, page in TABS:
            self.tabs.addTab(page(self), title)
        for i in range(self.tabs.count()):
            self.tabs.setTabToolTip(i, TAB_TIPS[self.tabs.tabText(i)])
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    # ---------------------------------------------------------------- session
    def set_session(self, session: WindowEditor | None) -> None:
        """Inspect ``session``'s project; what was shown before is cleared."""
        if self.session is not None:
            self.session.shapes.updated.disconnect(self._project_changed)
            self.session.project.events.weights.disconnect(self._project_changed)
            self.session.project.events.dataset.disconnect(self._project_changed)
        self.session = session
        self.dataset = None
        self.node_id = None
        self._layers = None
        self._clear_live()
        self.sample_box.setEnabled(False)
        self.sample_label.setText("No dataset loaded")
        self.preview.clear()
        if session is not None:
            session.shapes.updated.connect(self._project_changed)
            session.project.events.weights.connect(self._project_changed)
            session.project.events.dataset.connect(self._project_changed)
        self._project_changed()

    def _project_changed(self, *_args: Any) -> None:
        self._version += 1
        self._subject = None
        self._stale = {"dataset", "activation", "confusion"}
        for page in self.pages():
            getattr(page, "project_changed", lambda: None)()
        self.refresh()

    def pages(self) -> list[QWidget]:
        """The tabs registered in ``TABS``, in order."""
        own = (self.activation_page, self.confusion_page)
        return [w for i in range(self.tabs.count()) if (w := self.tabs.widget(i)) not in own]

    def subject(self) -> Subject | None:
        """A snapshot of the project (graph, weights, dataset) at the current version."""
        if self.session is None:
            return None
        if self._subject is None:
            from guibuilder.training.session import snapshot

            project = self.session.project
            store = project.weights
            weights = WeightStore({k: store.get(k) or [] for k in store}) if store else None
            base = project.path.resolve().parent if project.path is not None else None
            self._subject = Subject(
                self._version, snapshot(project.graph), weights, project.dataset, base
            )
        return self._subject

    # ------------------------------------------------------------------ work
    def show_nodes(self, node_ids: list[str]) -> None:
        """Show the activations of the first of ``node_ids`` (the canvas selection)."""
        if not node_ids or node_ids[0] == self.node_id:
            return
        self.node_id = node_ids[0]
        self._stale.add("activation")
        draws = self._draws
        current = self.tabs.currentWidget()
        for page in sorted(self.pages(), key=lambda p: p is not current):
            follow = getattr(page, "follow_node", None)
            if follow is not None and follow(self.node_id, page is current):
                break
        else:
            page = self.activation_page
        self.tabs.setCurrentWidget(page)
        self.refresh()
        if self._draws != draws:
            # Answered at once (from a snapshot or the activations kept for this sample):
            # paint now, before the other panels rebuild for the new selection.
            self.activation_view.viewport().repaint()

    def _tab_changed(self, _index: int) -> None:
        """Another tab: the last tab's message goes (the new one says its own), then refresh."""
        self.status_label.setText("")
        self.refresh()

    def refresh(self) -> None:
        """Ask the worker for what the visible tab needs; nothing while the panel is hidden."""
        if not self.is_shown() or self.session is None:
            return
        self._ensure_views()
        subject = self.subject()
        if subject is None:
            return
        if not self.session.project.dataset:
            self.status_label.setText("Choose a dataset in Training to inspect the model.")
            return
        if "dataset" in self._stale:
            self._stale.discard("dataset")
            if self.dataset is None:
                self.status_label.setText("Loading the dataset…")
            self.worker.submit("dataset", subject, self.sample_box.value())
            return
        if self.dataset is None:
            return
        page = self.tabs.currentWidget()
        if page is self.activation_page:
            if "activation" in self._stale and self.node_id is not None:
                self._stale.discard("activation")
                if self._show_snapshot() or self._show_kept():
                    return
                self.shown_epoch = None
                self.status_label.setText(f"Computing the activations of {self.node_id}…")
                self.worker.submit("activation", subject, self.node_id, self.sample_box.value())
        elif page is self.confusion_page:
            if "confusion" in self._stale:
                self._stale.discard("confusion")
                self.status_label.setText("Predicting the validation set…")
                self.worker.submit("confusion", subject)
        else:
            page.refresh()

    def _ensure_views(self) -> None:
        if self.activation_view is not None:
            return
        from guibuilder.ui.inspect.views import ActivationView, ConfusionView

        self.activation_view = ActivationView()
        self.activation_page.layout().addWidget(self.activation_view)
        self.confusion_view = ConfusionView()
        self.confusion_page.layout().insertWidget(0, self.confusion_view, 1)
        self.confusion_view.cell_clicked.connect(self.show_cell)

    def is_shown(self) -> bool:
        """Whether any of the panel is on screen (a dock behind another tab is not)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def visibility_changed(self, visible: bool) -> None:
        """Catch up when the panel's dock comes to the front."""
        if visible:
            QTimer.singleShot(0, self, self.refresh)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self.refresh)

    def shutdown(self) -> None:
        """Stop the worker thread (the window is closing)."""
        self.worker.close()

    # --------------------------------------------------------------- results
    def _current(self, version: int) -> bool:
        return version == self._version and self.session is not None

    def _dataset_ready(self, dataset: Any) -> None:
        self.dataset = dataset
        count = sample_count(validation_split(dataset)[0])
        self.sample_box.blockSignals(True)
        self.sample_box.setRange(0, max(0, count - 1))
        self.sample_box.setSuffix(f" of {count}")
        self.sample_box.blockSignals(False)
        self.sample_box.setEnabled(count > 0)
        self._show_sample()
        # The clicked node is drawn again from this dataset: the refresh says how (from a
        # recorded epoch, or computing), so no 'Computing…' outlives a drawing.
        self._stale.add("activation")
        self.status_label.setText("Click a node on the canvas." if self.node_id is None else "")
        self.refresh()

    def _show_sample(self) -> None:
        if self.dataset is None:
            return
        x, y = validation_split(self.dataset)
        index = self.sample_box.value()
        if index >= sample_count(x):
            return
        sample = sample_of(x, index)
        image = preview_image((sample[0] if isinstance(sample, list) else sample)[0])
        if image is None:
            self.preview.setText("—")
        else:
            self.preview.setFixedWidth(max(PREVIEW_SIZE, image.width()))
            self.preview.setPixmap(QPixmap.fromImage(image))
        split = "validation" if sample_count(self.dataset.x_val) else "training"
        target = np.asarray(y[index]) if len(y) else None
        if target is None:
            label = "?"
        elif target.size > MAX_LABEL_VALUES:
            label = f"{' x '.join(str(d) for d in target.shape)} values"
        else:
            label = self.dataset.label_text(target)
        self.sample_label.setText(f"{self.dataset.name}, {split} set\nlabel: {label}")

    def _sample_changed(self, _value: int) -> None:
        self._show_sample()
        self._set_epoch(self.epoch_slider.value())
        self._stale.add("activation")
        self.refresh()

    def _activation_ready(self, result: ActivationResult) -> None:
        if not self._current(result.version) or self.activation_view is None:
            return
        if self._snapshot_values() is not None:
            return  # the recorded epoch the slider is at is on view
        self.last_activation = result
        self._draw(result.node_id, result.values, f"sample {result.sample}")
        self.status_label.setText(f"{result.node_id}: computed in {result.seconds * 1000:.0f} ms")
        if result.node_id != self.node_id or result.sample != self.sample_box.value():
            self._stale.add("activation")
            self.refresh()

    def _draw(self, node_id: str, values: np.ndarray, when: str) -> None:
        """Draw ``node_id``'s activation ``values`` (one sample), titled with ``when``."""
        node = self.session.graph.nodes.get(node_id) if self.session else None
        name = node.name if node is not None and node.name else node_id
        shape = " x ".join(str(d) for d in values.shape)
        self.activation_view.show_activation(
            f"{name} ({node_id}) · {when} · {shape}",
            np.asarray(values, dtype="float32"),
            self._class_names(node_id),
        )
        self._draws += 1
        self.shown_epoch = None
        self.shown_step = 0

    def _layers_ready(self, result: LayersResult) -> None:
        if self._current(result.version):
            self._layers = result

    def _show_kept(self) -> bool:
        """Draw the clicked node from the activations the worker sent for this sample."""
        kept, sample = self._layers, self.sample_box.value()
        if kept is None or kept.version != self._version or kept.sample != sample:
            return False
        if self.node_id not in kept.layers or self.activation_view is None:
            return False
        values = kept.layers[self.node_id]
        self._activation_ready(
            ActivationResult(kept.version, self.node_id, sample, values, kept.seconds)
        )
        return True

    def _class_names(self, node_id: str) -> tuple[str, ...]:
        """The dataset's class names when ``node_id`` is a model output of a classifier."""
        data = self.dataset
        if self.session is None or data is None or data.task != "classification":
            return ()
        if node_id not in {ref[0] for ref in self.session.graph.outputs()}:
            return ()
        return tuple(data.class_names) or tuple(str(i) for i in range(data.num_classes or 0))

    def _failed(self, kind: str, text: str) -> None:
        self.status_label.setText(f"{text[:1].upper()}{text[1:]}.")
        self.message.emit(f"Inspect: {text}.")
        if kind == "dataset":
            self._stale.add("dataset")
        if kind == "confusion" and self.confusion_view is not None:
            # The sentence says why: the last project's matrix must not stay under it.
            self.last_confusion = None
            self.cell_list.clear()
            self._show_confusion(False)
