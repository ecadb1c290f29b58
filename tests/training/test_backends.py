"""The command-line training path under the other Keras backends (JAX, PyTorch), when installed."""

from __future__ import annotations

import importlib.util
import textwrap

import keras
import numpy as np
import pytest

from guibuilder.document import Project, save_project
from tests.subprocesses import run_python
from tests.training.helpers import mlp_graph

SCRIPT = textwrap.dedent(
    """
    import sys
    from guibuilder.cli import build_parser
    args = build_parser().parse_args(sys.argv[1:])
    import keras
    print("backend", keras.backend.backend())
    sys.exit(args.handler(args))
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_train_runs_under_another_backend(tmp_path, backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    path = tmp_path / "iris.gbproj"
    training = {"epochs": 2, "batch_size": 16, "seed": 0, "schedule": "cosine"}
    save_project(Project(mlp_graph(), dataset={"name": "iris"}, training=training), path)
    done = run_python("-c", SCRIPT, "train", str(path), "--save", KERAS_BACKEND=backend)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"backend {backend}" in done.stdout
    assert "Trained 2 epochs" in done.stdout
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1
    assert {"config.json", "history.csv", "best.keras", "last.keras", "train.log"} <= {
        p.name for p in runs[0].iterdir()
    }
    assert (tmp_path / "iris.weights.h5").exists()
    # What one backend saved loads in this process's Keras and gives class probabilities.
    model = keras.saving.load_model(runs[0] / "best.keras")
    probs = keras.ops.convert_to_numpy(model(np.zeros((2, 4), "float32")))
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-5)
