"""Sample (params, input shapes) per layer type, checked against Keras."""

CASES = {
    "Dense": [
        ({"units": 4}, [(None, 3)]),
        ({"units": 2, "use_bias": False, "activation": "relu"}, [(None, 5, 7)]),
    ],
}
