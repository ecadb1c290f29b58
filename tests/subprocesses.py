"""Python in a fresh process, as a user's shell runs it, with this checkout importable."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(
    *args: str,
    timeout: float = 300,
    preexec_fn: Callable[[], None] | None = None,
    cwd: Path = ROOT,
    **env: str,
) -> subprocess.CompletedProcess:
    """``python ARGS`` in ``cwd`` (the repository root), with the checkout on the path and
    ``env`` set.

    ``preexec_fn`` runs in the child before Python starts (to set a resource limit, say).
    """
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths)), **env}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
        check=False,
        preexec_fn=preexec_fn,
    )
