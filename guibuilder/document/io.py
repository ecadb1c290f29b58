"""Reading and writing ``.gbproj`` files: JSON text, saved atomically.

The text is deterministic (fixed key order, indent 2, newline at the end), so
save -> load -> save gives the same bytes. The project's weights go to
``<stem>.weights.h5`` beside the project file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from guibuilder.document.files import (
    atomic_write,
    check_writable_folder,
    mode_of,
    remove_stale_temporaries,
    replace_files,
)
from guibuilder.document.project import Project, not_unicode, parse_project, project_to_dict
from guibuilder.errors import FileFormatError, GuibuilderError, shown
from guibuilder.limits import MB, regular_file

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


def dumps(
    project: Project, weights_file: str | None = None, weights_sha256: str | None = None
) -> str:
    """The text of the project file: indent 2, short lists and objects on one line."""
    data = project_to_dict(project, weights_file, weights_sha256)
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
    and ``project.warnings`` says why. Temporary files that a killed save of this project
    left behind are removed.
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
    project.file_sha256 = _sha256(raw)
    remove_stale_temporaries(path, weights_path(path))
    if weights_file:
        _load_weights(project, path, weights_file)
    return project


def _load_weights(project: Project, path: Path, weights_file: str) -> None:
    """Read the project's own weights file; what goes wrong becomes a warning.

    Only the project's own weights file is read (:func:`weights_path`: beside it, named
    after it): any other name in the file, a path elsewhere above all, is not opened.
    """
    from guibuilder.document.weights import WeightStore

    store = weights_path(path)
    if weights_file != store.name:
        project.warnings.append(
            f"the weights file named in {path.name}, {shown(weights_file)}, is not its own "
            f"weights file {store.name}, so it is not read and the model starts from "
            "fresh weights"
        )
        return
    if store.exists() and not store.is_file():
        project.warnings.append(
            f"the weights file {store.name} next to {path.name} is not a regular file, "
            "so it is not read and the model starts from fresh weights"
        )
        return
    if not store.exists():
        project.warnings.append(
            f"the weights file {weights_file} next to {path.name} is missing, "
            "so the model starts from fresh weights"
        )
        return
    try:
        data = store.read_bytes()
        project.weights = WeightStore.from_bytes(data, str(store))
    except (FileFormatError, OSError) as exc:
        # The graph and settings are intact: open them untrained rather than
        # putting the whole project out of reach, and say what saving will do.
        message = exc.message if isinstance(exc, FileFormatError) else _os_reason(exc)
        said = message.replace(str(store), f"{weights_file} next to {path.name}")
        head, detail = said, ""
        if said.endswith(")") and " (" in said:  # the reason last: a window may cut it
            head, _, rest = said.partition(" (")
            detail = f" ({rest}"
        project.warnings.append(
            f"{head}, so the model starts from fresh weights and saving trained "
            f"weights will replace {weights_file}{detail}"
        )
        return
    recorded = project.weights_sha256
    if recorded is not None and _sha256(data) != recorded:
        # Saving writes the weights first, then the project: a save cut off between
        # the two leaves the newer weights beside the older project file. Those weights
        # are the newest work, so they are kept; a weight that no longer fits its layer
        # starts fresh when the model is built.
        project.warnings.append(
            f"the weights file {weights_file} is not the one {path.name} was saved with "
            "(a save was interrupted, or the file was replaced), so its weights are used "
            "as they are: save the project to pair them again"
        )


def _os_reason(exc: OSError) -> str:
    return f"the weights file {exc.filename} cannot be read ({exc.strerror or exc})"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SaveConflictError(GuibuilderError):
    """The project file changed on disk since it was opened or last saved."""


def check_unchanged(project: Project, path: str | os.PathLike[str]) -> None:
    """Raise :class:`SaveConflictError` when saving ``project`` to ``path`` would
    overwrite a file another program saved since this one opened or saved it."""
    path = Path(path)
    if project.file_sha256 is None or project.path is None or not _same_file(project.path, path):
        return
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return  # deleted since: nothing to lose
    except OSError:
        return  # the save says what is wrong with the file
    if _sha256(raw) != project.file_sha256:
        raise SaveConflictError(
            f"{path.name} was changed on disk by another program since it was opened here, "
            "so saving would lose those changes: open it again to see them"
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def check_can_save(path: str | os.PathLike[str]) -> None:
    """Raise :class:`GuibuilderError` when the project cannot be saved at ``path``.

    A quick test before long work (training) whose end is a save: the folder must take
    new files, and neither the project nor its weights file may be a folder.
    """
    path = Path(path)
    for target in (path, weights_path(path)):
        if target.is_dir():
            raise GuibuilderError(f"cannot save {path.name}: {target} is a folder")
    check_writable_folder(path.parent, f"cannot save {path.name}")


def save_project(
    project: Project, path: str | os.PathLike[str] | None = None, *, force: bool = False
) -> None:
    """Save ``project`` to ``path`` (default: where it was loaded from), atomically.

    Weights, when the project has any, go to ``<stem>.weights.h5`` beside it, and the
    project records their SHA-256. Both files are written to temporary files first,
    then the weights and the project are renamed into place: a save cut off at any point
    leaves the old pair, or new weights that the project's hash shows to be newer.
    Refuses (:class:`SaveConflictError`) to overwrite a file another program saved since
    this project was opened, unless ``force``.
    """
    if path is None and project.path is None:
        raise GuibuilderError("the project has no file name yet: choose where to save it")
    path = Path(path if path is not None else project.path)
    if not force:
        check_unchanged(project, path)
    remove_stale_temporaries(path, weights_path(path))
    files = []
    weights_file = digest = None
    if project.weights is not None and len(project.weights):
        data = project.weights.to_bytes()
        digest = _sha256(data)
        weights_file = weights_path(path).name
        files.append((weights_path(path), data))
    text = dumps(project, weights_file, digest).encode("utf-8")
    files.append((path, text))
    replace_files(files, mode_of(path))  # the weights follow the project's permissions
    project.path = path
    project.file_sha256 = _sha256(text)
    project.weights_sha256 = digest


__all__ = [
    "SUFFIX",
    "WEIGHTS_SUFFIX",
    "SaveConflictError",
    "atomic_write",
    "check_can_save",
    "check_unchanged",
    "check_writable_folder",
    "dumps",
    "load_project",
    "loads",
    "save_project",
    "weights_path",
]
