"""Kill a save of a project part way, and check what the next open finds.

Run in a fresh process by the fault-injection tests (``tests/security/test_kill_during_save.py``)
and by ``benchmarks/kill_during_save.py``::

    python -m tests.security.save_faults run STEP -- ARGS...
        run ``guibuilder ARGS`` (e.g. ``train P --save``) and SIGKILL it just before STEP
        of its save, e.g. ``replace#2`` (the second rename) or ``3`` (the fourth step)
    python -m tests.security.save_faults scenarios FOLDER SEED DELAYS
        save the project in FOLDER over and over in forked children killed at every step
        of the save, in the middle of each write, and after DELAYS seeded random delays;
        after each, open the project as a user would and print one JSON line of what it found

A save's steps are the calls of :data:`STEPS` that ``save_project`` makes, in order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from guibuilder import document
from guibuilder.document import io

#: The calls of a save that change files, counted as its steps.
STEPS = ("write", "fsync", "chmod", "replace")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_save_at(step: str, fraction: float | None = None) -> None:
    """Make the next ``save_project`` die (SIGKILL) just before ``step``.

    ``step`` is a number (the index of the step in the save) or ``NAME#K`` (the K-th call
    of ``os.NAME``). With ``fraction``, a ``write`` step first writes that part of its bytes.
    """
    name, _, nth = step.partition("#")
    index = int(step) if step.isdigit() else None
    original_save = io.save_project

    def hooked_save(*args: Any, **kwargs: Any) -> Any:
        counts = {n: 0 for n in STEPS}
        total = [0]
        originals = {n: getattr(os, n) for n in STEPS}

        def hook(n: str) -> Callable[..., Any]:
            def call(*a: Any, **k: Any) -> Any:
                counts[n] += 1
                here = total[0]
                total[0] += 1
                if here == index or (n == name and counts[n] == int(nth or 0)):
                    if n == "write" and fraction is not None:
                        data = bytes(a[1])
                        originals[n](a[0], data[: int(len(data) * fraction)])
                    _die()
                return originals[n](*a, **k)

            return call

        for n in STEPS:
            setattr(os, n, hook(n))
        try:
            return original_save(*args, **kwargs)
        finally:
            for n, function in originals.items():
                setattr(os, n, function)

    io.save_project = hooked_save
    document.save_project = hooked_save


# ------------------------------------------------------------------- scenarios
def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _child_save(path: Path, version: int, kill: tuple[str, float | None] | None) -> None:
    """In a forked child: save version ``version`` of the project (title and weights)."""
    try:
        if kill is not None:
            kill_save_at(*kill)
        project = io.load_project(path)
        project.title = f"v{version}"
        for node_id in project.weights.node_ids():
            project.weights.set(
                node_id, [np.full_like(a, version) for a in project.weights.get(node_id)]
            )
        io.save_project(project)
    except BaseException as exc:  # reported; the child must not go on as the parent
        print(f"child failed: {exc!r}", file=sys.stderr)
        os._exit(1)
    os._exit(0)


def _run(path: Path, version: int, kill: Any = None, delay: float | None = None) -> str:
    """Fork a child that saves; kill it at a step or after ``delay`` s. How it ended."""
    pid = os.fork()
    if pid == 0:
        _child_save(path, version, kill)
    if delay is not None:
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "killed"
    return "finished" if os.WEXITSTATUS(status) == 0 else "failed"


def _open(path: Path) -> dict[str, Any]:
    """Open the project as a user would, and say what it holds."""
    project = io.load_project(path)
    weights = {float(a.flat[0]) for n in project.weights.node_ids() for a in project.weights.get(n)}
    return {
        "title": project.title,
        "weights": sorted(weights),
        "warnings": project.warnings,
        "recorded": project.weights_sha256,
        "on_disk": _sha256(io.weights_path(path)),
        "temporaries": _temporaries(path.parent),
    }


def scenarios(folder: Path, seed: int, delays: int) -> list[tuple[str, Any, float | None]]:
    """Every step of a save, the middle of each write, then ``delays`` seeded delays."""
    path = next(folder.glob("*.gbproj"))
    saved = folder / "saved"
    saved.mkdir(exist_ok=True)
    for file in (path, io.weights_path(path)):
        shutil.copy2(file, saved / file.name)
    steps = len(STEPS) * 2 + 1  # more than a save has: the last ones let it finish
    runs: list[tuple[str, Any, float | None]] = [
        (f"step {i}", (str(i), None), None) for i in range(steps + 2)
    ]
    runs += [(f"half of write {k}", (f"write#{k}", 0.5), None) for k in (1, 2)]
    for _ in range(2):  # the second, warm, save sets the range of the delays
        start = time.perf_counter()
        _run(path, 1)
        took = time.perf_counter() - start
        _restore(saved, folder)
    rng = random.Random(seed)
    runs += [(f"delay {i}", None, rng.uniform(0.0, took * 1.2)) for i in range(delays)]
    return runs


def _restore(saved: Path, folder: Path) -> None:
    for file in saved.iterdir():
        shutil.copy2(file, folder / file.name)


def run_scenarios(folder: Path, seed: int, delays: int) -> None:
    saved = folder / "saved"
    path = next(folder.glob("*.gbproj"))
    for version, (label, kill, delay) in enumerate(scenarios(folder, seed, delays), start=2):
        _restore(saved, folder)
        ended = _run(path, version, kill, delay)
        left = _temporaries(folder)
        first = _open(path)
        project = io.load_project(path)
        io.save_project(project)  # the next save pairs them again
        again = _open(path)
        record = {
            "label": label,
            "version": version,
            "ended": ended,
            "left_by_kill": left,
            "first_open": first,
            "after_next_save": again,
        }
        print(json.dumps(record), flush=True)


def main(argv: list[str]) -> int:
    if argv[0] == "run":
        step, rest = argv[1], argv[argv.index("--") + 1 :]
        kill_save_at(step)
        from guibuilder.cli import main as guibuilder

        return guibuilder(rest)
    if argv[0] == "scenarios":
        run_scenarios(Path(argv[1]), int(argv[2]), int(argv[3]))
        return 0
    raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
