"""The Inspect panel's worker: builds the model and computes activations off the GUI thread.

Keras keeps per-thread state, so one daemon thread does all of the Keras work: it loads
the dataset, builds the model from a snapshot of the graph and its weights, and answers
jobs. Only the newest job of each kind is run; results reach the GUI thread through
queued Qt signals, so no Qt item is touched from the worker. The model is built once per
project version, and every layer's activations for the chosen sample are computed in one
forward pass and kept, so a click on another node is answered at once; the ``dataset`` job
prepares both ahead of the first click. Besides its own jobs
(``dataset``, ``activation``, ``confusion``), the worker runs any function a tab gives to
:meth:`InspectWorker.compute`, with a :class:`Context` holding the data and the model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.activations import sample_of


@dataclass(frozen=True)
class Subject:
    """What is inspected: a graph snapshot, a weights copy and a dataset, at one version."""

    version: int
    graph: Any
    weights: Any
    dataset_spec: Any
    base_dir: Path | None


@dataclass(frozen=True)
class Context:
    """What a tab's job computes with, in the worker thread: the dataset and the model.

    ``kept`` holds what jobs share at one version (the worker gives each job of a version
    the same one), such as the model's predictions of the validation set.
    """

    subject: Subject
    data: Any
    model: Any
    probe: Any
    kept: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def predictions(self) -> np.ndarray:
        """The model's outputs for the validation set, predicted once per version."""
        if "predictions" not in self.kept:
            x, _y = validation_split(self.data)
            outputs = self.model.predict(x, batch_size=256, verbose=0)
            self.kept["predictions"] = np.asarray(outputs)
        return self.kept["predictions"]


#: The worker's own jobs, run before any other queued job, in this order.
OWN_JOBS = ("dataset", "activation", "confusion")


@dataclass(frozen=True)
class ActivationResult:
    """One node's activation for one validation sample."""

    version: int
    node_id: str
    sample: int
    values: np.ndarray
    seconds: float


@dataclass(frozen=True)
class LayersResult:
    """Every node's activation (inputs included) for one validation sample, no batch axis."""

    version: int
    sample: int
    layers: dict[str, np.ndarray]
    seconds: float


@dataclass(frozen=True)
class ConfusionResult:
    """The confusion matrix of the model on the validation set."""

    version: int
    matrix: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    class_names: tuple[str, ...]
    accuracy: float


