"""Generators of hostile inputs: mutated projects, model files and data files.

Every generator takes a ``random.Random`` (Hypothesis' ``st.randoms()`` in the tests, a
seeded one in ``benchmarks/hostile.py``) and gives bytes or writes files, so the property
suite and the benchmark try the same inputs. Values that would run code if anything
evaluated them create the file ``marker`` (see :func:`payloads`): it must never appear.

Numbers here are either small or absurd (past 10**15): a plausible but huge size (10**9
units) would make an in-process test allocate gigabytes, so those live in
:func:`crafted_projects`, which the benchmark runs under a memory limit.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

#: Serialization stand-ins: replaced by text that ``json.dumps`` cannot write.
BIG_INT = "@@big-int@@"
DEEP = "@@deep@@"
_TEXT = {
    json.dumps(BIG_INT): "1" + "0" * 5000,
    json.dumps(DEEP): "[" * 100_000 + "]" * 100_000,
}

#: Small valid projects: the seeds every project mutation starts from.
TEMPLATE_SEEDS = ("mlp-spirals", "lstm-sequence", "lenet5", "siamese", "transformer-text")
RESOURCE_SEEDS = ("resources/demo/digits_cnn.gbproj", "resources/challenges/digits_small.gbproj")


def payloads(marker: str) -> list[str]:
    """Python expressions and statements that create ``marker`` if they ever run."""
    touch = f"__import__('pathlib').Path({marker!r}).touch()"
    return [
        f"*[{touch}][1:], training",
        f"x=[{touch}]",
        f"'); {touch}; ('",
        f'"""\n{touch}\n"""',
        f"\n{touch}\n#",
        f"{{{touch}}}",
    ]


def code_objects(marker: str) -> list[dict[str, Any]]:
    """Serialized "Keras objects" that would run code if constructed outside the safe loader."""
    return [
        {"module": "os", "class_name": "system", "config": {"command": f"touch {marker}"}},
        {"module": "pathlib", "class_name": "Path", "config": {}, "registered_name": "x"},
        {"class_name": "Lambda", "config": {"function": "lambda x: x"}},
        {"class_name": "__lambda__", "config": {"code": "e30=", "defaults": None}},
        {
            "module": "keras.layers",
            "class_name": "TFSMLayer",
            "config": {"filepath": str(Path(marker).parent), "call_endpoint": "serve"},
        },
        {"module": "builtins", "class_name": "eval", "config": {"source": "1"}},
    ]


def hostile_values(marker: str) -> list[Any]:
    """JSON values of every type that a reader may not expect."""
    return [
        None,
        True,
        False,
        0,
        -1,
        2**63,
        -(2**63) - 1,
        2**64,
        10**30,
        1e308,
        -1e308,
        5e-324,
        0.5,
        BIG_INT,
        DEEP,
        "",
        " ",
        "\n",
        "\ud800",
        "a\udfffb",
        "\x00",
        "\u2028\u2029",
        "\u202e" + "gnp.exe",
        "x" * 5000,
        "relu\nsoftmax",
        "../../../../etc/passwd",
        "/dev/zero",
        "~",
        "%s%n{0}",
        [],
        [[]],
        [None],
        [-1, -1],
        [10**30, 10**30],
        ["a", 1, None],
        {},
        {"": None},
        {"class_name": "GlorotUniform", "config": {"seed": "x"}},
        {"class_name": "L2", "config": {"l2": [1, 2]}},
        {"class_name": "NoSuchThing", "config": {}},
        {"class_name": "Orthogonal", "config": {"gain": 10**30}},
        *payloads(marker),
        *code_objects(marker),
    ]


def hostile_keys(marker: str) -> list[str]:
    """Object keys that a reader or an error message may mishandle."""
    return [
        "",
        "\n",
        "a\nb",
        "\r",
        "\t",
        "\ud800",
        "x" * 5000,
        "__class__",
        "training",
        "mask",
        "0",
        "a b",
        "'",
        '"',
        *payloads(marker)[:3],
    ]


# ------------------------------------------------------------------ JSON plumbing
def json_text(value: Any) -> str:
    """JSON text of ``value``, ASCII (lone surrogates escaped), stand-ins expanded."""
    text = json.dumps(value)
    for stand_in, replacement in _TEXT.items():
        text = text.replace(stand_in, replacement)
    return text


def places(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path below the root of a JSON value (walked without recursion)."""
    stack = [(prefix, value)]
    while stack:
        path, current = stack.pop()
        if path:
            yield path
        if isinstance(current, dict):
            stack.extend(((*path, k), v) for k, v in current.items())
        elif isinstance(current, list):
            stack.extend(((*path, i), v) for i, v in enumerate(current))


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def _retyped(value: Any, rng: random.Random) -> Any:
    options = [str(value)[:40], [value], {"value": value}, 1, 1.5, None, True]
    if isinstance(value, list) and value:
        options.append({str(i): v for i, v in enumerate(value)})
    return rng.choice(options)


