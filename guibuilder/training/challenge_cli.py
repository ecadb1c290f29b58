"""The ``challenge`` command: check a project's challenge against a training run.

Exit status 0 when the run passes, 1 when it does not yet, 2 for a user error (no
challenge, an unreadable run folder). Keras is loaded only to count the parameters of a
layer that pure-Python shape inference does not know.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from guibuilder.errors import GuibuilderError
from guibuilder.training.challenge import check_run, count_params, grade, newest_run

CHALLENGE_HELP = "check a project's challenge against its newest training run (0 passed, 1 not yet)"


def configure_challenge(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``challenge``."""
    parser.add_argument("project", metavar="PROJECT", help="a .gbproj file with a challenge")
    parser.add_argument(
        "--run",
        metavar="RUN_DIR",
        help="the run folder to check (default: the project's newest run in 'runs' beside it)",
    )


def run_challenge(args: argparse.Namespace) -> int:
    """Print the challenge, the run it checks and the verdict; 0 passed, 1 not yet."""
    from guibuilder.clitools import load_project_warned, quiet_keras

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
            result = grade(challenge, None, count_params(project.graph))
        print(f"Run:       none yet (train it with 'guibuilder train {path}')")
    else:
        with quiet_keras(args):
            result, epochs = check_run(
                challenge,
                project.graph,
                run,
                classroom=project.classroom,
                training=project.training,
                dataset=project.dataset,
            )
        print(f"Run:       {run} ({epochs} epoch{'s' if epochs != 1 else ''})")
    print(f"Result:    {result.text()}")
    return 0 if result.passed else 1
