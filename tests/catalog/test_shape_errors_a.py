"""Shape rules of the convolution, pooling, reshaping, normalization, regularization and
activation layers: clear errors for inputs they cannot take. No Keras needed."""

from __future__ import annotations

import pytest

from guibuilder import catalog
from guibuilder.catalog import ShapeError

A_CATEGORIES = {
    "Convolution",
    "Pooling",
    "Reshaping",
    "Normalization",
    "Regularization",
    "Activation",
}
A_SPECS = [s for s in catalog.all_specs() if s.category in A_CATEGORIES]


def infer(type_id, shape, **params):
    spec = catalog.get(type_id)
    return spec.infer(catalog.normalize_params(spec, params), [tuple(shape)])


def error(type_id, shape, **params) -> str:
    with pytest.raises(ShapeError) as info:
        infer(type_id, shape, **params)
    return str(info.value)


@pytest.mark.parametrize(
    ("type_id", "shape", "params", "needles"),
    [
        ("Conv2D", (None, 64), {}, ["(height, width, channels)", "(64,)", "Reshape", "Dense"]),
        ("Conv2D", (None, 10, 3), {}, ["(10, 3)", "Conv1D"]),
        ("Conv2D", (None, 4, 4, 4, 1), {}, ["(4, 4, 4, 1)", "Conv3D"]),
        (
            "Conv2D",
            (None, 3, 28),
            {"data_format": "channels_first"},
            ["(channels, height, width)"],
        ),
        ("Conv1D", (None, 28, 28, 1), {}, ["(steps, channels)", "Conv2D"]),
        ("Conv3D", (None, 8, 8, 1), {}, ["(depth, height, width, channels)", "Conv2D"]),
        ("Conv2DTranspose", (None, 100), {}, ["(100,)", "Reshape"]),
        ("SeparableConv2D", (None, 5, 5), {}, ["(5, 5)"]),
        ("DepthwiseConv2D", (None, 9), {}, ["(9,)"]),
        ("MaxPooling2D", (None, 10, 3), {}, ["(10, 3)", "MaxPooling1D"]),
        ("MaxPooling1D", (None, 8, 8, 3), {}, ["MaxPooling2D"]),
        ("AveragePooling2D", (None, 32), {}, ["(32,)", "Reshape"]),
        ("GlobalAveragePooling2D", (None, 10, 4), {}, ["GlobalAveragePooling1D"]),
        ("GlobalMaxPooling1D", (None, 10), {}, ["(steps, channels)", "(10,)"]),
        ("UpSampling2D", (None, 10, 3), {}, ["(height, width, channels)", "(10, 3)"]),
        ("UpSampling1D", (None, 10), {}, ["(steps, channels)"]),
        ("ZeroPadding2D", (None, 10), {}, ["(10,)"]),
        ("Cropping1D", (None, 4, 4, 1), {}, ["(steps, channels)"]),
        ("RepeatVector", (None, 4, 4), {}, ["(features,)", "(4, 4)", "Flatten"]),
        ("SpatialDropout2D", (None, 10), {"rate": 0.5}, ["(10,)", "Dropout"]),
        ("SpatialDropout1D", (None, 4, 4, 2), {"rate": 0.5}, ["(steps, channels)"]),
    ],
)
def test_wrong_rank_says_what_is_needed_and_received(type_id, shape, params, needles):
    message = error(type_id, shape, **params)
    assert message.startswith("needs ")
    for needle in needles:
        assert needle in message, message


def test_window_that_does_not_fit():
    message = error("Conv2D", (None, 3, 3, 1), kernel_size=[5, 5])
    assert "5x5 window" in message
    assert "3x3" in message
    assert "padding='same'" in message
    assert infer("Conv2D", (None, 3, 3, 1), kernel_size=5, padding="same").outputs == (
        (None, 3, 3, 32),
    )


def test_dilated_window_that_does_not_fit_names_its_span():
    message = error("Conv1D", (None, 6, 1), kernel_size=3, dilation_rate=3)
    assert "dilated to 7" in message


def test_pool_window_that_does_not_fit():
    message = error("MaxPooling2D", (None, 1, 8, 4))
    assert "2x2 window" in message and "1x8" in message
    message = error("AveragePooling1D", (None, 2, 3), pool_size=3)
    assert "3 window" in message and "into 2 " in message


def test_unknown_sizes_always_fit():
    out = infer("Conv2D", (None, None, None, 3), kernel_size=7, strides=2)
    assert out.outputs == ((None, None, None, 32),)


def test_convolution_needs_known_channels():
    assert "known number of channels" in error("Conv2D", (None, 8, 8, None))
    assert "known number of channels" in error(
        "DepthwiseConv2D", (None, None, 8, 8), data_format="channels_first"
    )


def test_groups_must_divide_channels_and_filters():
    message = error("Conv2D", (None, 8, 8, 6), filters=8, groups=4)
    assert "groups=4" in message and "(6)" in message and "(8)" in message


def test_strides_and_dilation_together():
    message = error("Conv2D", (None, 8, 8, 1), strides=2, dilation_rate=2)
    assert "strides" in message and "dilation_rate" in message and "set one of them to 1" in message


