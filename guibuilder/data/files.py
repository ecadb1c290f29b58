"""The user's own data: a CSV table, a folder of images, an NPZ or NPY file.

Every problem with a file becomes a :class:`DataError` whose one sentence names the file
and, where it can, the row and the column.
"""

from __future__ import annotations

import contextlib
import csv
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from guibuilder.data.dataset import (
    SEED,
    DataError,
    Dataset,
    DatasetInfo,
    OptionSpec,
    class_labels,
    split,
    standardize,
    targets,
    testset_option,
    validation_option,
)
from guibuilder.data.images import IMAGE_SUFFIXES, load_image
from guibuilder.errors import shown, shown_names
from guibuilder.limits import MB, available_memory, regular_file, size_text

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})
MAX_CATEGORIES = 100
MAX_CLASS_VALUES = 20
#: A column whose text values are at most this many (or this share of its rows), beside a
#: majority of numbers, is a numeric column with typos rather than a category column.
MAX_TYPOS = 3
TYPO_SHARE = 0.05
TASK_OPTION = OptionSpec(
    "task",
    "choice",
    "auto",
    "classification or regression; auto decides from the labels.",
    choices=("auto", "classification", "regression"),
)
SPLITS = (SEED, validation_option(0.2), testset_option(0.0))
PATH = OptionSpec("path", "path", "", "The file or folder to read.")
#: Far bigger than any table or array file this program can train on in memory.
MAX_CSV_BYTES = 1024 * MB
MAX_NUMPY_BYTES = 16 * 1024 * MB


def _existing(
    path: str, *, folder: bool = False, what: str = "data file", max_bytes: int = MAX_CSV_BYTES
) -> Path:
    """The path of a data file (a ``what`` of at most ``max_bytes``) or folder, checked."""
    if not path:
        raise DataError("no file was given: set the option 'path'")
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"{p} does not exist")
    if folder and not p.is_dir():
        raise DataError(f"{p} is not a folder: an image dataset is a folder of class folders")
    if not folder:
        regular_file(p, max_bytes, what, DataError)
    return p


def _labels(values: list[Any], task: str, where: str) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """Labels -> (y, task, class names). Text or few distinct integers mean classes."""
    numbers = [_to_float(v) for v in values]
    numeric = all(n is not None for n in numbers)
    if task == "auto":
        few = numeric and len(set(numbers)) <= MAX_CLASS_VALUES
        task = (
            "classification"
            if not numeric or (few and all(n.is_integer() for n in numbers))
            else "regression"
        )
    if task == "regression":
        if not numeric:
            bad = next(v for v, n in zip(values, numbers, strict=True) if n is None)
            raise DataError(
                f"{where} holds {shown(bad)}, which is not a number, so it cannot be regressed"
            )
        return targets(np.array(numbers)), task, ()
    if numeric:
        keys = sorted(set(numbers))
        names = tuple(_number_text(k) for k in keys)
        lookup = {k: i for i, k in enumerate(keys)}
        y = [lookup[n] for n in numbers]
    else:
        names = tuple(sorted({str(v) for v in values}))
        lookup = {k: i for i, k in enumerate(names)}
        y = [lookup[str(v)] for v in values]
    if len(names) < 2:
        raise DataError(
            f"{where} has a single class {shown(names[0])}: a classifier needs at least two"
        )
    return class_labels(np.array(y)), task, names


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _to_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _build(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    task: str,
    names: tuple[str, ...],
    o: dict[str, Any],
    *,
    scale_columns: np.ndarray | None = None,
) -> Dataset:
    if len(x) < 2:
        raise DataError(f"{o['path']} holds {len(x)} sample(s): at least 2 are needed")
    classify = task == "classification"
    x_tr, y_tr, x_va, y_va, x_te, y_te = split(
        x,
        y,
        validation_split=o["validation_split"],
        test_split=o["test_split"],
        seed=o["seed"],
        stratify=classify and np.bincount(y).min() >= 2,
    )
    meta: dict[str, Any] = {}
    if scale_columns is not None and scale_columns.any():
        cols = np.flatnonzero(scale_columns)
        (a, b, c), meta = standardize(
            x_tr[:, cols], x_va[:, cols], None if x_te is None else x_te[:, cols]
        )
        x_tr[:, cols], x_va[:, cols] = a, b
        if x_te is not None:
            x_te[:, cols] = c
        meta["columns"] = cols.tolist()
    parts = (x_tr, y_tr, x_va, y_va, x_te, y_te)
    return Dataset.from_split(name, task, parts, names, meta=meta)


