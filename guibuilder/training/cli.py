"""The ``train``, ``datasets`` and ``doctor`` commands.

Each command is ``configure_<name>(parser)`` plus ``run_<name>(args) -> int``, registered
in :data:`guibuilder.cli.COMMANDS`. User errors raise
:class:`GuibuilderError`; the main command line prints them as one line and exits 2.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import queue
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from guibuilder import __version__
from guibuilder.clitools import load_project_warned, quiet_keras, warn
from guibuilder.errors import GuibuilderError, KerasUnavailableError
from guibuilder.training.config import STRATEGIES, TrainConfig
from guibuilder.training.events import (
    BatchEvent,
    EpochEvent,
    StartedEvent,
    TrainingEvent,
    WarningEvent,
)
from guibuilder.training.session import TrainingSession

TRAIN_HELP = "train the project's model and write a run folder"
DATASETS_HELP = "list the datasets, with their shapes and tasks"
DOCTOR_HELP = "show Python, Keras, the backend and the GPUs, and what GPU training needs"

GPU_ADVICE = (
    "To train on an NVIDIA GPU: install the NVIDIA driver (check with 'nvidia-smi'), then "
    "pip install 'guibuilder[gpu]' (it brings tensorflow[and-cuda] with CUDA and cuDNN)."
)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


# ------------------------------------------------------------------- train
def configure_train(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``train``."""
    parser.add_argument("project", metavar="PROJECT", help="a .gbproj file")
    parser.add_argument(
        "--dataset",
        metavar="NAME|PATH",
        help="a dataset name (see 'guibuilder datasets') or a CSV/NPZ/NPY file or image "
        "folder; the project's dataset by default",
    )
    parser.add_argument("--epochs", type=_positive, metavar="N", help="override the epochs")
    parser.add_argument("--batch-size", type=_positive, metavar="N", help="override the batch size")
    parser.add_argument(
        "--run-dir",
        metavar="DIR",
        help="where run folders are made (default: 'runs' beside the project)",
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        help="mirrored trains on every GPU, or across machines with TF_CONFIG set",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start from freshly initialised weights, not the project's saved ones",
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="save the trained weights back into the project when the run finishes",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="with --save: save even if another program changed the project meanwhile",
    )