def mutate_json(data: Any, rng: random.Random, marker: str) -> Any:
    """A copy of ``data`` with one random change: a key dropped, renamed or added, a value
    replaced, retyped or nested deeply, or a list item duplicated."""
    data = copy.deepcopy(data)
    paths = sorted(places(data), key=repr)
    if not paths:
        return rng.choice(hostile_values(marker))
    path = rng.choice(paths)
    parent, key = _at(data, path[:-1]), path[-1]
    kind = rng.choice(("drop", "replace", "replace", "retype", "rename", "add", "nest", "copy"))
    if kind == "drop":
        del parent[key]
    elif kind == "replace":
        parent[key] = rng.choice(hostile_values(marker))
    elif kind == "retype":
        parent[key] = _retyped(parent[key], rng)
    elif kind == "rename" and isinstance(parent, dict):
        parent[rng.choice(hostile_keys(marker))] = parent.pop(key)
    elif kind == "add" and isinstance(parent, dict):
        parent[rng.choice(hostile_keys(marker))] = rng.choice(hostile_values(marker))
    elif kind == "nest":
        value = parent[key]
        for _ in range(rng.choice((2, 63, 65, 300))):
            value = [value]
        parent[key] = value
    elif isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    else:
        parent[key] = rng.choice(hostile_values(marker))
    return data


# ------------------------------------------------------------------ projects
@functools.cache
def seed_projects() -> dict[str, dict[str, Any]]:
    """The JSON objects of small valid projects: bundled files and a few templates
    (shared: copy one before changing it)."""
    from guibuilder.document import project_to_dict
    from guibuilder.templates import get_template

    seeds = {Path(p).stem: json.loads((ROOT / p).read_text()) for p in RESOURCE_SEEDS}
    for name in TEMPLATE_SEEDS:
        seeds[name] = project_to_dict(get_template(name).project())
    return seeds


def _param_names(type_id: str) -> list[str]:
    from guibuilder import catalog

    names = [p.name for p in catalog.get(type_id).params] if catalog.has(type_id) else []
    return names or ["units"]


def _plausible(rng: random.Random) -> Any:
    """A value of a plausible type, often of the wrong size or kind."""
    return rng.choice(
        [
            rng.randint(-3, 70),
            rng.choice((0.0, -0.5, 1e-12, 3.0)),
            rng.choice(("relu", "same", "valid", "softmax", "zeros", "l2", "channels_first")),
            [rng.randint(-1, 9) for _ in range(rng.randint(0, 4))],
            None,
            rng.random() < 0.5,
        ]
    )


def mutate_project(data: dict[str, Any], rng: random.Random, marker: str) -> dict[str, Any]:
    """A copy of a project object with one change aimed at the graph, or anywhere."""
    from guibuilder import catalog

    data = copy.deepcopy(data)
    nodes = [n for n in data.get("nodes", []) if isinstance(n, dict)]
    kind = rng.choice(("param", "param", "call_kwargs", "type", "json", "json", "json"))
    if not nodes or kind == "json":
        return mutate_json(data, rng, marker)
    node = rng.choice(nodes)
    if kind == "param":
        params = node.setdefault("params", {})
        if isinstance(params, dict):
            name = rng.choice(_param_names(str(node.get("type"))))
            value = _plausible(rng) if rng.random() < 0.5 else rng.choice(hostile_values(marker))
            params[name] = value
    elif kind == "call_kwargs":
        key = rng.choice([*hostile_keys(marker), "training", "mask", "return_attention_scores"])
        value = rng.choice([*hostile_values(marker), True, {"__tensor__": 0}])
        node["call_kwargs"] = {key: value}
    else:
        node["type"] = rng.choice(sorted(s.type_id for s in catalog.all_specs()))
        if rng.random() < 0.5:
            node.pop("params", None)
    return data


