"""What the live activation snapshots cost in training throughput (goal: ratio >= 0.95).

The demo CNN (``resources/demo/digits_cnn.gbproj``) trains on ``digits`` in a
:class:`TrainingSession`, as the window starts it: once with a probe sample, so every
layer's activations are recorded before the first epoch and after each one and sent as
``activations`` events, and once without. A consumer drains the events 30 times a second
and keeps the snapshots in the window's bounded history, as the Inspect dock does. Each
round runs the arms ABBA, so both see the same drift. Throughput counts the epochs after
the first (tracing left out), per second of the wall clock and per CPU second of this
process (read in the training thread at each epoch end); on a machine shared with other
work the wall clock swings by tens of percent between trials, the CPU time far less. Also
printed: the time spent inside the recording itself, as a share of the training time.
The last line is the median over rounds of the throughput ratio per CPU second, with /
without snapshots (1.0 = no cost).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"


def trial(with_snapshots: bool, epochs: int, batch: int) -> tuple[float, float, float, int]:
    """Over the epochs after the first: samples per second and per CPU second; the share of
    the training time spent recording, and how many snapshots the consumer kept."""
    from guibuilder.data import load_dataset
    from guibuilder.document import project_from_dict
    from guibuilder.inspect import callback
    from guibuilder.inspect.snapshots import Snapshot, SnapshotHistory, live_recorder
    from guibuilder.training import TrainConfig, TrainingSession
    from guibuilder.training.callbacks import SessionCallback
    from guibuilder.training.events import ActivationsEvent

    data = load_dataset("digits")
    graph = project_from_dict(json.loads(DEMO.read_text())).graph
    config = TrainConfig(epochs=epochs, batch_size=batch, seed=0, learning_rate=3e-3)
    recorder = live_recorder(data.x_val[:1]) if with_snapshots else None
    session = TrainingSession(graph, data, config, recorder=recorder)
    spent: list[float] = []
    capture = callback.ActivationHistory.capture

    def timed(self: callback.ActivationHistory, epoch: int, step: int = 0) -> Snapshot:
        start = time.perf_counter()
        try:
            return capture(self, epoch, step)
        finally:
            spent.append(time.perf_counter() - start)

    marks: list[tuple[float, float]] = []
    epoch_end = SessionCallback.on_epoch_end

    def clocked(self: SessionCallback, epoch: int, logs: dict | None = None) -> None:
        marks.append((time.perf_counter(), time.process_time()))
        epoch_end(self, epoch, logs)

    callback.ActivationHistory.capture = timed  # type: ignore[method-assign]
    SessionCallback.on_epoch_end = clocked  # type: ignore[method-assign]
    kept = SnapshotHistory()
    try:
        session.start()
        done = False
        while not done:
            time.sleep(1 / 30)
            for event in session.drain():
                if isinstance(event, ActivationsEvent):
                    kept.add(Snapshot(event.epoch, event.activations, event.mean, event.std))
                elif event.terminal:
                    if event.kind != "finished":
                        raise SystemExit(f"the run ended with {event.kind}: {event.message}")
                    done = True
        session.wait()
    finally:
        callback.ActivationHistory.capture = capture  # type: ignore[method-assign]
        SessionCallback.on_epoch_end = epoch_end  # type: ignore[method-assign]
    (wall0, cpu0), (wall1, cpu1) = marks[0], marks[-1]
    samples = len(data.x_train) * (len(marks) - 1)
    share = sum(spent[2:]) / (wall1 - wall0) if with_snapshots else 0.0
    return samples / (wall1 - wall0), samples / (cpu1 - cpu0), share, len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="ABBA rounds (default 3)")
    parser.add_argument("--epochs", type=int, default=6, help="epochs per trial (default 6)")
    parser.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    args = parser.parse_args()
    ratios: list[float] = []
    cpu_ratios: list[float] = []
    shares: list[float] = []
    for n in range(1, args.rounds + 1):
        plain, recorded = [], []
        for with_snapshots in (False, True, True, False):
            rate, cpu_rate, share, kept = trial(with_snapshots, args.epochs, args.batch)
            if with_snapshots:
                if kept != args.epochs + 1:
                    raise SystemExit(f"{kept} snapshots kept, not {args.epochs + 1}")
                recorded.append((rate, cpu_rate))
                shares.append(share)
            else:
                plain.append((rate, cpu_rate))
        ratio = sum(r[0] for r in recorded) / sum(p[0] for p in plain)
        cpu_ratio = sum(r[1] for r in recorded) / sum(p[1] for p in plain)
        ratios.append(ratio)
        cpu_ratios.append(cpu_ratio)
        print(
            f"round {n}: {plain[0][0]:,.0f} / {plain[1][0]:,.0f} samples/s without snapshots, "
            f"{recorded[0][0]:,.0f} / {recorded[1][0]:,.0f} with: ratio {ratio:.3f} "
            f"(per CPU second {cpu_ratio:.3f})",
            flush=True,
        )
    print(f"time spent recording: median {statistics.median(shares):.2%} of training time")
    print(f"wall-clock throughput with / without: median {statistics.median(ratios):.3f}")
    print(f"throughput per CPU second with / without live snapshots (median of {args.rounds}):")
    print(f"{statistics.median(cpu_ratios):.3f}")


if __name__ == "__main__":
    main()