def test_output_padding_must_be_below_strides():
    message = error("Conv2DTranspose", (None, 4, 4, 1), strides=2, output_padding=[2, 1])
    assert "output_padding" in message and "strides" in message


@pytest.mark.parametrize(
    ("shape", "target", "needles"),
    [
        ((None, 784), [10, 10], ["784 values", "(10, 10)", "100 values", "-1"]),
        ((None, 10), [-1, 3], ["10 is not a multiple of 3"]),
        ((None, 10), [-1, -1], ["-1 at most once"]),
    ],
)
def test_reshape_must_keep_the_number_of_values(shape, target, needles):
    message = error("Reshape", shape, target_shape=target)
    for needle in needles:
        assert needle in message, message


def test_permute_needs_each_axis_once():
    message = error("Permute", (None, 4, 5), dims=[1, 1])
    assert "[1, 2]" in message and "dims=[1, 1]" in message
    assert "dims=[1, 2, 3]" in error("Permute", (None, 4, 5), dims=[1, 2, 3])


def test_cropping_that_leaves_nothing():
    message = error("Cropping2D", (None, 4, 10, 1), cropping=[2, 2, 0, 0])
    assert "height of 4" in message and "crop less" in message
    assert "length of 3" in error("Cropping1D", (None, 3, 1), cropping=[1, 2])


def test_normalization_axis_and_groups():
    assert "axis 3" in error("BatchNormalization", (None, 10, 4), axis=3)
    assert "known size along axis -1" in error("BatchNormalization", (None, 4, None))
    message = error("GroupNormalization", (None, 8, 6))
    assert "6 channels into 32" in message
    assert "6 channels into 4" in error("GroupNormalization", (None, 8, 6), groups=4)
    assert "twice" in error("LayerNormalization", (None, 4, 5), axis=[-1, 2])


def test_dropout_noise_shape_must_fit():
    assert "3 sizes" in error("Dropout", (None, 4, 5), noise_shape=[None, 5])
    assert "does not fit" in error("Dropout", (None, 4, 5), noise_shape=[None, 3, 5])


def test_prelu_and_softmax_axes():
    assert "shared_axes" in error("PReLU", (None, 4, 5), shared_axes=[3])
    assert "add those axes to shared_axes" in error("PReLU", (None, None, 5))
    assert infer("PReLU", (None, None, 5), shared_axes=[1]).params == 5
    assert "axis 2" in error("Softmax", (None, 10), axis=2)


def test_params_and_non_trainable_counts():
    bn = infer("BatchNormalization", (None, 8, 8, 16))
    assert (bn.params, bn.non_trainable) == (64, 32)
    conv = infer("Conv2D", (None, 28, 28, 1), filters=32, kernel_size=3)
    assert (conv.outputs, conv.params, conv.non_trainable) == (((None, 26, 26, 32),), 320, 0)


@pytest.mark.parametrize(
    ("type_id", "params", "text"),
    [
        ("Conv2D", {"filters": 32, "kernel_size": 3, "activation": "relu"}, "32 @ 3x3, relu"),
        ("Conv2D", {"filters": 16, "kernel_size": [3, 3], "strides": 2}, "16 @ 3x3 /2"),
        ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, "3x3 x2"),
        ("MaxPooling2D", {}, "2x2 /2"),
        ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, "3x3 /2, same"),
        ("Dropout", {"rate": 0.5}, "p=0.5"),
        ("Reshape", {"target_shape": [7, 7, -1]}, "(7, 7, -1)"),
        ("ZeroPadding2D", {"padding": 1}, "pad 1"),
        ("ZeroPadding2D", {"padding": [1, 2, 0, 0]}, "pad 1+2, 0"),
        ("Cropping1D", {"cropping": [0, 3]}, "crop 0+3"),
        ("UpSampling2D", {"size": [2, 3], "interpolation": "bilinear"}, "x2, x3, bilinear"),
        ("Reshape", {"target_shape": [-1]}, "(-1,)"),
        ("Activation", {"activation": "tanh"}, "tanh"),
        ("ReLU", {"max_value": 6.0}, "max 6"),
        ("GroupNormalization", {"groups": 8}, "8 groups"),
    ],
)
def test_describe(type_id, params, text):
    spec = catalog.get(type_id)
    assert spec.describe(catalog.normalize_params(spec, params)) == text


@pytest.mark.parametrize("spec", A_SPECS, ids=lambda s: s.type_id)
def test_every_spec_is_complete(spec):
    assert spec.doc_url.startswith("https://keras.io/api/layers/")
    assert spec.infer is not None
    assert spec.summary.endswith(".")
    defaults = catalog.normalize_params(spec, {})
    assert isinstance(spec.describe(defaults) if spec.describe else "", str)
    for param in spec.params:
        assert param.help.endswith("."), param.name


def test_all_required_layers_are_listed():
    wanted = {
        "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "SeparableConv2D", "DepthwiseConv2D",
        "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
        "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
        "GlobalMaxPooling2D", "Flatten", "Reshape", "Permute", "RepeatVector", "UpSampling1D",
        "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D",
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "Dropout",
        "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "Activation", "ReLU",
        "LeakyReLU", "PReLU", "ELU", "Softmax",
    }  # fmt: skip
    assert wanted <= {s.type_id for s in A_SPECS}
