"""Which device Keras computes on, in words, for the status bar.

The one place in the UI that asks a backend library directly; it runs in the Keras
loading thread, after Keras has been imported.
"""

from __future__ import annotations

import importlib


def describe_device(backend: str) -> str:
    """``"CPU"`` or the name of the first GPU of ``backend`` (with a count when several)."""
    try:
        names = _gpu_names(backend)
    except Exception:  # a backend without GPU support or a broken driver: report the CPU
        names = []
    if not names:
        return "CPU"
    return names[0] if len(names) == 1 else f"{len(names)} x {names[0]}"


def _gpu_names(backend: str) -> list[str]:
    if backend == "tensorflow":
        tf = importlib.import_module("tensorflow")
        gpus = tf.config.list_physical_devices("GPU")
        details = [tf.config.experimental.get_device_details(gpu) for gpu in gpus]
        return [d.get("device_name", "GPU") for d in details]
    if backend == "jax":
        jax = importlib.import_module("jax")
        return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        torch = importlib.import_module("torch")
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        return [torch.cuda.get_device_name(i) for i in range(count)]
    return []
