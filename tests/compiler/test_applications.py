"""Real architectures from keras.applications survive file -> graph -> model unchanged."""

from __future__ import annotations

import pytest

from guibuilder.compiler.layers import load_keras
from tests.compiler.roundtrip import round_trip

APPLICATIONS = [
    ("DenseNet121", (32, 32, 3)),
    ("ResNet50", (32, 32, 3)),
    ("MobileNetV2", (32, 32, 3)),
    ("EfficientNetB0", (32, 32, 3)),
    ("InceptionV3", (75, 75, 3)),
]


@pytest.mark.parametrize(("name", "shape"), APPLICATIONS, ids=[a[0] for a in APPLICATIONS])
def test_application_round_trip(name, shape, tmp_path):
    keras = load_keras()
    model = getattr(keras.applications, name)(weights=None, input_shape=shape, classes=10)
    graph, rebuilt = round_trip(model, tmp_path)
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    assert len(graph) == len(model.layers)
