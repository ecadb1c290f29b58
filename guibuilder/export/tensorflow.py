"""The exports that need TensorFlow itself: a SavedModel for serving, and ONNX through it.

Both go through Keras' ``model.export``; this is the one module of the export package that
relies on the TensorFlow backend and on TensorFlow's converters.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from guibuilder.errors import GuibuilderError

#: Python packages an ONNX export needs (the ``onnx`` extra).
ONNX_PACKAGES = ("onnx", "tf2onnx")


def _need_tensorflow(what: str) -> None:
    from guibuilder.compiler.layers import load_keras

    backend = load_keras().backend.backend()
    if backend != "tensorflow":
        raise GuibuilderError(
            f"{what} export needs the TensorFlow backend, but Keras runs on {backend}: "
            "unset KERAS_BACKEND"
        )


def export_savedmodel(model: Any, path: Path) -> None:
    """Write ``model`` as a TensorFlow SavedModel folder at ``path`` (replaced if present).

    The folder is written under a temporary name beside ``path`` and renamed into place
    only when complete: a failed export (a full disk, a read-only folder) leaves no half
    folder and the old SavedModel as it was, and says why in one sentence.
    """
    _need_tensorflow("a SavedModel")
    if path.exists() and not path.is_dir():
        raise GuibuilderError(f"{path} is a file; a SavedModel is a folder: choose another name")
    if path.is_dir() and any(path.iterdir()) and not (path / "saved_model.pb").is_file():
        raise GuibuilderError(
            f"{path} is a folder of other files, not a SavedModel: choose another name"
        )
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise GuibuilderError(f"cannot write the SavedModel {path}: {_reason(exc)}") from None
    old = None
    try:
        try:
            model.export(str(tmp), format="tf_saved_model", verbose=False)
        except Exception as exc:  # TensorFlow's own errors are not OSErrors
            raise GuibuilderError(
                f"the SavedModel {path} could not be written ({_reason(exc)})"
            ) from exc
        if path.exists():  # moved aside, not deleted, until the new folder is in place
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
            os.replace(path, old)
        os.replace(tmp, path)
    except OSError as exc:
        if old is not None and not path.exists():
            with contextlib.suppress(OSError):
                os.replace(old, path)
        raise GuibuilderError(f"cannot write the SavedModel {path}: {_reason(exc)}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and path.exists():
            shutil.rmtree(old, ignore_errors=True)


def _reason(exc: BaseException) -> str:
    """The first line of what ``exc`` says, short enough for a one-line message."""
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror.lower()
    else:
        text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    lines = str(text).strip().splitlines() or [type(exc).__name__]
    line = " ".join(lines[0].split())
    return line if len(line) <= 200 else line[:199] + "…"


def missing_onnx_packages() -> list[str]:
    """The packages of the ``onnx`` extra that are not installed."""
    return [name for name in ONNX_PACKAGES if importlib.util.find_spec(name) is None]


def _call_once(model: Any) -> None:
    """Run ``model`` on one batch of zeros: Keras traces the ONNX graph of a called model."""
    import numpy as np

    arrays = [
        np.zeros([1, *(1 if d is None else d for d in t.shape[1:])], dtype=str(t.dtype))
        for t in model.inputs
    ]
    model(arrays[0] if len(arrays) == 1 else arrays, training=False)


def require_onnx() -> None:
    """Raise a one-line error naming the packages of the ``onnx`` extra that are missing."""
    missing = missing_onnx_packages()
    if missing:
        raise GuibuilderError(
            f"ONNX export needs {' and '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            "pip install 'guibuilder[onnx]'"
        )


@cache
def _convert_erfc() -> None:
    """Teach tf2onnx TensorFlow's ``Erfc``, which exact GELU uses: ``erfc(x) = 1 - erf(x)``."""
    import numpy as np
    from tf2onnx import utils
    from tf2onnx.handler import tf_op

    @tf_op("Erfc")
    class Erfc:
        @classmethod
        def version_9(cls, ctx: Any, node: Any, **kwargs: Any) -> None:
            dtype = utils.map_onnx_to_numpy_type(ctx.get_dtype(node.input[0]))
            one = ctx.make_const(utils.make_name(f"{node.name}_one"), np.array(1, dtype=dtype))
            erf = ctx.make_node("Erf", [node.input[0]], op_name_scope=node.name, name="erf")
            node.type = "Sub"
            ctx.replace_inputs(node, [one.output[0], erf.output[0]])


def export_onnx(model: Any, path: Path) -> None:
    """Write ``model`` as an ONNX file at ``path``."""
    require_onnx()
    _need_tensorflow("ONNX")
    _convert_erfc()
    _call_once(model)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        model.export(str(tmp), format="onnx", verbose=False)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
