"""Every template's exports outside guibuilder: the Keras files load in plain Keras with only
``guibuilder.keras_layers`` imported (safe mode) and give the project's outputs; the Python
export builds the same model with guibuilder not importable at all."""

from __future__ import annotations

import importlib.util
import json
import textwrap

import numpy as np
import pytest

from guibuilder.compiler.build import build_model
from guibuilder.compiler.layers import load_keras
from guibuilder.document.weights import WeightStore
from guibuilder.export import export_project
from guibuilder.templates import get_template, template_names
from tests.subprocesses import run_python

#: First imports each generated script by path with every ``guibuilder`` import refused and
#: describes its ``build_model()``; then loads each Keras file with Keras and guibuilder's
#: layer module alone (safe mode) and saves its outputs. One process: each start costs seconds.
CHECK = textwrap.dedent(
    """
    import importlib.abc, importlib.util, json, sys
    import keras
    import numpy as np

    class NoGuibuilder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "guibuilder":
                raise ImportError(f"the export imported {name}")

    files, scripts = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    blocker = NoGuibuilder()
    sys.meta_path.insert(0, blocker)
    report = {}
    for path in scripts:
        spec = importlib.util.spec_from_file_location("exported", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = module.build_model()
        report[path] = {"params": model.count_params(), "layers": [l.name for l in model.layers]}
    print("REPORT " + json.dumps(report))
    sys.meta_path.remove(blocker)

    import guibuilder.keras_layers

    loaded = sorted(m for m in sys.modules if m.startswith("guibuilder"))
    assert loaded == ["guibuilder", "guibuilder.keras_layers"], loaded
    for path, inputs in files.items():
        model = keras.saving.load_model(path, safe_mode=True)
        data = np.load(inputs)
        x = [data[f"x{i}"] for i in range(len(data.files))]
        out = model(x if len(x) > 1 else x[0], training=False)
        outs = out if isinstance(out, (list, tuple)) else [out]
        np.savez(path + ".out.npz", *[keras.ops.convert_to_numpy(o) for o in outs])
    """
)


def _sample(model, rng: np.random.Generator) -> list[np.ndarray]:
    """One small batch for each input: random floats, or token 0 for integer inputs."""
    batch = []
    for tensor in model.inputs:
        shape = (2, *tuple(tensor.shape)[1:])
        if "int" in str(tensor.dtype):
            batch.append(np.zeros(shape, dtype=str(tensor.dtype)))
        else:
            batch.append(rng.random(shape).astype("float32"))
    return batch


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict:
    """Each template with weights that are not the initial ones, exported three ways."""
    keras = load_keras()
    folder = tmp_path_factory.mktemp("template_exports")
    rng = np.random.default_rng(0)
    found = {"files": {}, "expected": {}, "scripts": {}}
    for name in template_names():
        project = get_template(name).project()
        project.dataset = None
        model = build_model(project.graph)
        model.set_weights(
            [w + rng.normal(0, 0.01, w.shape).astype(w.dtype) for w in model.get_weights()]
        )
        project.weights = WeightStore.from_model(model, project.graph)
        x = _sample(model, rng)
        out = model(x if len(x) > 1 else x[0], training=False)
        outs = out if isinstance(out, list | tuple) else [out]
        np.savez(folder / f"{name}.in.npz", **{f"x{i}": a for i, a in enumerate(x)})
        for suffix in ("keras", "h5"):
            path = folder / f"{name}.{suffix}"
            export_project(project, suffix, path)
            found["files"][str(path)] = str(folder / f"{name}.in.npz")
            found["expected"][str(path)] = [keras.ops.convert_to_numpy(o) for o in outs]
        script = folder / f"{name.replace('-', '_')}.py"
        export_project(project, "python", script)
        found["scripts"][str(script)] = (
            model.count_params(),
            [layer.name for layer in model.layers],
        )
    return found


def test_every_export_of_every_template_works_outside_guibuilder(exports):
    done = run_python(
        "-c", CHECK, json.dumps(exports["files"]), json.dumps(list(exports["scripts"]))
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("REPORT "))
    report = json.loads(line[len("REPORT ") :])
    assert set(report) == set(exports["scripts"])
    for path, (params, layers) in exports["scripts"].items():
        assert report[path] == {"params": params, "layers": layers}, path
    for path, expected in exports["expected"].items():
        got = np.load(path + ".out.npz")
        assert len(got.files) == len(expected), path
        for i, want in enumerate(expected):
            np.testing.assert_allclose(got[f"arr_{i}"], want, rtol=1e-4, atol=1e-5, err_msg=path)


@pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None or importlib.util.find_spec("tf2onnx") is None,
    reason="the onnx extra is not installed",
)
@pytest.mark.filterwarnings("ignore::FutureWarning")  # Keras' tf2onnx patch probes np.object
def test_onnx_export_of_exact_gelu_gives_the_same_outputs(tmp_path):
    import onnx
    from onnx.reference import ReferenceEvaluator

    from guibuilder.document import Project
    from guibuilder.graph import Graph

    graph = Graph("gelu")
    graph.add_node("Input", {"shape": [6]}, node_id="x")
    graph.add_node("Dense", {"units": 5, "activation": "gelu"}, node_id="hidden")
    graph.connect("x", "hidden")
    model = build_model(graph)
    project = Project(graph, weights=WeightStore.from_model(model, graph))
    x = np.linspace(-4.0, 4.0, 18, dtype="float32").reshape(3, 6)
    expected = load_keras().ops.convert_to_numpy(model(x))
    out = tmp_path / "gelu.onnx"
    export_project(project, "onnx", out)
    proto = onnx.load(str(out))
    onnx.checker.check_model(proto)
    (got,) = ReferenceEvaluator(proto).run(None, {proto.graph.input[0].name: x})
    np.testing.assert_allclose(got, expected, atol=1e-5)
