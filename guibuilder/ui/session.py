"""One open document: the project, its undo stack and its live shapes.

Every edit the window offers is a method here. Each checks the edit first (raising the
project's own error with one clear sentence) and then pushes an undo command that
changes only the graph. :meth:`Session.push` is the one door every command goes through,
so a teacher's locks (:mod:`guibuilder.document.classroom`) are enforced there.

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

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from guibuilder import catalog
from guibuilder.catalog.keras_objects import node_problem
from guibuilder.catalog.spec import to_json
from guibuilder.compiler.layout import NODE_HEIGHT, NODE_WIDTH
from guibuilder.document import Classroom, LockedError, Project
from guibuilder.errors import quote
from guibuilder.graph import (
    CycleError,
    DuplicateEdgeError,
    Edge,
    GraphError,
    Node,
    PortError,
    SharedLayerError,
)
from guibuilder.training.config import TrainConfig
from guibuilder.ui.commands import (
    AddNodeCommand,
    ConnectCommand,
    MacroCommand,
    MoveCommand,
    ParamsCommand,
    RemoveCommand,
    RenameCommand,
    TrainableCommand,
    fresh_ids,
)
from guibuilder.ui.live import LiveShapes
from guibuilder.ui.train_commands import ProjectSlotCommand

Position = tuple[float, float]

#: MIME type of copied nodes on the clipboard.
NODES_MIME = "application/x-guibuilder-nodes"


class Session(QObject):
    """An open project with its undo history."""

    title_changed = Signal()
    #: The sentence of an edit a teacher's lock refused (for the status bar).
    refused = Signal(str)

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project or Project()
        self.graph = self.project.graph
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.shapes = LiveShapes(self.graph, self)

    # ------------------------------------------------------------------ state
    def _clean_changed(self, _clean: bool) -> None:
        self.title_changed.emit()

    @property
    def path(self) -> Path | None:
        return self.project.path

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file's name; for an unsaved project its title or model name."""
        if self.path:
            return self.path.name
        if self.project.title:
            return self.project.title
        return self.graph.name if self.graph.name not in ("", "model") else "Untitled"

    def close(self) -> None:
        """Stop following the graph; the session is not used again."""
        self.shapes.close()
        self.undo_stack.clear()

    def push(self, command: QUndoCommand) -> None:
        """Do ``command`` as one undo step, unless a teacher's lock forbids it.

        A refused edit raises :class:`~guibuilder.document.LockedError`, sends its
        sentence on ``refused`` and leaves the project as it was.
        """
        classroom = self.project.classroom
        if classroom is not None:
            try:
                check_locks(classroom, self.project, command)
            except LockedError as exc:
                self.refused.emit(f"{exc.message}.")
                raise
        self.undo_stack.push(command)
        if _enters_student_view(command):
            self.seal_history()

    def seal_history(self) -> None:
        """Forget the undo history: nothing before now can be undone (or redone).

        The project still counts as modified, so closing it asks to save.
        """
        self.undo_stack.clear()
        self.undo_stack.resetClean()

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
        self.push(AddNodeCommand(self.graph, node))
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
            self.push(RemoveCommand(self.graph, node_ids, edges))

    def move_nodes(self, moves: Mapping[str, tuple[Position, Position]]) -> None:
        """Record a finished drag: ``{node id: (old position, new position)}``."""
        moves = {k: v for k, v in moves.items() if v[0] != v[1] and k in self.graph}
        if moves:
            count = len(moves)
            text = f"Move {count} node{'s' if count > 1 else ''}"
            self.push(MoveCommand(self.graph, moves, text))

    def set_positions(self, positions: Mapping[str, Position], text: str) -> None:
        """Move nodes to ``positions`` as one undo step (auto-layout)."""
        moves = {
            nid: (self.graph.node(nid).position, (float(x), float(y)))
            for nid, (x, y) in positions.items()
            if nid in self.graph
        }
        moves = {k: v for k, v in moves.items() if v[0] != v[1]}
        if moves:
            self.push(MoveCommand(self.graph, moves, text))

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        """Set one parameter; a value the catalog refuses raises ``ParamError``."""
        self.set_params(node_id, {name: value})

    def set_params(self, node_id: str, values: dict[str, Any]) -> None:
        """Set several parameters in one undo step; a refused value raises ``ParamError``."""
        owner = self.graph.owner(node_id)
        spec = catalog.get(owner.type_id)
        merged = catalog.normalize_params(spec, {**owner.params, **values})
        changed = {k: merged[k] for k in values if merged[k] != owner.params[k]}
        if changed:
            self.push(ParamsCommand(self.graph, node_id, changed))

    def rename(self, node_id: str, name: str) -> None:
        if not name.strip():
            raise GraphError("a node's name cannot be empty", [node_id])
        if name.strip() != self.graph.node(node_id).name:
            self.push(RenameCommand(self.graph, node_id, name))

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        if self.graph.node(node_id).trainable != trainable:
            self.push(TrainableCommand(self.graph, node_id, trainable))

    # -------------------------------------------------------------- edges
    def check_edge(self, edge: Edge) -> None:
        """Raise the error (a graph error, or a lock) that adding ``edge`` would raise."""
        graph = self.graph
        spec = graph.spec(edge.target)
        port = next((p for p in spec.inputs if p.name == edge.port), None)
        if port is None:
            raise PortError(f"{edge.target!r} has no input {edge.port!r}", [edge.target])
        if edge.output >= graph.num_outputs(edge.source):
            raise PortError(f"{edge.source!r} has no output {edge.output}", [edge.source])
        for other in graph.in_edges(edge.target):
            if other.target_key == edge.target_key:
                raise DuplicateEdgeError(
                    f"input {edge.port!r} of {edge.target!r} is already connected "
                    f"to {other.source!r}",
                    [edge.target, other.source],
                )
        if edge.source == edge.target or edge.source in graph.downstream([edge.target]):
            raise CycleError(
                f"connecting {edge.source!r} to {edge.target!r} would make a loop",
                [edge.source, edge.target],
            )
        if self.project.classroom is not None:
            self.project.classroom.check_edge(edge)

    def connect(self, edge: Edge) -> None:
        """Add ``edge`` after checking it."""
        self.check_edge(edge)
        self.push(ConnectCommand(self.graph, edge))

    def splice(self, type_id: str, edge: Edge, center: Position) -> str:
        """Put a new layer of ``type_id`` into ``edge``; return the new node's id."""
        spec = catalog.get(type_id)
        if not spec.inputs:
            raise PortError(f"an {type_id} layer takes no input, so it cannot go into an edge")
        node = self.make_node(type_id, center)
        parts = [
            RemoveCommand(self.graph, edges=[edge]),
            AddNodeCommand(self.graph, node),
            ConnectCommand(
                self.graph, Edge(edge.source, node.id, spec.inputs[0].name, edge.output, 0)
            ),
            ConnectCommand(self.graph, Edge(node.id, edge.target, edge.port, 0, edge.slot)),
        ]
        self.push(MacroCommand(f"Insert {type_id}", parts))
        return node.id

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
                    f"the copied layer {quote(item['id'])} ({item['type']}): {problem}", []
                )
        types = [item["type"] for item in items]
        new_ids = fresh_ids(self.graph, types, self.project.weights or ())
        mapping = {item["id"]: new for item, new in zip(items, new_ids, strict=True)}
        parts: list[QUndoCommand] = []
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
            parts.append(AddNodeCommand(self.graph, node))
        for source, target, port, output, slot in snippet.get("edges", []):
            if source in mapping and target in mapping:
                edge = Edge(mapping[source], mapping[target], port, output, slot)
                parts.append(ConnectCommand(self.graph, edge))
        self.push(MacroCommand(f"Paste {len(items)} node{'s' if len(items) > 1 else ''}", parts))
        return new_ids


