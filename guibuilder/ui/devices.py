"""Which device Keras computes on, in words, for the status bar.

It runs in the Keras loading thread, after Keras has been imported; the backend is asked
through the training code's one backend module.
"""

from __future__ import annotations

from guibuilder.training.backend import gpu_names


def describe_device(backend: str) -> str:
    """``"CPU"`` or the name of the first GPU of ``backend`` (with a count when several)."""
    names = gpu_names(backend)
    if not names:
        return "CPU"
    return names[0] if len(names) == 1 else f"{len(names)} x {names[0]}"
