"""Kill ``guibuilder train PROJECT --save`` at random points; count the broken outcomes (goal 0).

The long version of ``tests/security/test_kill_during_save.py``. A tiny model of the
built-in moons trains for one epoch and saves; each run is killed (SIGKILL) after a seeded
random delay, or just before one of the steps of its save. Then many more saves in forked
children are killed after seeded delays (``tests/security/save_faults.py scenarios``).
After each kill the project is opened as a user would. An outcome is broken when the
project does not open, when its weights are not the ones it records without a warning
that says so, or when a temporary file is left after the open.

Usage: ``python benchmarks/kill_during_save.py [TRAIN_RUNS] [FORKED_DELAYS]`` (20, 300).
Prints the number of broken outcomes as the last line.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guibuilder.document import load_project, weights_path  # noqa: E402
from guibuilder.errors import GuibuilderError  # noqa: E402
from tests.security.test_kill_during_save import MISMATCH, moons_project  # noqa: E402

SEED = 16
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}


def broken(path: Path) -> list[str]:
    """What is wrong with the project at ``path`` when it is opened after a kill."""
    try:
        project = load_project(path)
    except GuibuilderError as exc:
        return [f"does not open: {exc}"]
    problems = []
    on_disk = hashlib.sha256(weights_path(path).read_bytes()).hexdigest()
    warned = any(MISMATCH in w for w in project.warnings)
    if (project.weights_sha256 == on_disk) == warned:
        problems.append(f"weights and warning disagree: {project.warnings}")
    left = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    if left:
        problems.append(f"temporary files left after the open: {left}")
    return problems


def train(path: Path, delay: float | None = None, step: str | None = None) -> str:
    args = ["train", str(path), "--save", "--run-dir", str(path.parent / "runs")]
    if step is not None:
        command = [sys.executable, "-m", "tests.security.save_faults", "run", step, "--", *args]
    else:
        command = [sys.executable, "-m", "guibuilder", *args]
    process = subprocess.Popen(
        command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if delay is not None:
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
    code = process.wait()
    return "killed" if code == -signal.SIGKILL else f"exit {code}"


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 20
    delays = int(argv[1]) if len(argv) > 1 else 300
    rng = random.Random(SEED)
    bad = 0
    with tempfile.TemporaryDirectory() as folder:
        path = moons_project(Path(folder), value=0.1)
        start = time.perf_counter()
        train(path)
        took = time.perf_counter() - start
        print(f"one train --save: {took:.1f} s")
        cases: list[tuple[float | None, str | None]] = [(None, str(i)) for i in range(9)]
        cases += [(rng.uniform(0.5 * took, 1.05 * took), None) for _ in range(runs)]
        for delay, step in cases:
            ended = train(path, delay, step)
            problems = broken(path)
            bad += bool(problems)
            what = f"step {step}" if step is not None else f"after {delay:.2f} s"
            print(f"train killed {what}: {ended}; {'; '.join(problems) or 'consistent'}")
    with tempfile.TemporaryDirectory() as folder:
        moons_project(Path(folder))
        done = subprocess.run(
            [sys.executable, "-m", "tests.security.save_faults", "scenarios", folder,
             str(SEED), str(delays)],
            cwd=ROOT, env=ENV, capture_output=True, text=True, check=False,
        )  # fmt: skip
        records = [json.loads(line) for line in done.stdout.splitlines()]
        for record in records:
            first = record["first_open"]
            warned = any(MISMATCH in w for w in first["warnings"])
            bad += (first["recorded"] == first["on_disk"]) == warned or bool(first["temporaries"])
        killed = sum(r["ended"] == "killed" for r in records)
        print(f"forked saves: {len(records)} ({killed} killed), exit {done.returncode}")
        bad += done.returncode != 0
    print(bad)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
