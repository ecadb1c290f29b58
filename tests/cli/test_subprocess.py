"""The real entry points, run as programs: exit codes, stderr, and no tracebacks.

Programs that import TensorFlow take seconds each, so only a few of them run here; the
bad project files fail before Keras is needed and are quick.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from guibuilder import __version__
from guibuilder.compiler.build import build_model
from guibuilder.compiler.layers import load_keras
from guibuilder.document import load_project

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"
GOOD = json.loads(DEMO.read_text())


def guibuilder(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run(
        [sys.executable, "-m", "guibuilder", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("guibuilder: error: ")
    assert expected in lines[0]


def _edited(change) -> str:
    data = copy.deepcopy(GOOD)
    change(data)
    return json.dumps(data)


def _nest(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_PROJECTS = {
    "empty": ("", "is empty"),
    "truncated": (DEMO.read_text()[:300], "ends too early"),
    "binary": ("\x00\x01PK", "binary file"),
    "nested": (_nest(50_000), "too deeply"),
    "wrong-type": (_edited(lambda d: d.update(nodes={})), '"nodes" of the project must be a list'),
    "future": (_edited(lambda d: d.update(version=99)), "saved by a newer guibuilder"),
    "unknown": (
        _edited(lambda d: d["nodes"][1].update(type="Warp")),
        "unknown layer types: 'Warp' (node 'conv_1')",
    ),
    "bad-edge": (
        _edited(lambda d: d["edges"].append({"source": "pool", "target": "conv_2"})),
        "edge 'pool' -> 'conv_2'",
    ),
}


def test_bad_project_files_exit_2_with_one_line(tmp_path):
    for kind, (text, expected) in BAD_PROJECTS.items():
        path = tmp_path / f"{kind}.gbproj"
        path.write_text(text)
        result = guibuilder("summary", str(path))
        assert_one_line_error(result, expected)
        assert str(path) in result.stderr
        assert result.stdout == ""


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "future.gbproj"
    path.write_text(BAD_PROJECTS["future"][0])
    result = guibuilder("--debug", "summary", str(path))
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("guibuilder: error: ")


def test_the_three_entry_points_agree():
    script = Path(sys.executable).with_name("guibuilder")
    runs = [
        [str(script), "--version"],
        [sys.executable, "-m", "guibuilder", "--version"],
        [sys.executable, str(ROOT / "main.py"), "--version"],
    ]
    for argv in runs:
        result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"guibuilder {__version__}"


def test_cli_imports_neither_qt_nor_keras():
    code = (
        "import sys, guibuilder.cli, guibuilder.document\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'keras', 'tensorflow', 'shiboken6')]\n"
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_summary_matches_the_built_model_and_stderr_stays_clean():
    result = guibuilder("summary", "--check", str(DEMO))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    total = int(re.search(r"Total params: ([\d,]+)", result.stdout).group(1).replace(",", ""))
    assert total == build_model(load_project(DEMO).graph).count_params()


def test_bad_keras_files_exit_2(tmp_path):
    not_zip = tmp_path / "junk.keras"
    not_zip.write_text("this is not a zip archive")
    no_config = tmp_path / "empty.keras"
    with zipfile.ZipFile(no_config, "w") as archive:
        archive.writestr("metadata.json", "{}")
    for model in (not_zip, no_config):
        result = guibuilder("import", str(model), "-o", str(tmp_path / "out.gbproj"))
        assert_one_line_error(result, model.name)
    assert not (tmp_path / "out.gbproj").exists()


@pytest.mark.filterwarnings("ignore")
def test_lambda_model_is_refused_and_its_code_never_runs(tmp_path):
    keras = load_keras()
    marker = tmp_path / "ran.txt"
    write = eval(f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]")
    inputs = keras.Input((3,))
    outputs = keras.layers.Lambda(write, output_shape=(3,))(inputs)
    model = keras.Model(inputs, outputs)
    path = tmp_path / "lambda.keras"
    model.save(path)
    model(np.ones((1, 3), dtype="float32"))
    marker.unlink()  # the code does write the file when it runs
    result = guibuilder("import", str(path), "-o", str(tmp_path / "lambda.gbproj"))
    assert_one_line_error(result, "Lambda")
    assert not marker.exists()
    assert not (tmp_path / "lambda.gbproj").exists()


def test_train_error_stays_free_of_tensorflow_logs(tmp_path):
    data = tmp_path / "flat.npz"
    np.savez(data, x=np.zeros((20, 3), dtype="float32"), y=np.arange(20) % 2)
    result = guibuilder("train", str(DEMO), "--dataset", str(data), "--run-dir", str(tmp_path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith("guibuilder: ") for line in lines), result.stderr
    assert lines[-1].startswith("guibuilder: error: ")
    assert "flat.npz" in lines[-1]
