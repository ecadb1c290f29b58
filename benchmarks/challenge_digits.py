"""How hard is ``resources/challenges/digits_small.gbproj``? Train the starting model and a
few student answers under the challenge's locked settings and check each one.

Each answer edits only the layers the teacher left free (the locked input and output and
the locked settings stay). The table shows parameters, validation accuracy at the last
epoch, the verdict and the time; the challenge is well calibrated when the starting model
fails on its size, a plain narrowing fails on accuracy, and a small convolution passes.
The last line is the verdict on the convolutional answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from guibuilder.data import load_dataset
from guibuilder.document import Project, load_project
from guibuilder.graph import Graph
from guibuilder.training import TrainConfig, TrainingSession
from guibuilder.training.challenge import count_params, grade
from guibuilder.training.session import run_to_end

CHALLENGE = Path(__file__).parents[1] / "resources" / "challenges" / "digits_small.gbproj"


def narrower(units: int) -> Callable[[Graph], None]:
    def edit(graph: Graph) -> None:
        graph.set_params("hidden", {"units": units})

    return edit


def convolution(filters: int, units: int) -> Callable[[Graph], None]:
    def edit(graph: Graph) -> None:
        graph.set_params("hidden", {"units": units})
        graph.disconnect(graph.in_edges("flatten")[0])
        conv = {"filters": filters, "kernel_size": [3, 3], "activation": "relu", "padding": "same"}
        graph.add_node("Conv2D", conv, node_id="conv")
        graph.add_node("MaxPooling2D", {"pool_size": [2, 2]}, node_id="pool")
        graph.connect("image", "conv")
        graph.connect("conv", "pool")
        graph.connect("pool", "flatten")

    return edit


ANSWERS: tuple[tuple[str, Callable[[Graph], None] | None], ...] = (
    ("starting model (Dense 128)", None),
    ("narrower: Dense 32", narrower(32)),
    ("narrower: Dense 48", narrower(48)),
    ("Conv 16 + pool + Dense 12", convolution(16, 12)),
)


def attempt(project: Project, edit: Callable[[Graph], None] | None) -> tuple[str, float]:
    """Train one answer as the app does; return the verdict line and the seconds."""
    graph = load_project(CHALLENGE).graph
    if edit is not None:
        edit(graph)
    challenge = project.classroom.challenge
    started = time.perf_counter()
    session = TrainingSession(
        graph, load_dataset(project.dataset), TrainConfig.from_dict(project.training)
    )
    run_to_end(session, lambda _event: None)
    history = session.result.history if session.result is not None else None
    result = grade(challenge, history, count_params(graph), project.dataset["name"])
    return result.text(), time.perf_counter() - started


def main() -> None:
    project = load_project(CHALLENGE)
    print(f"challenge: {project.classroom.challenge.goal()}")
    verdict = ""
    for name, edit in ANSWERS:
        verdict, seconds = attempt(project, edit)
        print(f"{name:28s} {verdict}  ({seconds:.1f} s)")
    print(f"convolutional answer: {verdict}")


if __name__ == "__main__":
    main()
