"""Memory across training runs: a finished run gives back what it used.

Three things kept a run's memory after it ended (found by running the same short training
again and again, ``benchmarks/soak.py``):

- A Keras model, its optimizer and its traced functions refer to each other in cycles, so
  they are freed by a full garbage collection only, not when the last reference goes.
- TensorFlow registers a gradient function for every traced training step and never drops
  it; each holds the whole traced graph (:func:`~guibuilder.training.backend.forget_gradients`).
- glibc keeps freed heap pages for the process; ``malloc_trim`` gives them back.

:func:`run_memory` wraps one run and releases all three when the last run in progress
ends (or leaves the collection to :func:`release` in the caller's thread). A full
collection holds the GIL while it scans every tracked object: in a process with Keras and
a window loaded that is some 450 000 objects and half a second or more, a stall of the
window. :func:`settle` is for an application that has finished starting: it leaves what
exists then (modules, Keras, TensorFlow, the window, all alive as long as the process) out
of every later collection, so later ones scan only what was made since.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from functools import cache

from guibuilder.training import backend

_lock = threading.Lock()
_running = 0
_known_gradients: frozenset[str] = frozenset()
_settled = False
_settle_after_runs = False


@contextlib.contextmanager
def run_memory(*, collect: bool = True) -> Iterator[None]:
    """Wrap one training run; when the last run in progress ends, free what runs left.

    Enter it in the training thread before Keras builds anything, and leave it once the
    run's model, data and callbacks are no longer referenced. ``collect=False`` leaves the
    collection to a :func:`release` in the caller's thread: a GUI's, since a collection in
    a worker thread could finalise the GUI's own Qt objects there.
    """
    global _running, _known_gradients
    with _lock:
        if _running == 0:
            _known_gradients = backend.gradient_names()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            last = _running == 0
            if last:
                backend.forget_gradients(_known_gradients)
        if last and collect:
            release()


def release() -> None:
    """Collect what finished runs left, settle if that was asked for during them, trim."""
    with _lock:
        gc.collect()
        if _settle_after_runs and not _running:
            _freeze()
    trim()


def settle() -> None:
    """Leave the objects alive now out of all later garbage collections (once a process).

    Call it when an application has started and loaded Keras, in the thread that owns the
    application's objects (a GUI's main thread). Garbage is collected first, so only live
    objects are set aside; they are still freed when their last reference goes, but a
    cycle among them is no longer looked for. While a run is in progress its model must
    not be set aside: then this happens at the :func:`release` after the last run.
    """
    global _settle_after_runs
    with _lock:
        if _settled:
            return
        if _running:
            _settle_after_runs = True
            return
        gc.collect()
        _freeze()


def _freeze() -> None:
    global _settled, _settle_after_runs
    gc.freeze()
    _settled, _settle_after_runs = True, False


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the process runs on
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def trim() -> None:
    """Give the heap memory freed so far back to the system (glibc; elsewhere nothing)."""
    function = _malloc_trim()
    if function is not None:
        function(0)