def mutated_project_text(seeds: dict[str, dict], rng: random.Random, marker: str) -> str:
    """The text of a project file: a seed with one to three mutations."""
    data = seeds[rng.choice(sorted(seeds))]
    for _ in range(rng.randint(1, 3)):
        data = mutate_project(data, rng, marker)
        if not isinstance(data, dict):
            break
    return json_text(data)


def crafted_projects(seed: dict[str, Any], marker: str) -> dict[str, str]:
    """Hand-made project files for the classes of issue 16; too heavy to run in-process."""
    cases: dict[str, str] = {}

    def variant(name: str, change: Callable[[dict], None]) -> None:
        data = copy.deepcopy(seed)
        change(data)
        cases[name] = json_text(data)

    def node_of(data: dict, type_id: str) -> dict:
        return next(n for n in data["nodes"] if n["type"] == type_id)

    variant("units-1e9", lambda d: node_of(d, "Dense")["params"].update(units=10**9))
    variant("batch-1e12", lambda d: d.update(training={"batch_size": 10**12, "epochs": 1}))
    variant("weights-etc-passwd", lambda d: d.update(weights="/etc/passwd"))
    variant("weights-dotdot", lambda d: d.update(weights="../" * 20 + "etc/passwd"))
    variant("weights-long", lambda d: d.update(weights="w" * 5000 + ".weights.h5"))
    variant("dataset-urandom", lambda d: d.update(dataset={"name": "csv", "path": "/dev/urandom"}))
    variant("dataset-fifo", lambda d: d.update(dataset={"name": "csv", "path": "fifo.csv"}))
    variant("surrogate-title", lambda d: d["meta"].update(title="\ud800"))
    variant("surrogate-name", lambda d: d.update(name="model\udfff"))
    for i, code in enumerate(payloads(marker)):
        variant(f"kwarg-key-{i}", lambda d, c=code: node_of(d, "Dense").update(call_kwargs={c: 1}))
        variant(f"title-code-{i}", lambda d, c=code: d["meta"].update(title=c))
    for i, obj in enumerate(code_objects(marker)):
        variant(
            f"kwarg-object-{i}", lambda d, o=obj: node_of(d, "Dense").update(call_kwargs={"x": o})
        )
        variant(
            f"initializer-{i}",
            lambda d, o=obj: node_of(d, "Dense")["params"].update(kernel_initializer=o),
        )
    text = json_text(seed)
    cases["big-int"] = text.replace('"version": 2', '"version": 1' + "0" * 5000, 1)
    cases["deep"] = text[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    return cases


# ------------------------------------------------------------------ model files
def save_tiny_models(folder: Path) -> tuple[Path, Path]:
    """A tiny saved model, as ``tiny.keras`` and as legacy ``tiny.h5``."""
    from guibuilder.compiler.layers import load_keras

    keras = load_keras()
    inputs = keras.Input(shape=(6, 6, 1), name="image")
    x = keras.layers.Conv2D(2, 3, activation="relu", name="conv")(inputs)
    x = keras.layers.Flatten(name="flat")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(x)
    model = keras.Model(inputs, outputs, name="tiny")
    paths = folder / "tiny.keras", folder / "tiny.h5"
    for path in paths:
        model.save(path)
    return paths


def keras_config(path: Path) -> dict[str, Any]:
    """The config.json of a ``.keras`` file."""
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def keras_zip(path: Path, members: dict[str, bytes | str], *, deflate: bool = False) -> Path:
    """A ``.keras`` (zip) file holding ``members``."""
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def declare_zip_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size that the zip's headers give for ``member``."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, offset of the size, of the name's length, of the name) per header kind
    for signature, size_at, length_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            (length,) = struct.unpack_from("<H", data, start + length_at)
            if data[start + name_at : start + name_at + length] == name:
                struct.pack_into("<I", data, start + size_at, size)
            start += 4
    path.write_bytes(bytes(data))


def huge_weights_h5(path: Path) -> Path:
    """An HDF5 file of a few kB whose one dataset declares 4 TB of float32."""
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("layers/dense/vars/0", shape=(10**12,), dtype="f4", chunks=(1024,))
    return path


