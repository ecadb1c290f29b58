"""Run folders: everything one training run leaves behind.

``<root>/<YYYYmmdd-HHMMSS>-<name>/`` holds ``config.json`` (the settings, the dataset, the
graph and the environment), ``history.csv`` (one row per epoch: ``epoch``, ``loss``, every
metric including the ``val_`` ones, ``lr``), ``best.keras`` and ``last.keras``, and
``train.log``. :func:`list_runs` and :func:`read_history` read them back, to compare runs.
"""

from __future__ import annotations

import csv
import json
import math
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from guibuilder.document import atomic_write
from guibuilder.errors import FileFormatError

CONFIG = "config.json"
HISTORY = "history.csv"
BEST = "best.keras"
LAST = "last.keras"
LOG = "train.log"


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    return slug[:40] or "run"


def _json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None``, so the JSON stays standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def order_metrics(keys: Iterable[str]) -> list[str]:
    """``loss``, the other training metrics, ``val_loss``, the other ``val_`` ones."""
    keys = list(dict.fromkeys(keys))
    train = [k for k in keys if not k.startswith("val_")]
    train.sort(key=lambda k: k != "loss")
    rank = {k: i for i, k in enumerate(train)}
    val = sorted(
        (k for k in keys if k.startswith("val_")),
        key=lambda k: (k != "val_loss", rank.get(k[4:], len(rank))),
    )
    return train + val


def _plain(value: Any) -> Any:
    """JSON for what ``json`` does not know: numpy scalars and arrays, paths."""
    if hasattr(value, "tolist"):
        return _json_safe(value.tolist())
    return str(value)


class RunFolder:
    """One run's folder; every write is safe to call from the training thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._columns: list[str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def create(cls, root: str | Path, name: str, when: float | None = None) -> RunFolder:
        """A new, empty folder under ``root`` named by the time and ``name``."""
        root = Path(root)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when))
        base = f"{stamp}-{_slug(name)}"
        root.mkdir(parents=True, exist_ok=True)
        for n in range(1, 1000):
            path = root / (base if n == 1 else f"{base}-{n}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return cls(path)
        raise FileExistsError(f"{root} has too many runs called {base}")

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG

    @property
    def history_path(self) -> Path:
        return self.path / HISTORY

    @property
    def best_path(self) -> Path:
        return self.path / BEST

    @property
    def last_path(self) -> Path:
        return self.path / LAST

    @property
    def log_path(self) -> Path:
        return self.path / LOG

    def write_config(self, data: Mapping[str, Any]) -> None:
        """Write ``config.json`` (atomically)."""
        text = json.dumps(
            _json_safe(data), indent=2, sort_keys=True, allow_nan=False, default=_plain
        )
        atomic_write(self.config_path, (text + "\n").encode())

    def append_history(self, row: Mapping[str, float]) -> None:
        """Add one epoch's row; the first row fixes the columns."""
        with self._lock:
            new = self._columns is None
            if new:
                self._columns = ["epoch", *order_metrics(k for k in row if k != "epoch")]
                if "lr" in self._columns:
                    self._columns.remove("lr")
                    self._columns.append("lr")
            with self.history_path.open("a", newline="") as handle:
                writer = csv.DictWriter(
                    handle, fieldnames=self._columns, restval="", extrasaction="ignore"
                )
                if new:
                    writer.writeheader()
                writer.writerow({k: _cell(v) for k, v in row.items()})

    def log(self, message: str) -> None:
        """Append a time-stamped line to ``train.log``."""
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {message.rstrip()}\n"
        with self._lock, self.log_path.open("a") as handle:
            handle.write(line)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value).lower()
    return value


def list_runs(root: str | Path) -> list[Path]:
    """Run folders under ``root`` (those with a ``config.json``), oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / CONFIG).is_file())


def read_config(run: str | Path) -> dict[str, Any]:
    """The ``config.json`` of a run folder."""
    path = Path(run) / CONFIG
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileFormatError(f"{run} is not a run folder: it has no {CONFIG}") from None
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"{path} cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise FileFormatError(f"{path} does not hold a JSON object")
    return data


def read_history(run: str | Path) -> dict[str, list[float]]:
    """The columns of a run's ``history.csv``: ``{"epoch": [1, 2], "loss": [...], ...}``.

    A run that has not finished an epoch yet has an empty history.
    """
    path = Path(run) / HISTORY
    if not path.exists():
        return {}
    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{path} cannot be read: {exc}") from exc
    columns: dict[str, list[float]] = {}
    for n, row in enumerate(rows, start=2):
        for key, text in row.items():
            if key is None:
                raise FileFormatError(f"{path} line {n} has more cells than columns")
            try:
                value = float(text) if text not in ("", None) else math.nan
            except ValueError as exc:
                raise FileFormatError(f"{path} line {n}: {key} is not a number: {text!r}") from exc
            columns.setdefault(str(key), []).append(value)
    return columns
