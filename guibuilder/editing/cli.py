"""``guibuilder freeze``: freeze a model's body (or unfreeze it) headless, as the window does.

``guibuilder freeze PROJECT --up-to NODE`` makes NODE and every layer it depends on
untrainable, so that training leaves their weights as they are; ``--none`` makes every
layer trainable again. The edit goes through the same editor as the window's, so a
teacher's locks refuse it the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from guibuilder.editing.editor import Editor
from guibuilder.editing.freeze import layers_text
from guibuilder.errors import GuibuilderError

FREEZE_HELP = "freeze a layer and every layer before it (to fine-tune), or unfreeze them all"


def configure_freeze(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``freeze``."""
    parser.add_argument("project", metavar="PROJECT", help="a .gbproj file")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--up-to",
        metavar="NODE",
        help="freeze this node and every layer it depends on (the body a new head builds on)",
    )
    which.add_argument("--none", action="store_true", help="make every layer trainable again")


def run_freeze(args: argparse.Namespace) -> int:
    """Freeze or unfreeze, save the project, and say which layers changed."""
    from guibuilder.clitools import load_project_warned
    from guibuilder.document import save_project

    path = Path(args.project)
    editor = Editor(load_project_warned(args.project))
    graph = editor.graph
    if args.up_to is not None:
        if args.up_to not in graph:
            raise GuibuilderError(
                f"{path.name} has no node {args.up_to!r}; its nodes are {', '.join(graph.nodes)}"
            )
        changed = editor.freeze_up_to(args.up_to)
        done = f"Froze {layers_text(len(changed))} up to {args.up_to!r}"
    else:
        changed = editor.unfreeze_all()
        done = f"Unfroze {layers_text(len(changed))}"
    if editor.modified:
        save_project(editor.project, path)
    print(f"{done} in {path.name}{': ' + ', '.join(changed) if changed else ''}.")
    return 0
