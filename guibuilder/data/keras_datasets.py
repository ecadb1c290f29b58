"""The classic datasets of ``keras.datasets``, used from the Keras cache when present.

Keras keeps downloads in ``$KERAS_HOME/datasets`` (``~/.keras/datasets`` by default). A
cached file is read without touching the network. An uncached dataset is downloaded only
when downloads are allowed (the ``download`` option, and no ``GUIBUILDER_OFFLINE``
variable set) and the download host answers; otherwise one sentence says what to do.
"""

from __future__ import annotations

import gzip
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from guibuilder.data.dataset import (
    SEED,
    DataError,
    Dataset,
    DatasetInfo,
    DatasetUnavailableError,
    OptionSpec,
    class_labels,
    split,
    validation_option,
)
from guibuilder.errors import GuibuilderError

#: Set this environment variable (to anything but "" or "0") to forbid downloads.
OFFLINE_ENV = "GUIBUILDER_OFFLINE"

FASHION_DIR = "fashion-mnist"
FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


@dataclass(frozen=True)
class _Source:
    files: tuple[str, ...]  # relative to the datasets cache folder
    host: str  # where Keras downloads it from


SOURCES = {
    "mnist": _Source(("mnist.npz",), "storage.googleapis.com"),
    "fashion_mnist": _Source(
        tuple(f"{FASHION_DIR}/{f}" for f in FASHION_FILES), "storage.googleapis.com"
    ),
    "cifar10": _Source(("cifar-10-batches-py-target_archive",), "www.cs.toronto.edu"),
    "cifar100": _Source(("cifar-100-python-target_archive",), "www.cs.toronto.edu"),
    "imdb": _Source(("imdb.npz",), "storage.googleapis.com"),
}


