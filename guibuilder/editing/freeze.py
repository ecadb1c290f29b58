"""Freezing a model's body for fine-tuning: the layers it covers and the edits that do it.

*Freeze up to here* makes a node and every layer it depends on untrainable, so that
training leaves their weights as they are; *Unfreeze all* makes every layer trainable
again. Each is one undo step; the window's canvas menu and ``guibuilder freeze`` both use
them through :class:`~guibuilder.editing.editor.Editor`.
"""

from __future__ import annotations

from collections.abc import Iterable

from guibuilder.editing.edits import Macro, SetTrainable
from guibuilder.graph import Graph


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


def freeze_edit(graph: Graph, node_ids: Iterable[str]) -> Macro | None:
    """The undo step that freezes ``node_ids`` and their ancestors; None if all are frozen."""
    ids = list(node_ids)
    body = {n for node_id in ids for n in body_of(graph, node_id)}
    chosen = [n for n in graph.nodes if n in body and graph.node(n).trainable]
    if not chosen:
        return None
    parts = [SetTrainable(graph, n, False) for n in chosen]
    return Macro(f"Freeze up to {', '.join(ids)}", parts)


def unfreeze_edit(graph: Graph) -> Macro | None:
    """The undo step that makes every frozen node trainable again; None if none is frozen."""
    frozen = [n.id for n in graph if not n.trainable]
    if not frozen:
        return None
    parts = [SetTrainable(graph, n, True) for n in frozen]
    return Macro(f"Unfreeze all ({layers_text(len(frozen))})", parts)