def write_keras(source: Path, target: Path, config_text: str | bytes) -> None:
    """Copy ``source`` (a ``.keras`` file) to ``target`` with another config.json."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = config_text if item.filename == "config.json" else old.read(item)
            new.writestr(item.filename, data, zipfile.ZIP_DEFLATED)


def keras_h5_config(path: Path) -> str:
    """The model_config attribute of a legacy ``.h5`` model."""
    import h5py

    with h5py.File(path, "r") as f:
        value = f.attrs["model_config"]
    return value.decode() if isinstance(value, bytes) else str(value)


def write_h5(source: Path, target: Path, model_config: Any) -> None:
    """Copy ``source`` (a legacy ``.h5`` model) to ``target`` with another model_config."""
    import h5py

    target.write_bytes(source.read_bytes())
    with h5py.File(target, "r+") as f:
        del f.attrs["model_config"]
        if model_config is not None:
            f.attrs["model_config"] = model_config


def mutated_model_config(config: dict, rng: random.Random, marker: str) -> str:
    """The text of a model config with one to three mutations."""
    for _ in range(rng.randint(1, 3)):
        config = mutate_json(config, rng, marker)
    return json_text(config)


def crafted_models(keras_file: Path, h5_file: Path, folder: Path, marker: str) -> list[Path]:
    """Hand-made model files: code, bombs, deep nesting, damage, odd attributes."""
    import h5py

    config = keras_config(keras_file)
    made = []

    def keras_case(name: str, text: str | bytes) -> None:
        write_keras(keras_file, folder / f"{name}.keras", text)
        made.append(folder / f"{name}.keras")

    def h5_case(name: str, value: Any) -> None:
        write_h5(h5_file, folder / f"{name}.h5", value)
        made.append(folder / f"{name}.h5")

    layers = config["config"]["layers"]
    for i, obj in enumerate(code_objects(marker)):
        changed = copy.deepcopy(config)
        changed["config"]["layers"][1] = {**obj, "name": "conv", "inbound_nodes": []}
        keras_case(f"code-layer-{i}", json.dumps(changed))
        changed = copy.deepcopy(config)
        changed["config"]["layers"][-1]["config"]["kernel_initializer"] = obj
        keras_case(f"code-initializer-{i}", json.dumps(changed))
    keras_case("deep", '{"config": ' + "[" * 100_000 + "]" * 100_000 + "}")
    keras_case("bomb", b" " * 300_000_000)
    keras_case("not-json", b"\xff\xfe\x00")
    keras_case("big-int", json.dumps(config).replace('"filters": 2', '"filters": 1' + "0" * 5000))
    for units in (10**9, 2**63, -1, 0):
        changed = copy.deepcopy(config)
        changed["config"]["layers"][-1]["config"]["units"] = units
        keras_case(f"units-{units}", json.dumps(changed))
    changed = copy.deepcopy(config)
    changed["config"]["layers"] = layers * 2
    keras_case("duplicate-layers", json.dumps(changed))
    for name, value in (
        ("int", 7),
        ("array", np.arange(4)),
        ("opaque", np.void(b"\xff\x00")),
        ("list-json", b"[1, 2]"),
        ("none", None),
        ("deep", "[" * 100_000 + "]" * 100_000),
    ):
        h5_case(f"h5-config-{name}", value)
    declared = keras_zip(folder / "declares-4gb.keras", {"config.json": json.dumps(config)})
    declare_zip_size(declared, "config.json", 4_000_000_000)
    weights = huge_weights_h5(folder / "model.weights.h5").read_bytes()
    members = {"config.json": json.dumps(config), "model.weights.h5": weights}
    made.append(keras_zip(folder / "weights-4tb.keras", members))
    body = b'{"a": "' + b"x" * (100 * 2**20) + b'"}'
    liar = keras_zip(folder / "liar.keras", {"config.json": body}, deflate=True)
    declare_zip_size(liar, "config.json", 100)
    made += [declared, liar, huge_weights_h5(folder / "weights-4tb.h5")]
    with h5py.File(folder / "weights-4tb.h5", "a") as f:
        f.attrs["model_config"] = json.dumps(config)
    (folder / "empty.keras").write_bytes(b"")
    (folder / "text.keras").write_bytes(b"hello")
    (folder / "truncated.keras").write_bytes(keras_file.read_bytes()[:300])
    (folder / "truncated.h5").write_bytes(h5_file.read_bytes()[:2000])
    made += [folder / n for n in ("empty.keras", "text.keras", "truncated.keras", "truncated.h5")]
    return made


# ------------------------------------------------------------------ data files
def _csv_text(rng: random.Random) -> str:
    rows = ["a,b,label"]
    for i in range(rng.randint(4, 30)):
        rows.append(f"{rng.uniform(-3, 3):.3f},{rng.randint(0, 9)},{'yes' if i % 2 else 'no'}")
    return "\n".join(rows) + "\n"


_CSV_CHANGES: tuple[Callable[[list[str], random.Random], None], ...] = (
    lambda rows, rng: rows.insert(rng.randint(1, len(rows)), ",,"),
    lambda rows, rng: rows.insert(rng.randint(1, len(rows)), "1e309,nan,inf"),
    lambda rows, rng: rows.insert(rng.randint(1, len(rows)), "1,2,3,4,5"),
    lambda rows, rng: rows.insert(rng.randint(1, len(rows)), '"open quote,1,x'),
    lambda rows, rng: rows.__setitem__(0, '"a\nb",' + "c" * 5000 + ",\ud800"),
    lambda rows, rng: rows.__setitem__(0, ""),
    lambda rows, rng: rows.__setitem__(0, "a;b;label"),
    lambda rows, rng: rows.__setitem__(slice(2, None), []),
    lambda rows, rng: rows.__setitem__(slice(1, None), [r.replace("no", "yes") for r in rows[1:]]),
    lambda rows, rng: rows.insert(1, "x" * 100_000 + ",1,yes"),
    lambda rows, rng: rows.insert(1, "1," + "9" * 400 + ",yes"),
    lambda rows, rng: rows.insert(1, "\x00,1,yes"),
    lambda rows, rng: rows.insert(1, "1,2," + "c" * 300),
)


def mutated_csv(rng: random.Random) -> bytes:
    """A small CSV table with one to three damaging changes."""
    rows = _csv_text(rng).splitlines()
    for _ in range(rng.randint(1, 3)):
        rng.choice(_CSV_CHANGES)(rows, rng)
    text = "\n".join(rows)
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        data = rng.choice(
            (b"\xef\xbb\xbf" + data, data[: rng.randint(0, len(data))], data + b"\xff")
        )
    return data


def _array(rng: random.Random) -> np.ndarray:
    shape = rng.choice(((), (0,), (0, 3), (5, 0), (12,), (12, 3), (12, 4, 4), (1, 3), (12, 1)))
    dtype = rng.choice(("float32", "float64", "int64", "uint8", "bool", "complex64", "U3", "f2"))
    array = np.zeros(shape, dtype=dtype)
    if array.size and array.dtype.kind in "fiu":
        flat = array.reshape(-1)
        flat[:] = np.arange(flat.size) % 3
        if array.dtype.kind == "f" and rng.random() < 0.3:
            flat[rng.randrange(flat.size)] = rng.choice((np.nan, np.inf, -np.inf))
    return array


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def mutated_npy(rng: random.Random) -> bytes:
    """An NPY file: odd shapes and dtypes, a damaged header, or a header claiming terabytes."""
    data = npy_bytes(_array(rng))
    kind = rng.choice(("plain", "plain", "truncate", "header", "claim"))
    if kind == "truncate":
        return data[: rng.randint(0, len(data))]
    if kind == "header":
        at = rng.randint(10, min(len(data), 127) - 1)
        return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
    if kind == "claim":
        return huge_npy_header()
    return data


def npy_header(shape: tuple[int, ...], dtype: str = "<f4") -> bytes:
    """The header of an NPY file holding an array of ``shape`` (no data after it)."""
    out = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(out, header)
    return out.getvalue()


def huge_npy_header() -> bytes:
    """An NPY file that claims 80 TB of float64 and holds 16 bytes."""
    return npy_header((10**7, 10**6), "<f8") + bytes(16)


def mutated_npz(rng: random.Random) -> bytes:
    """An NPZ with odd names, counts, shapes and dtypes, or a damaged member."""
    names = rng.choice((("x", "y"), ("x_train", "y_train", "x_test", "y_test"), ("a",), ("q", "r")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            member = npy_bytes(_array(rng))
            if rng.random() < 0.15:
                member = rng.choice((huge_npy_header(), member[: len(member) // 2], b""))
            archive.writestr(rng.choice((f"{name}.npy", name, f"../{name}.npy")), member)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels and holds a few bytes of data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    head = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def image_bytes(rng: random.Random) -> tuple[str, bytes]:
    """One image file (suffix, bytes): small and valid, odd in mode or size, damaged, or a bomb."""
    from PIL import Image

    mode = rng.choice(("L", "RGB", "RGBA", "P", "1", "I;16", "CMYK", "F"))
    size = rng.choice(((1, 1), (5, 3), (16, 16)))
    suffix = rng.choice((".png", ".gif", ".bmp", ".jpg"))
    buffer = io.BytesIO()
    try:
        Image.new(mode, size).save(buffer, format={".jpg": "JPEG"}.get(suffix, suffix[1:]))
    except (OSError, ValueError, KeyError):  # a mode the format cannot hold
        Image.new("L", size).save(buffer, format="PNG")
        suffix = ".png"
    data = buffer.getvalue()
    kind = rng.choice(("plain", "plain", "plain", "truncate", "empty", "text", "bomb", "wide"))
    if kind == "truncate":
        data = data[: rng.randint(1, len(data) - 1)]
    elif kind == "empty":
        data = b""
    elif kind == "text":
        data = b"not an image"
    elif kind == "bomb":
        data, suffix = png_header_only(100_000, 100_000), ".png"
    elif kind == "wide":
        data, suffix = png_header_only(2**31 - 1, 1), ".png"
    return suffix, data


def write_image_folder(folder: Path, rng: random.Random) -> Path:
    """A folder of class folders of small images, some of them hostile."""
    folder.mkdir(parents=True, exist_ok=True)
    for c in range(rng.choice((1, 2, 2, 3))):
        klass = folder / rng.choice(("a", "b", "c", "\u00e9t\u00e9", "x" * 200, " "))
        klass = klass.with_name(f"{klass.name}{c}")
        klass.mkdir(exist_ok=True)
        for i in range(rng.randint(0, 4)):
            suffix, data = image_bytes(rng)
            (klass / f"{i}{suffix}").write_bytes(data)
    return folder


def write_data_file(folder: Path, rng: random.Random) -> Path:
    """One hostile data file (or image folder) in ``folder``; returns its path."""
    kind = rng.choice(("csv", "npy", "npz", "images"))
    if kind == "images":
        return write_image_folder(folder / "images", rng)
    path = folder / f"data.{kind}"
    maker = {"csv": mutated_csv, "npy": mutated_npy, "npz": mutated_npz}[kind]
    path.write_bytes(maker(rng))
    return path


def crafted_data(folder: Path, marker: str) -> list[Path]:
    """Hand-made data files: bombs, huge headers, empty and 0-d arrays, code in names."""
    made = []

    def save(name: str, data: bytes) -> None:
        (folder / name).write_bytes(data)
        made.append(folder / name)

    save("claims-40tb.npy", huge_npy_header())
    save("claims-2e18.npy", npy_header((2**31, 2**31)) + bytes(16))
    save("thousands-of-axes.npy", npy_header((2,) * 3000) + bytes(64))
    save("empty.npy", npy_bytes(np.zeros((0,))))
    save("zero-d.npy", npy_bytes(np.float32(1.0).reshape(())))
    for name, arrays in (
        ("empty.npz", {"x": np.zeros((0, 3)), "y": np.zeros((0,))}),
        ("zero-d.npz", {"x": np.float32(1), "y": np.float32(1)}),
        ("no-rows.npz", {"x": np.zeros((4, 0)), "y": np.arange(4)}),
    ):
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        save(name, buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.npy", huge_npy_header())
        archive.writestr("y.npy", npy_bytes(np.arange(4)))
    save("claims-40tb.npz", buffer.getvalue())
    for name, size in (("bomb", (100_000, 100_000)), ("wide", (2**31 - 1, 1))):
        classes = folder / f"{name}-images"
        for klass in ("a", "b"):
            (classes / klass).mkdir(parents=True, exist_ok=True)
            (classes / klass / "x.png").write_bytes(png_header_only(*size))
        made.append(classes)
    save("empty.csv", b"")
    save("header-only.csv", b"a,b,label\n")
    touch = f"__import__('pathlib').Path({Path(marker).name!r}).touch()"
    save(f'a""";{touch};""".csv', _csv_text(random.Random(0)).encode())
    return made
