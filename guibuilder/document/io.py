"""Reading and writing ``.gbproj`` files: JSON text, saved atomically.

The text is deterministic (fixed key order, indent 2, newline at the end), so
save -> load -> save gives the same bytes. The project's weights go to
``<stem>.weights.h5`` beside the project file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from guibuilder.document.project import Project, not_unicode, parse_project, project_to_dict
from guibuilder.errors import FileFormatError, GuibuilderError, shown
from guibuilder.filecheck import MB, regular_file

SUFFIX = ".gbproj"
WEIGHTS_SUFFIX = ".weights.h5"
#: No project file is bigger than this (the weights are in their own file).
MAX_PROJECT_BYTES = 256 * MB


def weights_path(path: str | os.PathLike[str]) -> Path:
    """Where the weights of the project saved at ``path`` go: ``<stem>.weights.h5``."""
    path = Path(path)
    return path.with_name(path.stem + WEIGHTS_SUFFIX)


#: A list or object of plain values shorter than this is written on one line.
LINE_LENGTH = 100


def _encode(value: Any, indent: int) -> str:
    if isinstance(value, dict):
        items = [(json.dumps(str(k), ensure_ascii=False), v) for k, v in value.items()]
        opening, closing = "{", "}"
    elif isinstance(value, list):
        items = [(None, v) for v in value]
        opening, closing = "[", "]"
    else:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    if not items:
        return opening + closing
    if not any(isinstance(v, dict | list) for _, v in items):
        parts = [_encode(v, 0) if k is None else f"{k}: {_encode(v, 0)}" for k, v in items]
        line = opening + ", ".join(parts) + closing
        if indent + len(line) <= LINE_LENGTH:
            return line
    pad = " " * (indent + 2)
    parts = [
        pad + (_encode(v, indent + 2) if k is None else f"{k}: {_encode(v, indent + 2)}")
        for k, v in items
    ]
    return opening + "\n" + ",\n".join(parts) + "\n" + " " * indent + closing


def dumps(project: Project, weights_file: str | None = None) -> str:
    """The text of the project file: indent 2, short lists and objects on one line."""
    data = project_to_dict(project, weights_file)
    place = not_unicode(data)
    if place is not None:
        raise GuibuilderError(
            f"the project cannot be saved: the text at {place} is not valid Unicode "
            "(it holds a lone surrogate)"
        )
    try:
        return _encode(data, 0) + "\n"
    except (TypeError, ValueError) as exc:
        message = f"the project holds a value a project file cannot store ({exc})"
        raise GuibuilderError(message) from exc


def _decode(raw: bytes, name: str) -> str:
    if not raw.strip():
        raise FileFormatError(f"{name} is empty: it is not a guibuilder project")
    if b"\x00" in raw:
        raise FileFormatError(f"{name} is a binary file, not a guibuilder project (JSON text)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{name} is not UTF-8 text (byte {exc.start}), so not a guibuilder project"
        ) from None


class _NonFiniteError(ValueError):
    """NaN or Infinity in the JSON text: Python reads them, JSON does not allow them."""


def _refuse_constant(name: str) -> Any:
    raise _NonFiniteError(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: Python reads it as infinity
        raise _NonFiniteError(shown(text, 24))
    return value


def loads(text: str, source: str = "the project") -> tuple[Project, str | None]:
    """Parse the text of a project file; return the project and its weights file name."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except _NonFiniteError as exc:
        raise FileFormatError(f"{source} holds the value {exc}, which is not valid JSON") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        if exc.pos >= len(text.rstrip()):
            raise FileFormatError(
                f"{source} ends too early at {where}: the file is truncated or incomplete"
            ) from None
        raise FileFormatError(f"{source} is not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise FileFormatError(f"{source} nests its JSON too deeply to be a project") from None
    except ValueError:  # Python's limit on the digits of a whole number
        raise FileFormatError(
            f"{source} holds a whole number of more than {sys.get_int_max_str_digits()} "
            "digits, which no project needs"
        ) from None
    return parse_project(data, source)


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read a project file and the weights file beside it.

    Raises :class:`FileFormatError` with one sentence naming the file for any file that
    cannot be read: missing, empty, binary, truncated, too new, or with wrong content.
    A missing or unreadable weights file does not refuse the project: it opens untrained
    and ``project.warnings`` says why.
    """
    path = Path(path)
    name = str(path)
    regular_file(path, MAX_PROJECT_BYTES, "project file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{name} cannot be read: {exc.strerror or exc}") from None
    text = _decode(raw, name)
    if path.suffix.lower() != SUFFIX and not text.lstrip().startswith("{"):
        raise FileFormatError(
            f"{name} is not a guibuilder project: open a {SUFFIX} file "
            "(a data file is chosen as the dataset in the training settings)"
        )
    project, weights_file = loads(text, name)
    project.path = path
    if weights_file:
        _load_weights(project, path, weights_file)
    return project


def _load_weights(project: Project, path: Path, weights_file: str) -> None:
    """Read the weights file the project names, or say in ``project.warnings`` why not.

    Only the project's own weights file is read (:func:`weights_path`: beside it, named
    after it): any other name in the file, a path elsewhere above all, is not opened.
    """
    store = weights_path(path)
    if weights_file != store.name:
        project.warnings.append(
            f"the weights file named in {path.name}, {shown(weights_file)}, is not its own "
            f"weights file {store.name}, so it is not read and the model starts from "
            "fresh weights"
        )
        return
    if not store.exists():
        project.warnings.append(
            f"the weights file {store.name} next to {path.name} is missing, "
            "so the model starts from fresh weights"
        )
        return
    if not store.is_file():
        project.warnings.append(
            f"the weights file {store.name} next to {path.name} is not a regular file, "
            "so it is not read and the model starts from fresh weights"
        )
        return
    from guibuilder.compiler.weights import WeightStore

    try:
        project.weights = WeightStore.load(store)
    except FileFormatError as exc:
        # The graph and settings are intact: open them untrained rather than
        # putting the whole project out of reach, and say what saving will do.
        said = exc.message.replace(str(store), f"{store.name} next to {path.name}")
        head, detail = said, ""
        if said.endswith(")") and " (" in said:  # the reason last: a window may cut it
            head, _, rest = said.partition(" (")
            detail = f" ({rest}"
        project.warnings.append(
            f"{head}, so the model starts from fresh weights and saving trained "
            f"weights will replace {store.name}{detail}"
        )


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file.

    The bytes go to a temporary file in the same folder, are flushed to disk, and then
    replace ``path`` in one rename.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError as exc:
        raise FileFormatError(
            f"cannot save {path.name}: the folder {path.parent} does not exist"
        ) from exc
    except OSError as exc:  # name the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save_project(project: Project, path: str | os.PathLike[str] | None = None) -> None:
    """Save ``project`` to ``path`` (default: where it was loaded from), atomically.

    Weights, when the project has any, are saved first to ``<stem>.weights.h5`` beside it,
    so the project file never names a weights file that is not there.
    """
    if path is None and project.path is None:
        raise GuibuilderError("the project has no file name yet: choose where to save it")
    path = Path(path if path is not None else project.path)
    weights_file = None
    if project.weights is not None and len(project.weights):
        target = weights_path(path)
        project.weights.save(target)
        weights_file = target.name
    atomic_write(path, dumps(project, weights_file).encode("utf-8"))
    project.path = path
