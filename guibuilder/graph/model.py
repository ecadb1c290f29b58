"""Nodes and edges: plain values the graph holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Node ids become Keras layer names, so they keep to the characters Keras allows.
NODE_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass
class Node:
    """One layer application on the canvas.

    ``id`` is stable and becomes the Keras layer name. ``shares`` names another node whose
    layer (and weights) this node applies again, as in a siamese network; such a node has
    no parameters of its own. ``call_kwargs`` holds non-tensor call arguments
    (``use_causal_mask=True``, ``training=False``) so an imported model rebuilds exactly.
    """

    id: str
    type_id: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    trainable: bool = True
    shares: str | None = None
    call_kwargs: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Node:
        return Node(
            id=self.id,
            type_id=self.type_id,
            name=self.name,
            params=_deep_copy(self.params),
            position=self.position,
            trainable=self.trainable,
            shares=self.shares,
            call_kwargs=_deep_copy(self.call_kwargs),
        )


@dataclass(frozen=True, order=True)
class Edge:
    """A tensor flowing from output ``output`` of ``source`` into ``port`` of ``target``.

    ``slot`` orders the edges of a variadic port (the inputs of Concatenate, Add, ...);
    it is 0 for an ordinary port.
    """

    source: str
    target: str
    port: str = "input"
    output: int = 0
    slot: int = 0

    @property
    def target_key(self) -> tuple[str, str, int]:
        """What the edge occupies at its target: one edge per key."""
        return (self.target, self.port, self.slot)


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