def cache_dir() -> Path:
    """The folder Keras caches datasets in: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser() / "datasets"
    base = Path("~").expanduser()
    if not os.access(base, os.W_OK):
        base = Path("/tmp")
    return base / ".keras" / "datasets"


def is_cached(name: str) -> bool:
    """Whether every file of ``name`` is in the Keras cache."""
    folder = cache_dir()
    return all((folder / f).is_file() for f in SOURCES[name].files)


def downloads_allowed() -> bool:
    return os.environ.get(OFFLINE_ENV, "") in ("", "0")


def host_reachable(host: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to ``host`` on port 443 opens within ``timeout`` seconds."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _require(name: str, download: bool) -> None:
    if is_cached(name):
        return
    source = SOURCES[name]
    files = ", ".join(Path(f).name for f in source.files)
    where = f"{files} into {cache_dir()}"
    if not download or not downloads_allowed():
        raise DatasetUnavailableError(
            f"{name} is not downloaded and downloads are turned off: download {where}, "
            "or pick a built-in dataset such as digits"
        )
    if not host_reachable(source.host):
        raise DatasetUnavailableError(
            f"{name} is not downloaded and this machine is offline: download {where}, "
            "or pick a built-in dataset such as digits"
        )


def _keras_loader(name: str):
    """``keras.datasets.<name>.load_data`` (imported only now)."""
    from guibuilder.compiler.layers import load_keras

    return getattr(load_keras().datasets, name).load_data


def _call_keras(name: str, **kwargs: Any) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    try:
        return _keras_loader(name)(**kwargs)
    except GuibuilderError:
        raise
    except Exception as exc:
        raise DataError(
            f"Keras could not load {name} ({exc}): delete its files in {cache_dir()} and try again"
        ) from exc


# ------------------------------------------------------------------ readers
def _read_mnist() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    path = cache_dir() / "mnist.npz"
    try:
        with np.load(path, allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(
            f"{path} is not a readable mnist.npz ({exc}): delete it and try again"
        ) from exc


def _read_fashion() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    folder = cache_dir() / FASHION_DIR
    arrays = []
    for fname in FASHION_FILES:
        path = folder / fname
        try:
            with gzip.open(path, "rb") as f:
                raw = f.read()
        except (OSError, EOFError) as exc:
            raise DataError(f"{path} is not a readable gzip file ({exc}): delete it") from exc
        if "labels" in fname:
            arrays.append(np.frombuffer(raw, np.uint8, offset=8))
        else:
            images = np.frombuffer(raw, np.uint8, offset=16)
            if images.size % (28 * 28):
                raise DataError(f"{path} does not hold 28x28 images: delete it and try again")
            arrays.append(images.reshape(-1, 28, 28))
    return (arrays[1], arrays[0]), (arrays[3], arrays[2])


def _pad(sequences, maxlen: int) -> np.ndarray:
    """Token lists -> int32 (n, maxlen): keep the last ``maxlen`` tokens, pad with 0 in front."""
    out = np.zeros((len(sequences), maxlen), dtype=np.int32)
    for i, seq in enumerate(sequences):
        tail = list(seq)[-maxlen:]
        if tail:
            out[i, -len(tail) :] = tail
    return out


# ------------------------------------------------------------------ loaders
def _images(name: str, names: tuple[str, ...], reader=None):
    def load(o: dict[str, Any]) -> Dataset:
        _require(name, o["download"])
        if reader is not None and is_cached(name):
            (x_train, y_train), (x_test, y_test) = reader()
        else:
            (x_train, y_train), (x_test, y_test) = _call_keras(name)
        return _finish(name, _as_images(x_train), y_train, _as_images(x_test), y_test, names, o)

    return load


def _as_images(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    return x.astype(np.float32) / 255.0


def _imdb(o: dict[str, Any]) -> Dataset:
    _require("imdb", o["download"])
    (x_train, y_train), (x_test, y_test) = _call_keras("imdb", num_words=o["num_words"])
    maxlen = o["maxlen"]
    data = _finish(
        "imdb", _pad(x_train, maxlen), y_train, _pad(x_test, maxlen), y_test,
        ("negative", "positive"), o,
    )  # fmt: skip
    data.meta["vocab_size"] = o["num_words"]
    return data


def _finish(
    name: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    names: tuple[str, ...],
    o: dict[str, Any],
) -> Dataset:
    y_train, y_test = class_labels(y_train), class_labels(y_test)
    limit = o["limit"]
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[:limit], y_test[:limit]
    x_tr, y_tr, x_va, y_va, _, _ = split(
        x_train, y_train, validation_split=o["validation_split"], seed=o["seed"], stratify=True
    )
    parts = (x_tr, y_tr, x_va, y_va, x_test, y_test)
    return Dataset.from_split(name, "classification", parts, names)


FASHION = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
CIFAR10 = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip
CIFAR100 = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
    "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle",
    "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch",
    "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox",
    "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion",
    "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom",
    "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
    "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road",
    "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake",
    "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone",
    "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale",
    "willow_tree", "wolf", "woman", "worm",
)  # fmt: skip

OPTIONS = (
    SEED,
    validation_option(0.1),
    OptionSpec(
        "limit",
        "int",
        None,
        "Use at most this many training (and test) samples; empty for all.",
        minimum=10,
        optional=True,
    ),
    OptionSpec("download", "bool", True, "Download the files when they are not cached."),
)


def _entry(name, title, description, shape, names, samples, load, *extra) -> DatasetInfo:
    return DatasetInfo(
        name=name,
        title=title,
        task="classification",
        source="keras",
        description=description,
        input_shape=shape,
        num_classes=len(names),
        options=(*extra, *OPTIONS),
        load=load,
        samples=samples,
    )


DIGITS = tuple(str(c) for c in range(10))

ENTRIES = [
    _entry(
        "mnist",
        "MNIST",
        "Handwritten digits, 28x28 grayscale in [0, 1]; 60,000 for training, 10,000 for testing.",
        (28, 28, 1),
        DIGITS,
        70000,
        _images("mnist", DIGITS, _read_mnist),
    ),
    _entry(
        "fashion_mnist",
        "Fashion-MNIST",
        "Clothing photos, 28x28 grayscale in [0, 1], ten kinds; a harder drop-in for MNIST.",
        (28, 28, 1),
        FASHION,
        70000,
        _images("fashion_mnist", FASHION, _read_fashion),
    ),
    _entry(
        "cifar10",
        "CIFAR-10",
        "Small colour photos, 32x32 RGB in [0, 1], ten classes.",
        (32, 32, 3),
        CIFAR10,
        60000,
        _images("cifar10", CIFAR10),
    ),
    _entry(
        "cifar100",
        "CIFAR-100",
        "Small colour photos, 32x32 RGB in [0, 1], a hundred fine classes.",
        (32, 32, 3),
        CIFAR100,
        60000,
        _images("cifar100", CIFAR100),
    ),
    _entry(
        "imdb",
        "IMDB reviews",
        "Movie reviews as token ids (most frequent words first, 0 is padding), positive or "
        "negative.",
        (200,),
        ("negative", "positive"),
        50000,
        _imdb,
        OptionSpec(
            "num_words", "int", 10000, "Keep the most frequent words.", minimum=100, maximum=100000
        ),
        OptionSpec(
            "maxlen", "int", 200, "Tokens per review (cut or padded).", minimum=8, maximum=10_000
        ),
    ),
]
