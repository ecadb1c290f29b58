"""What a TrainingSession costs over a plain ``model.fit`` (goals: >= 0.95 speed, <= 1.2x memory).

The same model (a 3-layer MLP built from one graph) trains on the same data, alternately
with plain ``model.fit`` and with a :class:`TrainingSession` (run folder, best checkpoint
and all) while a consumer drains every event 30 times a second, as the window does. Each
trial runs in a fresh interpreter, so its peak memory is its own; the order is ABBA to
cancel drift. A trial's throughput is that of its fastest epoch after the first (tracing
left out; on a shared machine the fastest epoch is the least disturbed one).
The last line is the throughput ratio, ours / plain.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES, VAL, FEATURES, CLASSES = 32768, 4096, 64, 10
EPOCHS, BATCH = 6, 64


def make_data():
    import numpy as np

    from guibuilder.data import Dataset

    rng = np.random.default_rng(0)
    y = rng.integers(0, CLASSES, size=SAMPLES + VAL).astype("int32")
    centres = rng.normal(size=(CLASSES, FEATURES))
    x = (centres[y] + rng.normal(scale=2.0, size=(len(y), FEATURES))).astype("float32")
    return Dataset(
        name="blobs64",
        task="classification",
        x_train=x[VAL:],
        y_train=y[VAL:],
        x_val=x[:VAL],
        y_val=y[:VAL],
        num_classes=CLASSES,
    )


def make_graph():
    from guibuilder.graph import Graph

    graph = Graph("mlp")
    graph.add_node("Input", {"shape": [FEATURES]}, node_id="input")
    graph.add_node("Dense", {"units": 256, "activation": "relu"}, node_id="hidden1")
    graph.add_node("Dense", {"units": 256, "activation": "relu"}, node_id="hidden2")
    graph.add_node("Dense", {"units": CLASSES, "activation": "softmax"}, node_id="out")
    graph.connect("input", "hidden1")
    graph.connect("hidden1", "hidden2")
    graph.connect("hidden2", "out")
    return graph


def plain(data, graph) -> list[float]:
    """Epoch-end times (from the start of fit) of a plain ``model.fit``."""
    import keras

    from guibuilder.compiler.build import build_model

    keras.utils.set_random_seed(0)
    model = build_model(graph)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    ends: list[float] = []

    class EpochTimes(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter() - self.start)

    model.fit(
        data.x_train,
        data.y_train,
        batch_size=BATCH,
        epochs=EPOCHS,
        validation_data=(data.x_val, data.y_val),
        callbacks=[EpochTimes()],
        verbose=0,
    )
    return ends


def ours(data, graph) -> list[float]:
    """Epoch-end times of a TrainingSession, drained 30 times a second."""
    from guibuilder.document.settings import TrainConfig
    from guibuilder.training import TrainingSession

    config = TrainConfig(epochs=EPOCHS, batch_size=BATCH, seed=0)
    with tempfile.TemporaryDirectory() as root:
        session = TrainingSession(graph, data, config, run_root=root)
        session.start()
        ends: list[float] = []
        done = False
        while not done:
            time.sleep(1 / 30)
            for event in session.drain():
                if event.kind == "epoch":
                    ends.append(event.elapsed_s)
                elif event.terminal:
                    if event.kind != "finished":
                        raise SystemExit(f"the session ended with {event.kind}: {event.message}")
                    done = True
        session.wait()
    return ends


def trial(kind: str) -> None:
    data, graph = make_data(), make_graph()
    ends = (plain if kind == "plain" else ours)(data, graph)
    fastest = min(b - a for a, b in itertools.pairwise(ends))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = SAMPLES / fastest
    print(json.dumps({"kind": kind, "samples_per_s": rate, "peak_mb": peak_mb}))


def run_trial(kind: str) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, __file__, "--trial", kind],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {kind} trial failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="ABBA rounds (4 trials each)")
    parser.add_argument("--trial", choices=("plain", "ours"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trial:
        trial(args.trial)
        return
    results: dict[str, list[dict]] = {"plain": [], "ours": []}
    for _ in range(args.rounds):
        for kind in ("plain", "ours", "ours", "plain"):
            result = run_trial(kind)
            results[kind].append(result)
            print(
                f"{kind:5}  {result['samples_per_s']:10,.0f} samples/s  {result['peak_mb']:7.0f} MB"
            )
    rate = {k: statistics.median(r["samples_per_s"] for r in v) for k, v in results.items()}
    peak = {k: max(r["peak_mb"] for r in v) for k, v in results.items()}
    print(f"model: MLP 64-256-256-10, {SAMPLES} samples, batch {BATCH}, {EPOCHS} epochs")
    print(
        f"peak memory: ours {peak['ours']:.0f} MB, plain {peak['plain']:.0f} MB, "
        f"ratio {peak['ours'] / peak['plain']:.3f} (goal <= 1.2)"
    )
    print(
        f"throughput: ours {rate['ours']:,.0f}, plain {rate['plain']:,.0f} samples/s "
        f"(median of {len(results['ours'])}; goal ratio >= 0.95)"
    )
    print(f"{rate['ours'] / rate['plain']:.3f}")


if __name__ == "__main__":
    main()
