"""keras.datasets: a clear message when uncached and offline; the cache used when present.

The autouse ``offline`` fixture (conftest) points the Keras cache at an empty tmp folder,
turns downloads off and makes every socket connection fail.
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from guibuilder.data import DatasetUnavailableError, list_datasets, load_dataset
from guibuilder.data import keras_datasets as kd


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10", "cifar100", "imdb"])
def test_uncached_and_offline_says_what_to_do(name, monkeypatch, offline):
    monkeypatch.delenv("GUIBUILDER_OFFLINE")
    with pytest.raises(DatasetUnavailableError) as caught:
        load_dataset(name)
    message = str(caught.value)
    assert message.startswith(f"{name} is not downloaded and this machine is offline: download ")
    assert str(offline) in message
    assert message.endswith("or pick a built-in dataset such as digits")
    assert "\n" not in message


def test_with_downloads_off_the_network_is_not_even_tried(monkeypatch):
    tried = []
    monkeypatch.setattr(kd, "host_reachable", lambda host, timeout=3.0: tried.append(host))
    with pytest.raises(DatasetUnavailableError, match="mnist is not downloaded and downloads are"):
        load_dataset("mnist")
    monkeypatch.delenv("GUIBUILDER_OFFLINE")
    with pytest.raises(DatasetUnavailableError, match="downloads are turned off"):
        load_dataset("mnist", download=False)
    assert tried == []


def test_an_uncached_download_is_not_listed_as_available():
    available = {i.name: i.available for i in list_datasets()}
    assert not available["mnist"] and available["digits"]


def fake_mnist(folder, n_train=40, n_test=10):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(
        folder / "mnist.npz",
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=np.arange(n_train, dtype=np.uint8) % 10,
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=np.arange(n_test, dtype=np.uint8) % 10,
    )


def test_a_cached_mnist_is_read_without_the_network(offline):
    fake_mnist(offline)
    assert {i.name: i.available for i in list_datasets()}["mnist"]
    data = load_dataset("mnist", validation_split=0.25)
    assert data.input_shape == (28, 28, 1) and data.x_train.dtype == np.float32
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert len(data.x_train) == 30 and len(data.x_val) == 10 and len(data.x_test) == 10
    assert data.num_classes == 10 and data.y_test.dtype == np.int32
    assert data.spec["name"] == "mnist" and data.spec["validation_split"] == 0.25
    limited = load_dataset("mnist", limit=20)
    assert len(limited.x_train) + len(limited.x_val) == 20 and len(limited.x_test) == 10


def test_a_corrupt_cached_mnist_is_named(offline):
    offline.mkdir(parents=True)
    (offline / "mnist.npz").write_bytes(b"not a zip file")
    with pytest.raises(kd.DataError, match=r"mnist\.npz is not a readable mnist\.npz"):
        load_dataset("mnist")


def test_a_cached_fashion_mnist_is_read_from_its_idx_files(offline):
    folder = offline / kd.FASHION_DIR
    folder.mkdir(parents=True)
    for fname, count in zip(kd.FASHION_FILES, (20, 20, 10, 10), strict=True):
        if "labels" in fname:
            body = bytes(8) + bytes(i % 10 for i in range(count))
        else:
            body = (
                bytes(16)
                + bytes(range(256)) * (count * 28 * 28 // 256)
                + bytes(count * 28 * 28 % 256)
            )
        with gzip.open(folder / fname, "wb") as f:
            f.write(body)
    data = load_dataset("fashion_mnist", validation_split=0.0)
    assert data.x_train.shape == (20, 28, 28, 1) and data.x_test.shape == (10, 28, 28, 1)
    assert data.class_names[9] == "Ankle boot"


def test_online_and_uncached_calls_keras_to_download(monkeypatch):
    monkeypatch.delenv("GUIBUILDER_OFFLINE")
    monkeypatch.setattr(kd, "host_reachable", lambda host, timeout=3.0: True)
    x = np.zeros((20, 32, 32, 3), np.uint8)
    y = (np.arange(20) % 10).reshape(-1, 1)
    monkeypatch.setattr(kd, "_keras_loader", lambda name: lambda **kw: ((x, y), (x[:5], y[:5])))
    data = load_dataset("cifar10")
    assert data.input_shape == (32, 32, 3) and data.y_train.ndim == 1


def test_imdb_reviews_are_cut_and_padded(monkeypatch, offline):
    offline.mkdir(parents=True)
    (offline / "imdb.npz").write_bytes(b"cached")
    reviews = [list(range(1, n + 1)) for n in (3, 12, 0, 7)] * 5
    labels = np.arange(20) % 2

    def fake(**kwargs):
        assert kwargs == {"num_words": 500}
        return (reviews, labels), (reviews[:4], labels[:4])

    monkeypatch.setattr(kd, "_keras_loader", lambda name: fake)
    data = load_dataset("imdb", maxlen=8, num_words=500, validation_split=0.0)
    assert data.x_train.dtype == np.int32 and data.input_shape == (8,)
    assert data.vocab_size == 500
    padded = {tuple(row) for row in data.x_train}
    assert (0, 0, 0, 0, 0, 1, 2, 3) in padded and (5, 6, 7, 8, 9, 10, 11, 12) in padded
    assert (0,) * 8 in padded


def test_a_keras_failure_becomes_one_sentence(monkeypatch, offline):
    offline.mkdir(parents=True)
    (offline / "imdb.npz").write_bytes(b"cached")

    def broken(**kwargs):
        raise ValueError("bad zip")

    monkeypatch.setattr(kd, "_keras_loader", lambda name: broken)
    with pytest.raises(kd.DataError, match="Keras could not load imdb"):
        load_dataset("imdb")


def test_class_names_are_complete():
    assert len(kd.CIFAR100) == 100 and list(kd.CIFAR100) == sorted(kd.CIFAR100)
    assert len(set(kd.CIFAR100)) == 100
    assert len(kd.CIFAR10) == len(kd.FASHION) == 10
