"""Write the ready-made challenge projects of this folder.

``digits_small.gbproj``: reach 95% validation accuracy on the 8x8 digits with at most
5,000 parameters. The starting model is too big (9,610 parameters): the student makes
it smaller without losing accuracy. The input and the output layer are locked, and so
are the dataset, the number of epochs and the loss, so every student plays by the same
rules. Run ``python resources/challenges/make_challenges.py`` after changing this script;
a test checks that the committed file is exactly what it writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from guibuilder.document import Challenge, Classroom, Project, save_project
from guibuilder.graph import Graph

HERE = Path(__file__).parent

#: Vertical distance between the tops of two consecutive nodes.
STEP = 120.0

#: (node id, name, layer type, params), from the input down to the prediction.
LAYERS: tuple[tuple[str, str, str, dict], ...] = (
    ("image", "Digit image", "Input", {"shape": [8, 8, 1]}),
    ("flatten", "Flatten", "Flatten", {}),
    ("hidden", "Hidden", "Dense", {"units": 128, "activation": "relu"}),
    ("digit", "Digit", "Dense", {"units": 10, "activation": "softmax"}),
)


def digits_small() -> Project:
    """The digits challenge: a too-big network, locked ends, a parameter budget."""
    graph = Graph("digits_small")
    previous = None
    for row, (node_id, name, type_id, params) in enumerate(LAYERS):
        graph.add_node(type_id, params, node_id=node_id, name=name, position=(0.0, row * STEP))
        if previous is not None:
            graph.connect(previous, node_id)
        previous = node_id
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
        training={
            "optimizer": "adam",
            "learning_rate": 3e-3,
            "batch_size": 32,
            "epochs": 20,
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
            "validation_split": 0.2,
            "seed": 1,
        },
        classroom=Classroom(
            locked_nodes=frozenset({"image", "digit"}),
            locked_settings=frozenset({"dataset", "epochs", "loss"}),
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
