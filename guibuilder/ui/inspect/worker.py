"""The Inspect panel's worker: builds the model and computes activations off the GUI thread.

Keras keeps per-thread state, so one daemon thread (a :class:`~guibuilder.ui.jobs.JobQueue`)
does all of the Keras work: it loads the dataset, builds the model from a snapshot of the
graph and its weights, and answers jobs. Only the newest job of each kind is run, and
answers of older ones are dropped; results reach the GUI thread through queued Qt
signals, so no Qt item is touched from the worker. The model is built once per
project version, and every layer's activations for the chosen sample are computed in one
forward pass and kept, so a click on another node is answered at once; the ``dataset`` job
prepares both ahead of the first click. Besides its own jobs
(``dataset``, ``activation``, ``confusion``), the worker runs any function a tab gives to
:meth:`InspectWorker.compute`, with a :class:`Context` holding the data and the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.activations import sample_of
from guibuilder.inspect.subject import (
    OWN_JOBS,
    ActivationResult,
    ConfusionResult,
    Context,
    LayersResult,
    Subject,
    validation_split,
)
from guibuilder.ui.jobs import JobQueue, Report


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
        self._queue = JobQueue("guibuilder-inspect", first=OWN_JOBS, parent=self)
        self._queue.finished.connect(self._finished)
        self._queue.progress.connect(self._progress)
        self._queue.failed.connect(self._failed)
        self._dataset: tuple[Any, Any] | None = None
        self._model: tuple[int, Any, Any] | None = None
        self._acts: tuple[tuple[int, int], dict[str, np.ndarray]] | None = None
        self._shared: tuple[int, Any, list[str]] | None = None
        self._kept: tuple[tuple[int, str], dict[str, Any]] | None = None

    def submit(self, kind: str, subject: Subject, *args: Any) -> None:
        """Queue a job (``dataset``, ``activation`` or ``confusion``), replacing an older one."""
        self._queue.submit(kind, self._run, kind, subject, args)

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
        return self._queue.idle()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread after the job it is running."""
        self._queue.close(timeout)

    # ------------------------------------------------------------ GUI thread
    def _finished(self, kind: str, value: Any) -> None:
        if kind == "activation":
            self.activation_ready.emit(value)
        elif kind == "confusion":
            self.confusion_ready.emit(value)
        elif kind not in OWN_JOBS:
            version, result = value
            self.result_ready.emit(kind, version, result)

    def _progress(self, _kind: str, value: Any) -> None:
        if isinstance(value, LayersResult):
            self.layers_ready.emit(value)
        else:
            self.dataset_ready.emit(value)

    def _failed(self, kind: str, exc: BaseException) -> None:
        if isinstance(exc, GuibuilderError):
            self.failed.emit(kind, exc.message)
        else:  # a model Keras refuses must not take the window down
            self.failed.emit(kind, f"the model cannot be run: {exc}")

    # --------------------------------------------------------- worker thread
    def _data(self, subject: Subject) -> Any:
        key = repr(subject.dataset_spec)
        if self._dataset is None or self._dataset[0] != key:
            from guibuilder.data import load_dataset

            if not subject.dataset_spec:
                raise GuibuilderError("the project has no dataset: choose one in Training")
            self._dataset = (key, load_dataset(subject.dataset_spec, base_dir=subject.base_dir))
        return self._dataset[1]

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

    def _run(self, report: Report, kind: str, subject: Subject, args: tuple[Any, ...]) -> Any:
        import time

        data = self._data(subject)
        if kind == "dataset":
            report(data)
            self._prepare(report, subject, data, *args)
            return None
        x, y = validation_split(data)
        model, probe = self._probe(subject)
        key = (subject.version, repr(subject.dataset_spec))
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, {})
        context = Context(subject, data, model, probe, self._kept[1])
        if kind not in OWN_JOBS:
            job, *rest = args
            return subject.version, job(context, *rest)
        if kind == "activation":
            node_id, sample = args
            start = time.perf_counter()
            layers = self._activations(report, subject, probe, x, sample)
            if node_id not in layers:
                raise GuibuilderError(f"the model has no node {node_id!r}")
            values = layers[node_id]
            seconds = time.perf_counter() - start
            return ActivationResult(subject.version, node_id, sample, values, seconds)
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
        return ConfusionResult(
            subject.version,
            evaluation.matrix,
            evaluation.y_true,
            evaluation.y_pred,
            names,
            evaluation.accuracy,
        )

    def _activations(
        self, report: Report, subject: Subject, probe: Any, x: Any, sample: int
    ) -> dict[str, np.ndarray]:
        """Every node's activation for ``sample``, from one forward pass kept for the version.

        A new one is also reported (it arrives through ``layers_ready``), so the panel can
        show any node of this version and sample without asking again.
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
            report(LayersResult(subject.version, sample, layers, seconds))
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

    def _prepare(
        self, report: Report, subject: Subject, data: Any, sample: int | None = None
    ) -> None:
        """Build the model and compute ``sample``'s activations before the first click."""
        if sample is None:
            return
        x, _y = validation_split(data)
        try:
            _model, probe = self._probe(subject)
            self._activations(report, subject, probe, x, sample)
        except Exception:  # only a head start: the click's own job reports the error
            return
