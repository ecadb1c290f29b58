"""Gradients (saliency, Grad-CAM, FGSM, signal health) under the JAX and PyTorch backends.

Keras picks its backend once per process, so each check runs in a subprocess with
``KERAS_BACKEND`` set; a backend that is not installed is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

from guibuilder.document import Project, project_from_dict, save_project
from tests.inspect.test_cli import non_blank
from tests.subprocesses import ROOT, run_python

DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"
BACKENDS = ["jax", "torch"]

#: Worked out in the subprocess: the saliency of a linear model for each class, a Grad-CAM
#: through an identity convolution, the gradient norm of a linear layer under squared error
#: and an FGSM step, which the parent compares with the values known by hand; then the
#: ``inspect`` command on a small CNN (one process per backend: each start costs seconds).
SCRIPT = textwrap.dedent(
    """
    import sys
    import keras
    import numpy as np
    from guibuilder.inspect import fgsm, grad_cam, gradient_norms, saliency

    given = np.load(sys.argv[1])
    w, b, image = given["w"], given["b"], given["image"]
    x = keras.Input((3, 3, 1), name="image")
    out = keras.layers.Dense(w.shape[1], name="out")(keras.layers.Flatten(name="flat")(x))
    linear = keras.Model(x, out)
    linear.get_layer("out").set_weights([w, b])
    found = {f"saliency_{c}": saliency(linear, image, c) for c in range(w.shape[1])}
    found["fgsm"] = fgsm(linear, image, label=0, epsilon=0.1, clip=None)

    x = keras.Input((3, 3, 1), name="image")
    conv = keras.layers.Conv2D(1, 3, padding="same", use_bias=False, name="conv")(x)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(conv)
    cam_model = keras.Model(x, keras.layers.Dense(2, name="out")(pooled))
    identity = np.zeros((3, 3, 1, 1), "float32")
    identity[1, 1] = 1.0
    cam_model.get_layer("conv").set_weights([identity])
    cam_model.get_layer("out").set_weights([np.array([[2.0, -1.0]], "float32"), np.zeros(2)])
    found["cam_0"] = grad_cam(cam_model, image, 0)
    found["cam_1"] = grad_cam(cam_model, image, 1)

    x = keras.Input((2,), name="input")
    dense = keras.Model(x, keras.layers.Dense(1, name="out")(x))
    dense.get_layer("out").set_weights([np.array([[1.0], [2.0]], "float32"), np.array([0.5])])
    norms = gradient_norms(
        dense,
        np.array([[3.0, -1.0]], "float32"),
        np.array([[2.0]], "float32"),
        keras.losses.MeanSquaredError(),
    )
    found["norm"] = np.array(norms["out"])
    np.savez(sys.argv[2], backend=keras.backend.backend(), **found)

    from guibuilder.cli import main

    sys.exit(main(["inspect", sys.argv[3], "--out", sys.argv[4]]))
    """
)


def under(backend: str, args: list[str]) -> subprocess.CompletedProcess:
    """Run ``python ARGS`` with Keras on ``backend``; skip when it is not installed."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    return run_python(*args, KERAS_BACKEND=backend)


@pytest.fixture(scope="module")
def cnn_project(tmp_path_factory) -> Path:
    """The demo digits CNN with its weights (a fixed seed) saved beside the project."""
    import keras

    from guibuilder.compiler.build import build_model
    from guibuilder.document.weights import WeightStore

    project = project_from_dict(json.loads(DEMO.read_text()))
    keras.utils.set_random_seed(3)
    model = build_model(project.graph)
    weights = WeightStore.from_model(model, project.graph)
    path = tmp_path_factory.mktemp("backends") / "cnn.gbproj"
    save_project(Project(project.graph, dataset={"name": "digits"}, weights=weights), path)
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradients_and_the_inspect_command_under(backend, cnn_project, tmp_path):
    rng = np.random.default_rng(7)
    w = rng.normal(size=(9, 3)).astype("float32")
    b = rng.normal(size=3).astype("float32")
    image = rng.random((3, 3, 1)).astype("float32")
    np.savez(tmp_path / "given.npz", w=w, b=b, image=image)
    figures = tmp_path / "figures"
    args = [str(tmp_path / "given.npz"), str(tmp_path / "out.npz"), str(cnn_project), str(figures)]
    done = under(backend, ["-c", SCRIPT, *args])
    assert done.returncode == 0, done.stderr[-3000:]
    found = np.load(tmp_path / "out.npz")
    assert str(found["backend"]) == backend
    # The saliency of a linear model is the weight vector of the class.
    for c in range(3):
        np.testing.assert_allclose(found[f"saliency_{c}"].ravel(), w[:, c], rtol=1e-5)
    # For logits z = W x + b and label 0, d loss / d x = W p - W0 (p the softmax of z).
    z = image.ravel() @ w + b
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    direction = w @ p - w[:, 0]
    np.testing.assert_allclose(
        found["fgsm"].ravel(), image.ravel() + 0.1 * np.sign(direction), atol=1e-6
    )
    # Through an identity convolution the map is the image; class 1's weight is negative.
    np.testing.assert_allclose(found["cam_0"], image[:, :, 0] / image.max(), atol=1e-5)
    np.testing.assert_allclose(found["cam_1"], 0.0, atol=1e-7)
    # e = 1*3 + 2*(-1) + 0.5 - 2 = -0.5; dL/dw = 2 e x, dL/db = 2 e.
    assert float(found["norm"]) == pytest.approx(np.sqrt(3.0**2 + 1.0**2 + 1.0), rel=1e-5)
    # The command line draws its gradient figures on this backend too.
    assert "Traceback" not in done.stderr
    assert "no trained weights" not in done.stderr
    for name in ("saliency.png", "fgsm.png", "signal_health.png", "confusion_matrix.png"):
        assert non_blank(figures / name), name
