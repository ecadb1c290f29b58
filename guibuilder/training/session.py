"""A training run in its own thread, reporting through a queue of events.

:class:`TrainingSession` snapshots the graph when it is made, then builds, compiles and
fits the model **all in its worker thread** (Keras keeps per-thread state). The caller
steers it with :meth:`~TrainingSession.stop`, :meth:`~TrainingSession.pause` and
:meth:`~TrainingSession.resume`, and collects :mod:`~guibuilder.training.events` with
:meth:`~TrainingSession.drain`. Nothing the data, the model or Keras raises escapes the
thread: it becomes an ``error`` event with one sentence, and the caller stays up. Before
the thread ends it frees what the run built (:mod:`~guibuilder.training.memory`), so a
long session of runs does not grow.
"""

from __future__ import annotations

import contextlib
import math
import queue
import random
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from guibuilder.document import Project, project_from_dict, project_to_dict
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph
from guibuilder.training.config import TrainConfig
from guibuilder.training.controls import Controls
from guibuilder.training.events import (
    ActivationsEvent,
    ErrorEvent,
    FinishedEvent,
    NanEvent,
    StartedEvent,
    StoppedEvent,
    TrainingEvent,
    WarningEvent,
)

if TYPE_CHECKING:
    from guibuilder.document.weights import WeightStore
    from guibuilder.training.callbacks import SessionCallback
    from guibuilder.training.runs import RunFolder

#: The longest error message an event carries; Keras' own can run to pages.
MAX_MESSAGE = 300


@dataclass
class TrainingResult:
    """How a run ended. ``weights`` holds the trained weights (none after NaN or an error)."""

    status: str  # finished | stopped | nan | error
    message: str
    history: dict[str, list[float]] = field(default_factory=dict)
    weights: WeightStore | None = None
    run_dir: Path | None = None
    best_epoch: int | None = None
    epochs_run: int = 0
    elapsed_s: float = 0.0
    node_ids: tuple[str, ...] = ()


@dataclass
class _Prepared:
    """What the worker has settled before ``fit``."""

    model: Any
    x: Any
    y: Any
    validation: tuple[Any, Any] | None
    callback: SessionCallback
    callbacks: list[Any]


def snapshot(graph: Graph) -> Graph:
    """An independent copy of ``graph`` (through the project format, so it is checked)."""
    copy = project_from_dict(project_to_dict(Project(graph=graph))).graph
    copy.name = graph.name
    return copy


def _length(x: Any) -> int:
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, list | tuple):
        x = x[0]
    return len(x)


