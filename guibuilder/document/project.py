"""The project: a graph plus the dataset, training settings, weights and metadata.

:func:`project_to_dict` and :func:`project_from_dict` turn a project into the JSON object
a ``.gbproj`` file holds, and back. Reading checks every field and reports the first
problem as one sentence naming the file and the node or field; nothing is silently dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psygnal import evented

from guibuilder import __version__, catalog
from guibuilder.catalog import ParamError
from guibuilder.catalog.keras_objects import node_problem
from guibuilder.document.classroom import Classroom, ClassroomError
from guibuilder.document.migrations import FORMAT_VERSION, MigrationError, migrate
from guibuilder.errors import FileFormatError, shown, shown_names
from guibuilder.graph import Edge, Graph, GraphError

if TYPE_CHECKING:
    from guibuilder.document.weights import WeightStore

FORMAT_NAME = "guibuilder-project"
CREATED_WITH = f"guibuilder {__version__}"

#: Deeper JSON than this is refused before anything walks it.
MAX_DEPTH = 64

_TOP_KEYS = (
    "format",
    "version",
    "name",
    "nodes",
    "edges",
    "outputs",
    "dataset",
    "training",
    "classroom",
    "weights",
    "weights_sha256",
    "meta",
)
_NODE_KEYS = ("id", "type", "name", "params", "position", "trainable", "shares", "call_kwargs")
_EDGE_KEYS = ("source", "output", "target", "port", "slot")
_META_KEYS = ("title", "description", "created_with")


class ProjectError(FileFormatError):
    """A project file whose content is wrong; ``node_ids`` names the nodes it is about."""

    def __init__(self, message: str, node_ids: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.node_ids: tuple[str, ...] = tuple(node_ids)


@evented(connect_child_events=False)
@dataclass
class Project:
    """Everything a ``.gbproj`` file holds.

    ``dataset`` and ``training`` are free-form settings owned by the data and training
    code; ``weights`` holds trained weights per node id; ``classroom`` a teacher's locks
    and challenge. ``warnings`` lists what loading noticed without refusing the file (a
    missing weights file); it is never saved. ``weights_sha256`` is the SHA-256 the file
    records for its weights file, ``file_sha256`` that of the file itself as last read or
    written (to notice another program's save); loading and saving set both.

    Like the graph, the project is evented: replacing a field emits
    ``project.events.<field>(new, old)`` (psygnal), so views follow the slots they show.
    """

    graph: Graph = field(default_factory=Graph)
    dataset: dict[str, Any] | None = None
    training: dict[str, Any] | None = None
    weights: WeightStore | None = None
    classroom: Classroom | None = None
    path: Path | None = None
    title: str = ""
    description: str = ""
    created_with: str = CREATED_WITH
    warnings: list[str] = field(default_factory=list)
    weights_sha256: str | None = None
    file_sha256: str | None = None


# ------------------------------------------------------------------- writing
def _canonical(value: Any) -> Any:
    """``value`` with dict keys sorted at every level and tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def project_to_dict(
    project: Project, weights_file: str | None = None, weights_sha256: str | None = None
) -> dict[str, Any]:
    """The JSON object of ``project``, keys in a fixed order.

    ``weights_file`` is the name of the weights file saved beside the project, if any;
    ``weights_sha256`` the SHA-256 of its bytes, which loading checks.
    """
    graph = project.graph
    nodes = []
    for node in graph.nodes.values():
        item: dict[str, Any] = {
            "id": node.id,
            "type": node.type_id,
            "name": node.name,
            "params": {k: _canonical(v) for k, v in node.params.items()},
            "position": [float(node.position[0]), float(node.position[1])],
            "trainable": node.trainable,
        }
        if node.shares is not None:
            item["shares"] = node.shares
        if node.call_kwargs:
            item["call_kwargs"] = _canonical(node.call_kwargs)
        nodes.append(item)
    edges = [
        {"source": e.source, "output": e.output, "target": e.target, "port": e.port, "slot": e.slot}
        for e in graph.edges
    ]
    meta = {
        "title": project.title,
        "description": project.description,
        "created_with": project.created_with,
    }
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": graph.name,
        "nodes": nodes,
        "edges": edges,
        "outputs": [{"node": n, "output": i} for n, i in graph.explicit_outputs],
        "dataset": None if project.dataset is None else _canonical(project.dataset),
        "training": None if project.training is None else _canonical(project.training),
        "classroom": None if project.classroom is None else project.classroom.to_dict(graph),
        "weights": weights_file,
        "weights_sha256": weights_sha256 if weights_file else None,
        "meta": _canonical(meta),
    }


