"""What a template is: a graph builder plus the data, settings and goal that go with it.

A :class:`Template` builds its graph through the graph API, names a dataset spec of
``guibuilder.data``, the training settings (a :class:`TrainConfig` dict) and the
:class:`Target` it reaches. No Qt and no Keras here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph

#: How a template turns its dataset into training pairs: ``labels`` keeps them,
#: ``reconstruct`` trains to reproduce the input, ``pairs`` makes same/different pairs.
DATA_MODES = ("labels", "reconstruct", "pairs")


class TemplateError(GuibuilderError):
    """An unknown template name, or a template that cannot be used as asked."""


@dataclass(frozen=True)
class Target:
    """A metric the trained template reaches: ``metric`` (a history key) vs ``value``."""

    metric: str
    value: float
    higher_is_better: bool = True

    def met(self, achieved: float) -> bool:
        """Whether ``achieved`` reaches the target (NaN never does)."""
        if math.isnan(achieved):
            return False
        return achieved >= self.value if self.higher_is_better else achieved <= self.value

    def text(self) -> str:
        """``val_accuracy >= 0.95``."""
        return f"{self.metric} {'>=' if self.higher_is_better else '<='} {self.value:g}"


@dataclass(frozen=True)
class Template:
    """A ready-made network: its graph, the data it learns, how, and how well.

    ``build`` returns a fresh graph (not laid out); ``training`` holds TrainConfig fields;
    ``data_mode`` is one of :data:`DATA_MODES`.
    """

    name: str
    title: str
    summary: str
    paper: str
    build: Callable[[], Graph] = field(repr=False)
    dataset: dict[str, Any]
    training: dict[str, Any]
    target: Target
    data_mode: str = "labels"

    def graph(self) -> Graph:
        """A new, laid-out graph of this template."""
        from guibuilder.compiler.layout import apply_layout

        graph = self.build()
        apply_layout(graph)
        return graph

    def project(self) -> Any:
        """A new :class:`~guibuilder.document.Project` holding the laid-out graph,
        the dataset spec and the training settings."""
        from guibuilder.document import Project

        description = f"{self.summary}\n\nPaper: {self.paper}\nTarget: {self.target.text()}"
        if self.data_mode != "labels":
            description += f" (data: {self.dataset['name']} as {self.data_mode})"
        return Project(
            self.graph(),
            dataset=dict(self.dataset),
            training=dict(self.training),
            title=self.title,
            description=description,
        )

    def load_data(self) -> Any:
        """The :class:`~guibuilder.data.Dataset` this template trains on."""
        from guibuilder.data import Dataset, load_dataset

        data = load_dataset(self.dataset)
        if self.data_mode == "labels":
            return data
        if self.data_mode == "reconstruct":
            return Dataset(
                name=f"{data.name} (reconstruct)",
                task="regression",
                x_train=data.x_train,
                y_train=data.x_train,
                x_val=data.x_val,
                y_val=data.x_val,
                description=f"{data.description} The target is the input itself.",
                spec=dict(data.spec),
            )
        x_train, y_train = make_pairs(data.x_train, data.y_train, seed=0, per_sample=3)
        x_val, y_val = make_pairs(data.x_val, data.y_val, seed=1)
        return Dataset(
            name=f"{data.name} (pairs)",
            task="classification",
            x_train=x_train,
            y_train=y_train,
            x_val=x_val,
            y_val=y_val,
            num_classes=2,
            class_names=("different", "same"),
            description=f"Pairs of {data.name} samples: 1 when both have the same class.",
            spec=dict(data.spec),
        )


def make_pairs(
    x: np.ndarray, y: np.ndarray, seed: int, per_sample: int = 1
) -> tuple[list[np.ndarray], np.ndarray]:
    """Pair each sample with ``per_sample`` others: of its own class half of the time, of
    another class otherwise. Returns ``[first, second]`` and the labels (1 = same class)."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([x] * per_sample)
    labels = np.tile(np.asarray(y).reshape(-1), per_sample)
    by_class = {c: np.flatnonzero(labels == c) for c in np.unique(labels)}
    others = {c: np.flatnonzero(labels != c) for c in by_class}
    same = rng.random(len(labels)) < 0.5
    partner = np.array(
        [
            rng.choice(by_class[c] if s and len(by_class[c]) > 1 else others[c])
            for c, s in zip(labels, same, strict=True)
        ]
    )
    target = (labels[partner] == labels).astype("int32")
    return [x, x[partner]], target


class Builder:
    """Adds nodes to a graph and wires them in one call: ``b.add("Dense", x, units=10)``."""

    def __init__(self, name: str) -> None:
        self.graph = Graph(name)

    def input(self, shape: Iterable[int], node_id: str = "input", **params: Any) -> str:
        return self.graph.add_node("Input", {"shape": list(shape), **params}, node_id=node_id).id

    def add(
        self,
        type_id: str,
        sources: str | Iterable[str] | None,
        *,
        node_id: str | None = None,
        shares: str | None = None,
        **params: Any,
    ) -> str:
        """Add a ``type_id`` node fed by ``sources`` (in order); return its id."""
        node = self.graph.add_node(type_id, params or None, node_id=node_id, shares=shares)
        for source in [sources] if isinstance(sources, str) else list(sources or []):
            self.graph.connect(source, node.id)
        return node.id

    def chain(self, source: str, *layers: tuple[str, dict[str, Any]]) -> str:
        """Apply ``(type_id, params)`` layers one after another; return the last id."""
        for type_id, params in layers:
            source = self.add(type_id, source, **params)
        return source


@dataclass(frozen=True)
class TrainOutcome:
    """What training a template gave: the target's metric at the last epoch, and the time."""

    template: str
    target: Target
    achieved: float
    seconds: float
    epochs: int
    status: str

    @property
    def met(self) -> bool:
        return self.status == "finished" and self.target.met(self.achieved)


def train_template(template: Template, epochs: int | None = None) -> TrainOutcome:
    """Train ``template`` on its data with its settings (``epochs`` overrides), as the app
    does, and report its target metric at the last epoch."""
    import time

    from guibuilder.training import TrainConfig, TrainingSession
    from guibuilder.training.session import run_to_end

    settings = dict(template.training)
    if epochs is not None:
        settings["epochs"] = epochs
    started = time.perf_counter()
    session = TrainingSession(
        template.build(), template.load_data(), TrainConfig.from_dict(settings), run_root=None
    )
    run_to_end(session, lambda _event: None)
    result = session.result
    if result is None:
        raise TemplateError(f"training {template.name} ended without a result")
    values = result.history.get(template.target.metric) or [math.nan]
    return TrainOutcome(
        template.name,
        template.target,
        float(values[-1]),
        time.perf_counter() - started,
        result.epochs_run,
        result.status if result.status != "error" else f"error: {result.message}",
    )
