"""Seconds from process start to the first paint of the main window (goal: <= 1.5 s).

Starts ``python -m guibuilder resources/demo/digits_cnn.gbproj`` offscreen with a probe
that prints when the window first paints and quits; the time is measured from just
before the process is started. Prints the median of a few runs as the last line.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"
RUNS = 5


def one_run() -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GUIBUILDER_FIRST_PAINT_PROBE="1")
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "guibuilder", str(DEMO)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "first-paint":
            elapsed = time.perf_counter() - start
            break
    else:
        raise SystemExit("the window never painted")
    process.wait(timeout=60)
    return elapsed


def main() -> None:
    times = [one_run() for _ in range(RUNS)]
    print("runs: " + ", ".join(f"{t:.3f}" for t in times))
    print(f"{statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
