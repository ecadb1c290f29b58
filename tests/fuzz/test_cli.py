"""A few hostile inputs through the real command line: exit 2, one line, no traceback."""

from __future__ import annotations

import json

import pytest

from tests.fuzz import hostile_inputs
from tests.fuzz.checks import MAX_MESSAGE
from tests.subprocesses import run_python


def _refused_in_one_line(*args: str, folder) -> None:
    result = run_python("-m", "guibuilder", *args, timeout=120)
    lines = [line for line in result.stderr.splitlines() if "warning:" not in line]
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("guibuilder: error: ")
    assert len(lines[0].replace(str(folder), "")) < MAX_MESSAGE + len("guibuilder: error: ")


def _project(change) -> str:
    data = json.loads(json.dumps(hostile_inputs.seed_projects()["digits_cnn"]))
    change(data)
    return hostile_inputs.json_text(data)


PROJECTS = {
    "newline-key": lambda d: d["nodes"][1]["params"].update({"a\nb": 1}),
    "long-key": lambda d: d["nodes"][1]["params"].update({"k" * 5000: 1}),
    "big-int": lambda d: d["nodes"][1]["params"].update(units=hostile_inputs.BIG_INT),
    "deep": lambda d: d.update(dataset={"deep": hostile_inputs.DEEP}),
    "surrogate": lambda d: d["meta"].update(title="\ud800"),
}


@pytest.mark.parametrize(
    ("case", "command"),
    [
        ("newline-key", "summary"),
        ("long-key", "build"),
        ("big-int", "summary"),
        ("deep", "build"),
        ("surrogate", "build"),
    ],
)
def test_a_refused_project_gives_one_line(tmp_path, case, command):
    path = tmp_path / "p.gbproj"
    path.write_text(_project(PROJECTS[case]), encoding="utf-8")
    out = ["-o", str(tmp_path / "out.keras")] if command == "build" else []
    _refused_in_one_line(command, str(path), *out, folder=tmp_path)


def test_a_refused_model_file_gives_one_line(tiny_models, tmp_path):
    path = tmp_path / "m.h5"
    hostile_inputs.write_h5(tiny_models[1], path, 7)
    _refused_in_one_line("import", str(path), "-o", str(tmp_path / "p.gbproj"), folder=tmp_path)


def test_a_refused_data_file_gives_one_line(tmp_path):
    project = tmp_path / "p.gbproj"
    project.write_text(_project(lambda d: None), encoding="utf-8")
    data = tmp_path / "x.npy"
    data.write_bytes(hostile_inputs.huge_npy_header())
    _refused_in_one_line("train", str(project), "--dataset", str(data), folder=tmp_path)