def _take(x: Any, rows: np.ndarray) -> Any:
    if isinstance(x, dict):
        return {k: np.asarray(v)[rows] for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [np.asarray(v)[rows] for v in x]
    return np.asarray(x)[rows]


def _hold_out(x: Any, y: Any, fraction: float) -> tuple[Any, Any, tuple[Any, Any] | None]:
    """Hold out ``fraction`` of the samples, picked at random (the same ones every time)."""
    n = _length(x)
    held = round(n * fraction)
    if held == 0 or held == n:
        return x, y, None
    order = np.random.default_rng(0).permutation(n)
    train, val = np.sort(order[held:]), np.sort(order[:held])
    return _take(x, train), _take(y, train), (_take(x, val), _take(y, val))


def _shape_text(shape: Sequence[Any]) -> str:
    dims = ", ".join("None" if d is None else str(int(d)) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


def one_sentence(exc: BaseException, graph: Graph | None = None) -> tuple[str, tuple[str, ...]]:
    """A short message for an unexpected exception and the node ids it names."""
    if isinstance(exc, GuibuilderError):
        return exc.message, tuple(getattr(exc, "node_ids", ()) or ())
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3].rstrip() + "..."
    named: tuple[str, ...] = ()
    if graph is not None:
        whole = str(exc)
        named = tuple(n for n in graph.nodes if f"'{n}'" in whole or f'"{n}"' in whole)
    where = f" (at {', '.join(named)})" if named else ""
    return f"training failed{where}: {text}", named


class TrainingSession:
    """One training run of a graph on a dataset, in a worker thread.

    Parameters
    ----------
    graph
        The model; a snapshot is taken now, so later edits do not reach the run.
    dataset
        A dataset (fields ``x_train``, ``y_train``, ``x_val``, ``y_val``, ``name``, ``task``,
        ``num_classes``), or a function that loads one: it is called in the worker thread,
        so slow loading does not block the caller and its errors become ``error`` events.
    config
        The training settings (defaults when omitted).
    weights
        Weights to start from (the project's); those that no longer fit start fresh.
    run_root
        Where the run folder is created; ``None`` writes no folder.
    name
        The run's name (in its folder name); the graph's name by default.
    batch_interval
        The shortest time in seconds between two batch events.
    recorder
        Records activations for the live view, e.g.
        :func:`guibuilder.inspect.snapshots.live_recorder` of a probe sample: called in the
        worker thread with ``on_snapshot`` and ``on_error``, it returns a Keras callback
        with ``record_step(epoch, step)``. Each snapshot (before the first epoch, after
        each epoch, and in step mode after each step) is sent as an ``activations``
        event; ``None`` records none. A recording that fails becomes a warning; training
        goes on.
    release_memory
        Whether the worker collects the run's garbage as it ends. A GUI passes ``False``
        and calls :func:`guibuilder.training.memory.release` in its own thread once the
        run has ended: a collection in the worker could finalise the GUI's Qt objects.
    """

    def __init__(
        self,
        graph: Graph,
        dataset: Any,
        config: TrainConfig | None = None,
        *,
        weights: WeightStore | None = None,
        run_root: str | Path | None = None,
        name: str | None = None,
        batch_interval: float = 0.05,
        recorder: Callable[..., Any] | None = None,
        release_memory: bool = True,
    ) -> None:
        from guibuilder.data.lint import refuse_model_too_big

        self.config = config or TrainConfig()
        # before Keras tries to allocate a model no machine holds
        refuse_model_too_big(graph, batch_size=self.config.batch_size)
        self.graph = snapshot(graph)
        self.name = name or graph.name
        self.events: queue.Queue[TrainingEvent] = queue.Queue()
        self.result: TrainingResult | None = None
        self._dataset = dataset
        self._weights = weights
        self._run_root = Path(run_root) if run_root is not None else None
        self._interval = batch_interval
        self._recorder = recorder
        self._release_memory = release_memory
        self._controls = Controls()
        self._thread: threading.Thread | None = None
        self._run: RunFolder | None = None
        self._callback: SessionCallback | None = None
        self._started = 0.0

    # ------------------------------------------------------------ steering
    def start(self) -> None:
        """Start the worker thread (once)."""
        if self._thread is not None:
            raise RuntimeError("a training session runs only once: make a new one")
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._work, name="guibuilder-training", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop; it ends after the current batch (a paused run too)."""
        self._controls.halt()

    def pause(self) -> None:
        """Hold the run before its next batch, until :meth:`resume` or :meth:`stop`."""
        self._controls.pause()

    def resume(self) -> None:
        """Continue a paused run."""
        self._controls.resume()

    def step(self, count: int = 1) -> None:
        """Train exactly ``count`` more batches, then pause (step mode).

        Works on a running, a paused and a not yet started session; each call adds to the
        steps still to take, and every stepped batch sends a ``batch`` event (and, with a
        recorder, an ``activations`` event once it is done).
        """
        self._controls.grant_step(count)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker to end; return whether it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def drain(self, limit: int | None = None) -> list[TrainingEvent]:
        """The events waiting on the queue (at most ``limit``), oldest first."""
        out: list[TrainingEvent] = []
        while limit is None or len(out) < limit:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                break
        return out

    @property
    def state(self) -> str:
        """idle, running, paused, or how it ended: finished, stopped, nan, error."""
        if self.result is not None:
            return self.result.status
        if self._thread is None:
            return "idle"
        return "running" if self._controls.running.is_set() else "paused"

    @property
    def steps_done(self) -> int:
        """Training steps (batches) whose results have been reported so far."""
        return self._callback.steps_done if self._callback is not None else 0

    @property
    def steps_started(self) -> int:
        """Training steps (batches) begun so far; a stop lets at most one more begin."""
        return self._callback.steps_started if self._callback is not None else 0

    @property
    def run_dir(self) -> Path | None:
        """The run folder, once the worker has made it."""
        return self._run.path if self._run is not None else None

    # --------------------------------------------------------------- worker
    def _emit(self, event: TrainingEvent) -> None:
        self.events.put(event)

    def _log(self, message: str) -> None:
        if self._run is not None:
            with contextlib.suppress(OSError):
                self._run.log(message)

    def _warn(self, message: str) -> None:
        self._log(f"warning: {message}")
        self._emit(WarningEvent(message=message))

    def _work(self) -> None:
        from guibuilder.training.memory import run_memory

        with run_memory(collect=self._release_memory):  # frees what _train built
            self._train()
        self._dataset = self._recorder = None

    def _train(self) -> None:
        keras = None
        callback: SessionCallback | None = None
        try:
            from guibuilder.compiler.layers import load_keras

            keras = load_keras()
            keras.backend.clear_session(free_memory=False)
            prepared = self._prepare(keras)
            callback = self._callback = prepared.callback
            self._fit(prepared)
            self._finish(prepared)
        except Exception as exc:
            self._fail(exc, callback)
        finally:
            if callback is not None:
                # The session outlives the run; the model must not (nor the activation
                # recorder the callback steps, which holds the model too).
                callback.set_model(None)
                callback.on_step = None
            if keras is not None:
                keras.config.set_dtype_policy("float32")
                keras.backend.clear_session(free_memory=False)

    def _load_data(self) -> Any:
        data = self._dataset
        if callable(data) and not hasattr(data, "x_train"):
            data = data()
        for needed in ("x_train", "y_train"):
            if getattr(data, needed, None) is None:
                name = getattr(data, "name", "the dataset")
                raise GuibuilderError(f"the dataset {name!r} has no {needed}")
        return data

    def _prepare(self, keras: Any) -> _Prepared:
        from guibuilder.compiler.build import build_model
        from guibuilder.training import backend
        from guibuilder.training.callbacks import SessionCallback
        from guibuilder.training.recipe import (
            CROSSENTROPIES,
            default_metrics,
            ends_in_probabilities,
            make_loss,
            make_metrics,
            make_optimizer,
            resolve_loss,
        )
        from guibuilder.training.runs import RunFolder

        config = self.config
        data = self._load_data()
        data_name = str(getattr(data, "name", "") or "the dataset")
        x, y = data.x_train, data.y_train
        n_train = _length(x)
        if _length(y) != n_train:
            raise GuibuilderError(
                f"the dataset {data_name!r} has {n_train} training samples but {_length(y)} labels"
            )
        validation = None
        x_val, y_val = getattr(data, "x_val", None), getattr(data, "y_val", None)
        if x_val is not None and y_val is not None and _length(x_val):
            validation = (x_val, y_val)
        elif config.validation_split:
            x, y, validation = _hold_out(x, y, config.validation_split)
            n_train = _length(x)
        if n_train == 0:
            raise GuibuilderError(f"the dataset {data_name!r} has no training samples")
        seed = config.seed if config.seed is not None else random.randrange(2**31)
        keras.utils.set_random_seed(seed)

        gpus = backend.gpu_names()
        device = backend.resolve_device(config.device, gpus)
        on_gpu = bool(gpus) and not (device or "").startswith("cpu")
        warnings = []
        if config.mixed_precision:
            if on_gpu:
                keras.config.set_dtype_policy("mixed_float16")
            else:
                warnings.append("mixed precision needs a GPU: training in float32")
        with backend.device_scope(device), backend.strategy_scope(config.strategy) as replicas:
            model = build_model(self.graph)
            stale = self._weights.apply(model, self.graph) if self._weights else []
            self._check_inputs(model, x, data_name)
            out_id = self.graph.owner(self.graph.outputs()[0][0]).id
            units = model.outputs[0].shape[-1]
            loss = resolve_loss(config, getattr(data, "task", None), y, units)
            self._check_labels(loss, y, units, out_id, data)
            from_logits = config.from_logits
            if from_logits is None:
                from_logits = loss in CROSSENTROPIES and not ends_in_probabilities(
                    model.get_layer(out_id)
                )
            metrics = list(config.metrics if config.metrics is not None else default_metrics(loss))
            model.compile(
                optimizer=make_optimizer(config),
                loss=make_loss(loss, from_logits),
                metrics=make_metrics(metrics, loss, from_logits),
            )
        monitor = config.monitor
        if monitor == "auto":
            monitor = "val_loss" if validation is not None else "loss"
        elif monitor.startswith("val_") and validation is None:
            raise GuibuilderError(
                f"the monitored value {monitor!r} needs validation data, "
                f"which the dataset {data_name!r} does not have"
            )
        label = backend.device_label(device, gpus, replicas)
        if self._run_root is not None:
            suffix = backend.worker_suffix() if config.strategy == "mirrored" else ""
            self._run = RunFolder.create(self._run_root, self.name + suffix)
            self._run.write_config(
                {
                    "name": self.name,
                    "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "config": {**config.to_dict(), "seed": seed},
                    "resolved": {
                        "loss": loss,
                        "from_logits": from_logits,
                        "metrics": metrics,
                        "monitor": monitor,
                        "device": label,
                        "replicas": replicas,
                    },
                    "dataset": _describe_data(data, n_train, validation),
                    "environment": backend.environment(),
                    "project": project_to_dict(Project(graph=self.graph)),
                }
            )
            self._log(f"run {self.name}: {n_train} samples, {label}, seed {seed}")
        if stale:
            names = ", ".join(stale)
            warnings.append(f"the saved weights no longer fit {names}: those start fresh")
        if validation is None:
            warnings.append(f"the dataset {data_name!r} has no validation split")
        for message in warnings:
            self._warn(message)

        steps = math.ceil(n_train / config.batch_size)
        recorder = self._activation_recorder() if self._recorder is not None else None
        callback = SessionCallback(
            config,
            self._emit,
            self._controls,
            steps_per_epoch=steps,
            train_samples=n_train,
            monitor=monitor,
            run=self._run,
            interval=self._interval,
            on_step=recorder.record_step if recorder is not None else None,
        )
        callbacks: list[Any] = [callback]
        if recorder is not None:
            callbacks.insert(0, recorder)
        if config.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor=monitor, patience=config.patience, restore_best_weights=True
                )
            )
        if config.schedule == "plateau":
            callbacks.append(
                keras.callbacks.ReduceLROnPlateau(
                    monitor=monitor,
                    factor=config.decay_factor,
                    patience=config.plateau_patience,
                    min_lr=config.min_learning_rate,
                )
            )
        self._emit(
            StartedEvent(
                epochs=config.epochs,
                steps_per_epoch=steps,
                batch_size=config.batch_size,
                train_samples=n_train,
                val_samples=_length(validation[0]) if validation else 0,
                loss=loss,
                metrics=tuple(metrics),
                backend=keras.backend.backend(),
                device=label,
                seed=seed,
                params=int(model.count_params()),
                run_dir=self.run_dir,
            )
        )
        return _Prepared(model, x, y, validation, callback, callbacks)

    def _activation_recorder(self) -> Any:
        """The recorder's callback, sending each snapshot as an ``activations`` event.

        It records at the start and at each epoch end; in step mode the session callback
        also has it record after each stepped batch (an event with ``step`` set).
        """
        epochs = self.config.epochs

        def send(snap: Any) -> None:
            acts = {k: v[0] for k, v in snap.activations.items()}
            self._emit(
                ActivationsEvent(snap.epoch, epochs, acts, snap.mean, snap.std, step=snap.step)
            )

        def off(exc: Exception) -> None:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self._warn(f"live activations are off: {text[:MAX_MESSAGE]}")

        return self._recorder(on_snapshot=send, on_error=off)

    def _check_inputs(self, model: Any, x: Any, data_name: str) -> None:
        arrays = list(x) if isinstance(x, list | tuple) else None if isinstance(x, dict) else [x]
        if arrays is None:
            return
        inputs = self.graph.input_nodes()
        if len(arrays) != len(model.inputs):
            raise GuibuilderError(
                f"the model has {len(model.inputs)} inputs ({', '.join(inputs)}) "
                f"but the dataset {data_name!r} gives {len(arrays)}"
            )
        for node_id, tensor, array in zip(inputs, model.inputs, arrays, strict=True):
            expected = tuple(tensor.shape[1:])
            got = tuple(np.shape(array)[1:])
            fits = len(expected) == len(got) and all(
                e is None or e == g for e, g in zip(expected, got, strict=True)
            )
            if not fits:
                raise _NodeError(
                    f"input node {node_id!r} expects samples of shape {_shape_text(expected)} "
                    f"but the dataset {data_name!r} gives {_shape_text(got)}",
                    node_id,
                )

    def _check_labels(self, loss: str, y: Any, units: Any, out_id: str, data: Any) -> None:
        labels = np.asarray(y if not isinstance(y, list | tuple | dict) else [])
        if labels.size == 0 or not np.issubdtype(labels.dtype, np.number):
            return
        indices = labels.ndim == 1 or (labels.ndim == 2 and labels.shape[1] == 1)
        if loss == "categorical_crossentropy" and indices and (units or 0) > 1:
            raise GuibuilderError(
                "categorical_crossentropy needs one-hot labels but the dataset has class "
                "indices: use sparse_categorical_crossentropy"
            )
        if loss not in ("sparse_categorical_crossentropy", "binary_crossentropy"):
            return
        top = int(np.nanmax(labels))
        classes = max(int(getattr(data, "num_classes", 0) or 0), top + 1)
        if loss == "sparse_categorical_crossentropy" and units is not None and units < classes:
            raise _NodeError(
                f"output node {out_id!r} gives {units} value{'s' if units != 1 else ''} per "
                f"sample but the labels have {classes} classes: set its units to {classes}",
                out_id,
            )
        if loss == "binary_crossentropy" and top > 1:
            raise GuibuilderError(
                f"binary_crossentropy needs labels 0 and 1 but the labels go up to {top}: "
                "use sparse_categorical_crossentropy"
            )

    def _fit(self, prepared: _Prepared) -> None:
        if self._controls.stop.is_set():
            return
        prepared.model.fit(
            prepared.x,
            prepared.y,
            batch_size=self.config.batch_size,
            epochs=self.config.epochs,
            validation_data=prepared.validation,
            shuffle=self.config.shuffle,
            callbacks=prepared.callbacks,
            verbose=0,
        )

    def _finish(self, prepared: _Prepared) -> None:
        from guibuilder.document.weights import WeightStore

        callback = prepared.callback
        elapsed = time.perf_counter() - self._started
        common = {
            "epochs_run": callback.epochs_done,
            "elapsed_s": elapsed,
            "history": callback.history,
            "run_dir": self.run_dir,
        }
        if callback.nan_at is not None:
            epoch, step = callback.nan_at
            message = (
                f"the loss became NaN or infinite in epoch {epoch}, step {step}: try a lower "
                f"learning rate (it was {self.config.learning_rate:g}), gradient clipping, "
                "or check the data for NaN or infinite values"
            )
            self._end("nan", message, NanEvent(message=message, epoch=epoch, step=step, **common))
            return
        if self._run is not None:
            prepared.model.save(self._run.last_path)
        weights = WeightStore.from_model(prepared.model, self.graph)
        epochs = self.config.epochs
        if self._controls.stop.is_set():
            message = f"stopped after {callback.epochs_done} of {epochs} epochs"
            event: TrainingEvent = StoppedEvent(message=message, **common)
            status = "stopped"
        else:
            if callback.epochs_done < epochs:
                message = (
                    f"early stopping ended the run after {callback.epochs_done} of {epochs} "
                    f"epochs ({callback.monitor} stopped improving)"
                )
            else:
                seconds = callback.train_seconds()
                message = f"trained {epochs} epoch{'s' if epochs > 1 else ''} in {seconds:.1f} s"
            event = FinishedEvent(message=message, **common)
            status = "finished"
        self._end(status, message, event, weights=weights, best_epoch=callback.best_epoch)

    def _end(
        self,
        status: str,
        message: str,
        event: TrainingEvent,
        *,
        weights: WeightStore | None = None,
        best_epoch: int | None = None,
        node_ids: tuple[str, ...] = (),
    ) -> None:
        callback_history = getattr(event, "history", {})
        self.result = TrainingResult(
            status=status,
            message=message,
            history=callback_history,
            weights=weights,
            run_dir=self.run_dir,
            best_epoch=best_epoch,
            epochs_run=getattr(event, "epochs_run", 0),
            elapsed_s=time.perf_counter() - self._started,
            node_ids=node_ids,
        )
        self._log(f"{status}: {message}")
        self._emit(event)

    def _fail(self, exc: BaseException, callback: SessionCallback | None) -> None:
        message, node_ids = one_sentence(exc, self.graph)
        self._log("".join(traceback.format_exception(exc)))
        history = callback.history if callback is not None else {}
        epochs_run = callback.epochs_done if callback is not None else 0
        event = ErrorEvent(
            message=message,
            node_ids=node_ids,
            epochs_run=epochs_run,
            elapsed_s=time.perf_counter() - self._started,
            history=history,
            run_dir=self.run_dir,
        )
        self._end("error", message, event, node_ids=node_ids)


class _NodeError(GuibuilderError):
    """A mismatch between the data and one node of the model."""

    def __init__(self, message: str, node_id: str) -> None:
        super().__init__(message)
        self.node_ids = (node_id,)


def _describe_data(data: Any, n_train: int, validation: tuple[Any, Any] | None) -> dict:
    return {
        "name": getattr(data, "name", None),
        "task": getattr(data, "task", None),
        "input_shape": getattr(data, "input_shape", None),
        "num_classes": getattr(data, "num_classes", None),
        "train_samples": n_train,
        "val_samples": _length(validation[0]) if validation else 0,
        "spec": getattr(data, "spec", None),
    }


def run_to_end(session: TrainingSession, on_event: Callable[[TrainingEvent], None]) -> None:
    """Start ``session`` and hand every event to ``on_event`` in this thread until it ends."""
    session.start()
    while True:
        try:
            event = session.events.get(timeout=0.1)
        except queue.Empty:
            if session.wait(0):
                return
            continue
        on_event(event)
        if event.terminal:
            return
