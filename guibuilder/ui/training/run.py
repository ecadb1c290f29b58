"""The training panel's run: Start, Step, Pause and Stop, and the events of the run in progress.

Start loads the dataset in a worker thread (a :class:`~guibuilder.ui.jobs.Job`), shows
what :func:`guibuilder.data.lint` finds, and starts a
:class:`~guibuilder.training.TrainingSession` (which builds, compiles and fits in its own
thread). A timer drains the session's event queue about 30 times a second into a
:class:`~guibuilder.training.live.LiveRun` and updates the progress bar and the persistent
curves; no Qt object is touched from a worker thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths

from guibuilder.document.settings import ConfigError
from guibuilder.errors import GuibuilderError
from guibuilder.inspect.snapshots import live_recorder
from guibuilder.training import memory
from guibuilder.training.events import (
    ActivationsEvent,
    BatchEvent,
    EpochEvent,
    PausedEvent,
    ResumedEvent,
    StartedEvent,
    TrainingEvent,
    WarningEvent,
)
from guibuilder.training.live import LiveRun, duration_text
from guibuilder.ui.jobs import Job
from guibuilder.ui.live import keras_loader

#: How often the event queue is drained (ms): about 30 times a second.
DRAIN_MS = 33


def _load_dataset(spec: Any, base_dir: Path | None) -> Any:
    from guibuilder.data.cache import cached_dataset

    return cached_dataset(spec, base_dir=base_dir)


def _load_error(exc: BaseException) -> str:
    """Why a dataset did not load, in one sentence (a broken file must not take the window down)."""
    if isinstance(exc, GuibuilderError):
        return exc.message
    return f"the dataset cannot be loaded: {exc}"


class RunController:
    """The run part of :class:`~guibuilder.ui.training.panel.TrainingPanel`."""

    # ------------------------------------------------------------------ runs
    def run_root(self) -> Path:
        """Where run folders go: ``runs`` beside a saved project, else the app's data folder."""
        if self.run_root_override is not None:
            return self.run_root_override
        if self.session is not None and self.session.path is not None:
            return self.session.path.parent / "runs"
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        return Path(base) / "runs"

    def start(self) -> None:
        """Load the data, lint, and start a run (a second click after lint errors forces it)."""
        self._begin(step_first=False)

    def step(self) -> None:
        """Train exactly one batch, then pause.

        A running or paused run takes one more step; with no run, one starts as Start does
        and pauses after its first batch.
        """
        if self.training is not None and self.state in ("running", "paused"):
            self.training.step()
            self._set_state("paused")
        elif self.state == "idle":
            self._begin(step_first=True)

    def _begin(self, step_first: bool) -> None:
        if self.session is None or self.state != "idle":
            return
        self._step_first = step_first
        try:
            self.config()
        except ConfigError as exc:
            self._fail_before_start(f"{exc.message}.")
            return
        spec = self.session.project.dataset
        if not spec:
            self._fail_before_start("Choose a dataset in the training settings first.")
            return
        base = self.session.path.parent if self.session.path is not None else None
        from guibuilder.data.cache import loaded_dataset

        dataset = loaded_dataset(spec, base_dir=base)
        if dataset is not None:  # loaded already (a run or the Inspect dock): start at once
            self._dataset = dataset
            self._lint_and_run(dataset)
            return
        self._set_state("loading")
        self.status_label.setText("Loading the dataset…")
        job = Job(_load_dataset, spec, base, name="guibuilder-data", parent=self)
        job.finished.connect(lambda dataset: self._data_loaded(dataset, ""))
        job.failed.connect(lambda exc: self._data_loaded(None, _load_error(exc)))
        job.ended.connect(job.deleteLater)
        job.start()

    def _data_loaded(self, dataset: Any, error: str) -> None:
        if self.state != "loading":
            return
        self._set_state("idle")
        if dataset is None:
            self._fail_before_start(f"{error[0].upper()}{error[1:]}.")
            return
        self._dataset = dataset
        self._lint_and_run(dataset)

    def _show_lint(self, dataset: Any) -> tuple[list[Any], str]:
        """Show what lint finds for ``dataset``; return the findings and their text."""
        from guibuilder.data import lint

        assert self.session is not None
        project = self.session.project
        training = self.config().to_dict()
        findings = lint(project.graph, self.session.shapes.results(), dataset, training)
        lines = [f"{'✗' if f.level == 'error' else '⚠'} {f.message}" for f in findings]
        self.lint_label.setText("\n".join(lines))
        self.lint_box.setVisible(bool(lines))
        self._input_fix = next(
            (f.node_ids[0] for f in findings if f.code == "input-shape" and f.node_ids), None
        )
        self.fit_input_button.setVisible(self._input_fix is not None)
        return findings, "\n".join(lines)

    def _fit_input(self) -> None:
        """The user confirms: the Input node takes the shape of the dataset's samples."""
        from guibuilder.data.lint import input_params_for

        if self.session is None or self._input_fix is None or self._dataset is None:
            return
        dataset = self._dataset
        try:
            self.session.set_params(self._input_fix, input_params_for(dataset))
        except GuibuilderError as exc:
            self.message.emit(f"{exc.message}.")
            return
        self._show_lint(dataset)
        self.message.emit(f"The Input now takes samples of {dataset.name}.")

    def _lint_and_run(self, dataset: Any) -> None:
        findings, key = self._show_lint(dataset)
        errors = [f for f in findings if f.level == "error"]
        if errors and self._confirmed_lint != key:
            self._confirmed_lint = key
            count = len(errors)
            self.status_label.setText(
                f"The model and the data do not fit ({count} problem{'s' if count > 1 else ''}"
                "): fix them, or press Start again to train anyway."
            )
            self.start_button.setText("Train anyway")
            self.message.emit("Training not started: the model and the data do not fit.")
            return
        self._run(dataset)

    def _live_recorder(self, dataset: Any) -> Any:
        """What records the activations of the probe sample ``probe_source`` gives, if any."""
        probe = self.probe_source(dataset) if self.probe_source is not None else None
        return None if probe is None else live_recorder(probe)

    def _run(self, dataset: Any) -> None:
        from guibuilder.training import TrainingSession

        assert self.session is not None
        project = self.session.project
        name = project.path.stem if project.path is not None else (project.graph.name or "model")
        try:
            session = TrainingSession(
                project.graph,
                dataset,
                self.config(),
                weights=project.weights,
                run_root=self.run_root(),
                name=name,
                release_memory=False,
                recorder=self._live_recorder(dataset),
            )
        except GuibuilderError as exc:
            self._fail_before_start(f"{exc.message}.")
            return
        self.training = session
        self._owner = self.session
        self._ending = None
        self._confirmed_lint = None
        self.start_button.setText("Train")
        self._reset_live()
        self.plots.start_live()
        self.progress.setRange(0, 0)
        self.progress.setFormat("Building the model…")
        self.eta_label.setText("")
        self.speed_label.setText("")
        self.status_label.setStyleSheet("")
        self.status_label.setText(f"Training on {dataset.name}…")
        if self._step_first:
            session.step()
        session.start()
        self._timer.start()
        self._set_state("paused" if self._step_first else "running")

    def _fail_before_start(self, text: str) -> None:
        self._set_state("idle")
        self._show_status(text, "error")
        self.message.emit(text)

    def _toggle_pause(self) -> None:
        if self.training is None or self.state not in ("running", "paused"):
            return
        if self.state == "running":
            self.training.pause()
            self._set_state("paused")
            self.progress.setFormat("Pausing…")  # until the run says where it holds
        else:
            self.training.resume()
            self._set_state("running")

    def stop(self) -> None:
        """Ask the run to stop after the current batch."""
        if self.training is not None and self.state in ("running", "paused"):
            self.training.stop()
            self._set_state("stopping")
            self.progress.setFormat("Stopping…")

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop a run in progress and wait for its thread (the window is closing)."""
        if self.training is not None:
            self.training.stop()
            self.training.wait(timeout)
        self._timer.stop()

    # ---------------------------------------------------------------- events
    def _reset_live(self) -> None:
        self.live = LiveRun()

    def drain(self) -> None:
        """Handle the events waiting on the queue and redraw one plot whose data changed (the
        timer's slot; see :meth:`TrainingPlots.redraw`)."""
        session = self.training
        if session is None:
            self._timer.stop()
            return
        for event in session.drain(limit=5000):
            self._handle(event)
        live = self.live
        if live.dirty_batches:
            self.plots.set_batches(live.batch_x, live.batch_raw, live.batch_smooth)
            live.dirty_batches = False
        if live.dirty_epochs:
            self.plots.set_history(live.history)
            live.dirty_epochs = False
        self.plots.redraw(limit=1)
        if self._ending is not None and session.wait(0):
            self._finish(self._ending)

    def _handle(self, event: TrainingEvent) -> None:
        if isinstance(event, BatchEvent):
            self._on_batch(event)
        elif isinstance(event, EpochEvent):
            self._on_epoch(event)
        elif isinstance(event, StartedEvent):
            self._on_started(event)
        elif isinstance(event, ActivationsEvent):
            self.activations.emit(event)
        elif isinstance(event, WarningEvent):
            self.message.emit(f"{event.message[0].upper()}{event.message[1:]}.")
        elif isinstance(event, PausedEvent):
            self._on_paused(event)
        elif isinstance(event, ResumedEvent):
            self._set_progress_text(event.epoch)
        elif event.terminal:
            self._ending = event

    def _on_started(self, event: StartedEvent) -> None:
        self.live.started(event)
        self.progress.setRange(0, self.live.steps * self.live.epochs)
        self.progress.setValue(0)
        self._set_progress_text(1)
        self.device_label.setText(f"{event.device} · {event.backend}")
        self.plots.start_live(event.metrics)
        self.status_label.setText(
            f"Training {event.params:,} parameters on {event.train_samples:,} samples "
            f"({event.val_samples:,} for validation), loss {event.loss}, seed {event.seed}."
        )

    def _on_batch(self, event: BatchEvent) -> None:
        self.live.add_batch(event)
        if self.state != "stopping":  # a batch that ended while pausing is still counted
            self.progress.setValue(self.live.position(event.epoch, event.step))
        if self.state == "running":
            self._set_progress_text(event.epoch)
        self.eta_label.setText(f"ETA {duration_text(event.eta_s)}")
        self.speed_label.setText(f"{event.samples_per_s:,.0f} samples/s")

    def _on_epoch(self, event: EpochEvent) -> None:
        if not self.live.add_epoch(event):
            return
        if self.state not in ("paused", "stopping"):
            self.progress.setValue(event.epoch * self.live.steps)
            self._set_progress_text(min(event.epoch + 1, self.live.epochs))
        self.eta_label.setText(f"ETA {duration_text(event.eta_s)}")
        self.speed_label.setText(f"{event.samples_per_s:,.0f} samples/s")

    def _on_paused(self, event: PausedEvent) -> None:
        """Show where the run waits; in step mode that moves on by one batch per step.

        A paused run has no time left to estimate, so the ETA is cleared.
        """
        live = self.live
        self.progress.setValue(live.position(event.epoch, event.step))
        self.progress.setFormat(
            f"Paused · epoch {event.epoch}/{live.epochs}, step {event.step}/{live.steps}"
        )
        self.eta_label.setText("")

    def _set_progress_text(self, epoch: int) -> None:
        self.progress.setFormat(f"Epoch {epoch}/{self.live.epochs} · %p%")

    def _finish(self, event: TrainingEvent) -> None:
        self._timer.stop()
        self.plots.redraw()
        session, owner = self.training, self._owner
        self.training = None
        self._owner = None
        self._ending = None
        status = event.kind
        text = f"{event.message[0].upper()}{event.message[1:]}."
        run_dir = getattr(event, "run_dir", None)
        if status in ("finished", "stopped"):
            self.progress.setRange(0, max(1, self.progress.maximum()))
            if status == "finished":
                self.progress.setValue(self.progress.maximum())
            self.progress.setFormat("Finished" if status == "finished" else "Stopped")
            self.eta_label.setText("")
            result = session.result if session is not None else None
            if result is not None and result.weights is not None and owner is self.session:
                text += " " + self._keep_weights(owner, status, result.weights, run_dir)
            self._show_status(text, "ok" if status == "finished" else "muted")
        else:
            self.progress.setRange(0, max(1, self.progress.maximum()))
            self.progress.setFormat("Failed")
            self.eta_label.setText("")
            self._show_status(text, "error")
        if run_dir is not None:
            self.status_label.setToolTip(f"Run folder: {run_dir}")
        self.last_status = status
        self.last_result = session.result if session is not None else None
        self.message.emit(text)
        self._set_state("idle")
        self.refresh_runs()
        memory.release()  # here, not in the worker: it may finalise this thread's Qt objects
        self.run_ended.emit(status)

    @staticmethod
    def _keep_weights(owner: Any, status: str, weights: Any, run_dir: Any) -> str:
        """Put a run's weights in the project, unless it was stopped early and the project
        has trained weights already: those stay, and the partial ones stay in the run
        folder (its ``last.keras``). Returns the sentence that says which."""
        if status == "stopped" and owner.project.weights is not None:
            where = f"run folder {run_dir.name}" if run_dir is not None else "run folder"
            return (
                "The project keeps its previous weights; the partly trained ones are in the "
                f"{where} (last.keras)."
            )
        owner.set_slot("weights", weights, "Train model")
        kind = "partly trained" if status == "stopped" else "trained"
        return f"The {kind} weights are kept in the project (undo to drop them)."

    def _show_status(self, text: str, kind: str) -> None:
        from guibuilder.ui import theme

        t = theme.current()
        color = {"error": t.error, "ok": t.ok, "muted": t.muted}[kind]
        self.status_label.setStyleSheet(f"color: {color};")
        self.status_label.setText(text)

    def _show_loader_device(self) -> None:
        """Before the first run, the device Keras found when it loaded."""
        loader = keras_loader()
        if loader.ready and not self.device_label.text():
            self.device_label.setText(f"{loader.device} · {loader.backend}")
