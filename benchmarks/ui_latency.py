"""The worst event-loop stall of the main window while a model trains (goal: <= 50 ms).

Opens the demo project (a small CNN on ``digits``) in the main window offscreen, with Keras
loaded in the background as the application does at start, then starts a run from the
training panel. A 5 ms timer measures how late each of its ticks comes while the run is in
progress (from the click on Start to the end of the run): the lateness is how long the
window could not react. Prints a few percentiles, the worst stalls with what they were
made of, and, last, the worst stall in ms.

What a stall is made of (Linux, from the main thread's ``/proc`` scheduler figures): time
the main thread ran (its own work: painting, handling events), time it was ready but
waited for a CPU (other threads and processes had them), and the rest, when it slept
although its timer was due (waiting for the GIL or a lock held by another thread). The
phase is the progress bar's text; the worker's frames say what the training thread was
doing when the stall ended. With ``GUIBUILDER_LATENCY_TRACE=1`` every stall over 50 ms is
printed as it happens.

``--inspect-run`` is the classroom case: a 3-epoch run in the full window with the Inspect
dock open on the first conv layer, measured with a 10 ms timer.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass

from _demo_window import demo_window

TICK_MS = 5
STALL_MS = 50


@dataclass
class Stall:
    at_s: float
    ms: float
    phase: str
    ran_ms: float | None
    queued_ms: float | None
    worker: str

    def text(self) -> str:
        parts = f"{self.ms:5.0f} ms at {self.at_s:5.2f} s ({self.phase})"
        if self.ran_ms is not None and self.queued_ms is not None:
            slept = max(0.0, self.ms + TICK_MS - self.ran_ms - self.queued_ms)
            parts += (
                f": main thread ran {self.ran_ms:.0f}, waited for a CPU {self.queued_ms:.0f}, "
                f"slept (GIL or lock) {slept:.0f} ms"
            )
        return parts + (f"\n      worker: {self.worker}" if self.worker else "")


def scheduler_ms() -> tuple[float, float] | None:
    """(ms on a CPU, ms waiting for one) of the calling thread so far; None off Linux."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as handle:
            ran, waited, _ = handle.read().split()
    except (OSError, ValueError):
        return None
    return int(ran) / 1e6, int(waited) / 1e6


def worker_frames() -> str:
    """The innermost frames of the training thread, innermost first."""
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        if names.get(ident) == "guibuilder-training":
            frames = traceback.extract_stack(frame)[-3:]
            return " < ".join(
                f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in reversed(frames)
            )
    return ""


def show_live_activations(app, window) -> None:
    """Bring the Inspect panel up on the demo's first conv layer, as a click on it does."""
    graph = window.session.graph
    conv = next(n for n in graph.nodes if graph.node(n).type_id == "Conv2D")
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    window.scene.select_nodes([conv])
    settle_until = time.monotonic() + 1.0
    while time.monotonic() < settle_until:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    global TICK_MS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15, help="epochs of the run (15)")
    parser.add_argument(
        "--tick-ms", type=int, default=TICK_MS, help=f"the timer's interval ({TICK_MS} ms)"
    )
    parser.add_argument(
        "--inspect-run",
        action="store_true",
        help="3 epochs, the Inspect dock open on the first conv layer, a 10 ms timer",
    )
    parser.add_argument(
        "--view",
        choices=("curves", "activations"),
        default="curves",
        help="what the window shows while it trains: the training panel's curves (the "
        "default), or the Inspect panel's live activations of the first conv layer",
    )
    args = parser.parse_args()
    if args.inspect_run:
        args.epochs, args.view, args.tick_ms = 3, "activations", 10
    TICK_MS = args.tick_ms
    from PySide6.QtCore import QEventLoop, QTimer

    trace = bool(os.environ.get("GUIBUILDER_LATENCY_TRACE"))
    with demo_window(args.epochs) as (_app, window, _folder):
        panel = window.training_panel
        if args.view == "activations":
            show_live_activations(_app, window)

        gaps: list[float] = []
        stalls: list[Stall] = []
        last = [time.perf_counter(), scheduler_ms()]

        def tick() -> None:
            now, sched = time.perf_counter(), scheduler_ms()
            gaps.append((now - last[0]) * 1000 - TICK_MS)
            if gaps[-1] > STALL_MS:
                ran = queued = None
                if sched is not None and last[1] is not None:
                    ran, queued = sched[0] - last[1][0], sched[1] - last[1][1]
                stall = Stall(
                    now - started, gaps[-1], panel.progress.format(), ran, queued, worker_frames()
                )
                stalls.append(stall)
                if trace:
                    print(f"  stall {stall.text()}")
            last[0], last[1] = now, sched

        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        loop = QEventLoop()
        ended: list[str] = []
        panel.run_ended.connect(lambda status: (ended.append(status), loop.quit()))
        started = time.perf_counter()
        timer.start()
        last[:] = [time.perf_counter(), scheduler_ms()]
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
    print(f"stalls over {STALL_MS} ms: {len(stalls)}; the worst:")
    for stall in sorted(stalls, key=lambda s: -s.ms)[:5]:
        print(f"  {stall.text()}")
    own = [s.ms - s.queued_ms for s in stalls if s.queued_ms is not None]
    if own:
        print(
            f"worst stall less its wait for a CPU (what this process's own threads and the GIL "
            f"made of it; a busy machine adds the rest): {max(own):.1f} ms"
        )
    what = "with the Inspect dock open " if args.view == "activations" else ""
    print(
        f"worst event-loop stall while training {what}({TICK_MS} ms timer, "
        f"ms, goal <= 50): {gaps[-1]:.1f}"
    )
    print(f"{max(0.0, gaps[-1]):.1f}")


if __name__ == "__main__":
    main()
