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

from guibuilder.document.classroom import Target
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph


class TemplateError(GuibuilderError):
    """An unknown template name, or a template that cannot be used as asked."""


@dataclass(frozen=True)
class Template:
    """A ready-made network: its graph, the data it learns, how, and how well.

    ``build`` returns a fresh graph (not laid out); ``dataset`` is a dataset spec (with a
    ``view`` such as pairs where the model learns something other than the labels);
    ``training`` holds TrainConfig fields.
    """

    name: str
    title: str
    summary: str
    paper: str
    build: Callable[[], Graph] = field(repr=False)
    dataset: dict[str, Any]
    training: dict[str, Any]
    target: Target

    @property
    def view(self) -> str:
        """How the model sees its dataset: labels, reconstruct or pairs."""
        return self.dataset.get("view", "labels")

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
        if self.view != "labels":
            description += f" (data: {self.dataset['name']} as {self.view})"
        return Project(
            self.graph(),
            dataset=dict(self.dataset),
            training=dict(self.training),
            title=self.title,
            description=description,
        )

    def load_data(self) -> Any:
        """The :class:`~guibuilder.data.Dataset` this template trains on."""
        from guibuilder.data import load_dataset

        return load_dataset(self.dataset)


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
