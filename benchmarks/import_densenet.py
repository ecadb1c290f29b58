"""Import DenseNet121 from a .keras file into a laid-out graph with weights (goal <= 2x Keras).

DenseNet121 (weights=None, 429 layers, 8 M parameters) is saved to a temporary .keras file.
Then, alternating in one process, Keras loads the file on its own
(``keras.saving.load_model``), and ``import_model`` turns it into a laid-out graph plus a
weight store (the Keras load included). Each is timed a few times after one warm-up each;
the medians are compared. The last line is the ratio ours / Keras.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from guibuilder.compiler.importer import import_model
from guibuilder.compiler.layers import load_keras

ROUNDS = 3


def main() -> None:
    keras = load_keras()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "densenet121.keras"
        keras.applications.DenseNet121(weights=None, input_shape=(64, 64, 3)).save(path)

        def load() -> object:
            return keras.saving.load_model(path, compile=False, safe_mode=True)

        def ours() -> object:
            return import_model(path)

        load()
        graph, weights = ours()
        times: dict[str, list[float]] = {"keras": [], "ours": []}
        for _ in range(ROUNDS):
            for name, job in (("keras", load), ("ours", ours)):
                start = time.perf_counter()
                job()
                times[name].append(time.perf_counter() - start)
    keras_s = statistics.median(times["keras"])
    ours_s = statistics.median(times["ours"])
    print(f"graph: {len(graph)} nodes, {len(graph.edges)} edges, {len(weights)} weighted nodes")
    print(f"keras.saving.load_model: {keras_s:.2f} s (median of {ROUNDS})")
    print(f"import_model:            {ours_s:.2f} s (median of {ROUNDS})")
    print(f"{ours_s / keras_s:.2f}")


if __name__ == "__main__":
    main()