# ------------------------------------------------------------------ CSV
#: Bytes of memory a CSV file takes per byte of text once read as rows of cells.
CSV_MEMORY_FACTOR = 10


def _read_rows(path: Path, delimiter: str | None) -> tuple[list[list[str]], list[int], str]:
    memory = available_memory()
    with contextlib.suppress(OSError):  # an unreadable file is said below
        needed = path.stat().st_size * CSV_MEMORY_FACTOR
        if memory is not None and needed > memory:
            raise DataError(
                f"{path} is refused: reading it as a table needs about {size_text(needed)}, "
                f"more than the {size_text(memory)} of memory free"
            )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not a UTF-8 text file (byte {exc.start} is not text)") from exc
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if "\x00" in text:
        raise DataError(f"{path} is a binary file, not a CSV table")
    if not text.strip():
        raise DataError(f"{path} is empty")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    rows, lines = [], []
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append([cell.strip() for cell in row])
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(f"row {reader.line_num} of {path} is not valid CSV ({exc})") from exc
    return rows, lines, delimiter


def _column_index(path: Path, header: list[str], column: str | int, option: str) -> int:
    if isinstance(column, int):
        index = column + len(header) if column < 0 else column
        if not 0 <= index < len(header):
            raise DataError(f"{path} has {len(header)} columns, so column {column} does not exist")
        return index
    if column in header:
        return header.index(column)
    raise DataError(
        f"{path} has no column {shown(column)} for the option {option!r} "
        f"(its columns: {shown_names(header, most=8)})"
    )


def _load_csv(o: dict[str, Any]) -> Dataset:
    path = _existing(o["path"], what="CSV table", max_bytes=MAX_CSV_BYTES)
    rows, lines, _ = _read_rows(path, o["delimiter"] or None)
    if o["header"]:
        header, rows, lines = rows[0], rows[1:], lines[1:]
    else:
        header = [f"column {i + 1}" for i in range(len(rows[0]))]
    if not rows:
        raise DataError(f"{path} has a header but no data rows")
    width = len(header)
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            raise DataError(
                f"row {line} of {path} has {len(row)} values but the header has {width} columns"
            )
    target = _column_index(path, header, o["target"], "target")
    ignored = {target}
    for name in filter(None, (s.strip() for s in o["ignore"].split(","))):
        ignored.add(_column_index(path, header, name, "ignore"))
    rows, lines = _handle_missing(path, header, rows, lines, target, o["missing"])
    features = [i for i in range(width) if i not in ignored]
    if not features:
        raise DataError(
            f"{path} has no feature column left beside the target {shown(header[target])}"
        )
    if o["task"] == "auto":
        _refuse_stray_text(path, header[target], [r[target] for r in rows], lines)
    y, task, names = _labels(
        [r[target] for r in rows], o["task"], f"column {shown(header[target])} of {path}"
    )
    blocks, feature_names, numeric = [], [], []
    for index in features:
        block, labels = _encode_column(path, header[index], [r[index] for r in rows], lines)
        blocks.append(block)
        feature_names.extend(labels)
        numeric.extend([labels == [header[index]]] * block.shape[1])
    x = np.concatenate(blocks, axis=1).astype(np.float32)
    scale = np.array(numeric) if o["standardize"] else None
    data = _build("csv", x, y, task, names, o, scale_columns=scale)
    data.feature_names = tuple(feature_names)
    data.description = f"{path.name}: {len(rows)} rows, target column {shown(header[target])}"
    return data


def _handle_missing(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    lines: list[int],
    target: int,
    policy: str,
) -> tuple[list[list[str]], list[int]]:
    holes = [
        (line, col)
        for row, line in zip(rows, lines, strict=True)
        for col, cell in enumerate(row)
        if cell.lower() in MISSING
    ]
    if not holes:
        return rows, lines
    if policy == "error" or (policy == "fill" and any(c == target for _, c in holes)):
        line, col = next(h for h in holes if policy == "error" or h[1] == target)
        more = len(holes) - 1
        extra = f" (and {more} more)" if more else ""
        fix = "fill it in or drop the row" if col == target else "fill it in"
        raise DataError(
            f"{path} has a missing value in column {shown(header[col])} at row {line}{extra}: "
            f"{fix}, or set the option 'missing' to 'drop'"
            + ("" if col == target else " or 'fill'")
        )
    if policy == "drop":
        bad = {line for line, _ in holes}
        kept = [(r, n) for r, n in zip(rows, lines, strict=True) if n not in bad]
        if not kept:
            raise DataError(f"every row of {path} has a missing value, so none is left to use")
        return [r for r, _ in kept], [n for _, n in kept]
    for col in {c for _, c in holes}:
        present = [r[col] for r in rows if r[col].lower() not in MISSING]
        numbers = [_to_float(v) for v in present]
        if present and all(n is not None for n in numbers):
            fill = _number_text(float(np.mean(numbers)))
        else:
            values, counts = np.unique(present or ["missing"], return_counts=True)
            fill = str(values[np.argmax(counts)])
        for r in rows:
            if r[col].lower() in MISSING:
                r[col] = fill
    return rows, lines


