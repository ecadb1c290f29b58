"""The project being edited: every edit the window offers, checked, done and undoable.

Each method checks the edit first (raising the project's own error with one clear
sentence) and then pushes an :class:`~guibuilder.editing.edits.Edit` on the history.
:meth:`Editor.push` is the one door every edit goes through, so a teacher's locks
(:mod:`guibuilder.editing.locks`) are enforced there. No Qt: a script or the command line
does what the window does, with undo; the window gives the editor a ``QUndoStack``.

Undo and redo do not pass through that door, so the history itself is guarded: a
classroom change that leaves Student View on (switching it on, above all) ends the
history there. What came before (the teacher's locks and edits, and the switch itself)
cannot be undone; what the student does afterwards was checked against those locks,
so undoing or redoing it cannot break one either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from psygnal import Signal

from guibuilder import catalog
from guibuilder.catalog.keras_objects import node_problem
from guibuilder.catalog.spec import to_json
from guibuilder.compiler.layout import NODE_HEIGHT, NODE_WIDTH
from guibuilder.document import LockedError, Project
from guibuilder.editing.edits import (
    AddNode,
    Connect,
    Edit,
    Macro,
    Move,
    Remove,
    Rename,
    SetParams,
    SetSlot,
    SetTrainable,
    fresh_ids,
    splice,
)
from guibuilder.editing.freeze import freeze_edit, unfreeze_edit
from guibuilder.editing.history import History, Recorder
from guibuilder.editing.locks import check_locks, enters_student_view
from guibuilder.errors import shown
from guibuilder.graph import Edge, GraphError, Node, PortError, SharedLayerError

Position = tuple[float, float]

#: MIME type of copied nodes on the clipboard.
NODES_MIME = "application/x-guibuilder-nodes"


class Editor:
    """An open project with its undo history.

    Parameters
    ----------
    project
        The project to edit (a new empty one by default).
    history
        Where edits go: a plain :class:`~guibuilder.editing.history.History` by default.
    """

    #: The sentence of an edit a teacher's lock refused (for the status bar).
    refused = Signal(str)

    def __init__(self, project: Project | None = None, history: Recorder | None = None) -> None:
        self.project = project or Project()
        self.graph = self.project.graph
        self.history = history if history is not None else History()

    # ------------------------------------------------------------------ state
    @property
    def path(self) -> Path | None:
        return self.project.path

    @property
    def modified(self) -> bool:
        return self.history.modified

    @property
    def display_name(self) -> str:
        """The file's name; for an unsaved project its title or model name."""
        if self.path:
            return self.path.name
        if self.project.title:
            return self.project.title
        return self.graph.name if self.graph.name not in ("", "model") else "Untitled"

    def refusal(self, edit: Edit | None) -> str | None:
        """The sentence :meth:`push` would refuse ``edit`` with for a lock, or None."""
        classroom = self.project.classroom
        if classroom is None or edit is None:
            return None
        try:
            check_locks(classroom, self.project, edit)
        except LockedError as exc:
            return f"{exc.message[0].upper()}{exc.message[1:]}."
        return None

    def push(self, edit: Edit) -> None:
        """Do ``edit`` as one undo step, unless a teacher's lock forbids it.

        A refused edit raises :class:`~guibuilder.document.LockedError`, sends its
        sentence on ``refused`` and leaves the project as it was.
        """
        classroom = self.project.classroom
        if classroom is not None:
            try:
                check_locks(classroom, self.project, edit)
            except LockedError as exc:
                self.refused.emit(f"{exc.message}.")
                raise
        self.history.push(edit)
        if enters_student_view(edit):
            self.seal_history()

    def seal_history(self) -> None:
        """Forget the undo history: nothing before now can be undone (or redone).

        The project still counts as modified, so closing it asks to save.
        """
        self.history.seal()

    # -------------------------------------------------------------- nodes
    def make_node(self, type_id: str, center: Position, node_id: str | None = None) -> Node:
        """A new node of ``type_id`` (default params) centred on ``center``, not yet added."""
        spec = catalog.get(type_id)
        node_id = node_id or fresh_ids(self.graph, [type_id], self.project.weights or ())[0]
        position = (round(center[0] - NODE_WIDTH / 2), round(center[1] - NODE_HEIGHT / 2))
        return Node(
            id=node_id,
            type_id=type_id,
            name=node_id,
            params=catalog.normalize_params(spec, {}),
            position=(float(position[0]), float(position[1])),
        )

    def add_node(self, type_id: str, center: Position) -> str:
        """Add a layer of ``type_id`` centred on ``center``; return its id."""
        node = self.make_node(type_id, center)
        self.push(AddNode(self.graph, node))
        return node.id

    def delete(self, node_ids: Iterable[str] = (), edges: Iterable[Edge] = ()) -> None:
        """Delete nodes (with their edges) and edges, as one undo step."""
        node_ids = [n for n in dict.fromkeys(node_ids) if n in self.graph]
        edges = list(edges)
        chosen = set(node_ids)
        for node_id in node_ids:
            others = [s for s in self.graph.sharers(node_id) if s not in chosen]
            if others:
                raise SharedLayerError(
                    f"{node_id!r} is shared by {', '.join(others)}: delete those too",
                    [node_id, *others],
                )
        if node_ids or edges:
            self.push(Remove(self.graph, node_ids, edges))

    def move_nodes(self, moves: Mapping[str, tuple[Position, Position]]) -> None:
        """Record a finished drag: ``{node id: (old position, new position)}``."""
        moves = {k: v for k, v in moves.items() if v[0] != v[1] and k in self.graph}
        if moves:
            count = len(moves)
            text = f"Move {count} node{'s' if count > 1 else ''}"
            self.push(Move(self.graph, moves, text))

    def set_positions(self, positions: Mapping[str, Position], text: str) -> None:
        """Move nodes to ``positions`` as one undo step (auto-layout)."""
        moves = {
            nid: (self.graph.node(nid).position, (float(x), float(y)))
            for nid, (x, y) in positions.items()
            if nid in self.graph
        }
        moves = {k: v for k, v in moves.items() if v[0] != v[1]}
        if moves:
            self.push(Move(self.graph, moves, text))

    def set_param(self, node_id: str, name: str, value: Any, merge: str | None = None) -> None:
        """Set one parameter; a value the catalog refuses raises ``ParamError``."""
        self.set_params(node_id, {name: value}, merge)

    def set_params(self, node_id: str, values: dict[str, Any], merge: str | None = None) -> None:
        """Set several parameters in one undo step; a refused value raises ``ParamError``.

        Consecutive changes of the same parameters with one ``merge`` key (a control passes
        one while it keeps the focus) are one undo step.
        """
        owner = self.graph.owner(node_id)
        spec = catalog.get(owner.type_id)
        merged = catalog.normalize_params(spec, {**owner.params, **values})
        # What a project file may not hold is not taken here either: it could not reopen.
        problem = node_problem(owner.type_id, merged, owner.call_kwargs or {})
        if problem is not None:
            raise catalog.ParamError(f"the layer {shown(node_id)} ({owner.type_id}): {problem}")
        changed = {k: merged[k] for k in values if merged[k] != owner.params[k]}
        if changed:
            self.push(SetParams(self.graph, node_id, changed, merge))

    def rename(self, node_id: str, name: str) -> None:
        """Give ``node_id`` a new display name (not empty)."""
        if not name.strip():
            raise GraphError("a node's name cannot be empty", [node_id])
        if name.strip() != self.graph.node(node_id).name:
            self.push(Rename(self.graph, node_id, name))

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Freeze (``False``) or unfreeze one node."""
        if self.graph.node(node_id).trainable != trainable:
            self.push(SetTrainable(self.graph, node_id, trainable))

    def freeze_up_to(self, *node_ids: str) -> list[str]:
        """Freeze ``node_ids`` and their ancestors as one undo step; return the nodes it froze."""
        edit = freeze_edit(self.graph, node_ids)
        if edit is None:
            return []
        self.push(edit)
        return [part.node_id for part in edit.edits]

    def unfreeze_all(self) -> list[str]:
        """Make every frozen node trainable again, as one undo step; return those nodes."""
        edit = unfreeze_edit(self.graph)
        if edit is None:
            return []
        self.push(edit)
        return [part.node_id for part in edit.edits]

    # -------------------------------------------------------------- edges
    def check_edge(self, edge: Edge) -> None:
        """Raise the error (a graph error, or a lock) that adding ``edge`` would raise."""
        self.graph.check_edge(edge)
        if self.project.classroom is not None:
            self.project.classroom.check_edge(edge)

    def add_edge(self, edge: Edge) -> None:
        """Connect two ports: add ``edge`` after checking it."""
        self.check_edge(edge)
        self.push(Connect(self.graph, edge))

    def splice(self, type_id: str, edge: Edge, center: Position) -> str:
        """Put a new layer of ``type_id`` into ``edge``; return the new node's id."""
        spec = catalog.get(type_id)
        if not spec.inputs:
            raise PortError(f"an {type_id} layer takes no input, so it cannot go into an edge")
        node = self.make_node(type_id, center)
        self.push(splice(self.graph, node, edge, f"Insert {type_id}"))
        return node.id

    # -------------------------------------------------------- project slots
    def set_slot(self, slot: str, value: Any, text: str, merge: str | None = None) -> None:
        """Replace the project's ``slot`` (training, dataset, weights or classroom); changes
        with one ``merge`` key are one undo step, as for :meth:`set_params`."""
        self.push(SetSlot(self.project, slot, value, text, merge))

    # ------------------------------------------------------- copy and paste
    def copy(self, node_ids: Iterable[str]) -> dict[str, Any]:
        """A JSON-ready snippet of the nodes and the edges between them."""
        chosen = [nid for nid in self.graph.nodes if nid in set(node_ids)]
        nodes = []
        for nid in chosen:
            node = self.graph.node(nid)
            shares = node.shares if node.shares in chosen else None
            nodes.append(
                {
                    "id": node.id,
                    "type": node.type_id,
                    "name": node.name,
                    "params": {} if shares else to_json(self.graph.effective_params(nid)),
                    "position": list(node.position),
                    "trainable": node.trainable,
                    "shares": shares,
                    "call_kwargs": to_json(node.call_kwargs),
                }
            )
        inside = set(chosen)
        edges = [
            [e.source, e.target, e.port, e.output, e.slot]
            for e in self.graph.edges
            if e.source in inside and e.target in inside
        ]
        return {"format": NODES_MIME, "nodes": nodes, "edges": edges}

    def paste(self, snippet: Mapping[str, Any], offset: Position = (40.0, 40.0)) -> list[str]:
        """Add a copied snippet, shifted by ``offset``, as one undo step; return new ids."""
        items = list(snippet.get("nodes", []))
        if not items:
            return []
        for item in items:
            problem = node_problem(item["type"], item["params"], item.get("call_kwargs") or {})
            if problem is not None:
                raise GraphError(
                    f"the copied layer {shown(item['id'])} ({item['type']}): {problem}", []
                )
        types = [item["type"] for item in items]
        new_ids = fresh_ids(self.graph, types, self.project.weights or ())
        mapping = {item["id"]: new for item, new in zip(items, new_ids, strict=True)}
        parts: list[Edit] = []
        for item, new_id in zip(items, new_ids, strict=True):
            spec = catalog.get(item["type"])
            shares = mapping.get(item.get("shares") or "")
            x, y = item["position"]
            node = Node(
                id=new_id,
                type_id=item["type"],
                name=new_id if item["name"] == item["id"] else item["name"],
                params={} if shares else catalog.normalize_params(spec, item["params"]),
                position=(float(x) + offset[0], float(y) + offset[1]),
                trainable=bool(item.get("trainable", True)),
                shares=shares,
                call_kwargs=dict(item.get("call_kwargs") or {}),
            )
            parts.append(AddNode(self.graph, node))
        for source, target, port, output, slot in snippet.get("edges", []):
            if source in mapping and target in mapping:
                edge = Edge(mapping[source], mapping[target], port, output, slot)
                parts.append(Connect(self.graph, edge))
        self.push(Macro(f"Paste {len(items)} node{'s' if len(items) > 1 else ''}", parts))
        return new_ids
