"""Keras loading in the background, and live shape inference for the canvas.

The window paints before Keras is imported: shapes start with pure-Python rules only, and
nodes that need Keras are marked pending until :class:`KerasLoader` has loaded it in a
worker thread (a :class:`~guibuilder.ui.jobs.Job`); then they are worked out and the views
refresh. The loader also gets the first training run ready (its modules, the backend's
devices, a settled garbage collector, see :mod:`guibuilder.training.memory`), so that Start
does not stall the window.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

from PySide6.QtCore import QObject, QTimer, Signal

from guibuilder.compiler.shapes import NodeInfo, ShapeInference
from guibuilder.graph import Graph
from guibuilder.ui.jobs import Job

#: Modules a training run imports, loaded with Keras so the first run does not.
PRELOAD = (
    "sklearn.datasets",
    "guibuilder.compiler.build",
    "guibuilder.data.lint",
    "guibuilder.training.callbacks",
    "guibuilder.training.recipe",
    "guibuilder.training.runs",
)


class KerasLoader(QObject):
    """Imports Keras once, in a daemon thread; ``finished`` is delivered in the GUI thread."""

    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.state = "idle"  # idle | loading | ready | failed
        self.backend = ""
        self.device = ""
        self.error = ""
        self._job = Job(_load, name="keras-loader", parent=self)
        self._job.finished.connect(lambda found: self._on_done(*found, ""))
        self._job.failed.connect(self._on_failed)

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def busy(self) -> bool:
        return self.state == "loading"

    def start(self) -> None:
        """Start loading, once; later calls do nothing."""
        if self.state != "idle":
            return
        self.state = "loading"
        self._job.start()

    def _on_failed(self, exc: BaseException) -> None:
        from guibuilder.errors import GuibuilderError

        if not isinstance(exc, GuibuilderError):
            sys.excepthook(type(exc), exc, exc.__traceback__)
        self._on_done("", "", getattr(exc, "message", str(exc)))

    def _on_done(self, backend: str, device: str, error: str) -> None:
        from guibuilder.training import memory

        if not error:
            # Later collections then scan only what was made since; here in the GUI thread,
            # as a collection in another thread could finalise Qt objects of this one.
            memory.settle()
        self.backend, self.device, self.error = backend, device, error
        self.state = "failed" if error else "ready"
        self.finished.emit()


def _load() -> tuple[str, str]:
    """Import Keras and what a run needs (in the worker thread): the backend and the device."""
    from guibuilder.compiler.layers import load_keras
    from guibuilder.ui.devices import describe_device

    keras = load_keras()
    backend = keras.backend.backend()
    device = describe_device(backend)
    _prepare_training()
    return backend, device


def _prepare_training() -> None:
    """Import what a run needs and let the backend set up its devices, before the first run.

    Done while the window waits for Keras anyway, so that the first Start does not stall it.
    """
    from guibuilder.training import backend

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(Exception):  # a broken device is reported when a run starts
        backend.warm_up()


_loader: list[KerasLoader] = []


def keras_loader() -> KerasLoader:
    """The application's one loader (created in the GUI thread on first use)."""
    if not _loader:
        _loader.append(KerasLoader())
    return _loader[0]


class LiveShapes(QObject):
    """Shape inference that follows the graph; ``updated`` fires once per burst of edits."""

    updated = Signal()

    def __init__(self, graph: Graph, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        loader = keras_loader()
        self.inference = ShapeInference(graph, use_keras=loader.ready)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.updated.emit)
        graph.events.changed.connect(self._schedule)
        loader.finished.connect(self._on_keras)

    def _schedule(self) -> None:
        self._timer.start()

    def _on_keras(self) -> None:
        if keras_loader().ready:
            self.inference.enable_keras()
            self._timer.start()

    def info(self, node_id: str) -> NodeInfo:
        return self.inference.info(node_id)

    def results(self) -> dict[str, NodeInfo]:
        return self.inference.results()

    @property
    def pending(self) -> bool:
        return self.inference.pending

    def close(self) -> None:
        """Stop following the graph."""
        self.graph.events.changed.disconnect(self._schedule)
        keras_loader().finished.disconnect(self._on_keras)
        self._timer.stop()
        self.inference.close()