def _refuse_stray_text(
    path: Path,
    name: str,
    cells: list[str],
    lines: list[int],
    numbers: list[float | None] | None = None,
) -> None:
    """A column of numbers with a few text values is a typo, not a category column.

    Read as categories, its every number would become a one-hot column of its own and the
    model's input would silently widen, so the first stray value is named instead.
    """
    if numbers is None:
        numbers = [_to_float(c) for c in cells]
    stray = [i for i, n in enumerate(numbers) if n is None]
    few = len(stray) <= max(MAX_TYPOS, TYPO_SHARE * len(cells))
    if not stray or not few or len(stray) * 2 >= len(cells):
        return
    first = stray[0]
    more = len(stray) - 1
    extra = f" (and {more} more)" if more else ""
    raise DataError(
        f"column {shown(name)} of {path} holds numbers but row {lines[first]} holds "
        f"{shown(cells[first])}{extra}, which is not a number: fix it, or make every value of "
        "the column text if it is a category"
    )


def _encode_column(
    path: Path, name: str, cells: list[str], lines: list[int]
) -> tuple[np.ndarray, list[str]]:
    """A numeric column as is; a text column one-hot encoded (one column per value)."""
    numbers = [_to_float(c) for c in cells]
    if all(n is not None for n in numbers):
        return np.array(numbers, dtype=np.float64)[:, None], [name]
    _refuse_stray_text(path, name, cells, lines, numbers)
    categories = sorted(set(cells))
    if len(categories) > MAX_CATEGORIES:
        first = next(i for i, n in enumerate(numbers) if n is None)
        raise DataError(
            f"column {shown(name)} of {path} has {len(categories)} different text values "
            f"(row {lines[first]} holds {shown(cells[first])}): it looks like free text or an id, "
            "so list it in the option 'ignore'"
        )
    index = {c: i for i, c in enumerate(categories)}
    one_hot = np.zeros((len(cells), len(categories)))
    one_hot[np.arange(len(cells)), [index[c] for c in cells]] = 1.0
    return one_hot, [f"{name}={c}" for c in categories]


# ------------------------------------------------------------------ NPZ / NPY
X_KEYS = ("x", "X", "x_train", "features", "data", "inputs")
Y_KEYS = ("y", "Y", "y_train", "labels", "targets", "target")


def _load_numpy(o: dict[str, Any]) -> Dataset:
    path = _existing(o["path"], what="NumPy file", max_bytes=MAX_NUMPY_BYTES)
    x_test = y_test = None
    if path.suffix.lower() == ".npy":
        x = _read_npy(path)
        if o["labels"]:
            y = _read_npy(_existing(o["labels"], what="NumPy file", max_bytes=MAX_NUMPY_BYTES))
        elif x.ndim == 2 and x.shape[1] >= 2:
            x, y = x[:, :-1], x[:, -1]
        else:
            raise DataError(
                f"{path} holds one array of shape {x.shape}: give the labels file "
                "with the option 'labels'"
            )
        names = (path.name, Path(o["labels"]).name if o["labels"] else "its last column")
    else:
        arrays = _read_npz(path)
        x_key = o["x"] or _pick(path, arrays, X_KEYS, "x")
        y_key = o["y"] or _pick(path, arrays, Y_KEYS, "y")
        for key in (x_key, y_key):
            if key not in arrays:
                raise DataError(f"{path} has no array {shown(key)} (it has {shown_names(arrays)})")
        x, y = arrays[x_key], arrays[y_key]
        names = (f"{shown(x_key)} in {path.name}", shown(y_key))
        if x_key == "x_train" and "x_test" in arrays and "y_test" in arrays:
            x_test, y_test = arrays["x_test"], arrays["y_test"]
    x = _features(x, names[0])
    labels = f"the labels {names[1]} of {path.name}"
    _samples(y, labels)
    if len(x) != len(y):
        raise DataError(f"{names[0]} has {len(x)} samples but {names[1]} has {len(y)} labels")
    y, task, classes = _numpy_labels(y, o["task"], labels)
    data = _build("numpy", x, y, task, classes, o)
    if x_test is not None:
        data.x_test = _features(x_test, f"'x_test' in {path.name}")
        data.y_test = _map_test_labels(y_test, classes, task, path)
    data.description = f"{path.name}: {len(x)} samples of shape {tuple(x.shape[1:])}"
    return data


