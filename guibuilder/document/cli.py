"""The ``challenge`` command: check a project's challenge against a training run.

Exit status 0 when the run passes, 1 when it does not yet, 2 for a user error (no
challenge, an unreadable run folder). Keras is loaded only to count the parameters of a
layer that pure-Python shape inference does not know.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from guibuilder.document.classroom import ChallengeResult
from guibuilder.errors import FileFormatError, GuibuilderError

CHALLENGE_HELP = "check a project's challenge against its newest training run (0 passed, 1 not yet)"


def configure_challenge(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``challenge``."""
    parser.add_argument("project", metavar="PROJECT", help="a .gbproj file with a challenge")
    parser.add_argument(
        "--run",
        metavar="RUN_DIR",
        help="the run folder to check (default: the project's newest run in 'runs' beside it)",
    )


def newest_run(project_path: Path) -> Path | None:
    """The newest run folder of the project at ``project_path`` in ``runs`` beside it."""
    from guibuilder.training.runs import list_runs, read_config

    for run in reversed(list_runs(project_path.parent / "runs")):
        try:
            name = read_config(run).get("name")
        except FileFormatError:
            continue
        if name == project_path.stem:
            return run
    return None


def count_params(graph: Any) -> int | None:
    """The parameter count of ``graph`` from shape inference; None if it does not build."""
    from guibuilder.compiler.shapes import infer_shapes

    infos = infer_shapes(graph)
    if any(info.error or info.pending for info in infos.values()):
        return None
    return sum(info.params for info in infos.values())


def check_run(project: Any, run: Path) -> tuple[ChallengeResult, int]:
    """Check ``project``'s challenge against the run folder ``run``; also return its epochs.

    The parameters are counted on the graph the run trained (saved in its config), so a
    later edit of the project does not change the verdict.
    """
    from guibuilder.document import project_from_dict
    from guibuilder.training.runs import read_config, read_history

    if not run.is_dir():
        raise FileFormatError(f"the run folder {run} does not exist")
    config = read_config(run)
    history = read_history(run)
    graph = project.graph
    if isinstance(config.get("project"), dict):
        graph = project_from_dict(config["project"], f"{run}/config.json").graph
    dataset = (config.get("dataset") or {}).get("name")
    result = project.classroom.challenge.evaluate(history, count_params(graph), dataset)
    return result, len(history.get("epoch", []))


def run_challenge(args: argparse.Namespace) -> int:
    """Print the challenge, the run it checks and the verdict; 0 passed, 1 not yet."""
    from guibuilder.cli import load_project_warned, quiet_keras

    path = Path(args.project)
    project = load_project_warned(args.project)
    challenge = project.classroom.challenge if project.classroom is not None else None
    if challenge is None:
        raise GuibuilderError(
            f"{path} has no challenge: a teacher sets one with Teacher > Set Challenge"
        )
    if challenge.text:
        print(f"Challenge: {challenge.text}")
    print(f"Goal:      {challenge.goal()}")
    run = Path(args.run) if args.run else newest_run(path)
    if run is None:
        with quiet_keras(args):
            result = challenge.evaluate(None, count_params(project.graph))
        print(f"Run:       none yet (train it with 'guibuilder train {path}')")
    else:
        with quiet_keras(args):
            result, epochs = check_run(project, run)
        print(f"Run:       {run} ({epochs} epoch{'s' if epochs != 1 else ''})")
    print(f"Result:    {result.text()}")
    return 0 if result.passed else 1
