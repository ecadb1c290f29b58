"""What the command line's subcommands share: warnings, loading a project, quiet Keras.

The subcommands live beside the code they run (``guibuilder/training/cli.py``, ...) and
import these helpers from here; only the entry points import :mod:`guibuilder.cli`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any


def warn(message: str) -> None:
    """Print ``guibuilder: warning: <message>`` to stderr."""
    print(f"guibuilder: warning: {message}", file=sys.stderr)


def load_project_warned(path: str) -> Any:
    """The project at ``path``, each of its load warnings printed with :func:`warn`."""
    from guibuilder.document import load_project

    project = load_project(path)
    for warning in project.warnings:
        warn(warning)
    return project


@contextlib.contextmanager
def _stderr_fd_muted() -> Iterator[None]:
    """Send whatever is written to file descriptor 2 to /dev/null for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_keras(args: argparse.Namespace) -> contextlib.AbstractContextManager[None]:
    """Hide native writes to stderr while Keras loads and works, unless ``--debug``.

    TensorFlow logs to stderr as it starts, before any setting can silence it; without
    that, a user error stays one line. Exceptions still reach the user.
    """
    return contextlib.nullcontext() if getattr(args, "debug", False) else _stderr_fd_muted()
