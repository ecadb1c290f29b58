"""One registry for every dataset: list them, load one by name, by path or by its spec.

A dataset's *spec* is the JSON dict a project file keeps in its ``"dataset"`` slot:
``{"name": "spirals", "noise": 0.1, "samples": 500, "seed": 0, ...}``. The user's own files
use the loader's name and a ``path``: ``{"name": "csv", "path": "data/houses.csv",
"target": "price"}``. ``load_dataset(spec)`` gives the same arrays every time.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guibuilder.data import builtin, files, generated, keras_datasets
from guibuilder.data.dataset import DataError, Dataset, DatasetInfo, resolve_options
from guibuilder.data.views import apply_view
from guibuilder.errors import shown

_ENTRIES: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        *builtin.ENTRIES,
        *generated.ENTRIES,
        *keras_datasets.ENTRIES,
        *files.ENTRIES,
    )
}


def list_datasets(include_files: bool = False) -> list[DatasetInfo]:
    """Every named dataset, built-in first; ``available`` is False for uncached downloads.

    The loaders of the user's own files (``csv``, ``image_folder``, ``numpy``) are listed
    only with ``include_files``.
    """
    listed = []
    for info in _ENTRIES.values():
        if info.source == "file" and not include_files:
            continue
        if info.source == "keras":
            info = dataclasses.replace(info, available=keras_datasets.is_cached(info.name))
        listed.append(info)
    return listed


def dataset_info(name: str) -> DatasetInfo:
    """The registry entry of ``name``; DataError when there is none."""
    try:
        return _ENTRIES[name]
    except KeyError:
        raise DataError(_unknown(name)) from None


#: An unknown dataset's message names this many of the others ('guibuilder datasets' all).
NAMED_DATASETS = 6


def _unknown(name: str) -> str:
    names = [n for n, i in _ENTRIES.items() if i.source != "file"]
    named = ", ".join(names[:NAMED_DATASETS])
    return (
        f"there is no dataset {shown(name)}: pick one of {named} "
        f"(all {len(names)}: 'guibuilder datasets'), "
        "or give the path of a CSV, NPZ or NPY file or of an image folder"
    )


def load_dataset(
    source: str | Path | Mapping[str, Any],
    *,
    base_dir: str | Path | None = None,
    **options: Any,
) -> Dataset:
    """Load a dataset by name, by file or folder path, or from its spec dict.

    Parameters
    ----------
    source
        A registered name (``"digits"``), a path (``"data.csv"``, ``"images/"``) or a spec
        dict as :attr:`Dataset.spec` gives it.
    base_dir
        Folder that relative paths are taken from (the project's folder).
    **options
        Options of the dataset; they override those of a spec dict. ``view`` picks a
        view of :mod:`guibuilder.data.views` (pairs, reconstruct) instead of the labels.
    """
    name, resolved, load_options, view = _resolve(source, base_dir, options)
    info = dataset_info(name)
    dataset = info.load(load_options)
    dataset.spec = {"name": name, **resolved}
    if not dataset.description:
        dataset.description = info.description
    dataset.name = Path(resolved["path"]).name if info.source == "file" else name
    if view == "labels":
        return dataset
    viewed = apply_view(dataset, view)
    viewed.spec = {**dataset.spec, "view": view}
    return viewed


def dataset_key(
    source: str | Path | Mapping[str, Any],
    *,
    base_dir: str | Path | None = None,
    **options: Any,
) -> tuple[Any, ...]:
    """What tells apart the data ``load_dataset`` gives for these arguments.

    The dataset's name, its options (paths made absolute), its view, and the size and
    modification time of each file or folder it reads (of an image folder, also those of
    its class folders), so that a changed file has another key. Raises what
    ``load_dataset`` raises for a spec it cannot resolve.
    """
    name, _, load_options, view = _resolve(source, base_dir, options)
    stamps = tuple(_stamp(load_options[k]) for k in ("path", "labels") if load_options.get(k))
    return name, json.dumps(load_options, sort_keys=True, default=str), view, stamps


def _stamp(path: str) -> tuple[Any, ...]:
    try:
        stat = Path(path).stat()
        if not Path(path).is_dir():
            return path, stat.st_mtime_ns, stat.st_size
        inside = sorted((p.name, p.stat().st_mtime_ns) for p in Path(path).iterdir() if p.is_dir())
    except OSError:  # missing: loading says so
        return path, None
    return path, stat.st_mtime_ns, tuple(inside)


def _resolve(
    source: str | Path | Mapping[str, Any], base_dir: str | Path | None, options: dict[str, Any]
) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """The dataset's name, its resolved options, those options with absolute paths, its view."""
    name, options = _resolve_source(source, options)
    view = options.pop("view", "labels")
    info = dataset_info(name)
    resolved = resolve_options(name, info.options, options)
    load_options = dict(resolved)
    for key in ("path", "labels"):
        if resolved.get(key):
            load_options[key] = _absolute(resolved[key], base_dir)
    return name, resolved, load_options, view


def _resolve_source(
    source: str | Path | Mapping[str, Any], options: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    if isinstance(source, Mapping):
        spec = dict(source)
        name = spec.pop("name", None)
        if name is None and "path" in spec:
            name = _loader_for(Path(str(spec["path"])))
        if not isinstance(name, str):
            raise DataError("the dataset spec has no 'name': give a dataset name or a 'path'")
        return name, {**spec, **options}
    if isinstance(source, str) and source in _ENTRIES:
        return source, options
    path = Path(source)
    if isinstance(source, Path) or path.suffix or len(path.parts) > 1 or path.exists():
        return _loader_for(path), {"path": str(source), **options}
    raise DataError(_unknown(str(source)))


def _loader_for(path: Path) -> str:
    if path.is_dir():
        return "image_folder"
    loader = files.SUFFIXES.get(path.suffix.lower())
    if loader is None:
        if not path.exists():
            raise DataError(f"{path} does not exist")
        raise DataError(
            f"{path} is not a dataset file guibuilder reads: use a .csv, .npz or .npy file "
            "or a folder of class folders"
        )
    return loader


def _absolute(path: str, base_dir: str | Path | None) -> str:
    """``path`` under ``base_dir`` when relative; the working folder's file if only it exists."""
    p = Path(path).expanduser()
    if base_dir is None or p.is_absolute():
        return str(p)
    under = Path(base_dir) / p
    return str(p if not under.exists() and p.exists() else under)
