"""``guibuilder templates`` and ``guibuilder new``, in process and as a program."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from guibuilder.cli import main
from guibuilder.compiler.build import build_model
from guibuilder.compiler.shapes import infer_shapes
from guibuilder.document import load_project
from guibuilder.templates import get_template, template_names

ROOT = Path(__file__).parents[2]


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


def test_templates_lists_every_template_with_its_target(capsys: pytest.CaptureFixture) -> None:
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    for name in template_names():
        template = get_template(name)
        line = next(row for row in out.splitlines() if row.startswith(f"{name} "))
        assert template.title in line and template.target.text() in line
    assert main(["templates", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "Paper: He, Zhang, Ren, Sun" in out and "Dosovitskiy" in out


@pytest.mark.parametrize("name", template_names())
def test_new_writes_a_project_whose_summary_matches_keras(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / f"{name}.gbproj"
    assert main(["new", "--template", name, "-o", str(out)]) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    project = load_project(out)
    template = get_template(name)
    assert project.title == template.title and template.paper in project.description
    assert project.dataset == template.dataset and project.training.file_dict() == template.training
    assert [n.id for n in project.graph] == [n.id for n in template.build()]
    assert len({n.position for n in project.graph}) == len(project.graph)
    infos = infer_shapes(project.graph)
    assert all(info.error is None for info in infos.values())
    total = sum(info.params for info in infos.values())
    assert build_model(project.graph).count_params() == total


def test_new_and_summary_as_programs(tmp_path: Path) -> None:
    out = tmp_path / "resnet.gbproj"
    made = guibuilder("new", "--template", "resnet-mini", "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Wrote {out}: ResNet (mini)")
    summary = guibuilder("summary", str(out), "--check")
    assert summary.returncode == 0, summary.stderr
    assert "Check: the built model has" in summary.stdout


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--template", "lenet", "-o", "{tmp}/a.gbproj"], "there is no template 'lenet'"),
        (["--template", "lenet5", "-o", "{tmp}/a.json"], "must end in .gbproj"),
        (["--template", "lenet5", "-o", "{tmp}/taken.gbproj"], "exists already"),
    ],
)
def test_new_refuses_with_one_line(argv: list[str], expected: str, tmp_path: Path) -> None:
    taken = tmp_path / "taken.gbproj"
    taken.write_text("mine")
    result = guibuilder("new", *(a.format(tmp=tmp_path) for a in argv))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("guibuilder: error: ")
    assert expected in lines[0]
    assert taken.read_text() == "mine"


def test_new_force_replaces(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "p.gbproj"
    out.write_text("old")
    assert main(["new", "--template", "mlp-spirals", "-o", str(out), "--force"]) == 0
    assert load_project(out).graph.node("output").params["units"] == 2
