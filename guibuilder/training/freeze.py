"""Freezing a model's body for fine-tuning, and the ``freeze`` command that does it headless.

``guibuilder freeze PROJECT --up-to NODE`` makes NODE and every layer it depends on
untrainable, so that training leaves their weights as they are; ``--none`` makes every
layer trainable again. The window offers the same on the canvas' context menu.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph

FREEZE_HELP = "freeze a layer and every layer before it (to fine-tune), or unfreeze them all"


def layers_text(count: int) -> str:
    """``1 layer``, ``3 layers``."""
    return f"{count} layer{'s' if count != 1 else ''}"


def body_of(graph: Graph, node_id: str) -> list[str]:
    """``node_id`` and every node it depends on, as the nodes that own their layers.

    Inputs are left out (they have no weights); a node sharing another's layer counts as
    that owner. In graph order.
    """
    owners = {graph.owner(n).id for n in graph.upstream([node_id])}
    return [n for n in graph.nodes if n in owners and graph.node(n).type_id != "Input"]


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
    project = load_project_warned(args.project)
    graph = project.graph
    if args.up_to is not None:
        if args.up_to not in graph:
            raise GuibuilderError(
                f"{path.name} has no node {args.up_to!r}; its nodes are {', '.join(graph.nodes)}"
            )
        changed = [n for n in body_of(graph, args.up_to) if graph.node(n).trainable]
        done = f"Froze {layers_text(len(changed))} up to {args.up_to!r}"
    else:
        changed = [n.id for n in graph if not n.trainable]
        done = f"Unfroze {layers_text(len(changed))}"
    if project.classroom is not None:
        for node_id in changed:
            project.classroom.check_node(node_id, "trainable setting")
    for node_id in changed:
        graph.set_trainable(node_id, args.up_to is None)
    if changed:
        save_project(project, path)
    print(f"{done} in {path.name}{': ' + ', '.join(changed) if changed else ''}.")
    return 0