def _enters_student_view(command: QUndoCommand) -> bool:
    """Whether ``command`` sets classroom settings that are in Student View."""
    return (
        isinstance(command, ProjectSlotCommand)
        and command.slot == "classroom"
        and isinstance(command.new, Classroom)
        and command.new.student_view
    )


def check_locks(classroom: Classroom, project: Project, command: QUndoCommand) -> None:
    """Raise :class:`~guibuilder.document.LockedError` if ``command`` breaks a lock."""
    if isinstance(command, MacroCommand):
        for part in command.commands:
            check_locks(classroom, project, part)
    elif isinstance(command, RemoveCommand):
        classroom.check_remove(project.graph, command.node_ids, command.edges)
    elif isinstance(command, ConnectCommand):
        classroom.check_edge(command.edge)
    elif isinstance(command, ParamsCommand):
        classroom.check_node(command.node_id, "parameters")
    elif isinstance(command, RenameCommand):
        classroom.check_node(command.node_id, "name")
    elif isinstance(command, TrainableCommand):
        classroom.check_node(command.node_id, "trainable setting")
    elif isinstance(command, ProjectSlotCommand) and command.slot == "training":
        classroom.check_settings(command.old, command.new, _DEFAULT_SETTINGS)
    elif isinstance(command, ProjectSlotCommand) and command.slot == "dataset":
        classroom.check_dataset(command.old, command.new)


_DEFAULT_SETTINGS = TrainConfig().to_dict()
