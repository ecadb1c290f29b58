"""Sample (params, input shapes) for convolution, pooling, reshaping, normalization,
regularization and activation layers, checked against Keras."""

CASES = {
    # Convolution
    "Conv1D": [
        ({"filters": 4, "kernel_size": 3}, [(None, 10, 2)]),
        ({"filters": 6, "kernel_size": [5], "strides": 2, "padding": "same"}, [(None, 11, 3)]),
        ({"filters": 2, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, [(4, 9, 1)]),
        (
            {"filters": 4, "kernel_size": 2, "groups": 2, "data_format": "channels_first"},
            [(None, 6, None)],
        ),
    ],
    "Conv2D": [
        ({"filters": 8, "kernel_size": [3, 3], "activation": "relu"}, [(None, 28, 28, 1)]),
        (
            {"filters": 4, "kernel_size": [3, 5], "strides": [2, 1], "padding": "same"},
            [(None, 7, 9, 3)],
        ),
        (
            {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "use_bias": False},
            [(None, None, 12, 4)],
        ),
        (
            {"filters": 6, "kernel_size": 1, "groups": 3, "data_format": "channels_first"},
            [(None, 3, 5, 5)],
        ),
    ],
    "Conv3D": [
        ({"filters": 2, "kernel_size": [3, 3, 3]}, [(None, 5, 6, 7, 1)]),
        (
            {"filters": 3, "kernel_size": [1, 2, 3], "strides": 2, "padding": "same"},
            [(None, 4, None, 9, 2)],
        ),
        ({"filters": 4, "kernel_size": 2, "data_format": "channels_first"}, [(2, 3, 4, 4, 4)]),
    ],
    "Conv2DTranspose": [
        ({"filters": 4, "kernel_size": 3, "strides": 2}, [(None, 7, 7, 8)]),
        (
            {"filters": 2, "kernel_size": [4, 3], "strides": 2, "padding": "same"},
            [(None, 5, None, 3)],
        ),
        (
            {"filters": 3, "kernel_size": 3, "strides": [2, 3], "output_padding": [1, 2]},
            [(None, 4, 4, 2)],
        ),
        (
            {
                "filters": 5,
                "kernel_size": 5,
                "padding": "same",
                "output_padding": [0, 0],
                "dilation_rate": 2,
                "data_format": "channels_first",
            },
            [(None, 2, 6, 6)],
        ),
    ],
    "SeparableConv2D": [
        ({"filters": 8, "kernel_size": 3}, [(None, 10, 10, 3)]),
        (
            {"filters": 4, "kernel_size": [3, 1], "strides": 2, "depth_multiplier": 2},
            [(None, 9, 8, 5)],
        ),
        (
            {"filters": 2, "kernel_size": 3, "padding": "same", "data_format": "channels_first"},
            [(None, 4, None, 7)],
        ),
    ],
    "DepthwiseConv2D": [
        ({"kernel_size": 3}, [(None, 10, 10, 3)]),
        ({"kernel_size": 3, "strides": 2, "dilation_rate": 2}, [(None, 11, 11, 2)]),
        (
            {"kernel_size": [5, 3], "strides": 2, "padding": "same", "depth_multiplier": 3},
            [(None, 9, 8, 2)],
        ),
        (
            {
                "kernel_size": 3,
                "dilation_rate": 2,
                "use_bias": False,
                "data_format": "channels_first",
            },
            [(None, 4, 9, None)],
        ),
    ],
    # Pooling
    "MaxPooling1D": [
        ({}, [(None, 10, 3)]),
        ({"pool_size": 3, "strides": 1, "padding": "same"}, [(None, 7, 2)]),
        ({"pool_size": [3], "strides": [2], "data_format": "channels_first"}, [(None, 4, 11)]),
    ],
    "MaxPooling2D": [
        ({}, [(None, 28, 28, 8)]),
        ({"pool_size": [3, 3], "strides": 2, "padding": "same"}, [(None, 7, None, 4)]),
        ({"pool_size": [2, 3], "data_format": "channels_first"}, [(None, 3, 9, 10)]),
    ],
    "AveragePooling1D": [
        ({}, [(None, 9, 3)]),
        ({"pool_size": 4, "strides": 3, "padding": "same"}, [(None, None, 2)]),
    ],
    "AveragePooling2D": [
        ({"pool_size": 3}, [(None, 10, 11, 2)]),
        (
            {"pool_size": [2, 2], "strides": [1, 2], "data_format": "channels_first"},
            [(None, 5, 6, 7)],
        ),
    ],
    "GlobalAveragePooling1D": [
        ({}, [(None, 10, 3)]),
        ({"keepdims": True, "data_format": "channels_first"}, [(None, 4, None)]),
    ],
    "GlobalAveragePooling2D": [
        ({}, [(None, 7, 7, 16)]),
        ({"keepdims": True}, [(None, None, None, 3)]),
        ({"data_format": "channels_first"}, [(None, 5, 4, 4)]),
    ],
    "GlobalMaxPooling1D": [
        ({}, [(None, 8, 6)]),
        ({"keepdims": True}, [(3, 5, 2)]),
    ],
    "GlobalMaxPooling2D": [
        ({}, [(None, 4, 4, 2)]),
        ({"keepdims": True, "data_format": "channels_first"}, [(None, 3, 6, 6)]),
    ],
    # Reshaping
    "Flatten": [
        ({}, [(None, 7, 7, 64)]),
        ({"data_format": "channels_first"}, [(None, 3, 4)]),
        ({}, [(None, None, 5)]),
        ({}, [(None, 6)]),
    ],
    "Reshape": [
        ({"target_shape": [28, 28, 1]}, [(None, 784)]),
        ({"target_shape": [-1, 4]}, [(None, 6, 2)]),
        ({"target_shape": [3, -1]}, [(None, None, 3)]),
        ({"target_shape": [2, 5]}, [(8, 10)]),
    ],
    "Permute": [
        ({"dims": [2, 1]}, [(None, 10, 3)]),
        ({"dims": [3, 1, 2]}, [(None, 4, None, 6)]),
    ],
    "RepeatVector": [
        ({"n": 3}, [(None, 8)]),
        ({"n": 1}, [(5, None)]),
    ],
    "UpSampling1D": [
        ({}, [(None, 5, 3)]),
        ({"size": 3}, [(None, None, 2)]),
    ],
    "UpSampling2D": [
        ({}, [(None, 7, 7, 16)]),
        ({"size": [3, 1], "interpolation": "bilinear"}, [(None, 4, None, 2)]),
        ({"size": 2, "data_format": "channels_first"}, [(None, 3, 5, 6)]),
    ],
    "ZeroPadding1D": [
        ({}, [(None, 10, 3)]),
        ({"padding": [2, 0]}, [(None, None, 4)]),
        ({"padding": 3, "data_format": "channels_first"}, [(None, 2, 5)]),
    ],
    "ZeroPadding2D": [
        ({"padding": [1, 2, 3, 4]}, [(None, 28, 28, 1)]),
        ({"padding": 2}, [(None, None, 5, 3)]),
        ({"padding": [0, 1, 0, 1], "data_format": "channels_first"}, [(None, 3, 7, 7)]),
    ],
    "Cropping1D": [
        ({}, [(None, 10, 3)]),
        ({"cropping": [0, 4]}, [(None, 5, 2)]),
        ({"cropping": 2}, [(None, None, 2)]),
    ],
    "Cropping2D": [
        ({"cropping": [1, 2, 3, 4]}, [(None, 28, 28, 1)]),
        ({"cropping": 2}, [(None, 6, None, 3)]),
        ({"cropping": [0, 1, 2, 0], "data_format": "channels_first"}, [(None, 3, 5, 5)]),
    ],
    # Normalization
    "BatchNormalization": [
        ({}, [(None, 8, 8, 16)]),
        ({"axis": 1, "center": False}, [(None, 3, 5, 5)]),
        ({"renorm": True, "scale": False, "momentum": 0.9}, [(None, 10)]),
        ({"axis": -2}, [(None, None, 4, 2)]),
    ],
    "LayerNormalization": [
        ({}, [(None, 10, 16)]),
        ({"axis": [1, 2], "center": False}, [(None, 4, 5, 3)]),
        ({"axis": -1, "scale": False, "epsilon": 1e-5}, [(None, None, 6)]),
    ],
    "GroupNormalization": [
        ({"groups": 4}, [(None, 8, 8, 16)]),
        ({"groups": -1, "axis": 1, "scale": False}, [(None, 6, 5, 5)]),
        ({"groups": 2}, [(None, None, 6)]),
    ],
    # Regularization
    "Dropout": [
        ({"rate": 0.5}, [(None, 128)]),
        ({"rate": 0.2, "noise_shape": [None, 1, 8], "seed": 3}, [(None, 5, 8)]),
    ],
    "SpatialDropout1D": [
        ({"rate": 0.3}, [(None, 10, 4)]),
        ({"rate": 0.1, "seed": 1}, [(None, None, 2)]),
    ],
    "SpatialDropout2D": [
        ({"rate": 0.25}, [(None, 8, 8, 3)]),
        ({"rate": 0.5, "data_format": "channels_first"}, [(None, 3, 8, None)]),
    ],
    "GaussianNoise": [
        ({"stddev": 0.1}, [(None, 20)]),
        ({"stddev": 1.0, "seed": 7}, [(None, 4, 4, 2)]),
    ],
    # Activation
    "Activation": [
        ({"activation": "relu"}, [(None, 10)]),
        ({"activation": "softmax"}, [(None, 4, 3)]),
        ({"activation": "gelu"}, [(None, None, 2)]),
    ],
    "ReLU": [
        ({}, [(None, 10)]),
        ({"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}, [(None, 4, 4, 3)]),
    ],
    "LeakyReLU": [
        ({}, [(None, 10)]),
        ({"negative_slope": 0.01}, [(None, None, 3)]),
    ],
    "PReLU": [
        ({}, [(None, 10)]),
        ({"shared_axes": [1, 2]}, [(None, 8, 8, 3)]),
        ({"shared_axes": 1}, [(None, None, 5)]),
    ],
    "ELU": [
        ({}, [(None, 10)]),
        ({"alpha": 0.5}, [(None, 3, 3, 2)]),
    ],
    "Softmax": [
        ({}, [(None, 10)]),
        ({"axis": 1}, [(None, 4, 6)]),
        ({"axis": [1, 2]}, [(None, 2, 3, 4)]),
    ],
}
