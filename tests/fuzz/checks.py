"""What every hostile input must give: one short sentence, or something that works."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from guibuilder.errors import GuibuilderError

#: The longest message, not counting the file paths it names.
MAX_MESSAGE = 300


def assert_one_sentence(exc: BaseException, *paths: str | os.PathLike[str]) -> None:
    """``exc`` is the project's own error, on one line and short (the paths under
    ``paths`` aside)."""
    assert isinstance(exc, GuibuilderError), f"{type(exc).__name__} escaped: {exc!r}"[:2000]
    message = str(exc)
    assert message, f"{type(exc).__name__} has no message"
    assert len(message.splitlines()) == 1, f"message on several lines: {message!r}"[:2000]
    short = message
    for path in paths:  # a file's path (and the rest of a path below it) is not the message's
        short = re.sub(re.escape(str(path)) + r"[^\s'\"]*", "", short)
    assert len(short) < MAX_MESSAGE, f"message of {len(short)} characters: {message!r}"[:2000]


def refused(call: Any, *paths: str | os.PathLike[str]) -> GuibuilderError | None:
    """Run ``call()``; None when it works, its error (checked) when it refuses."""
    try:
        call()
    except BaseException as exc:  # the point: see any exception
        if isinstance(exc, KeyboardInterrupt):
            raise
        assert_one_sentence(exc, *paths)
        return exc
    return None


@contextlib.contextmanager
def nothing_runs(marker: Path) -> Iterator[None]:
    """Fail if ``marker`` appears during the block: a value from a file ran as code."""
    marker.unlink(missing_ok=True)
    try:
        yield
    finally:
        ran = marker.exists()
        marker.unlink(missing_ok=True)
        assert not ran, "a value from the file ran as code"


def check_project(project: Any, folder: Path) -> None:
    """An accepted project saves and reloads; its training settings, dataset, model and
    Python export work, or each refuses in one sentence."""
    from guibuilder.compiler.build import build_model
    from guibuilder.compiler.shapes import infer_shapes
    from guibuilder.data import lint, load_dataset
    from guibuilder.document import dumps, load_project, save_project
    from guibuilder.export.codegen import python_script

    copy = folder / "saved.gbproj"
    save_project(project, copy)
    assert dumps(load_project(copy)) == dumps(project)
    settings: list[Any] = []
    refused(lambda: settings.append(project.train_config().to_dict()))
    graph = project.graph
    shapes: list[dict] = []
    if refused(lambda: shapes.append(infer_shapes(graph))) is None:
        for info in shapes[0].values():
            if info.error:
                assert_one_sentence(GuibuilderError(info.error))
    if isinstance(project.dataset, dict) and not {"path", "labels"} & set(project.dataset):
        # Paths are left to the benchmark: a device or a FIFO would hang this process.
        data: list[Any] = []
        loaded = refused(lambda: data.append(load_dataset(project.dataset, base_dir=folder)))
        if loaded is None and settings:
            refused(lambda: lint(graph, shapes[0] if shapes else None, data[0], settings[0]))
    built: list[Any] = []
    refused(lambda: built.append(build_model(graph)))
    code: list[str] = []
    if refused(lambda: code.append(python_script(graph, title=project.title))) is None:
        _run_export(code[0], built[0] if built else None)


def _run_export(code: str, model: Any) -> None:
    """Run the exported script's ``build_model()``: the same model as ``model``, or, where
    the project's model does not build, an error (and in neither case a marker)."""
    namespace: dict[str, Any] = {"__name__": "exported"}
    try:
        exec(compile(code, "exported.py", "exec"), namespace)
        rebuilt = namespace["build_model"]()
    except Exception:
        if model is not None:
            raise
        return
    assert model is not None, "the export builds a model that the project does not"
    assert rebuilt.count_params() == model.count_params()


def check_each(cases: Iterable[tuple[str, Callable[[], None]]]) -> None:
    """Run every case's check, then fail once, listing every case that failed."""
    failures = []
    for name, check in cases:
        try:
            check()
        except Exception as exc:
            first = (str(exc).splitlines() or [""])[0]
            failures.append(f"{name}: {type(exc).__name__}: {first}"[:300])
    assert not failures, f"{len(failures)} cases failed:\n" + "\n".join(failures)
