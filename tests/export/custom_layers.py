"""A registered custom layer, as a user's or a template's own layer would be."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="codegen_tests")
class Scale(keras.layers.Layer):
    """Multiply by a learned vector."""

    def __init__(self, start: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.start = start

    def build(self, input_shape):
        init = keras.initializers.Constant(self.start)
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer=init, name="scale")

    def call(self, inputs):
        return inputs * self.scale

    def get_config(self):
        return {**super().get_config(), "start": self.start}
