"""``guibuilder export``: every format loads back in plain Keras/TensorFlow and gives the
project's outputs; the diagram files are real PNG and SVG pictures of the canvas."""

from __future__ import annotations

import importlib.util
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from guibuilder.cli import main
from guibuilder.compiler.build import build_model
from guibuilder.compiler.importer import graph_from_keras
from guibuilder.compiler.layers import load_keras
from guibuilder.document import Project, load_project, save_project
from guibuilder.document.weights import WeightStore
from guibuilder.export import FORMATS, format_for

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def keras():
    return load_keras()


@pytest.fixture(scope="module")
def project_file(keras, tmp_path_factory) -> Path:
    """A trained-looking project: two inputs, shared layer, weights that are not the init."""
    layers = keras.layers
    a, b = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    encoder = layers.Dense(6, activation="tanh", name="encoder")
    joined = layers.Concatenate(name="joined")([encoder(a), encoder(b)])
    out = layers.Dense(3, activation="softmax", name="label")(layers.Dropout(0.2)(joined))
    model = keras.Model([a, b], out, name="pairs")
    rng = np.random.default_rng(1)
    model.set_weights([rng.standard_normal(w.shape).astype("float32") for w in model.weights])
    graph = graph_from_keras(model)
    project = Project(graph, weights=WeightStore.from_model(model, graph), title="Pairs")
    path = tmp_path_factory.mktemp("project") / "pairs.gbproj"
    save_project(project, path)
    return path


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((3, 4)).astype("float32") for _ in range(2)]


@pytest.fixture(scope="module")
def expected(project_file, sample, keras):
    project = load_project(project_file)
    model = build_model(project.graph, project.weights)
    return keras.ops.convert_to_numpy(model(sample, training=False))


def _export(project_file: Path, out: Path, *extra: str) -> int:
    return main(["export", str(project_file), "-o", str(out), *extra])


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras_files_keep_the_weights(keras, project_file, sample, expected, tmp_path, suffix):
    out = tmp_path / f"model{suffix}"
    assert _export(project_file, out) == 0
    loaded = keras.saving.load_model(out, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(sample, verbose=0), expected, atol=1e-5)
    assert [t.name for t in loaded.inputs] == ["left", "right"]


def test_savedmodel_serves_the_same_outputs(keras, project_file, sample, expected, tmp_path):
    out = tmp_path / "served"
    assert _export(project_file, out, "--format", "savedmodel") == 0
    layer = keras.layers.TFSMLayer(str(out), call_endpoint="serve")
    got = keras.ops.convert_to_numpy(layer(sample))
    np.testing.assert_allclose(got, expected, atol=1e-5)
    # A second export replaces the folder.
    assert _export(project_file, out) == 0
    assert (out / "saved_model.pb").is_file()


@pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None or importlib.util.find_spec("tf2onnx") is None,
    reason="the onnx extra is not installed",
)
@pytest.mark.filterwarnings("ignore::FutureWarning")  # Keras' tf2onnx patch probes np.object
def test_onnx_passes_the_checker(project_file, sample, expected, tmp_path):
    import onnx
    from onnx.reference import ReferenceEvaluator

    out = tmp_path / "model.onnx"
    assert _export(project_file, out) == 0
    proto = onnx.load(str(out))
    onnx.checker.check_model(proto)
    names = [i.name for i in proto.graph.input]
    assert len(names) == 2
    (got,) = ReferenceEvaluator(proto).run(None, dict(zip(names, sample, strict=True)))
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_onnx_without_the_extra_says_how_to_get_it(project_file, tmp_path, capsys, monkeypatch):
    real = importlib.util.find_spec
    hidden = {"onnx", "tf2onnx"}
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in hidden else real(name, *a)
    )
    out = tmp_path / "model.onnx"
    assert _export(project_file, out) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "needs onnx and tf2onnx, which are not installed" in err
    assert "pip install 'guibuilder[onnx]'" in err
    assert not out.exists()


def test_python_export_writes_a_standalone_script(project_file, tmp_path, capsys):
    out = tmp_path / "pairs.py"
    assert _export(project_file, out) == 0
    assert "Wrote" in capsys.readouterr().out
    text = out.read_text()
    assert "guibuilder" not in text.replace("written by guibuilder", "")
    compile(text, str(out), "exec")
    assert "encoder_layer = keras.layers.Dense(units=6, activation='tanh'" in text
    assert not (tmp_path / "pairs_data.npz").exists()  # the project has no dataset


