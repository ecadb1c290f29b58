"""Every command refuses a hostile project with exit 2 and one line, and runs nothing of it;
a project whose names would end a docstring exports a script that runs nothing of them.

Every command and hostile project meet in this process (quick: the file is refused before
Keras is needed); real programs run each command once and each hostile project once.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from guibuilder.cli import main
from tests.security.hostile import MARKER, REFUSED, base_project, docstring_payload
from tests.subprocesses import run_python


def commands(project: Path, out: Path) -> dict[str, list[str]]:
    """Every command that reads a project, by a short name."""
    p = str(project)
    return {
        "summary": ["summary", p],
        "summary-check": ["summary", "--check", p],
        "build-keras": ["build", "-o", str(out / "m.keras"), p],
        "build-h5": ["build", "-o", str(out / "m.h5"), p],
        "export-python": ["export", "-f", "python", "-o", str(out / "m.py"), p],
        "export-keras": ["export", "-f", "keras", "-o", str(out / "e.keras"), p],
        "export-h5": ["export", "-f", "h5", "-o", str(out / "e.h5"), p],
        "export-savedmodel": ["export", "-f", "savedmodel", "-o", str(out / "saved"), p],
        "train": ["train", "--epochs", "1", "--run-dir", str(out / "runs"), p],
        "inspect": ["inspect", "--out", str(out / "figures"), p],
    }


def assert_refused(code: int, err: str, name: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("guibuilder: error: ")
    assert REFUSED[name][1] in lines[0]
    assert "Traceback" not in err


def program(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m guibuilder ARGV`` in ``cwd``, where a user module would be importable."""
    return run_python("-m", "guibuilder", *argv, cwd=cwd)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_every_command_refuses_a_hostile_project(
    name, write_hostile, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # the user module could be imported
    project = write_hostile(name)
    for command, argv in commands(project, tmp_path).items():
        code = main(argv)
        err = capsys.readouterr().err
        assert_refused(code, err, name)
        assert not (tmp_path / "m.py").exists(), command


def test_every_command_as_a_program(write_hostile, tmp_path):
    project = write_hostile("call-kwargs-tfsm")
    for argv in commands(project, tmp_path).values():
        result = program(*argv, cwd=tmp_path)
        assert_refused(result.returncode, result.stderr, "call-kwargs-tfsm")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_python_export_program_refuses(name, write_hostile, tmp_path):
    project = write_hostile(name)
    result = program("export", "-f", "python", "-o", "m.py", str(project), cwd=tmp_path)
    assert_refused(result.returncode, result.stderr, name)
    assert not (tmp_path / "m.py").exists()


def test_names_that_would_end_the_docstring_stay_text(tmp_path, markers):
    """The title and the data file's name end the docstring and open a file when pasted as
    they are; the exported script carries them as harmless text and runs."""
    payload = docstring_payload()
    data_file = tmp_path / f"{payload}.csv"
    rows = [f"{(i % 7) / 7},{(i % 5) / 5},{i % 2}" for i in range(40)]
    data_file.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    data = base_project()
    data["dataset"] = {"name": "csv", "path": data_file.name}
    data["meta"]["title"] = payload + "\\\n\r\x00 end"
    project = tmp_path / "tiny.gbproj"
    project.write_text(json.dumps(data))
    result = program("export", "-f", "python", "-o", "tiny.py", str(project), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    script = (tmp_path / "tiny.py").read_text()
    module = ast.parse(script)
    docstring = ast.get_docstring(module)
    assert "x'''; open('marker', 'w'); '''y" in docstring
    assert isinstance(module.body[1], ast.Import)  # the docstring is one statement
    run = subprocess.run(
        [sys.executable, "tiny.py"], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert not (tmp_path / MARKER).exists()