class _Progress:
    """A rich progress bar of the steps of each epoch, and one printed line per epoch."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]epoch {task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,  # a bar in a log file is only noise
        )
        self.task: Any = None
        self.epochs = 0

    def __enter__(self) -> _Progress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)

    def show(self, event: TrainingEvent) -> None:
        if isinstance(event, StartedEvent):
            self.epochs = event.epochs
            print(
                f"Training on {event.train_samples} samples ({event.val_samples} for "
                f"validation), {event.params:,} params, {event.device} ({event.backend}), "
                f"loss {event.loss}, seed {event.seed}"
            )
            self.task = self.progress.add_task(
                "train", total=event.steps_per_epoch, epoch=f"1/{event.epochs}", info=""
            )
        elif isinstance(event, BatchEvent) and self.task is not None:
            info = f"loss {event.logs.get('loss', event.loss):.4f}  {event.samples_per_s:,.0f}/s"
            self.progress.update(
                self.task,
                completed=event.step,
                epoch=f"{event.epoch}/{self.epochs}",
                info=info,
            )
        elif isinstance(event, EpochEvent):
            values = "  ".join(f"{k} {v:.4g}" for k, v in event.logs.items())
            mark = " *" if event.best else ""
            tail = " (cut short)" if event.partial else ""
            print(
                f"epoch {event.epoch}/{event.epochs}  {values}  lr {event.lr:.3g}  "
                f"[{event.elapsed_s:.1f} s]{mark}{tail}"
            )
            if self.task is not None:
                self.progress.reset(self.task, epoch=f"{event.epoch + 1}/{event.epochs}", info="")
        elif isinstance(event, WarningEvent):
            warn(event.message)


def _follow(session: TrainingSession) -> TrainingEvent:
    """Run ``session`` showing progress; Ctrl-C stops it gracefully. The terminal event."""
    with _Progress() as shown:
        session.start()
        interrupted = False
        while True:
            try:
                event = session.events.get(timeout=0.1)
            except queue.Empty:
                if session.wait(0) and session.events.empty():
                    raise GuibuilderError("training ended without reporting how") from None
                continue
            except KeyboardInterrupt:
                if interrupted:
                    raise
                interrupted = True
                warn("stopping after this batch (Ctrl-C again to quit at once)")
                session.stop()
                continue
            if event.terminal:
                return event
            shown.show(event)


def _load_data(source: Any, base: Path) -> Any:
    from guibuilder.data import load_dataset

    return load_dataset(source, base_dir=base)


def run_train(args: argparse.Namespace) -> int:
    """Train a project from the command line; 0 when it finished, 130 when stopped."""
    from guibuilder.document import (
        SaveConflictError,
        check_can_save,
        check_writable_folder,
        save_project,
        weights_path,
    )
    from guibuilder.training import backend

    path = Path(args.project)
    if not path.exists():
        raise GuibuilderError(f"{path} does not exist")
    project = load_project_warned(str(path))
    base = path.resolve().parent
    if args.run_dir and Path(args.run_dir).exists() and not Path(args.run_dir).is_dir():
        raise GuibuilderError(f"--run-dir {args.run_dir} is a file: give a folder for the runs")
    _refuse_locked_overrides(project, args, path)
    run_root = Path(args.run_dir) if args.run_dir else base / "runs"
    # Found out now, not after the whole run: where the run and the save go must be writable.
    check_writable_folder(run_root, f"cannot make the run folder in {run_root}")
    if args.save:
        check_can_save(path)
    config = TrainConfig.from_dict(project.training).replace(
        epochs=args.epochs, batch_size=args.batch_size, strategy=args.strategy
    )
    source = args.dataset or project.dataset
    if not source:
        raise GuibuilderError(
            f"{path} has no dataset: give one with --dataset NAME|PATH (see 'guibuilder datasets')"
        )
    from guibuilder.data.lint import refuse_model_too_big

    refuse_model_too_big(project.graph, batch_size=config.batch_size)  # before the data loads
    dataset = _load_data(source, base)
    print(f"Dataset: {dataset.summary()}")
    _lint(project.graph, dataset, project.training)
    weights = None if args.fresh else project.weights
    if weights is not None and len(weights):
        print(f"Starting from the weights saved with {path.name} (--fresh to start anew)")
    with quiet_keras(args):  # TensorFlow logs to stderr as it loads and finds its devices
        backend.gpu_names()
    session = TrainingSession(
        project.graph,
        dataset,
        config,
        weights=weights,
        run_root=run_root,
        name=path.stem,
        batch_interval=0.1,
    )
    end = _follow(session)
    result = session.result
    run_dir = result.run_dir if result is not None else None
    if end.kind in ("error", "nan"):
        raise GuibuilderError(end.message + (f" (run folder: {run_dir})" if run_dir else ""))
    print(f"{end.message[0].upper()}{end.message[1:]}.")
    if run_dir is not None:
        print(f"Run folder: {run_dir}")
    if end.kind == "stopped":
        return 130
    if result is not None and result.best_epoch is not None:
        print(f"Best epoch: {result.best_epoch} (saved as best.keras)")
    if args.save and result is not None and result.weights is not None:
        project.weights = result.weights
        try:
            save_project(project, path, force=args.force)
        except SaveConflictError:
            kept = f" (the trained model is in {run_dir})" if run_dir else ""
            raise GuibuilderError(
                f"{path.name} was changed on disk by another program during training, so it "
                f"was not saved: train again with --force to overwrite it{kept}"
            ) from None
        print(f"Saved the trained weights to {weights_path(path)}")
    return 0


#: The options of ``train`` that override a project's setting, by setting name.
_OVERRIDES = {
    "dataset": "--dataset",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "strategy": "--strategy",
}


def _refuse_locked_overrides(project: Any, args: argparse.Namespace, path: Path) -> None:
    """Refuse an option that changes a setting the project's teacher locked."""
    from guibuilder.document.classroom import GROUP_LABELS, setting_group
    from guibuilder.training.challenge import dataset_label

    classroom = project.classroom
    locked = classroom.locked_setting_names() if classroom is not None else set()
    current = TrainConfig.from_dict(project.training).to_dict()
    for name, option in _OVERRIDES.items():
        value = getattr(args, name, None)
        if value is None or name not in locked:
            continue
        if name == "dataset":
            kept = dataset_label(project.dataset)
            same = kept is None or value in (kept, (project.dataset or {}).get("path"))
        else:
            same, kept = value == current[name], current[name]
        if not same:
            raise GuibuilderError(
                f"{option} is locked by the teacher in {path.name} (the "
                f"{GROUP_LABELS[setting_group(name)]} settings): leave it out to train with "
                f"the project's {kept}"
            )


