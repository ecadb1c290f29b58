"""Memory growth over 30 short trainings in one application session (goal: <= 100 MB).

Opens the demo project (a small CNN on ``digits``) in the main window offscreen and runs
one short training after another from the training panel, as a person comparing runs
would. The resident memory is read after each run (after a garbage collection); the
growth is that after the last run minus that after the first. Prints each run's memory
every few runs with the number of objects the garbage collector scans (those made after
start-up: a growing count points at Python objects kept from run to run, a flat one at
native memory) and, last, the growth in MB.
"""

from __future__ import annotations

import argparse
import gc
import time

from _demo_window import demo_window


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("cannot read the resident memory from /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="number of trainings (30)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per training (1)")
    args = parser.parse_args()
    from PySide6.QtCore import QEventLoop

    memory: list[float] = []
    objects: list[int] = []
    with demo_window(args.epochs) as (app, window, _folder):
        panel = window.training_panel
        started = time.perf_counter()
        for n in range(1, args.runs + 1):
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