def _read_npy(path: Path) -> np.ndarray:
    try:
        with path.open("rb") as f:
            _check_header(f, path.stat().st_size, str(path))
        return np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{path} holds Python objects; only plain numeric arrays are read"
            ) from exc
        raise DataError(f"{path} is not a valid NPY file ({exc})") from exc
    except (OSError, EOFError) as exc:
        raise DataError(f"{path} is not a valid NPY file") from exc


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    with archive.open(info) as member:
                        where = f"array {shown(info.filename)} in {path}"
                        _check_header(member, info.file_size, where)
        else:  # a single array, named .npz
            with path.open("rb") as f:
                _check_header(f, path.stat().st_size, str(path))
        with np.load(path, allow_pickle=False) as f:
            if not isinstance(f, np.lib.npyio.NpzFile):
                raise DataError(
                    f"{path} holds a single array: name it .npy, or save x and y in an NPZ"
                )
            arrays = {}
            for key in f.files:
                try:
                    arrays[key] = f[key]
                except ValueError as exc:
                    raise DataError(
                        f"array {shown(key)} in {path} holds Python objects; "
                        "only plain numeric arrays are read"
                    ) from exc
            return arrays
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DataError(f"{path} is not a valid NPZ file (a zip of .npy arrays)") from exc


#: Copies of an array that reading a dataset holds at once: as read, as float32, split.
READ_COPIES = 3


