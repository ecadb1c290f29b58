"""Keras layers that some templates need and Keras does not ship.

Each one is registered as Keras-serializable under the package ``guibuilder``, so a model
that uses them saves to ``.keras`` and loads back with ``keras.saving.load_model`` (in safe
mode) wherever guibuilder is installed. The module imports nothing but Keras, so the Python
export can copy the classes into a standalone script.
"""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="guibuilder")
class PositionEmbedding(keras.layers.Layer):
    """Add a learned vector to each position of a sequence: ``(batch, steps, dim)`` in and out.

    Parameters
    ----------
    initializer
        How the position vectors start.
    """

    def __init__(self, initializer: Any = "random_normal", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape: tuple) -> None:
        steps, dim = input_shape[-2], input_shape[-1]
        if steps is None or dim is None:
            raise ValueError(
                f"PositionEmbedding needs a known length and width but received {input_shape}"
            )
        self.embeddings = self.add_weight(
            shape=(steps, dim), initializer=self.initializer, name="embeddings"
        )

    def call(self, inputs: Any) -> Any:
        return inputs + keras.ops.cast(self.embeddings, inputs.dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initializer": keras.initializers.serialize(self.initializer),
        }


@keras.saving.register_keras_serializable(package="guibuilder")
class ClassToken(keras.layers.Layer):
    """Put one learned token in front of a sequence: ``(batch, steps, dim)`` becomes
    ``(batch, steps + 1, dim)``, as in the Vision Transformer.

    Parameters
    ----------
    initializer
        How the token starts.
    """

    def __init__(self, initializer: Any = "zeros", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape: tuple) -> None:
        dim = input_shape[-1]
        if dim is None:
            raise ValueError(f"ClassToken needs a known width but received {input_shape}")
        self.token = self.add_weight(shape=(1, 1, dim), initializer=self.initializer, name="token")

    def call(self, inputs: Any) -> Any:
        batch = keras.ops.shape(inputs)[0]
        token = keras.ops.cast(self.token, inputs.dtype)
        token = keras.ops.broadcast_to(token, (batch, 1, keras.ops.shape(inputs)[-1]))
        return keras.ops.concatenate([token, inputs], axis=1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        steps = None if input_shape[1] is None else input_shape[1] + 1
        return (input_shape[0], steps, *input_shape[2:])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initializer": keras.initializers.serialize(self.initializer),
        }


@keras.saving.register_keras_serializable(package="guibuilder")
class SelectToken(keras.layers.Layer):
    """Keep one position of a sequence: ``(batch, steps, dim)`` becomes ``(batch, dim)``.

    Parameters
    ----------
    index
        The position kept; negative counts from the end.
    """

    def __init__(self, index: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, inputs: Any) -> Any:
        return keras.ops.take(inputs, self.index, axis=1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], *input_shape[2:])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "index": self.index}


#: The class names of this module: the only non-Keras classes the importer accepts.
CLASS_NAMES: tuple[str, ...] = ("PositionEmbedding", "ClassToken", "SelectToken")
