"""Write the ready-made challenge projects of this folder.

``digits_small.gbproj``: reach 95% validation accuracy on the 8x8 digits with at most
5,000 parameters. The starting model is too big (9,610 parameters): the student makes
it smaller without losing accuracy. The input and the output layer are locked, and so
are the dataset, the number of epochs and the loss, so every student plays by the same
rules; it opens in the student view.

Run ``python resources/challenges/make_challenges.py`` after changing this script; a test
checks that the committed file is exactly what it writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from guibuilder.compiler.layout import apply_layout
from guibuilder.document import Challenge, Classroom, Project, save_project
from guibuilder.document.settings import TrainConfig
from guibuilder.templates.base import Builder

HERE = Path(__file__).parent

#: The names the canvas shows, by node id.
NAMES = {"image": "Digit image", "flatten": "Flatten", "hidden": "Hidden", "digit": "Digit"}


def digits_small() -> Project:
    """The digits challenge: a too-big network, locked ends, a parameter budget."""
    build = Builder("digits_small")
    build.input([8, 8, 1], node_id="image")
    build.add("Flatten", "image", node_id="flatten")
    build.add("Dense", "flatten", node_id="hidden", units=128, activation="relu")
    build.add("Dense", "hidden", node_id="digit", units=10, activation="softmax")
    graph = build.graph
    for node_id, name in NAMES.items():
        graph.rename(node_id, name)
    apply_layout(graph)
    challenge = Challenge(
        "val_accuracy",
        at_least=0.95,
        max_params=5000,
        dataset="digits",
        text="Reach 95% on the digits with at most 5,000 parameters",
    )
    return Project(
        graph=graph,
        dataset={"name": "digits"},
        training=TrainConfig.from_dict(
            {
                "optimizer": "adam",
                "learning_rate": 3e-3,
                "batch_size": 32,
                "epochs": 20,
                "loss": "sparse_categorical_crossentropy",
                "metrics": ["accuracy"],
                "validation_split": 0.2,
                "seed": 1,
            }
        ),
        classroom=Classroom(
            locked_nodes=frozenset({"image", "digit"}),
            locked_settings=frozenset({"dataset", "epochs", "loss"}),
            student_view=True,
            challenge=challenge,
        ),
        title="Challenge: small digits network",
        description=(
            "This network reads the 8x8 digits well, but it is too big: 9,610 parameters. "
            "Make it reach 95% validation accuracy with at most 5,000 parameters. The input, "
            "the output layer, the dataset, the epochs and the loss are locked."
        ),
    )


PROJECTS = {"digits_small.gbproj": digits_small}


def main(argv: list[str] | None = None) -> int:
    """Write every challenge project into ``argv[0]`` (default: this folder)."""
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else HERE
    for name, build in PROJECTS.items():
        save_project(build(), folder / name)
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
