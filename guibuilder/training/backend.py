"""The one module of training/ that talks to backend libraries directly.

Everything else uses the ``keras`` API. Here: which GPUs the backend sees, the CUDA and
cuDNN versions TensorFlow was built with, ``tf.distribute`` strategies, and the gradient
registrations TensorFlow keeps after a run (:func:`forget_gradients`).

Training on several machines: set ``TF_CONFIG`` on each worker (the cluster and this
worker's task, as TensorFlow documents for ``MultiWorkerMirroredStrategy``) and run
``guibuilder train PROJECT --strategy mirrored`` on every one of them. With ``TF_CONFIG``
set, ``mirrored`` means ``MultiWorkerMirroredStrategy``; without it, ``MirroredStrategy``
over the GPUs of this machine. Only the chief worker's run folder is the real one; the
others add ``-<task><index>`` to their folder's name.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import sys
from collections.abc import Iterator
from typing import Any

from guibuilder.compiler.layers import load_keras
from guibuilder.errors import GuibuilderError


def backend_name() -> str:
    """The Keras backend in use: tensorflow, jax or torch."""
    return load_keras().backend.backend()


def gpu_names(backend: str | None = None) -> list[str]:
    """Names of the GPUs the backend can compute on (empty when none, or on failure)."""
    backend = backend or backend_name()
    try:
        if backend == "tensorflow":
            tf = importlib.import_module("tensorflow")
            gpus = tf.config.list_physical_devices("GPU")
            details = [tf.config.experimental.get_device_details(g) for g in gpus]
            return [d.get("device_name", "GPU") for d in details]
        if backend == "jax":
            jax = importlib.import_module("jax")
            return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
        if backend == "torch":
            torch = importlib.import_module("torch")
            count = torch.cuda.device_count() if torch.cuda.is_available() else 0
            return [torch.cuda.get_device_name(i) for i in range(count)]
    except Exception:  # a broken driver reads as no GPU; doctor says what to install
        return []
    return []


def resolve_device(device: str, gpus: list[str]) -> str | None:
    """The Keras device name for a config's ``device`` (``None``: let the backend choose)."""
    if device == "auto":
        return None
    if device == "cpu":
        return "cpu:0"
    kind, _, index = device.partition(":")
    number = int(index or 0)
    if not gpus:
        raise GuibuilderError(
            f"the device is set to {device} but {backend_name()} sees no GPU: "
            "choose auto or cpu, or see 'guibuilder doctor'"
        )
    if number >= len(gpus):
        raise GuibuilderError(
            f"the device is set to {device} but there {'is' if len(gpus) == 1 else 'are'} "
            f"only {len(gpus)} GPU{'s' if len(gpus) > 1 else ''}"
        )
    return f"{kind}:{number}"


def device_label(device: str | None, gpus: list[str], replicas: int = 1) -> str:
    """The device in words: ``CPU``, a GPU's name, or ``N replicas``."""
    if replicas > 1:
        return f"{replicas} replicas ({gpus[0] if gpus else 'CPU'})"
    if device is None:
        return gpus[0] if gpus else "CPU"
    if device.startswith("cpu"):
        return "CPU"
    return gpus[int(device.partition(":")[2] or 0)]


def warm_up() -> None:
    """Run one tiny operation, so the backend sets up its devices and thread pools now.

    Otherwise the first model built does it; TensorFlow holds the GIL for about 0.1 s
    while it does, long enough to stall a window.
    """
    keras = load_keras()
    keras.ops.convert_to_numpy(keras.ops.zeros((1,)))


def device_scope(device: str | None) -> Any:
    """``keras.device(device)``, or nothing for the backend's own choice."""
    if device is None:
        return contextlib.nullcontext()
    return load_keras().device(device)


def _tf_config() -> dict[str, Any]:
    try:
        data = json.loads(os.environ.get("TF_CONFIG") or "{}")
    except ValueError as exc:
        raise GuibuilderError(f"the TF_CONFIG environment variable is not JSON: {exc}") from exc
    return data if isinstance(data, dict) else {}


def worker_suffix() -> str:
    """``""`` on the chief (or alone), else ``-<task type><index>`` from ``TF_CONFIG``."""
    task = _tf_config().get("task") or {}
    kind, index = task.get("type"), task.get("index", 0)
    if not kind or kind == "chief" or (kind == "worker" and index == 0 and not _has_chief()):
        return ""
    return f"-{kind}{index}"


def _has_chief() -> bool:
    return bool((_tf_config().get("cluster") or {}).get("chief"))


@contextlib.contextmanager
def strategy_scope(name: str) -> Iterator[int]:
    """Build and compile inside this; yields the number of replicas that train together."""
    if name == "default":
        yield 1
        return
    backend = backend_name()
    if backend != "tensorflow":
        raise GuibuilderError(
            f"the mirrored strategy needs KERAS_BACKEND=tensorflow, not {backend}"
        )
    tf = importlib.import_module("tensorflow")
    if _tf_config():
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    else:
        strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        yield strategy.num_replicas_in_sync


def _tensorflow_build() -> dict[str, Any]:
    try:
        tf = importlib.import_module("tensorflow")
    except ImportError:
        return {}
    info = dict(tf.sysconfig.get_build_info())
    return {
        "tensorflow": tf.__version__,
        "cuda_build": bool(info.get("is_cuda_build")),
        "cuda": info.get("cuda_version"),
        "cudnn": info.get("cudnn_version"),
    }


def environment() -> dict[str, Any]:
    """What a run report and ``guibuilder doctor`` show about this machine."""
    keras = load_keras()
    backend = keras.backend.backend()
    env: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        "keras": keras.__version__,
        "backend": backend,
    }
    if backend in ("jax", "torch"):
        module = importlib.import_module(backend)
        env[backend] = module.__version__
    env.update(_tensorflow_build())
    env["gpus"] = gpu_names(backend)
    return env


#: The name TensorFlow gives each ``custom_gradient`` it registers, followed by a number.
CUSTOM_GRADIENT = "CustomGradient-"


def _gradient_registry() -> dict[str, Any] | None:
    """TensorFlow's table of gradient functions, when TensorFlow is the backend in use."""
    if "tensorflow" not in sys.modules:
        return None
    try:
        if backend_name() != "tensorflow":
            return None
        ops = importlib.import_module("tensorflow.python.framework.ops")
    except (GuibuilderError, ImportError):  # no Keras: the run itself says so
        return None
    table = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return table if isinstance(table, dict) else None


def gradient_names() -> frozenset[str]:
    """The custom gradients TensorFlow has registered so far (empty on other backends)."""
    table = _gradient_registry()
    return frozenset(k for k in table if k.startswith(CUSTOM_GRADIENT)) if table else frozenset()


def forget_gradients(keep: frozenset[str]) -> int:
    """Drop the custom gradients registered since :func:`gradient_names` gave ``keep``.

    Tracing a training step registers one (the optimizer's all-reduce is a
    ``custom_gradient``) and TensorFlow never removes it; each holds the whole traced
    graph, about 1.5 MB for a small CNN, so every run would leave that much behind. Call
    this only when no training step is being traced. Returns how many were dropped.
    """
    table = _gradient_registry()
    if not table:
        return 0
    stale = [k for k in table if k.startswith(CUSTOM_GRADIENT) and k not in keep]
    for key in stale:
        del table[key]
    return len(stale)