def _lint(graph: Any, dataset: Any, training: Any) -> None:
    from guibuilder.data import lint

    for finding in lint(graph, None, dataset, training):
        warn(finding.message)


# ---------------------------------------------------------------- datasets
def configure_datasets(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``datasets``."""
    parser.add_argument(
        "--files", action="store_true", help="also list the loaders of your own files"
    )


def _shape(shape: Sequence[int]) -> str:
    if not shape:
        return "-"
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_datasets(args: argparse.Namespace) -> int:
    """Print every dataset: name, task, sample shape, classes, samples, source."""
    from guibuilder.data import list_datasets

    rows = [("Name", "Task", "Input shape", "Classes", "Samples", "Source", "Title")]
    for info in list_datasets(include_files=getattr(args, "files", False)):
        source = info.source if info.available else f"{info.source} (not downloaded)"
        rows.append(
            (
                info.name,
                info.task,
                _shape(info.input_shape),
                str(info.num_classes or "-"),
                f"{info.samples:,}" if info.samples else "-",
                source,
                info.title,
            )
        )
    print(_table(rows))
    return 0


# ------------------------------------------------------------------ doctor
def configure_doctor(parser: argparse.ArgumentParser) -> None:
    """``doctor`` takes no arguments."""


def _nvidia_smi() -> str | None:
    """What ``nvidia-smi`` says about the GPUs and the driver, if it is installed."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "nvidia-smi is installed but did not answer"
    text = "; ".join(line.strip() for line in out.stdout.splitlines() if line.strip())
    return text or "nvidia-smi found no GPU"


def _installed(name: str) -> str:
    if importlib.util.find_spec(name) is None:
        return "not installed"
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "installed"


def run_doctor(args: argparse.Namespace) -> int:
    """Print the environment and what GPU training needs; always 0."""
    from guibuilder.training import backend

    rows: list[tuple[str, str]] = [("guibuilder", __version__)]
    try:
        env = backend.environment()
    except KerasUnavailableError as exc:
        env = {"python": sys.version.split()[0], "error": exc.message}
    rows.append(("Python", f"{env['python']} ({env.get('platform', sys.platform)})"))
    if "error" in env:
        rows.append(("Keras", env["error"]))
    else:
        chosen = os.environ.get("KERAS_BACKEND")
        how = "KERAS_BACKEND" if chosen else "the default; set KERAS_BACKEND to change"
        rows.append(("Keras", env["keras"]))
        version = env.get(env["backend"], env.get("tensorflow", ""))
        rows.append(("Backend", f"{env['backend']} {version} ({how})"))
    if "tensorflow" in env:
        built = "with CUDA" if env.get("cuda_build") else "without CUDA (CPU only)"
        rows.append(("TensorFlow", f"{env['tensorflow']}, built {built}"))
        if env.get("cuda_build"):
            rows.append(("CUDA / cuDNN", f"{env.get('cuda') or '?'} / {env.get('cudnn') or '?'}"))
    else:
        rows.append(("TensorFlow", _installed("tensorflow")))
    for name in ("jax", "torch"):
        if name not in env:
            rows.append(("JAX" if name == "jax" else "PyTorch", _installed(name)))
    gpus = env.get("gpus") or []
    rows.append(("GPUs seen", ", ".join(gpus) if gpus else "none: training runs on the CPU"))
    smi = _nvidia_smi()
    if smi is not None:
        rows.append(("nvidia-smi", smi))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    if not gpus:
        print()
        print(GPU_ADVICE)
        if smi and "found no GPU" not in smi and "did not answer" not in smi:
            print(
                "The driver sees a GPU but the backend does not: install the CUDA build "
                "of the backend (for TensorFlow: pip install 'tensorflow[and-cuda]')."
            )
    return 0
