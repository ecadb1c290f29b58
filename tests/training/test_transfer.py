"""Transfer learning without the window: import a trained model, freeze its body, replace its
head, train on another task from the command line, export, and load in plain Keras."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from guibuilder.cli import main
from guibuilder.compiler.importer import import_model
from guibuilder.document import load_project, save_project
from guibuilder.document.settings import TrainConfig
from tests.subprocesses import run_python
from tests.training.transfer_base import BODY, HEAD, train_base

#: Loads the export with Keras alone (no guibuilder), and reports the frozen conv kernel,
#: whether the conv layer is frozen, and the accuracy on the digits validation split.
PLAIN_KERAS = textwrap.dedent(
    """
    import sys
    import keras
    import numpy as np
    model = keras.saving.load_model(sys.argv[1], safe_mode=True)
    data = np.load(sys.argv[2])
    probs = keras.ops.convert_to_numpy(model(data["x"]))
    accuracy = float((probs.argmax(-1) == data["y"]).mean())
    conv = model.get_layer("conv")
    np.savez(sys.argv[3], kernel=conv.get_weights()[0], accuracy=accuracy,
             trainable=conv.trainable, units=model.outputs[0].shape[-1])
    assert not any(m.startswith("guibuilder") for m in sys.modules), "guibuilder was imported"
    """
)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return train_base(tmp_path_factory.mktemp("base"))


def test_fine_tune_a_trained_model_headless(base, tmp_path, capsys):
    project_path = tmp_path / "digits10.gbproj"
    assert main(["import", str(base), "-o", str(project_path)]) == 0
    _, imported = import_model(base)

    # Freeze everything up to the flatten, replace the 5-class head with a 10-class one.
    assert main(["freeze", str(project_path), "--up-to", "flatten"]) == 0
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("Froze 3 layers up to 'flatten' in digits10.gbproj: conv, pool, flatten.")
    )
    project = load_project(project_path)
    graph = project.graph
    assert {n.id for n in graph if not n.trainable} == set(BODY)
    assert graph.upstream(["flatten"]) == {"image", *BODY}
    graph.remove_node(HEAD)
    project.weights.remove(HEAD)  # the old head's weights go with it
    new_head = graph.add_node("Dense", {"units": 10, "activation": "softmax"}).id
    graph.connect("flatten", new_head)
    project.dataset = {"name": "digits"}
    project.training = TrainConfig(epochs=2, batch_size=32, learning_rate=0.01, seed=1)
    save_project(project, project_path)

    done = run_python("-m", "guibuilder", "train", str(project_path), "--save")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Trained 2 epochs" in done.stdout
    assert "no longer fit" not in done.stderr

    trained = load_project(project_path).weights
    for a, b in zip(trained.get("conv"), imported.get("conv"), strict=True):
        np.testing.assert_array_equal(a, b)  # the frozen body is bitwise unchanged
    assert [a.shape for a in trained.get(new_head)] == [(72, 10), (10,)]

    out = tmp_path / "digits10.keras"
    assert main(["export", str(project_path), "-o", str(out)]) == 0
    capsys.readouterr()
    from guibuilder.data import load_dataset

    digits = load_dataset("digits")
    np.savez(tmp_path / "val.npz", x=digits.x_val, y=digits.y_val)
    done = run_python(
        "-c", PLAIN_KERAS, str(out), str(tmp_path / "val.npz"), str(tmp_path / "r.npz")
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = np.load(tmp_path / "r.npz")
    np.testing.assert_array_equal(report["kernel"], imported.get("conv")[0])
    assert not report["trainable"] and int(report["units"]) == 10
    # Two epochs of a new head on frozen 0-4 features: far better than chance (0.1).
    assert float(report["accuracy"]) > 0.5


def test_freeze_and_unfreeze_from_the_command_line(tmp_path, capsys):
    from guibuilder.document import Project
    from tests.training.transfer_base import base_graph

    path = tmp_path / "cnn.gbproj"
    save_project(Project(base_graph()), path)
    assert main(["freeze", str(path), "--up-to", "pool"]) == 0
    assert [n.id for n in load_project(path).graph if not n.trainable] == ["conv", "pool"]
    assert main(["freeze", str(path), "--up-to", "pool"]) == 0
    assert "Froze 0 layers up to 'pool' in cnn.gbproj." in capsys.readouterr().out
    assert main(["freeze", str(path), "--none"]) == 0
    assert "Unfroze 2 layers in cnn.gbproj: conv, pool." in capsys.readouterr().out
    assert all(n.trainable for n in load_project(path).graph)

    done = run_python("-m", "guibuilder", "freeze", str(path), "--up-to", "nowhere")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "guibuilder: error: cnn.gbproj has no node 'nowhere'; its nodes are "
        "image, conv, pool, flatten, dense"
    ]
