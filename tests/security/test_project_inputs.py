"""Hostile project files through the real command line: one short line and exit 2.

Each class of input from the reliability issue: a number past Python's digit limit, text
with a lone surrogate anywhere, initializer and regularizer configs Keras cannot read,
data paths that are devices or pipes, and weights entries that point outside the project.
Most are refused when the file is read, before Keras loads, so these runs are quick.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from guibuilder.document import load_project, save_project, weights_path
from guibuilder.document.weights import WeightStore
from tests.subprocesses import run_python

#: Longest line a one-line error may be.
MAX_LINE = 400


def base() -> dict:
    """Input(2) -> Dense(2, softmax) on the two-moons data: valid, tiny, trains in a blink."""
    return {
        "format": "guibuilder-project",
        "version": 2,
        "name": "tiny",
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [2]}, "position": [0, 0]},
            {
                "id": "out",
                "type": "Dense",
                "params": {"units": 2, "activation": "softmax"},
                "position": [0, 100],
            },
        ],
        "edges": [{"source": "x", "target": "out"}],
        "outputs": [],
        "dataset": {"name": "moons"},
        "training": {"epochs": 1},
        "weights": None,
        "meta": {},
    }


def write(folder: Path, data: dict | str, name: str = "p.gbproj") -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def command(name: str, project: Path) -> list[str]:
    folder = project.parent
    return {
        "summary": ["summary", str(project)],
        "build": ["build", "-o", str(folder / "m.keras"), str(project)],
        "export": ["export", "-f", "python", "-o", str(folder / "m.py"), str(project)],
        "train": ["train", "--run-dir", str(folder / "runs"), str(project)],
    }[name]


def guibuilder(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return run_python("-m", "guibuilder", *argv, timeout=timeout)


def assert_refused(result: subprocess.CompletedProcess, expected: str) -> str:
    """Exit 2, no traceback, every line short and printable; returns the error line."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("guibuilder: ") for line in lines), result.stderr
    assert all(len(line) <= MAX_LINE and line.isprintable() for line in lines), result.stderr
    assert lines[-1].startswith("guibuilder: error: ")
    assert expected in lines[-1], lines[-1]
    return lines[-1]


def _huge_int(folder: Path) -> Path:
    text = json.dumps(base()).replace('"units": 2', '"units": ' + "9" * 5000)
    return write(folder, text)


@pytest.mark.parametrize("name", ["summary", "build", "export", "train"])
def test_a_number_past_the_digit_limit(tmp_path, name):
    result = guibuilder(*command(name, _huge_int(tmp_path)))
    assert_refused(result, "a whole number of more than 4300 digits")


def _place(data: dict, where: str, value: object) -> None:
    target = data
    *path, last = where.split("/")
    for key in path:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[last] = value


SURROGATES = {
    "name": ("name", "the text at name"),
    "title": ("meta/title", "the text at meta.title"),
    "node name": ("nodes/1/name", "the text at nodes[1].name"),
    "node id": ("nodes/1/id", "the text at nodes[1].id"),
    "param": ("nodes/1/params/activation", "the text at nodes[1].params.activation"),
    "dataset": ("dataset/name", "the text at dataset.name"),
    "training": ("training/optimizer", "the text at training.optimizer"),
}


@pytest.mark.parametrize("place", SURROGATES)
def test_a_lone_surrogate_anywhere_is_refused_at_load(tmp_path, place):
    where, expected = SURROGATES[place]
    data = base()
    _place(data, where, "a\ud800b")
    result = guibuilder("summary", str(write(tmp_path, data)))
    line = assert_refused(result, f"{expected} is not valid Unicode")
    assert str(tmp_path / "p.gbproj") in line


@pytest.mark.parametrize("name", ["build", "export", "train"])
def test_a_lone_surrogate_is_refused_by_every_command(tmp_path, name):
    data = base()
    data["nodes"][1]["name"] = "\udc80"
    result = guibuilder(*command(name, write(tmp_path, data)))
    assert_refused(result, "is not valid Unicode")


def test_a_lone_surrogate_in_a_key_is_refused(tmp_path):
    data = base()
    data["training"] = {"\ud800": 1}
    assert_refused(guibuilder("summary", str(write(tmp_path, data))), "a key of training")


KERAS_CONFIGS = {
    "regularizer argument": (
        "kernel_regularizer",
        {"class_name": "L2", "config": {"bogus": 1}},
        "layer 'out' (Dense) cannot be built: L2.__init__() got an unexpected keyword",
    ),
}


@pytest.mark.parametrize("kind", KERAS_CONFIGS)
def test_a_keras_config_keras_cannot_read_is_one_sentence_in_export(tmp_path, kind):
    param, value, expected = KERAS_CONFIGS[kind]
    data = base()
    data["nodes"][1]["params"][param] = value
    result = guibuilder(*command("export", write(tmp_path, data)))
    assert_refused(result, expected)
    assert not (tmp_path / "m.py").exists()


