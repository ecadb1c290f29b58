"""Generated datasets: small, instant and the same for the same seed.

The 2-D ones (spirals, moons, circles, xor, blobs) are for Playground-style demos of what
hidden layers do; ``sine`` is sequence forecasting; ``adding`` and ``pattern`` need memory
over a sequence; ``sentiment`` is a tiny language task for embeddings and attention.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from guibuilder.data.dataset import (
    SEED,
    Dataset,
    DatasetInfo,
    OptionSpec,
    class_labels,
    split,
    targets,
    testset_option,
    validation_option,
)


def _samples(default: int = 1000) -> OptionSpec:
    return OptionSpec(
        "samples", "int", default, "Number of samples in all splits.", minimum=20, maximum=1_000_000
    )


def _noise(default: float, help_text: str) -> OptionSpec:
    return OptionSpec("noise", "float", default, help_text, minimum=0.0, maximum=10.0)


def _classify(
    name: str, x: np.ndarray, y: np.ndarray, options: dict[str, Any], names: tuple[str, ...]
) -> Dataset:
    parts = split(
        x.astype(np.float32) if x.dtype.kind == "f" else x,
        class_labels(y),
        validation_split=options["validation_split"],
        test_split=options["test_split"],
        seed=options["seed"],
        stratify=True,
    )
    return Dataset.from_split(name, "classification", parts, names)


def _regress(
    name: str, task: str, x: np.ndarray, y: np.ndarray, options: dict[str, Any]
) -> Dataset:
    parts = split(
        x.astype(np.float32),
        targets(y),
        validation_split=options["validation_split"],
        test_split=options["test_split"],
        seed=options["seed"],
    )
    return Dataset.from_split(name, task, parts)


def _class_counts(n: int, classes: int) -> list[int]:
    return [n // classes + (1 if c < n % classes else 0) for c in range(classes)]


# ------------------------------------------------------------------ 2-D
def _spirals(o: dict[str, Any]) -> Dataset:
    rng = np.random.default_rng(o["seed"])
    xs, ys = [], []
    for c, count in enumerate(_class_counts(o["samples"], o["classes"])):
        t = rng.uniform(0.05, 1.0, count)
        angle = 2 * np.pi * (o["turns"] * t + c / o["classes"])
        points = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
        xs.append(points + rng.normal(0.0, o["noise"], points.shape))
        ys.append(np.full(count, c))
    names = tuple(f"arm {c}" for c in range(o["classes"]))
    return _classify("spirals", np.concatenate(xs), np.concatenate(ys), o, names)


def _moons(o: dict[str, Any]) -> Dataset:
    from sklearn.datasets import make_moons

    x, y = make_moons(o["samples"], noise=o["noise"], random_state=o["seed"])
    return _classify("moons", x - np.array([0.5, 0.25]), y, o, ("upper", "lower"))


def _circles(o: dict[str, Any]) -> Dataset:
    from sklearn.datasets import make_circles

    x, y = make_circles(o["samples"], noise=o["noise"], factor=o["factor"], random_state=o["seed"])
    return _classify("circles", x, y, o, ("outer", "inner"))


def _xor(o: dict[str, Any]) -> Dataset:
    rng = np.random.default_rng(o["seed"])
    x = rng.uniform(-1.0, 1.0, (o["samples"], 2))
    x += np.sign(x) * 0.05
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int32)
    x += rng.normal(0.0, o["noise"], x.shape)
    return _classify("xor", x, y, o, ("different signs", "same signs"))


def _blobs(o: dict[str, Any]) -> Dataset:
    from sklearn.datasets import make_blobs

    x, y = make_blobs(
        n_samples=o["samples"],
        centers=o["classes"],
        n_features=2,
        cluster_std=o["noise"],
        center_box=(-1.0, 1.0),
        random_state=o["seed"],
    )
    names = tuple(f"blob {c}" for c in range(o["classes"]))
    return _classify("blobs", x, y, o, names)


# ------------------------------------------------------------------ sequences
def _sine(o: dict[str, Any]) -> Dataset:
    rng = np.random.default_rng(o["seed"])
    n, window, horizon = o["samples"], o["window"], o["horizon"]
    freq = rng.uniform(0.03, 0.15, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    amplitude = rng.uniform(0.5, 1.0, (n, 1))
    steps = np.arange(window + horizon)[None, :]
    series = amplitude * np.sin(2 * np.pi * freq * steps + phase)
    x = series[:, :window] + rng.normal(0.0, o["noise"], (n, window))
    return _regress("sine", "sequence", x[:, :, None], series[:, window:], o)


def _adding(o: dict[str, Any]) -> Dataset:
    rng = np.random.default_rng(o["seed"])
    n, steps = o["samples"], o["steps"]
    values = rng.uniform(0.0, 1.0, (n, steps))
    markers = np.zeros((n, steps))
    half = steps // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, steps, n)
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    y = (values * markers).sum(axis=1, keepdims=True)
    return _regress("adding", "regression", np.stack([values, markers], axis=2), y, o)


PATTERNS = ("none", "rise", "fall")


def _pattern(o: dict[str, Any]) -> Dataset:
    rng = np.random.default_rng(o["seed"])
    n, steps, width = o["samples"], o["steps"], 6
    x = rng.normal(0.0, o["noise"], (n, steps))
    y = np.concatenate([np.full(c, i) for i, c in enumerate(_class_counts(n, len(PATTERNS)))])
    ramp = np.linspace(-1.0, 1.0, width)
    start = rng.integers(0, steps - width + 1, n)
    for i in np.flatnonzero(y > 0):
        x[i, start[i] : start[i] + width] += ramp if y[i] == 1 else ramp[::-1]
    return _classify("pattern", x[:, :, None], y, o, PATTERNS)


# ------------------------------------------------------------------ text
FILLERS = (
    "the", "a", "movie", "film", "plot", "actors", "was", "is", "and", "this",
    "it", "story", "music", "ending", "quite", "very",
)  # fmt: skip
POSITIVE = ("good", "great", "fun", "loved", "brilliant", "enjoyable", "wonderful", "best")
NEGATIVE = ("bad", "boring", "awful", "hated", "dull", "terrible", "worst", "poor")
VOCABULARY = ("<pad>", "not", *FILLERS, *POSITIVE, *NEGATIVE)


def _sentiment(o: dict[str, Any]) -> Dataset:
    rng = np.random.default_rng(o["seed"])
    n, maxlen = o["samples"], o["maxlen"]
    index = {word: i for i, word in enumerate(VOCABULARY)}
    x = np.zeros((n, maxlen), dtype=np.int32)
    y = np.zeros(n, dtype=np.int32)
    for i in range(n):
        opinions = int(rng.choice((1, 3)))
        words: list[str] = []
        score = 0
        for _ in range(opinions):
            positive = bool(rng.integers(2))
            negated = o["negation"] and rng.random() < 0.3
            if negated:
                words.append("not")
            words.append(str(rng.choice(POSITIVE if positive else NEGATIVE)))
            score += 1 if positive != negated else -1
        length = int(rng.integers(len(words) + 2, maxlen + 1))
        sentence = _scatter(rng, [str(w) for w in rng.choice(FILLERS, length)], words)
        x[i, : len(sentence)] = [index[w] for w in sentence[:maxlen]]
        y[i] = int(score > 0)
    data = _classify("sentiment", x, y, o, ("negative", "positive"))
    data.vocabulary = VOCABULARY
    return data


def _scatter(rng: np.random.Generator, fillers: list[str], words: list[str]) -> list[str]:
    """Put the opinion words, each kept right after its 'not', among the fillers."""
    groups: list[list[str]] = []
    for word in words:
        if groups and groups[-1] == ["not"]:
            groups[-1].append(word)
        else:
            groups.append([word])
    keep = len(fillers) - len(words)
    slots = sorted(rng.choice(keep + len(groups), len(groups), replace=False).tolist())
    sentence: list[str] = []
    filler = iter(fillers[:keep])
    group = iter(groups)
    for position in range(keep + len(groups)):
        sentence.extend(next(group) if position in slots else [next(filler)])
    return sentence


# ------------------------------------------------------------------ registry entries
COMMON = (SEED, validation_option(), testset_option())


def _entry(
    name: str,
    title: str,
    task: str,
    description: str,
    shape: tuple[int, ...],
    classes: int | None,
    load,
    *options: OptionSpec,
) -> DatasetInfo:
    samples = next(o.default for o in options if o.name == "samples")
    return DatasetInfo(
        name=name,
        title=title,
        task=task,
        source="generated",
        description=description,
        input_shape=shape,
        num_classes=classes,
        options=(*options, *COMMON),
        load=load,
        samples=samples,
    )


def _classes(default: int, maximum: int = 10) -> OptionSpec:
    return OptionSpec("classes", "int", default, "Number of classes.", minimum=2, maximum=maximum)


ENTRIES = [
    _entry(
        "spirals",
        "Spirals",
        "classification",
        "Interleaved spiral arms in 2-D: needs several hidden layers to separate.",
        (2,),
        2,
        _spirals,
        _samples(2000),
        _noise(0.05, "Standard deviation of the noise added to each point (arms reach 1)."),
        OptionSpec("turns", "float", 1.0, "How many times each arm winds.", 0.25, 5.0),
        _classes(2, 6),
    ),
    _entry(
        "moons",
        "Two moons",
        "classification",
        "Two interleaved half circles in 2-D (scikit-learn make_moons).",
        (2,),
        2,
        _moons,
        _samples(),
        _noise(0.1, "Standard deviation of the noise added to each point."),
    ),
    _entry(
        "circles",
        "Circles",
        "classification",
        "A ring around a disc in 2-D: not separable by a line.",
        (2,),
        2,
        _circles,
        _samples(),
        _noise(0.05, "Standard deviation of the noise added to each point."),
        OptionSpec("factor", "float", 0.5, "Radius of the inner circle (outer is 1).", 0.05, 0.95),
    ),
    _entry(
        "xor",
        "XOR",
        "classification",
        "Points in the four quadrants, labelled by whether x and y have the same sign.",
        (2,),
        2,
        _xor,
        _samples(),
        _noise(0.05, "Standard deviation of the noise added to each point."),
    ),
    _entry(
        "blobs",
        "Blobs",
        "classification",
        "Gaussian clusters in 2-D, one per class: the easiest classification.",
        (2,),
        3,
        _blobs,
        _samples(),
        _noise(0.2, "Standard deviation of each cluster."),
        _classes(3),
    ),
    _entry(
        "sine",
        "Sine forecasting",
        "sequence",
        "Windows of noisy sine waves (random frequency, phase, amplitude): predict what follows.",
        (20, 1),
        None,
        _sine,
        _samples(),
        OptionSpec("window", "int", 20, "Time steps the model sees.", minimum=2, maximum=1000),
        OptionSpec("horizon", "int", 1, "Future values to predict.", minimum=1, maximum=100),
        _noise(0.05, "Standard deviation of the noise on the inputs."),
    ),
    _entry(
        "adding",
        "Adding problem",
        "regression",
        "Sequences of (value, marker) pairs: output the sum of the two marked values.",
        (30, 2),
        None,
        _adding,
        _samples(2000),
        OptionSpec("steps", "int", 30, "Length of each sequence.", minimum=4, maximum=1000),
    ),
    _entry(
        "pattern",
        "Pattern detection",
        "classification",
        "Noisy sequences that hide a rising ramp, a falling ramp or nothing: which one?",
        (30, 1),
        3,
        _pattern,
        _samples(1500),
        OptionSpec("steps", "int", 30, "Length of each sequence.", minimum=8, maximum=1000),
        _noise(0.3, "Standard deviation of the background noise."),
    ),
    _entry(
        "sentiment",
        "Tiny sentiment",
        "classification",
        "Short generated reviews as padded token ids (0 is padding), positive or negative; "
        "'not' flips the word after it.",
        (16,),
        2,
        _sentiment,
        _samples(2000),
        OptionSpec("maxlen", "int", 16, "Tokens per review (padded).", minimum=8, maximum=200),
        OptionSpec("negation", "bool", True, "Let 'not' flip the opinion word after it."),
    ),
]
