"""Memory growth over 30 short trainings in one application session (goal: <= 100 MB).

Opens the demo project (a small CNN on ``digits``) in the main window offscreen and runs
one short training after another from the training panel, as a person comparing runs
would. The resident memory is read after each run (after a garbage collection); the
growth is that after the last run minus that after the first. Prints each run's memory
every few runs with the number of objects the garbage collector scans (those made after
start-up: a growing count points at Python objects kept from run to run, a flat one at
native memory) and, last, the growth in MB. ``--engine`` runs the same trainings with a
bare TrainingSession and no window, to tell the engine's growth from the window's.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import sys
import tempfile
import time
from collections.abc import Iterator

from _demo_window import DEMO, ROOT, demo_window


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("cannot read the resident memory from /proc/self/status")


def window_runs(runs: int, epochs: int) -> Iterator[int]:
    """Train from the panel of the shown window, as a person does; yield after each run."""
    from PySide6.QtCore import QEventLoop

    with demo_window(epochs) as (app, window, _folder):
        panel = window.training_panel
        for n in range(1, runs + 1):
            loop = QEventLoop()
            ended: list[str] = []

            def done(status: str, ended: list[str] = ended, loop: QEventLoop = loop) -> None:
                ended.append(status)
                loop.quit()

            panel.run_ended.connect(done)
            panel.start()
            loop.exec()
            panel.run_ended.disconnect(done)
            if ended != ["finished"]:
                raise SystemExit(f"run {n} ended with {ended}: {panel.status_label.text()}")
            app.processEvents()
            yield n


def engine_runs(runs: int, epochs: int) -> Iterator[int]:
    """The same trainings with a bare TrainingSession, no window; yield after each run."""
    sys.path.insert(0, str(ROOT))
    from guibuilder.data import load_dataset
    from guibuilder.document import load_project
    from guibuilder.training import TrainingSession, run_to_end

    project = load_project(DEMO)
    data = load_dataset(project.dataset)
    config = dataclasses.replace(project.train_config(), epochs=epochs)
    with tempfile.TemporaryDirectory() as folder:
        for n in range(1, runs + 1):
            session = TrainingSession(project.graph, data, config, run_root=folder)
            run_to_end(session, lambda _event: None)
            session.wait()
            if session.result is None or session.result.status != "finished":
                raise SystemExit(f"run {n} ended with {session.result}")
            yield n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="number of trainings (30)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per training (1)")
    parser.add_argument(
        "--engine", action="store_true", help="train with TrainingSession alone, no window"
    )
    args = parser.parse_args()

    memory: list[float] = []
    objects: list[int] = []
    started = time.perf_counter()
    runs = engine_runs if args.engine else window_runs
    for n in runs(args.runs, args.epochs):
        gc.collect()
        memory.append(rss_mb())
        objects.append(len(gc.get_objects()))
        if n == 1 or n % 5 == 0:
            print(
                f"run {n:2d}: {memory[-1]:.0f} MB, {objects[-1]:,} tracked objects, "
                f"{time.perf_counter() - started:.0f} s"
            )
    growth = memory[-1] - memory[0]
    print(f"{args.runs} runs; largest after the first: {max(memory[1:] or memory):.0f} MB")
    print(f"tracked objects after the first run {objects[0]:,}, after the last {objects[-1]:,}")
    print(f"memory growth after the first run (MB, goal <= 100): {growth:.1f}")
    print(f"{growth:.1f}")


if __name__ == "__main__":
    main()
