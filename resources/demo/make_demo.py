"""Write the demo project ``digits_cnn.gbproj``: a small CNN for the built-in 8x8 digits.

Run ``python resources/demo/make_demo.py`` after changing this script; a test checks that
the committed file is exactly what the script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from guibuilder.document import Project, save_project
from guibuilder.document.settings import TrainConfig
from guibuilder.graph import Graph

OUT = Path(__file__).with_name("digits_cnn.gbproj")

#: Vertical distance between the tops of two consecutive nodes.
STEP = 120.0

#: (node id, name, layer type, params), from the input down to the prediction.
LAYERS: tuple[tuple[str, str, str, dict], ...] = (
    ("image", "Digit image", "Input", {"shape": [8, 8, 1]}),
    (
        "conv_1",
        "Conv 16",
        "Conv2D",
        {"filters": 16, "kernel_size": [3, 3], "activation": "relu", "padding": "same"},
    ),
    ("pool", "Pool 2x2", "MaxPooling2D", {"pool_size": [2, 2]}),
    (
        "conv_2",
        "Conv 32",
        "Conv2D",
        {"filters": 32, "kernel_size": [3, 3], "activation": "relu", "padding": "same"},
    ),
    ("features", "Flatten", "Flatten", {}),
    ("dropout", "Dropout", "Dropout", {"rate": 0.25}),
    ("digit", "Digit", "Dense", {"units": 10, "activation": "softmax"}),
)


def build_demo() -> Project:
    """The demo project: a chain of layers laid out top to bottom, with data and training."""
    graph = Graph("digits_cnn")
    previous = None
    for row, (node_id, name, type_id, params) in enumerate(LAYERS):
        graph.add_node(type_id, params, node_id=node_id, name=name, position=(0.0, row * STEP))
        if previous is not None:
            graph.connect(previous, node_id)
        previous = node_id
    return Project(
        graph=graph,
        dataset={"name": "digits"},
        training=TrainConfig.from_dict(
            {
                "optimizer": "adam",
                "learning_rate": 3e-3,
                "batch_size": 16,
                "epochs": 10,
                "loss": "sparse_categorical_crossentropy",
                "metrics": ["accuracy"],
                "validation_split": 0.2,
            }
        ),
        title="Digits CNN",
        description=(
            "A small convolutional network that tells handwritten digits apart, "
            "trained on the built-in 8x8 digits data set."
        ),
    )


def main(argv: list[str]) -> int:
    """Write the demo project to ``argv[0]``, or beside this script."""
    out = Path(argv[0]) if argv else OUT
    save_project(build_demo(), out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