class InspectWorker(QObject):
    """Runs inspect jobs in one daemon thread; results arrive as signals in the GUI thread."""

    dataset_ready = Signal(object)  # the Dataset
    activation_ready = Signal(object)  # ActivationResult
    confusion_ready = Signal(object)  # ConfusionResult
    layers_ready = Signal(object)  # LayersResult, whenever a sample's activations are computed
    result_ready = Signal(str, int, object)  # job kind, subject version, what the job returned
    failed = Signal(str, str)  # job kind, one-sentence message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._jobs: dict[str, tuple[Subject, tuple[Any, ...]]] = {}
        self._thread: threading.Thread | None = None
        self._closed = False
        self._model: tuple[int, Any, Any] | None = None
        self._acts: tuple[tuple[int, int], dict[str, np.ndarray]] | None = None
        self._shared: tuple[int, Any, list[str]] | None = None
        self._kept: tuple[tuple[int, int], dict[str, Any], Any] | None = None
        self._busy = False

    def submit(self, kind: str, subject: Subject, *args: Any) -> None:
        """Queue a job (``dataset``, ``activation`` or ``confusion``), replacing an older one."""
        with self._lock:
            if self._closed:
                return
            self._jobs[kind] = (subject, args)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="guibuilder-inspect", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def compute(self, kind: str, subject: Subject, job: Callable[..., Any], *args: Any) -> None:
        """Queue ``job(context, *args)`` as ``kind``, replacing an older job of that kind.

        ``job`` runs in the worker thread with a :class:`Context`; what it returns arrives
        through ``result_ready``, and a :class:`GuibuilderError` it raises through ``failed``.
        """
        if kind in OWN_JOBS:
            raise ValueError(f"{kind!r} is one of the worker's own jobs")
        self.submit(kind, subject, job, *args)

    def idle(self) -> bool:
        """Whether no job is queued or running."""
        with self._lock:
            return not self._jobs and not self._busy

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread after the job it is running."""
        with self._lock:
            self._closed = True
            self._jobs.clear()
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def _next(self) -> tuple[str, Subject, tuple[Any, ...]] | None:
        with self._lock:
            for kind in (*OWN_JOBS, *self._jobs):
                if kind in self._jobs:
                    subject, args = self._jobs.pop(kind)
                    self._busy = True
                    return kind, subject, args
            self._busy = False
            self._wake.clear()
            return None

    def _loop(self) -> None:
        while not self._closed:
            job = self._next()
            if job is None:
                self._wake.wait()
                continue
            kind, subject, args = job
            try:
                self._run(kind, subject, args)
            except GuibuilderError as exc:
                self.failed.emit(kind, exc.message)
            except Exception as exc:  # a model Keras refuses must not take the window down
                self.failed.emit(kind, f"the model cannot be run: {exc}")

    def _data(self, subject: Subject) -> Any:
        from guibuilder.data.cache import cached_dataset

        if not subject.dataset_spec:
            raise GuibuilderError("the project has no dataset: choose one in Training")
        return cached_dataset(subject.dataset_spec, base_dir=subject.base_dir)

    def _probe(self, subject: Subject) -> tuple[Any, Any]:
        if self._model is None or self._model[0] != subject.version:
            from guibuilder.compiler.build import build_model
            from guibuilder.inspect import Probe

            self._model = None
            model = build_model(subject.graph)
            if subject.weights is not None and len(subject.weights):
                subject.weights.apply(model, subject.graph)
            self._model = (subject.version, model, Probe(model))
        return self._model[1], self._model[2]

    def _run(self, kind: str, subject: Subject, args: tuple[Any, ...]) -> None:
        import time

        data = self._data(subject)
        if kind == "dataset":
            self.dataset_ready.emit(data)
            self._prepare(subject, data, *args)
            return
        x, y = validation_split(data)
        model, probe = self._probe(subject)
        key = (subject.version, id(data))
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, {}, data)  # the data is held, so its id stays its own
        context = Context(subject, data, model, probe, self._kept[1])
        if kind not in OWN_JOBS:
            job, *rest = args
            value = job(context, *rest)
            self.result_ready.emit(kind, subject.version, value)
            return
        if kind == "activation":
            node_id, sample = args
            start = time.perf_counter()
            layers = self._activations(subject, probe, x, sample)
            if node_id not in layers:
                raise GuibuilderError(f"the model has no node {node_id!r}")
            values = layers[node_id]
            seconds = time.perf_counter() - start
            result = ActivationResult(subject.version, node_id, sample, values, seconds)
            self.activation_ready.emit(result)
            return
        from guibuilder.inspect.evaluation import class_probabilities, evaluate_predictions

        if data.task != "classification":
            raise GuibuilderError(
                f"a confusion matrix needs a classification dataset, and {data.name!r} is not one"
            )
        outputs = np.asarray(context.predictions(), dtype="float64")
        classes = data.num_classes or (outputs.shape[-1] if outputs.ndim == 2 else 0)
        probs, _ = class_probabilities(outputs, classes, data.name)
        evaluation = evaluate_predictions(probs, y, classes)
        names = tuple(data.class_names) or tuple(str(i) for i in range(len(evaluation.matrix)))
        self.confusion_ready.emit(
            ConfusionResult(
                subject.version,
                evaluation.matrix,
                evaluation.y_true,
                evaluation.y_pred,
                names,
                evaluation.accuracy,
            )
        )

    def _activations(
        self, subject: Subject, probe: Any, x: Any, sample: int
    ) -> dict[str, np.ndarray]:
        """Every node's activation for ``sample``, from one forward pass kept for the version.

        A new one is also sent through ``layers_ready``, so the panel can show any node of
        this version and sample without asking again.
        """
        import time

        key = (subject.version, sample)
        if self._acts is None or self._acts[0] != key:
            self._acts = None
            start = time.perf_counter()
            batch = sample_of(x, sample)
            parts = batch if isinstance(batch, list) else [batch]
            layers = {
                node_id: np.asarray(part[0], dtype="float32")
                for node_id, part in zip(subject.graph.input_nodes(), parts, strict=False)
            }
            layers.update({k: v[0] for k, v in probe(batch).items()})
            layers.update(self._shared_activations(subject, probe.model, batch))
            self._acts = (key, layers)
            seconds = time.perf_counter() - start
            self.layers_ready.emit(LayersResult(subject.version, sample, layers, seconds))
        return self._acts[1]

    def _shared_activations(self, subject: Subject, model: Any, batch: Any) -> dict[str, Any]:
        """The activations of nodes that apply another node's layer again (no layer of
        their own in the model): the output of that layer's call for the node."""
        if self._shared is None or self._shared[0] != subject.version:
            import keras

            from guibuilder.inspect.activations import model_inputs

            graph = subject.graph
            order = graph.topological_order()
            ids, tensors = [], []
            for node_id in order:
                owner = graph.owner(node_id).id
                if owner == node_id:
                    continue
                calls = [n for n in order if graph.owner(n).id == owner]
                outputs = model.get_layer(owner)._inbound_nodes[calls.index(node_id)].output_tensors
                ids.append(node_id)
                tensors.append(outputs[0] if isinstance(outputs, list | tuple) else outputs)
            sub = keras.Model(model_inputs(model), tensors) if tensors else None
            self._shared = (subject.version, sub, ids)
        _version, sub, ids = self._shared
        if sub is None:
            return {}
        values = sub(batch, training=False)
        values = values if isinstance(values, list | tuple) else [values]
        return {k: np.asarray(v)[0] for k, v in zip(ids, values, strict=True)}

    def _prepare(self, subject: Subject, data: Any, sample: int | None = None) -> None:
        """Build the model and compute ``sample``'s activations before the first click."""
        if sample is None:
            return
        x, _y = validation_split(data)
        try:
            _model, probe = self._probe(subject)
            self._activations(subject, probe, x, sample)
        except Exception:  # only a head start: the click's own job reports the error
            return


def validation_split(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """The validation samples of ``data``, or its training samples when it has none."""
    if len(data.x_val):
        return data.x_val, data.y_val
    return data.x_train, data.y_train
