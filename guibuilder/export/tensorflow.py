"""The exports that need TensorFlow itself: a SavedModel for serving, and ONNX through it.

Both go through Keras' ``model.export``; this is the one module of the export package that
relies on the TensorFlow backend and on TensorFlow's converters.
"""

from __future__ import annotations

import importlib.util
import shutil
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
    """Write ``model`` as a TensorFlow SavedModel folder at ``path`` (replaced if present)."""
    _need_tensorflow("a SavedModel")
    if path.exists() and not path.is_dir():
        raise GuibuilderError(f"{path} is a file; a SavedModel is a folder: choose another name")
    tmp = path.with_name(f".{path.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.export(str(tmp), format="tf_saved_model", verbose=False)
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