# ------------------------------------------------------------------- reading
def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (walked without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def _step(place: str, key: object) -> str:
    if isinstance(key, int):
        return f"{place}[{key}]"
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{place}.{key}" if place else key
    return f"{place}[{shown(key)}]"


def not_unicode(value: Any) -> str | None:
    """Where text in ``value`` holds a lone surrogate (``\\ud800``), or None if nowhere.

    JSON can write such text, but it is not Unicode: it cannot be saved as UTF-8, shown
    or put into a model. The place reads like ``nodes[1].name``.
    """
    stack = [(value, "")]
    while stack:
        current, place = stack.pop()
        if isinstance(current, str):
            if _SURROGATE.search(current):
                return place or "the top level"
        elif isinstance(current, dict):
            for key, child in current.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    return f"a key of {place or 'the top level'}"
                stack.append((child, _step(place, key)))
        elif isinstance(current, list | tuple):
            stack.extend((child, _step(place, i)) for i, child in enumerate(current))
    return None


_TYPE_NAMES = {
    dict: "an object",
    list: "a list",
    str: "text",
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _what(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class _Reader:
    """Checks the fields of one file; every error names ``source``."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, what: str, node_ids: Iterable[str] = ()) -> ProjectError:
        return ProjectError(f"{self.source}: {what}", node_ids)

    def field(
        self, obj: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str, default: Any
    ) -> Any:
        value = obj.get(key, default)
        bad_bool = isinstance(value, bool) and bool not in kinds
        if not isinstance(value, kinds) or bad_bool:
            expected = " or ".join(dict.fromkeys(_TYPE_NAMES[k] for k in kinds))
            raise self.fail(f'"{key}" of {where} must be {expected}, not {_what(value)}')
        return value

    def known_keys(self, obj: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        unknown = [k for k in obj if k not in allowed]
        if unknown:
            names = shown_names(unknown)
            raise self.fail(f"{where} has unknown field{'s' if len(unknown) > 1 else ''} {names}")

    def objects(self, data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        items = self.field(data, key, (list,), "the project", [])
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f'item {i} of "{key}" must be an object, not {_what(item)}')
        return items


def _header(data: Any, reader: _Reader) -> dict[str, Any]:
    """Check the format name and version, and migrate an older file."""
    if not isinstance(data, dict):
        raise reader.fail(f"expected a JSON object at the top level, found {_what(data)}")
    if data.get("format") != FORMAT_NAME:
        found = data.get("format")
        what = "no format name" if found is None else f"format {shown(found)}"
        raise reader.fail(f'not a guibuilder project ({what}, expected "{FORMAT_NAME}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise reader.fail(f'"version" must be a whole number, not {_what(version)}')
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"{reader.source} was saved by a newer guibuilder (format version {version}; "
            f"this one reads up to {FORMAT_VERSION}): update guibuilder"
        )
    try:
        return migrate(data, version)
    except MigrationError as exc:
        raise reader.fail(str(exc)) from exc


def _check_types(nodes: list[dict[str, Any]], reader: _Reader) -> None:
    unknown: dict[str, list[str]] = {}
    for node in nodes:
        type_id = node.get("type")
        if isinstance(type_id, str) and not catalog.has(type_id):
            unknown.setdefault(type_id, []).append(str(node.get("id")))
    if unknown:
        parts = []
        for type_id, ids in unknown.items():
            label = "node" if len(ids) == 1 else "nodes"
            parts.append(f"{shown(type_id)} ({label} {', '.join(shown(i) for i in ids)})")
        all_ids = [i for ids in unknown.values() for i in ids]
        raise reader.fail(f"unknown layer types: {', '.join(parts)}", all_ids)


def _position(value: Any, node_id: str, reader: _Reader) -> tuple[float, float]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(v) for v in value)
    )
    if not ok:
        raise reader.fail(
            f"node {shown(node_id)} needs a position [x, y] of two numbers", [node_id]
        )
    return float(value[0]), float(value[1])


def _add_node(graph: Graph, node: dict[str, Any], index: int, reader: _Reader) -> None:
    where = f"node {index}"
    reader.known_keys(node, _NODE_KEYS, where)
    if "id" not in node or "type" not in node:
        raise reader.fail(f'{where} needs an "id" and a "type"')
    node_id = reader.field(node, "id", (str,), where, None)
    where = f"node {shown(node_id)}"
    type_id = reader.field(node, "type", (str,), where, None)
    name = reader.field(node, "name", (str,), where, node_id)
    params = reader.field(node, "params", (dict,), where, {})
    trainable = reader.field(node, "trainable", (bool,), where, True)
    shares = reader.field(node, "shares", (str, type(None)), where, None)
    call_kwargs = reader.field(node, "call_kwargs", (dict,), where, {})
    position = _position(node.get("position", [0.0, 0.0]), node_id, reader)
    problem = node_problem(type_id, params, call_kwargs)
    if problem is not None:
        raise reader.fail(f"node {shown(node_id)} ({type_id}): {problem}", [node_id])
    try:
        graph.add_node(
            type_id,
            params,
            node_id=node_id,
            name=name,
            position=position,
            trainable=trainable,
            shares=shares,
            call_kwargs=call_kwargs,
        )
    except ParamError as exc:
        raise reader.fail(f"node {shown(node_id)} ({type_id}): {exc}", [node_id]) from exc
    except GraphError as exc:
        raise reader.fail(str(exc), exc.node_ids or [node_id]) from exc


def _text(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


def _owners_first(nodes: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Nodes in file order, except that a node waits for the node whose layer it shares."""
    ids = {_text(n, "id") for n in nodes} - {None}
    ordered: list[tuple[int, dict[str, Any]]] = []
    placed: set[str | None] = set()
    waiting: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, node in enumerate(nodes):
        owner = _text(node, "shares")
        if owner in ids and owner not in placed:
            waiting.setdefault(owner, []).append((index, node))
            continue
        ordered.append((index, node))
        placed.add(_text(node, "id"))
        for item in waiting.pop(_text(node, "id") or "", []):
            ordered.append(item)
            placed.add(_text(item[1], "id"))
    return ordered + [item for items in waiting.values() for item in items]


def _add_edge(graph: Graph, item: dict[str, Any], index: int, reader: _Reader) -> None:
    where = f"edge {index}"
    reader.known_keys(item, _EDGE_KEYS, where)
    if "source" not in item or "target" not in item:
        raise reader.fail(f'{where} needs a "source" and a "target"')
    source = reader.field(item, "source", (str,), where, None)
    target = reader.field(item, "target", (str,), where, None)
    edge = Edge(
        source=source,
        target=target,
        port=reader.field(item, "port", (str,), where, "input"),
        output=reader.field(item, "output", (int,), where, 0),
        slot=reader.field(item, "slot", (int,), where, 0),
    )
    existing = [n for n in (source, target) if n in graph]
    for node_id in (source, target):
        if node_id not in graph:
            raise reader.fail(
                f"edge {shown(source)} -> {shown(target)} names node {shown(node_id)}, "
                "which does not exist",
                existing,
            )
    try:
        graph.add_edge(edge)
    except GraphError as exc:
        message = f"edge {shown(source)} -> {shown(target)}: {exc}"
        raise reader.fail(message, exc.node_ids or existing) from exc


def _outputs(graph: Graph, data: dict[str, Any], reader: _Reader) -> None:
    refs = []
    for i, item in enumerate(reader.objects(data, "outputs")):
        where = f"output {i}"
        reader.known_keys(item, ("node", "output"), where)
        node_id = reader.field(item, "node", (str,), where, None)
        if node_id not in graph:
            raise reader.fail(f"{where} names node {shown(node_id)}, which does not exist")
        refs.append((node_id, reader.field(item, "output", (int,), where, 0)))
    try:
        graph.set_outputs(refs)
    except GraphError as exc:
        raise reader.fail(f"the model outputs are wrong: {exc}", exc.node_ids) from exc


def parse_project(data: Any, source: str = "the project") -> tuple[Project, str | None]:
    """A project from the JSON object of a file, and the name of its weights file.

    Raises :class:`ProjectError` (a :class:`FileFormatError`) naming ``source``.
    """
    reader = _Reader(source)
    if json_depth(data) > MAX_DEPTH:
        raise reader.fail(f"the JSON nests deeper than {MAX_DEPTH} levels")
    place = not_unicode(data)
    if place is not None:
        raise reader.fail(f"the text at {place} is not valid Unicode (it holds a lone surrogate)")
    data = _header(data, reader)
    reader.known_keys(data, _TOP_KEYS, "the project")
    graph = Graph(reader.field(data, "name", (str,), "the project", "model"))
    nodes = reader.objects(data, "nodes")
    _check_types(nodes, reader)
    for index, node in _owners_first(nodes):
        _add_node(graph, node, index, reader)
    for index, item in enumerate(reader.objects(data, "edges")):
        _add_edge(graph, item, index, reader)
    _outputs(graph, data, reader)
    meta = reader.field(data, "meta", (dict,), "the project", {})
    reader.known_keys(meta, _META_KEYS, '"meta"')
    project = Project(
        graph=graph,
        dataset=reader.field(data, "dataset", (dict, type(None)), "the project", None),
        training=reader.field(data, "training", (dict, type(None)), "the project", None),
        title=reader.field(meta, "title", (str,), '"meta"', ""),
        description=reader.field(meta, "description", (str,), '"meta"', ""),
        created_with=reader.field(meta, "created_with", (str,), '"meta"', CREATED_WITH),
    )
    classroom = reader.field(data, "classroom", (dict, type(None)), "the project", None)
    if classroom is not None:
        try:
            project.classroom = Classroom.from_dict(classroom, graph)
        except ClassroomError as exc:
            raise reader.fail(str(exc)) from exc
    weights = reader.field(data, "weights", (str, type(None)), "the project", None)
    project.weights_sha256 = _sha256_field(data, reader)
    return project, weights


def _sha256_field(data: dict[str, Any], reader: _Reader) -> str | None:
    digest = reader.field(data, "weights_sha256", (str, type(None)), "the project", None)
    if digest is not None and not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise reader.fail('"weights_sha256" must be 64 hexadecimal digits (a SHA-256)')
    return digest


def project_from_dict(data: Any, source: str = "the project") -> Project:
    """A project from the JSON object of a file; its weights file is not read."""
    return parse_project(data, source)[0]
