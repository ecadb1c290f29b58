"""Every kind of bad project file gives FileFormatError: one sentence naming the file."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from guibuilder.document import FORMAT_NAME, FORMAT_VERSION, ProjectError, load_project, loads
from guibuilder.errors import FileFormatError
from tests.profiles import examples

GOOD = {
    "format": FORMAT_NAME,
    "version": 1,
    "name": "m",
    "nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [4]}, "position": [0, 0]},
        {"id": "d", "type": "Dense", "params": {"units": 2}, "position": [0, 100]},
        {"id": "e", "type": "Dense", "params": {"units": 2}, "position": [0, 200]},
    ],
    "edges": [{"source": "x", "output": 0, "target": "d", "port": "input", "slot": 0}],
    "outputs": [],
    "dataset": None,
    "training": None,
    "weights": None,
    "meta": {},
}


def good() -> dict:
    return copy.deepcopy(GOOD)


def edited(change) -> bytes:
    data = good()
    change(data)
    return json.dumps(data).encode()


def _nested(depth: int) -> bytes:
    data = good()
    value: list = []
    for _ in range(depth):
        value = [value]
    data["dataset"] = {"deep": value}
    return json.dumps(data).encode()


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BAD_FILES = {
    "empty": (b"", "is empty"),
    "blank": (b"  \n\t\n", "is empty"),
    "truncated": (json.dumps(GOOD, indent=2).encode()[:200], "ends too early at line"),
    "binary": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary file"),
    "not-utf8": (b'{"format": "\xff\xfe"}', "not UTF-8 text"),
    "bad-json": (b'{"format": guibuilder}', "not valid JSON: Expecting value at line 1, column 12"),
    "nested-json": (b"[" * 100_000 + b"]" * 100_000, "nests its JSON too deeply"),
    "nested-value": (_nested(200), "nests deeper than 64 levels"),
    "nan": (edited(_set(["dataset"], {"x": float("nan")})), "holds the value NaN"),
    "huge-float": (edited(_set(["training"], {"x": 1.0})).replace(b"1.0", b"1e999"), "1e999"),
    "huge-int": (
        edited(_set(["training"], {"x": 1})).replace(b": 1}", b": " + b"9" * 5000 + b"}"),
        "a whole number of more than 4300 digits",
    ),
    "surrogate-name": (
        edited(_set(["nodes", 1, "name"], "\ud800")),
        "the text at nodes[1].name is not valid Unicode",
    ),
    "surrogate-key": (
        edited(_set(["dataset"], {"\udfff": 1})),
        "the text at a key of dataset is not valid Unicode",
    ),
    "surrogate-title": (
        edited(_set(["meta"], {"title": "a\ud800"})),
        "the text at meta.title is not valid Unicode",
    ),
    "top-list": (b"[1, 2]", "expected a JSON object at the top level, found a list"),
    "no-format": (b"{}", 'not a guibuilder project (no format name, expected "guibuilder-pro'),
    "other-format": (edited(_set(["format"], "notebook")), "format 'notebook'"),
    "no-version": (edited(lambda d: d.pop("version")), '"version" must be a whole number'),
    "text-version": (edited(_set(["version"], "1")), '"version" must be a whole number, not text'),
    "old-unknown": (edited(_set(["version"], -4)), "format version -4 is unknown"),
    "nodes-not-list": (edited(_set(["nodes"], "x")), '"nodes" of the project must be a list'),
    "node-not-object": (edited(_set(["nodes", 1], 7)), 'item 1 of "nodes" must be an object'),
    "node-no-id": (edited(lambda d: d["nodes"][1].pop("id")), 'node 1 needs an "id"'),
    "node-id-number": (edited(_set(["nodes", 1, "id"], 5)), '"id" of node 1 must be text'),
    "node-id-list": (edited(_set(["nodes", 1, "id"], ["d"])), '"id" of node 1 must be text'),
    "shares-list": (edited(_set(["nodes", 2, "shares"], ["d"])), "must be text or null, not a"),
    "bad-node-id": (edited(_set(["nodes", 2, "id"], "a b")), "is not a valid node id"),
    "duplicate-id": (edited(_set(["nodes", 2, "id"], "d")), "a node called 'd' exists already"),
    "params-list": (edited(_set(["nodes", 1, "params"], [])), "\"params\" of node 'd' must be"),
    "trainable-text": (edited(_set(["nodes", 1, "trainable"], "yes")), "must be true/false"),
    "position": (edited(_set(["nodes", 1, "position"], [1])), "node 'd' needs a position"),
    "position-nan": (edited(_set(["nodes", 1, "position"], [1, float("nan")])), "value NaN"),
    "unknown-field": (edited(_set(["nodes", 1, "colour"], "red")), "unknown field 'colour'"),
    "unknown-top": (edited(_set(["extra"], 1)), "the project has unknown field 'extra'"),
    "dataset-list": (edited(_set(["dataset"], [])), '"dataset" of the project must be an object'),
    "weights-number": (edited(_set(["weights"], 3)), '"weights" of the project must be text'),
    "shares-missing": (edited(_set(["nodes", 2, "shares"], "zz")), "'zz', which does not exist"),
    "edge-missing-node": (
        edited(_set(["edges", 0, "target"], "nope")),
        "edge 'x' -> 'nope' names node 'nope', which does not exist",
    ),
    "edge-output-text": (edited(_set(["edges", 0, "output"], "0")), "must be a number, not text"),
    "edge-output-bool": (edited(_set(["edges", 0, "output"], True)), "not true/false"),
    "edge-no-source": (edited(lambda d: d["edges"][0].pop("source")), 'edge 0 needs a "source"'),
    "output-missing": (
        edited(_set(["outputs"], [{"node": "q", "output": 0}])),
        "output 0 names node 'q', which does not exist",
    ),
    "output-index": (
        edited(_set(["outputs"], [{"node": "d", "output": 3}])),
        "the model outputs are wrong: 'd' has no output 3",
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_gives_one_clear_sentence(tmp_path, kind):
    content, expected = BAD_FILES[kind]
    path = tmp_path / f"{kind}.gbproj"
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as info:
        load_project(path)
    message = str(info.value)
    assert expected in message
    assert str(path) in message
    assert_one_short_line(message.replace(str(path), "PATH"))


def test_future_version_is_refused(tmp_path):
    path = tmp_path / "new.gbproj"
    path.write_bytes(edited(_set(["version"], FORMAT_VERSION + 1)))
    with pytest.raises(FileFormatError) as info:
        load_project(path)
    assert str(info.value) == (
        f"{path} was saved by a newer guibuilder (format version {FORMAT_VERSION + 1}; "
        f"this one reads up to {FORMAT_VERSION}): update guibuilder"
    )


def test_unknown_layer_types_are_listed_with_their_nodes(tmp_path):
    def change(data):
        data["nodes"][1]["type"] = "Quantum"
        data["nodes"][2]["type"] = "Quantum"
        data["nodes"].append({"id": "f", "type": "Magic"})

    path = tmp_path / "u.gbproj"
    path.write_bytes(edited(change))
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert str(info.value) == (
        f"{path}: unknown layer types: 'Quantum' (nodes 'd', 'e'), 'Magic' (node 'f')"
    )
    assert info.value.node_ids == ("d", "e", "f")


def test_wrong_param_names_the_node(tmp_path):
    path = tmp_path / "p.gbproj"
    path.write_bytes(edited(_set(["nodes", 1, "params", "units"], "16")))
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert str(info.value) == f"{path}: node 'd' (Dense): units must be a whole number, got '16'"
    assert info.value.node_ids == ("d",)


def test_unknown_param_names_the_node(tmp_path):
    path = tmp_path / "p.gbproj"
    path.write_bytes(edited(_set(["nodes", 1, "params", "colour"], 1)))
    with pytest.raises(ProjectError, match="node 'd' \\(Dense\\): Dense has no parameter 'colour'"):
        load_project(path)


@pytest.mark.parametrize(
    ("edge", "expected", "nodes"),
    [
        ({"source": "d", "target": "x"}, "'x' is an Input and takes no input", ("x",)),
        ({"source": "x", "target": "d"}, "is already connected to 'x'", ("d", "x")),
        ({"source": "x", "target": "d", "port": "query"}, "has no input 'query'", ("d",)),
        ({"source": "x", "target": "d", "output": 4}, "'x' has no output 4", ("x",)),
        ({"source": "e", "target": "e"}, "would make a loop", ("e", "e")),
    ],
)
def test_bad_edge_names_the_nodes(tmp_path, edge, expected, nodes):
    path = tmp_path / "e.gbproj"
    path.write_bytes(edited(lambda d: d["edges"].append(edge)))
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert expected in str(info.value)
    assert str(info.value).startswith(f"{path}: edge ")
    assert info.value.node_ids == nodes


def test_loop_of_edges_is_refused(tmp_path):
    def change(data):
        data["nodes"].append({"id": "f", "type": "Dense"})
        data["edges"].append({"source": "e", "target": "f"})
        data["edges"].append({"source": "f", "target": "e"})

    path = tmp_path / "loop.gbproj"
    path.write_bytes(edited(change))
    with pytest.raises(ProjectError, match="would make a loop") as info:
        load_project(path)
    assert set(info.value.node_ids) == {"e", "f"}


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        load_project(tmp_path / "none.gbproj")
    with pytest.raises(FileFormatError, match="is a folder"):
        load_project(tmp_path)


def test_an_incomplete_graph_still_loads(tmp_path):
    path = tmp_path / "draft.gbproj"
    path.write_bytes(edited(lambda d: d.update(edges=[])))
    project = load_project(path)
    assert project.graph.problems()


def _paths(value, prefix=()):
    """Every place in a JSON value: (path, value) pairs, the root included."""
    yield prefix, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _paths(child, (*prefix, i))


PLACES = [path for path, _ in _paths(GOOD) if path]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def assert_one_short_line(message: str) -> None:
    assert message.isprintable(), f"not one printable line: {message!r}"
    assert len(message) <= 400, f"{len(message)} characters: {message[:100]!r}..."


@settings(max_examples=examples(300))
@given(place=st.sampled_from(PLACES), value=JSON_VALUES)
@example(place=("nodes", 1, "params"), value={"\n": 0})  # found once: a key with a newline
@example(place=("nodes", 1, "params"), value={"\ud800": 0})
@example(place=("nodes", 1, "name"), value="x" * 5000)
@example(place=("nodes", 1, "colour\u2028"), value=1)
def test_any_wrong_value_gives_a_file_format_error(place, value):
    data = good()
    _set(place, value)(data)
    text = json.dumps(data)
    try:
        loads(text, "fuzz.gbproj")
    except FileFormatError as exc:
        assert str(exc).startswith("fuzz.gbproj")
        assert_one_short_line(str(exc))
