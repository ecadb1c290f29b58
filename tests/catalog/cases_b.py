"""Sample (params, input shapes) for merge, recurrent, attention and preprocessing layers."""

CASES = {
    # ------------------------------------------------------------------ merge
    "Add": [
        ({}, [(None, 8, 8, 16), (None, 8, 8, 16)]),
        ({}, [(None, 4, 3), (None, 1, 3), (None, 4, 1)]),
        ({}, [(None, 5), (None, None)]),
    ],
    "Subtract": [
        ({}, [(None, 6), (None, 6)]),
        ({}, [(2, 3, 4), (None, 3, 1)]),
    ],
    "Multiply": [
        ({}, [(None, 10), (None, 10), (None, 10)]),
        ({}, [(None, 4, 4, 8), (None, 1, 1, 8)]),
    ],
    "Average": [
        ({}, [(None, 3), (None, 3)]),
        ({}, [(None, 2, 5), (None, 2, 5), (None, 2, 5)]),
    ],
    "Maximum": [
        ({}, [(None, 7, 2), (None, 7, 2)]),
        ({}, [(None, 1, 6), (None, 4, 6)]),
    ],
    "Minimum": [
        ({}, [(None, 4), (None, 4)]),
        ({}, [(3, 2, 2), (3, 2, 2)]),
    ],
    "Concatenate": [
        ({}, [(None, 8, 8, 16), (None, 8, 8, 32)]),
        ({"axis": 1}, [(None, 3, 5), (None, 4, 5), (None, 1, 5)]),
        ({"axis": -2}, [(None, None, 5), (None, 4, 5)]),
        ({"axis": 2}, [(None, 6, 2, 7), (None, None, 3, 7)]),
    ],
    "Dot": [
        ({"axes": 1}, [(None, 8), (None, 8)]),
        ({"axes": [2, 2], "normalize": True}, [(None, 5, 4), (None, 7, 4)]),
        ({"axes": [1, 2]}, [(None, 3, 6), (None, 4, 3)]),
        ({"axes": -1}, [(None, 2, 6), (None, 6)]),
    ],
    # --------------------------------------------------------------- recurrent
    "LSTM": [
        ({"units": 4, "return_sequences": True, "bidirectional": True}, [(None, None, 5)]),
        ({"units": 8}, [(None, 10, 3)]),
        ({"units": 3, "return_state": True, "use_bias": False}, [(None, 6, 2)]),
        (
            {"units": 2, "bidirectional": True, "merge_mode": None, "return_state": True},
            [(None, 4, 3)],
        ),
    ],
    "GRU": [
        ({"units": 6}, [(None, 12, 4)]),
        ({"units": 5, "reset_after": False, "return_sequences": True}, [(None, 7, 3)]),
        (
            {"units": 3, "bidirectional": True, "merge_mode": "sum", "return_state": True},
            [(None, 5, 2)],
        ),
    ],
    "SimpleRNN": [
        ({"units": 4}, [(None, 9, 2)]),
        ({"units": 3, "return_sequences": True, "return_state": True}, [(None, None, 5)]),
        ({"units": 2, "bidirectional": True, "merge_mode": "ave", "stateful": True}, [(4, 3, 2)]),
    ],
    "Embedding": [
        ({"input_dim": 100, "output_dim": 8}, [(None, 20)]),
        ({"input_dim": 10, "output_dim": 4, "mask_zero": True}, [(None, None)]),
        ({"input_dim": 12, "output_dim": 5, "lora_rank": 2}, [(None, 3, 4)]),
    ],
    # --------------------------------------------------------------- attention
    "MultiHeadAttention": [
        ({"num_heads": 2, "key_dim": 4}, [(None, 5, 6), (None, 7, 3)]),
        (
            {"num_heads": 3, "key_dim": 2, "value_dim": 5, "output_shape": 8, "use_gate": True},
            [(None, 4, 6), (None, 9, 3), (None, 9, 2)],
        ),
        ({"num_heads": 1, "key_dim": 3, "use_bias": False}, [(None, None, 4), (None, None, 4)]),
        (
            {"num_heads": 2, "key_dim": 2, "attention_axes": [2], "output_shape": [2, 3]},
            [(None, 3, 4, 5), (None, 3, 6, 5)],
        ),
    ],
    "Attention": [
        ({}, [(None, 5, 4), (None, 7, 4)]),
        ({"use_scale": True, "score_mode": "concat"}, [(None, 3, 6), (None, 8, 2), (None, 8, 6)]),
    ],
    "AdditiveAttention": [
        ({}, [(None, 5, 4), (None, 7, 4)]),
        ({"use_scale": False}, [(None, None, 3), (None, 6, 9), (None, 6, 3)]),
    ],
    # ----------------------------------------------------------- preprocessing
    "Rescaling": [
        ({}, [(None, 28, 28, 1)]),
        ({"scale": [0.5, 2.0, 1.0], "offset": -1.0}, [(None, 8, 8, 3)]),
    ],
    "Resizing": [
        ({"height": 16, "width": 12}, [(None, 32, 32, 3)]),
        ({"height": 5, "width": 7, "data_format": "channels_first"}, [(None, 3, None, None)]),
        ({"height": 8, "width": 8, "crop_to_aspect_ratio": True}, [(None, 10, 20, 1)]),
    ],
    "Normalization": [
        ({}, [(None, 4)]),
        ({"axis": [1, 3]}, [(None, 4, 5, 3)]),
        ({"axis": None}, [(None, 6)]),
        ({"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}, [(None, 3)]),
    ],
    "RandomFlip": [
        ({}, [(None, 28, 28, 1)]),
        ({"mode": "vertical", "seed": 3}, [(None, None, None, 3)]),
    ],
    "RandomRotation": [
        ({"factor": 0.2}, [(None, 16, 16, 3)]),
        ({"factor": [-0.1, 0.3], "fill_mode": "constant", "fill_value": 1.0}, [(None, 8, 8, 1)]),
    ],
    "RandomZoom": [
        ({}, [(None, 16, 16, 3)]),
        ({"height_factor": [-0.2, 0.1], "width_factor": 0.3}, [(None, 8, 10, 1)]),
    ],
    "RandomTranslation": [
        ({}, [(None, 16, 16, 3)]),
        (
            {"height_factor": 0.2, "width_factor": [-0.1, 0.2], "fill_mode": "wrap"},
            [(None, 12, 8, 2)],
        ),
    ],
    "RandomContrast": [
        ({}, [(None, 16, 16, 3)]),
        ({"factor": [0.1, 0.4], "value_range": [0, 1]}, [(None, 8, 8, 1)]),
    ],
}