@pytest.mark.parametrize("kind", KERAS_CONFIGS)
def test_a_keras_config_keras_cannot_read_is_the_same_sentence_in_build(kind):
    from guibuilder.compiler.build import BuildError, build_model
    from guibuilder.document import loads

    param, value, expected = KERAS_CONFIGS[kind]
    data = base()
    data["nodes"][1]["params"][param] = value
    project, _ = loads(json.dumps(data))
    with pytest.raises(BuildError, match=re.escape(expected)) as caught:
        build_model(project.graph)
    assert caught.value.node_ids == ("out",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"class_name": "GlorotUniform", "config": [1]}, "the config of kernel_initializer"),
        ({"class_name": "NoSuchInitializer", "config": {}}, "'NoSuchInitializer', which is not"),
        ({"class_name": "os.system", "config": {}}, "'os.system', which is not a Keras class"),
        ({"class_name": "a\nb"}, r"the class 'a\nb', which is not a Keras class"),
    ],
)
def test_a_malformed_keras_config_is_refused_at_load(tmp_path, value, expected):
    data = base()
    data["nodes"][1]["params"]["kernel_initializer"] = value
    for name in ("summary", "export"):
        assert_refused(guibuilder(*command(name, write(tmp_path, data))), expected)


@pytest.fixture
def fifo(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.npy"
    os.mkfifo(path)
    return path


def test_a_dataset_that_is_a_device_is_refused_before_reading(tmp_path):
    data = base()
    data["dataset"] = {"name": "numpy", "path": os.devnull}
    result = guibuilder(*command("train", write(tmp_path, data)), timeout=60)
    assert_refused(result, f"{os.devnull} is not a regular file")


def test_a_dataset_that_is_a_fifo_is_refused_without_blocking(tmp_path, fifo):
    data = base()
    data["dataset"] = {"name": "numpy", "path": fifo.name, "labels": ""}
    result = guibuilder(*command("train", write(tmp_path, data)), timeout=60)
    assert_refused(result, "pipe.npy is not a regular file")
    result = guibuilder("train", "--dataset", str(fifo), str(write(tmp_path, base())), timeout=60)
    assert_refused(result, "pipe.npy is not a regular file")


def test_a_labels_file_that_is_a_fifo_is_refused(tmp_path, fifo):
    np.save(tmp_path / "x.npy", np.zeros((20, 2), "float32"))
    data = base()
    data["dataset"] = {"name": "numpy", "path": "x.npy", "labels": fifo.name}
    result = guibuilder(*command("train", write(tmp_path, data)), timeout=60)
    assert_refused(result, "pipe.npy is not a regular file")


def test_a_project_file_that_is_a_fifo_is_refused(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.gbproj"
    os.mkfifo(path)
    assert_refused(guibuilder("summary", str(path), timeout=60), "is not a regular file")


def test_an_image_that_is_a_fifo_is_refused_or_skipped(tmp_path, fifo):
    from PIL import Image

    from guibuilder.data import DataError, load_dataset
    from guibuilder.data.images import load_image

    with pytest.raises(DataError, match=r"pipe\.npy is not a regular file"):
        load_image(fifo, (4, 4), "rgb")
    for label in ("a", "b"):
        (tmp_path / "images" / label).mkdir(parents=True)
        Image.new("RGB", (4, 4)).save(tmp_path / "images" / label / "one.png")
    os.mkfifo(tmp_path / "images" / "a" / "two.png")  # not a file: a class folder skips it
    data = load_dataset(str(tmp_path / "images"), image_size=[4, 4], validation_split=0.5)
    assert len(data.x_train) + len(data.x_val) == 2


# ------------------------------------------------------------------ weights
def _trained(folder: Path, entry: str) -> Path:
    """A project whose weights entry is ``entry``, with a valid weights file there."""
    path = folder / "proj" / "p.gbproj"
    path.parent.mkdir()
    data = base()
    data["weights"] = entry
    write(path.parent, data)
    return path


WEIGHT_ENTRIES = {
    "absolute": "/etc/passwd",
    "parent": "../victim.weights.h5",
    "sub folder": "sub/p.weights.h5",
    "other name": "other.weights.h5",
    "long": "x" * 5000 + ".weights.h5",
    "newline": "p\n.weights.h5",
}


@pytest.mark.parametrize("kind", WEIGHT_ENTRIES)
def test_a_weights_entry_that_is_not_the_sidecar_is_not_read(tmp_path, kind):
    entry = WEIGHT_ENTRIES[kind]
    path = _trained(tmp_path, entry)
    victim = tmp_path / "victim.weights.h5"
    store = WeightStore({"out": [np.ones((2, 2), "float32"), np.ones(2, "float32")]})
    store.save(victim)
    before = victim.read_bytes()
    project = load_project(path)
    assert project.weights is None
    [warning] = project.warnings
    assert "is not its own weights file p.weights.h5" in warning and "fresh weights" in warning
    assert len(warning) <= MAX_LINE and warning.isprintable()
    project.weights = store
    save_project(project)  # the trained weights go to the sidecar, nowhere else
    assert victim.read_bytes() == before
    assert json.loads(path.read_text())["weights"] == "p.weights.h5"
    assert load_project(path).weights.node_ids() == ["out"]


def test_a_weights_entry_outside_is_one_short_warning_in_the_cli(tmp_path):
    path = _trained(tmp_path, "x" * 5000)
    result = guibuilder("summary", str(path))
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("guibuilder: ")]
    assert line.startswith("guibuilder: warning: the weights file named in p.gbproj, 'xxx")
    assert len(line) <= MAX_LINE


def test_the_sidecar_as_a_fifo_is_not_opened(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = _trained(tmp_path, "p.weights.h5")
    os.mkfifo(weights_path(path))
    project = load_project(path)
    assert project.weights is None
    assert "is not a regular file" in project.warnings[0]
