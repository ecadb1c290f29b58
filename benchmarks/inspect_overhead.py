"""What recording activations at every epoch end costs in training throughput (goal <= 5%).

The demo CNN (``resources/demo/digits_cnn.gbproj``) trains on ``digits`` with plain
``model.fit``, and with an :class:`ActivationHistory` that records every layer's activations
for a probe of 16 validation samples at each epoch end, as the window's live view does.
Fresh models with the same seed; each round runs the arms ABBA, so both see the same drift;
throughput counts the epochs after the first, so tracing is left out. Throughput is counted
per second of the wall clock and per CPU second of this process; on a machine shared with
other work the wall clock swings by tens of percent between trials, the CPU time far less.
Also printed: the share of the training time spent inside the recording itself. The last
line is the median over rounds of the throughput ratio per CPU second, with / without
(1.0 = no cost; the goal is >= 0.95).
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
PROBE = 16


def trial(with_history: bool, epochs: int, batch: int) -> tuple[float, float, float]:
    """Over the epochs after the first: samples per second, samples per CPU second of this
    process, and the share of the time spent recording (0 without the history)."""
    import keras

    from guibuilder.compiler.build import build_model
    from guibuilder.data import load_dataset
    from guibuilder.document import project_from_dict
    from guibuilder.inspect.callback import ActivationHistory

    data = load_dataset("digits")
    graph = project_from_dict(json.loads(DEMO.read_text())).graph
    keras.utils.set_random_seed(0)
    model = build_model(graph)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    marks: list[float] = []
    cpu: list[float] = []
    spent: list[float] = []

    class TimedHistory(ActivationHistory):
        def capture(self, epoch: int) -> object:
            start = time.perf_counter()
            try:
                return super().capture(epoch)
            finally:
                spent.append(time.perf_counter() - start)

    class Clock(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            marks.append(time.perf_counter())
            cpu.append(time.process_time())

    callbacks: list = [Clock()]
    if with_history:
        callbacks.insert(0, TimedHistory(data.x_val[:PROBE]))
    model.fit(
        data.x_train, data.y_train, epochs=epochs, batch_size=batch, verbose=0, callbacks=callbacks
    )
    if with_history:
        assert len(callbacks[0].snapshots) == epochs
    elapsed = marks[-1] - marks[0]
    samples = len(data.x_train) * (epochs - 1)
    return samples / elapsed, samples / (cpu[-1] - cpu[0]), sum(spent[1:]) / elapsed


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
        for with_history in (False, True, True, False):
            result = trial(with_history, args.epochs, args.batch)
            (recorded if with_history else plain).append(result)
            if with_history:
                shares.append(result[2])
        ratio = (recorded[0][0] + recorded[1][0]) / (plain[0][0] + plain[1][0])
        cpu_ratio = (recorded[0][1] + recorded[1][1]) / (plain[0][1] + plain[1][1])
        ratios.append(ratio)
        cpu_ratios.append(cpu_ratio)
        print(
            f"round {n}: {plain[0][0]:,.0f} / {plain[1][0]:,.0f} samples/s plain, "
            f"{recorded[0][0]:,.0f} / {recorded[1][0]:,.0f} with the history: ratio {ratio:.3f} "
            f"(per CPU second {cpu_ratio:.3f})"
        )
    print(f"time spent recording: median {statistics.median(shares):.2%} of training time")
    print(f"wall-clock throughput with / without: median {statistics.median(ratios):.3f}")
    print(f"throughput per CPU second with / without the history (median of {args.rounds} rounds):")
    print(f"{statistics.median(cpu_ratios):.3f}")


if __name__ == "__main__":
    main()
