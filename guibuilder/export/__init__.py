"""Exports of a project: Keras files, SavedModel, ONNX, a Python script, the diagram.

:func:`export_project` writes one format and returns a one-line report. Nothing here imports
Qt: the diagram is the window's canvas, drawn by the renderer the caller passes in (the
command line and the window pass :func:`guibuilder.ui.canvas.diagram.draw_diagram`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guibuilder.document import Project
from guibuilder.errors import GuibuilderError

#: Each format and the suffix its output takes ("" for a folder).
SUFFIXES: dict[str, str] = {
    "keras": ".keras",
    "h5": ".h5",
    "savedmodel": "",
    "onnx": ".onnx",
    "python": ".py",
    "png": ".png",
    "svg": ".svg",
}
FORMATS = tuple(SUFFIXES)

#: Draws a project's canvas to a ``.png`` or ``.svg`` file; returns its width and height.
DiagramRenderer = Callable[[Project, Path], tuple[int, int]]


@dataclass
class ExportResult:
    """What an export wrote: the files, a one-line summary, and warnings."""

    paths: list[Path]
    summary: str
    warnings: list[str] = field(default_factory=list)


def format_for(path: str | os.PathLike[str]) -> str:
    """The format a path's suffix names; a path without one is a SavedModel folder."""
    suffix = Path(path).suffix.lower()
    for fmt, known in SUFFIXES.items():
        if suffix == known:
            return fmt
    raise GuibuilderError(
        f"cannot tell the format of {Path(path)} from its suffix: give --format "
        f"({', '.join(FORMATS)})"
    )


def _check_suffix(fmt: str, out: Path) -> None:
    wanted = SUFFIXES[fmt]
    if wanted and out.suffix.lower() != wanted:
        raise GuibuilderError(f"a {fmt} export must end in {wanted}, not {out.name}")
    if not wanted and out.suffix:
        raise GuibuilderError(f"a SavedModel is a folder: name it without a suffix, not {out.name}")


def trained_model(project: Project) -> tuple[Any, list[str]]:
    """The project's model with its trained weights, and warnings about weights left out."""
    from guibuilder.compiler.build import build_model

    model = build_model(project.graph)
    warnings = []
    if project.weights is not None and len(project.weights):
        stale = project.weights.apply(model, project.graph)
        if stale:
            warnings.append(
                f"the saved weights no longer fit {', '.join(stale)}: those start fresh"
            )
    return model, warnings


def _weights_note(project: Project) -> str:
    has = project.weights is not None and len(project.weights)
    return "with the project's weights" if has else "untrained: the project has no weights"


def save_keras(model: Any, out: Path) -> None:
    """Save a Keras model atomically: to a temporary name beside ``out``, then rename."""
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    try:
        model.save(tmp)
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _dataset(project: Project) -> Any:
    from guibuilder.data import load_dataset

    base = project.path.parent if project.path is not None else None
    return load_dataset(project.dataset, base_dir=base)


def _single_array(value: Any, what: str) -> Any:
    import numpy as np

    if not isinstance(value, np.ndarray):
        raise GuibuilderError(
            f"the Python export saves datasets of one array per split; {what} is not one"
        )
    return value


def _export_python(project: Project, out: Path) -> ExportResult:
    import numpy as np

    from guibuilder.document.io import atomic_write
    from guibuilder.export.codegen import python_script
    from guibuilder.training.config import TrainConfig

    config = TrainConfig.from_dict(project.training)
    dataset = _dataset(project) if project.dataset else None
    data_file = f"{out.stem}_data.npz" if dataset is not None else None
    text = python_script(
        project.graph,
        title=project.title,
        config=config,
        dataset=dataset,
        data_file=data_file,
    )
    paths = [out]
    if dataset is not None and data_file is not None:
        arrays = {
            "x_train": _single_array(dataset.x_train, "x_train"),
            "y_train": _single_array(dataset.y_train, "y_train"),
        }
        if dataset.has_validation:
            arrays["x_val"] = _single_array(dataset.x_val, "x_val")
            arrays["y_val"] = _single_array(dataset.y_val, "y_val")
        data_path = out.with_name(data_file)
        tmp = data_path.with_name(f".{data_path.stem}.tmp.npz")
        try:
            np.savez_compressed(tmp, **arrays)
            os.replace(tmp, data_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        paths.append(data_path)
    atomic_write(out, text.encode("utf-8"))
    what = f", data in {data_file}" if data_file else ""
    return ExportResult(paths, f"Wrote {out} (a plain Keras script{what}).")


def _export_diagram(project: Project, out: Path, draw: DiagramRenderer | None) -> ExportResult:
    if draw is None:
        raise GuibuilderError(f"{out.name} is a diagram, and this export has no diagram renderer")
    width, height = draw(project, out)
    return ExportResult([out], f"Drew {out} ({width}x{height}).")


def export_project(
    project: Project,
    fmt: str,
    out: str | os.PathLike[str],
    *,
    draw_diagram: DiagramRenderer | None = None,
) -> ExportResult:
    """Export ``project`` as ``fmt`` (one of :data:`FORMATS`) to ``out``.

    ``draw_diagram`` draws the ``png`` and ``svg`` formats.

    Raises
    ------
    GuibuilderError
        An unknown format, a path that does not fit it, a graph that does not build, or a
        missing optional package; the message says which.
    """
    if fmt not in SUFFIXES:
        raise GuibuilderError(
            f"there is no export format {fmt!r}: pick one of {', '.join(FORMATS)}"
        )
    out = Path(out)
    _check_suffix(fmt, out)
    if not out.parent.is_dir():
        raise GuibuilderError(f"the folder {out.parent} does not exist")
    if fmt == "python":
        return _export_python(project, out)
    if fmt in ("png", "svg"):
        return _export_diagram(project, out, draw_diagram)
    if fmt == "onnx":
        from guibuilder.export.tensorflow import require_onnx

        require_onnx()
    model, warnings = trained_model(project)
    note = _weights_note(project)
    if fmt in ("keras", "h5"):
        save_keras(model, out)
    elif fmt == "savedmodel":
        from guibuilder.export.tensorflow import export_savedmodel

        export_savedmodel(model, out)
    else:
        from guibuilder.export.tensorflow import export_onnx

        export_onnx(model, out)
    summary = f"Saved {out} ({fmt}, {model.count_params():,} params, {note})."
    return ExportResult([out], summary, warnings)