def test_python_export_with_a_dataset_saves_its_arrays(project_file, tmp_path, keras):
    x = keras.Input((2,), name="points")
    out = keras.layers.Dense(2, name="logits")(keras.layers.Dense(8, name="hidden")(x))
    graph = graph_from_keras(keras.Model(x, out, name="spirals_net"))
    project = Project(graph, dataset={"name": "spirals", "samples": 100}, training={"epochs": 1})
    path = tmp_path / "spirals.gbproj"
    save_project(project, path)
    script = tmp_path / "train_spirals.py"
    assert _export(path, script) == 0
    with np.load(tmp_path / "train_spirals_data.npz") as saved:
        assert set(saved.files) == {"x_train", "y_train", "x_val", "y_val"}
        assert saved["x_train"].shape[1:] == (2,)
        assert len(saved["x_train"]) + len(saved["x_val"]) == 100
    text = script.read_text()
    assert "train_spirals_data.npz" in text and "model.fit(" in text
    assert "from_logits=True" in text  # the model ends in raw scores


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_and_svg_diagrams(project_file, tmp_path):
    png, svg = tmp_path / "pairs.png", tmp_path / "pairs.svg"
    assert _export(project_file, png) == 0
    width, height = _png_size(png)
    assert width > 100 and height > 100
    assert _export(project_file, svg, "--format", "svg") == 0
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t.strip() for t in root.itertext())
    for node_id in ("left", "right", "encoder", "joined", "label"):
        assert node_id in text


def test_wrong_suffix_and_unknown_format(project_file, tmp_path, capsys):
    assert _export(project_file, tmp_path / "model.txt") == 2
    assert "--format" in capsys.readouterr().err
    assert _export(project_file, tmp_path / "model.h5", "--format", "keras") == 2
    assert "must end in .keras" in capsys.readouterr().err
    assert _export(project_file, tmp_path / "missing" / "m.keras") == 2
    assert "does not exist" in capsys.readouterr().err
    assert set(FORMATS) == {"keras", "h5", "savedmodel", "onnx", "python", "png", "svg"}
    assert format_for("folder") == "savedmodel"


def test_export_as_a_program(project_file, tmp_path, keras, sample, expected):
    out = tmp_path / "cli.keras"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-m", "guibuilder", "export", str(project_file), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith(f"Saved {out}")
    loaded = keras.saving.load_model(out, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(sample, verbose=0), expected, atol=1e-5)


@pytest.mark.parametrize("suffix", [".keras", ".py", "_folder"])
def test_a_broken_graph_is_one_line_naming_the_node(tmp_path, capsys, suffix):
    from guibuilder.graph import Graph

    graph = Graph(name="broken")
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Dense", {"units": 2}, node_id="head")
    path = tmp_path / "broken.gbproj"
    save_project(Project(graph), path)
    out = tmp_path / f"out{suffix}"
    assert _export(path, out) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("guibuilder: error:") and err.count("\n") == 0
    assert "head" in err
    assert not out.exists()


def test_diagram_without_qt_says_so(project_file, tmp_path, capsys, monkeypatch):
    # as if Qt would not load
    monkeypatch.setitem(sys.modules, "guibuilder.ui.canvas.diagram", None)
    out = tmp_path / "pairs.png"
    assert _export(project_file, out) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "needs Qt (PySide6)" in err
    assert not out.exists()


def test_a_diagram_is_drawn_by_the_renderer_it_is_given(project_file, tmp_path):
    from guibuilder.errors import GuibuilderError
    from guibuilder.export import export_project

    project = load_project(project_file)
    with pytest.raises(GuibuilderError, match="has no diagram renderer"):
        export_project(project, "png", tmp_path / "pairs.png")
    drawn = []
    result = export_project(
        project,
        "svg",
        tmp_path / "pairs.svg",
        draw_diagram=lambda p, out: drawn.append(out) or (3, 2),
    )
    assert drawn == [tmp_path / "pairs.svg"] and result.summary.endswith("(3x2).")
