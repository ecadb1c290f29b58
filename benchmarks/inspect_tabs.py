"""How long the Evaluation, Weights, Health, Embeddings and Attention tabs' jobs take.

Each job runs as the Inspect worker runs it (the same function, with the model built from
the template's graph and its dataset loaded), outside the window; every figure is the
median of a few runs after one warm-up. t-SNE is run once (it takes seconds: the tab runs
it only on request); the evaluation keeps nothing between runs, so each one predicts the
validation set. Prints one line per template and, last, the slowest job other than
t-SNE in ms (the wait before a tab shows what it computes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Runs timed per job after the warm-up.
REPEATS = 3


def timed(job, context, *args) -> float:
    """The median time of ``job(context, *args)`` in ms, after one warm-up run."""
    job(context, *args)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        job(context, *args)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="*", help="template names (default: all)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from guibuilder.compiler.build import build_model
    from guibuilder.inspect import Probe
    from guibuilder.inspect.evaluation import evaluation_job
    from guibuilder.inspect.subject import Context, Subject
    from guibuilder.templates import get_template, template_names
    from guibuilder.ui.inspect.attention import attention_job
    from guibuilder.ui.inspect.embeddings import embedding_job
    from guibuilder.ui.inspect.health import health_job
    from guibuilder.ui.inspect.weights import weights_job

    slowest = (0.0, "")
    for name in args.templates or template_names():
        template = get_template(name)
        graph = template.graph()
        data = template.load_data()
        model = build_model(graph)
        subject = Subject(1, graph, None, template.dataset, None)
        context = Context(subject, data, model, Probe(model))
        figures = {
            "evaluation": timed(lambda c: evaluation_job(replace(c, kept={})), context),
            "weights": timed(weights_job, context),
            "health": timed(health_job, context),
            "PCA": timed(embedding_job, context, "", "PCA"),
        }
        attention = [node.id for node in graph if node.type_id == "MultiHeadAttention"]
        if attention:
            figures["attention"] = timed(attention_job, context, attention[0], 0)
        for job, ms in figures.items():
            slowest = max(slowest, (ms, f"{job} of {name}"))
        start = time.perf_counter()
        embedding_job(context, "", "t-SNE")
        figures["t-SNE"] = (time.perf_counter() - start) * 1000
        print(f"{name:18s} " + "  ".join(f"{job} {ms:7.0f} ms" for job, ms in figures.items()))
    print(f"slowest tab job (without t-SNE): {slowest[1]}, ms: {slowest[0]:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