def _check_header(f: Any, size: int, where: str) -> None:
    """Refuse an .npy whose header declares more than its body holds or memory allows,
    before numpy allocates the array (a header can claim terabytes in a few bytes)."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(f)
        read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, _, dtype = read(f)
    except (ValueError, OSError, EOFError):
        raise
    except Exception as exc:  # numpy parses the header as Python text: damage raises anything
        raise ValueError(f"its header is damaged ({type(exc).__name__})") from exc
    count = math.prod(shape)
    shown = str(shape) if len(str(shape)) <= 60 else f"{str(shape)[:50]}... ({len(shape)} axes)"
    needed = count * dtype.itemsize
    if needed > size:
        raise DataError(
            f"{where} is refused: its header declares an array of shape {shown} "
            f"({size_text(needed)}), but the file holds only {size_text(size)}"
        )
    memory = available_memory()
    total = count * max(dtype.itemsize, 4) * READ_COPIES
    if memory is not None and total > memory:
        raise DataError(
            f"{where} is refused: reading its array of shape {shown} needs about "
            f"{size_text(total)}, more than the {size_text(memory)} of memory free"
        )


def _pick(path: Path, arrays: dict[str, np.ndarray], keys: tuple[str, ...], role: str) -> str:
    for key in keys:
        if key in arrays:
            return key
    if len(arrays) == 2:
        return list(arrays)[0 if role == "x" else 1]
    raise DataError(
        f"{path} has no array named {keys[0]!r} (it has {shown_names(arrays) or 'none'}): "
        f"set the option {role!r} to the name of the {'inputs' if role == 'x' else 'labels'}"
    )


def _samples(array: np.ndarray, where: str) -> None:
    """Refuse an array that holds no samples: a 0-d one or an empty one."""
    if array.ndim == 0:
        raise DataError(f"there is a single number in {where}, not one value per sample")
    if array.size == 0:
        raise DataError(f"there are no samples in {where}: the array is empty")


def _features(x: np.ndarray, where: str) -> np.ndarray:
    _samples(x, where)
    if x.dtype.kind not in "biuf":
        raise DataError(f"{where} holds {x.dtype} values, not numbers")
    if x.ndim < 2:
        x = x[:, None]
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    x = x.astype(np.float32)
    if not np.isfinite(x).all():
        row = int(np.argwhere(~np.isfinite(x))[0][0])
        raise DataError(f"{where} has a missing or infinite value in sample {row}")
    return x


def _numpy_labels(y: np.ndarray, task: str, where: str) -> tuple[np.ndarray, str, tuple[str, ...]]:
    if y.dtype.kind not in "biuf":
        raise DataError(f"{where} hold {y.dtype} values, not numbers")
    if y.ndim == 2 and y.shape[1] > 1 and task != "regression" and _is_one_hot(y):
        y = y.argmax(axis=1)
    if y.ndim > 1 and (task == "regression" or y.shape[1] > 1):
        return targets(y), "regression", ()
    flat = y.reshape(-1)
    if task == "auto" and flat.dtype.kind == "f":
        task = (
            "classification"
            if np.all(flat == np.round(flat)) and len(np.unique(flat)) <= MAX_CLASS_VALUES
            else "regression"
        )
    return _labels(flat.tolist(), "regression" if task == "regression" else "classification", where)


def _is_one_hot(y: np.ndarray) -> bool:
    return bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all())


def _map_test_labels(y: np.ndarray, classes: tuple[str, ...], task: str, path: Path) -> np.ndarray:
    _samples(y, f"'y_test' in {path.name}")
    if task == "regression":
        return targets(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    lookup = {c: i for i, c in enumerate(classes)}
    texts = [_number_text(float(v)) for v in y.reshape(-1)]
    unknown = [t for t in texts if t not in lookup]
    if unknown:
        raise DataError(f"'y_test' in {path.name} has the label {unknown[0]} that 'y_train' lacks")
    return class_labels(np.array([lookup[t] for t in texts]))


# ------------------------------------------------------------------ image folder
def _load_images(o: dict[str, Any]) -> Dataset:
    root = _existing(o["path"], folder=True)
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(folders) < 2:
        raise DataError(
            f"{root} has {len(folders)} class folder(s): put the images of each class in a "
            "sub-folder named after it, with at least two classes"
        )
    height, width = o["image_size"]
    mode = o["color_mode"]
    xs, ys = [], []
    for label, folder in enumerate(folders):
        files = sorted(
            p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        if not files:
            suffixes = ", ".join(IMAGE_SUFFIXES)
            raise DataError(f"class folder {folder} holds no images ({suffixes})")
        if o["limit_per_class"]:
            files = files[: o["limit_per_class"]]
        for file in files:
            xs.append(load_image(file, (height, width), mode))
            ys.append(label)
    x = np.stack(xs).astype(np.float32)
    names = tuple(f.name for f in folders)
    data = _build("image_folder", x, class_labels(np.array(ys)), "classification", names, o)
    data.description = f"{root.name}: {len(x)} images in {len(names)} classes"
    return data


ENTRIES = [
    DatasetInfo(
        name="csv",
        title="CSV table",
        task="classification",
        source="file",
        description="A table with a header row: one column is the target, the others are "
        "features (numbers as they are, text one-hot encoded).",
        input_shape=(),
        num_classes=None,
        options=(
            PATH,
            OptionSpec("target", "column", -1, "The column to predict: name or index (-1: last)."),
            TASK_OPTION,
            OptionSpec("header", "bool", True, "The first row holds the column names."),
            OptionSpec("delimiter", "str", "", "Column separator; empty to detect it."),
            OptionSpec(
                "missing",
                "choice",
                "error",
                "What to do with empty cells: report them, drop the row, or fill in the "
                "column's mean (or its most frequent value).",
                choices=("error", "drop", "fill"),
            ),
            OptionSpec("ignore", "str", "", "Columns to leave out, separated by commas."),
            OptionSpec("standardize", "bool", True, "Scale numeric columns to mean 0, std 1."),
            *SPLITS,
        ),
        load=_load_csv,
    ),
    DatasetInfo(
        name="image_folder",
        title="Image folder",
        task="classification",
        source="file",
        description="A folder with one sub-folder of images per class; every image is resized.",
        input_shape=(32, 32, 3),
        num_classes=None,
        options=(
            PATH,
            OptionSpec(
                "image_size", "size", [32, 32], "Height and width after resizing.", maximum=4096
            ),
            OptionSpec(
                "color_mode", "choice", "rgb", "Colour channels.", choices=("rgb", "grayscale")
            ),
            OptionSpec(
                "limit_per_class",
                "int",
                None,
                "Read at most this many images per class.",
                minimum=1,
                optional=True,
            ),
            *SPLITS,
        ),
        load=_load_images,
    ),
    DatasetInfo(
        name="numpy",
        title="NumPy arrays",
        task="classification",
        source="file",
        description="An .npz holding inputs x and labels y (or x_train, y_train, x_test, "
        "y_test), or an .npy array; uint8 inputs are scaled to [0, 1].",
        input_shape=(),
        num_classes=None,
        options=(
            PATH,
            OptionSpec("x", "str", "", "Name of the inputs array in the NPZ; empty to guess."),
            OptionSpec("y", "str", "", "Name of the labels array in the NPZ; empty to guess."),
            OptionSpec(
                "labels",
                "path",
                "",
                "For an .npy: a second .npy with the labels (else: its last column).",
            ),
            TASK_OPTION,
            *SPLITS,
        ),
        load=_load_numpy,
    ),
]

#: File suffix -> the loader that reads it.
SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".npz": "numpy", ".npy": "numpy"}
