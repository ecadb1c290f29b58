"""The worst event-loop stall of the main window while a model trains (goal: <= 50 ms).

Opens the demo project (a small CNN on ``digits``) in the main window offscreen, with Keras
loaded in the background as the application does at start, then starts a run from the
training panel. A 5 ms timer measures how late each of its ticks comes while the run is in
progress (from the click on Start to the end of the run): the lateness is how long the
window could not react. Prints a few percentiles and, last, the worst stall in ms.
With ``GUIBUILDER_LATENCY_TRACE=1`` every stall over 50 ms is printed with its time.
"""

from __future__ import annotations

import argparse
import os
import time

from _demo_window import demo_window

TICK_MS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15, help="epochs of the run (15)")
    args = parser.parse_args()
    from PySide6.QtCore import QEventLoop, QTimer

    with demo_window(args.epochs) as (_app, window, _folder):
        panel = window.training_panel

        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000 - TICK_MS)
            if gaps[-1] > 50 and os.environ.get("GUIBUILDER_LATENCY_TRACE"):
                state = panel.progress.format()
                print(f"  stall {gaps[-1]:.0f} ms at {now - started:.2f} s ({state})")
            last[0] = now

        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        loop = QEventLoop()
        ended: list[str] = []
        panel.run_ended.connect(lambda status: (ended.append(status), loop.quit()))
        started = time.perf_counter()
        timer.start()
        last[0] = time.perf_counter()
        panel.start()
        loop.exec()
        timer.stop()
        seconds = time.perf_counter() - started
    if ended != ["finished"]:
        raise SystemExit(f"the run ended with {ended}: {panel.status_label.text()}")
    gaps.sort()

    def pct(q: float) -> float:
        return gaps[min(len(gaps) - 1, int(q * len(gaps)))]

    print(f"run: {args.epochs} epochs in {seconds:.1f} s, {len(gaps)} ticks of {TICK_MS} ms")
    print(f"lateness: median {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, p99.9 {pct(0.999):.1f} ms")
    print(f"worst event-loop stall while training (ms, goal <= 50): {gaps[-1]:.1f}")
    print(f"{max(0.0, gaps[-1]):.1f}")


if __name__ == "__main__":
    main()
