"""The milestone networks of deep learning, cut down to train in a minute or two on a CPU.

The image networks learn ``digits`` (8x8 grayscale), so they keep 'same' padding and small
pools; the sequence networks learn the generated sequence datasets.
"""

from __future__ import annotations

from typing import Any

from guibuilder.graph import Graph
from guibuilder.templates.base import Builder, Target, Template

DIGITS = {"name": "digits"}


def _conv(filters: int, kernel: int = 3, activation: str = "relu", **more: Any) -> tuple:
    params = {"filters": filters, "kernel_size": kernel, "padding": "same"}
    return ("Conv2D", {**params, "activation": activation, **more})


def _pool(kind: str = "MaxPooling2D", size: int = 2) -> tuple:
    return (kind, {"pool_size": size})


def _softmax(units: int = 10) -> tuple:
    return ("Dense", {"units": units, "activation": "softmax", "node_id": "output"})


# ------------------------------------------------------------------- images
def lenet5() -> Graph:
    b = Builder("lenet5")
    b.chain(
        b.input([8, 8, 1]),
        _conv(6, activation="tanh"),
        _pool("AveragePooling2D"),
        _conv(16, activation="tanh"),
        _pool("AveragePooling2D"),
        ("Flatten", {}),
        ("Dense", {"units": 120, "activation": "tanh"}),
        ("Dense", {"units": 84, "activation": "tanh"}),
        _softmax(),
    )
    return b.graph


def alexnet_mini() -> Graph:
    b = Builder("alexnet_mini")
    b.chain(
        b.input([8, 8, 1]),
        _conv(32, 5),
        _pool(),
        _conv(64),
        _pool(),
        _conv(96),
        _conv(96),
        _conv(64),
        ("Flatten", {}),
        ("Dense", {"units": 128, "activation": "relu"}),
        ("Dropout", {"rate": 0.3}),
        ("Dense", {"units": 128, "activation": "relu"}),
        ("Dropout", {"rate": 0.3}),
        _softmax(),
    )
    return b.graph


def vgg_mini() -> Graph:
    b = Builder("vgg_mini")
    b.chain(
        b.input([8, 8, 1]),
        _conv(32),
        _conv(32),
        _pool(),
        _conv(64),
        _conv(64),
        _pool(),
        ("Flatten", {}),
        ("Dense", {"units": 128, "activation": "relu"}),
        ("Dropout", {"rate": 0.3}),
        _softmax(),
    )
    return b.graph


def _inception(b: Builder, x: str, widths: tuple[int, int, int, int, int, int]) -> str:
    """A GoogLeNet module: 1x1, 1x1->3x3, 1x1->5x5 and pool->1x1, concatenated."""
    one, reduce3, three, reduce5, five, pool = widths
    branches = [
        b.chain(x, _conv(one, 1)),
        b.chain(x, _conv(reduce3, 1), _conv(three, 3)),
        b.chain(x, _conv(reduce5, 1), _conv(five, 5)),
        b.chain(
            x, ("MaxPooling2D", {"pool_size": 3, "strides": 1, "padding": "same"}), _conv(pool, 1)
        ),
    ]
    return b.add("Concatenate", branches)


def inception_mini() -> Graph:
    b = Builder("inception_mini")
    x = b.chain(b.input([8, 8, 1]), _conv(32))
    x = _inception(b, x, (16, 16, 24, 8, 8, 8))
    x = b.chain(x, _pool())
    x = _inception(b, x, (32, 24, 48, 8, 16, 16))
    b.chain(x, ("GlobalAveragePooling2D", {}), _softmax())
    return b.graph


#: Batch norm whose moving statistics settle within the few hundred steps of a template.
_BN = ("BatchNormalization", {"momentum": 0.9})


def _linear_conv(filters: int, kernel: int = 3, **more: Any) -> tuple:
    """A convolution without activation, He-initialised, as the ResNet paper has it."""
    return _conv(filters, kernel, activation="linear", kernel_initializer="he_normal", **more)


def _residual(b: Builder, x: str, filters: int, stride: int = 1, project: bool = False) -> str:
    """Two 3x3 convolutions and a shortcut; ``project`` puts a strided 1x1 convolution on
    the shortcut where the block changes the shape."""
    y = b.chain(x, _linear_conv(filters, strides=stride), _BN, ("ReLU", {}))
    y = b.chain(y, _linear_conv(filters), _BN)
    if project:
        x = b.chain(x, _linear_conv(filters, 1, strides=stride), _BN)
    return b.chain(b.add("Add", [y, x]), ("ReLU", {}))


def _stem(b: Builder, filters: int) -> str:
    return b.chain(b.input([8, 8, 1]), _linear_conv(filters), _BN, ("ReLU", {}))


def resnet_mini() -> Graph:
    b = Builder("resnet_mini")
    x = _stem(b, 32)
    x = _residual(b, x, 32)
    x = _residual(b, x, 64, stride=2, project=True)
    b.chain(x, ("GlobalAveragePooling2D", {}), _softmax())
    return b.graph


#: Convolutions in the depth experiment (the stem included): 21 in both nets.
DEEP_BLOCKS = 10


def plain_deep() -> Graph:
    b = Builder("plain_deep")
    convs = [_conv(16, kernel_initializer="he_normal") for _ in range(2 * DEEP_BLOCKS + 1)]
    x = b.chain(b.input([8, 8, 1]), *convs)
    b.chain(x, ("GlobalAveragePooling2D", {}), _softmax())
    return b.graph


def resnet_deep() -> Graph:
    b = Builder("resnet_deep")
    x = _stem(b, 16)
    for _ in range(DEEP_BLOCKS):
        x = _residual(b, x, 16)
    b.chain(x, ("GlobalAveragePooling2D", {}), _softmax())
    return b.graph


def autoencoder() -> Graph:
    b = Builder("autoencoder")
    b.chain(
        b.input([8, 8, 1]),
        _conv(16, strides=2),
        _conv(32, strides=2),
        (
            "Conv2DTranspose",
            {
                "filters": 16,
                "kernel_size": 3,
                "strides": 2,
                "padding": "same",
                "activation": "relu",
            },
        ),
        (
            "Conv2DTranspose",
            {
                "filters": 1,
                "kernel_size": 3,
                "strides": 2,
                "padding": "same",
                "activation": "sigmoid",
                "node_id": "output",
            },
        ),
    )
    return b.graph


def siamese() -> Graph:
    b = Builder("siamese")
    first = b.input([8, 8, 1], node_id="first")
    second = b.input([8, 8, 1], node_id="second")
    encoder = [
        _conv(16),
        _pool(),
        _conv(32),
        ("GlobalAveragePooling2D", {}),
        ("Dense", {"units": 32}),
    ]
    a, c = first, second
    for type_id, params in encoder:
        a = b.add(type_id, a, **params)
        c = b.add(type_id, c, shares=a)
    difference = b.add("Subtract", [a, c])
    squared = b.add("Multiply", [difference, difference])
    b.chain(
        squared,
        ("Dense", {"units": 16, "activation": "relu"}),
        ("Dense", {"units": 1, "activation": "sigmoid", "node_id": "same"}),
    )
    return b.graph


# ---------------------------------------------------------------- sequences
def mlp_spirals() -> Graph:
    b = Builder("mlp_spirals")
    b.chain(
        b.input([2]),
        ("Dense", {"units": 64, "activation": "relu"}),
        ("Dense", {"units": 64, "activation": "relu"}),
        ("Dense", {"units": 64, "activation": "relu"}),
        _softmax(2),
    )
    return b.graph


def lstm_sequence() -> Graph:
    b = Builder("lstm_sequence")
    b.chain(b.input([30, 1]), ("LSTM", {"units": 32}), _softmax(3))
    return b.graph


def gru_forecast() -> Graph:
    b = Builder("gru_forecast")
    b.chain(
        b.input([20, 1]),
        ("GRU", {"units": 32}),
        ("Dense", {"units": 1, "node_id": "forecast"}),
    )
    return b.graph


def _encoder(b: Builder, x: str, heads: int, key_dim: int, hidden: int) -> str:
    """A pre-norm transformer encoder block: attention and an MLP, each with a shortcut."""
    width = heads * key_dim
    y = b.add("LayerNormalization", x)
    attention = b.add("MultiHeadAttention", None, num_heads=heads, key_dim=key_dim)
    b.graph.connect(y, attention, "query")
    b.graph.connect(y, attention, "value")
    x = b.add("Add", [x, attention])
    y = b.chain(
        x,
        ("LayerNormalization", {}),
        ("Dense", {"units": hidden, "activation": "gelu"}),
        ("Dense", {"units": width}),
    )
    return b.add("Add", [x, y])


def transformer_text() -> Graph:
    b = Builder("transformer_text")
    x = b.chain(
        b.input([16], dtype="int32"),
        ("Embedding", {"input_dim": 64, "output_dim": 32}),
        ("PositionEmbedding", {}),
    )
    x = _encoder(b, x, heads=2, key_dim=16, hidden=64)
    b.chain(x, ("LayerNormalization", {}), ("GlobalAveragePooling1D", {}), _softmax(2))
    return b.graph


def vit_mini() -> Graph:
    b = Builder("vit_mini")
    x = b.chain(
        b.input([8, 8, 1]),
        ("Conv2D", {"filters": 32, "kernel_size": 2, "strides": 2, "node_id": "patches"}),
        ("Reshape", {"target_shape": [16, 32]}),
        ("ClassToken", {}),
        ("PositionEmbedding", {}),
    )
    for _ in range(2):
        x = _encoder(b, x, heads=2, key_dim=16, hidden=64)
    b.chain(x, ("LayerNormalization", {}), ("SelectToken", {"index": 0}), _softmax())
    return b.graph


def _train(epochs: int, batch_size: int = 32, learning_rate: float = 1e-3, **more: Any) -> dict:
    return {
        "optimizer": "adam",
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "epochs": epochs,
        "seed": 0,
        **more,
    }


def _accuracy(value: float) -> Target:
    return Target("val_accuracy", value)


TEMPLATES: tuple[Template, ...] = (
    Template(
        "lenet5",
        "LeNet-5",
        "Two convolution and pooling stages, then three dense layers: the network that "
        "read handwritten cheques and showed that learned filters beat hand-made features.",
        "LeCun, Bottou, Bengio, Haffner: Gradient-Based Learning Applied to Document "
        "Recognition (1998)",
        lenet5,
        DIGITS,
        _train(12, learning_rate=1e-2),
        _accuracy(0.93),
    ),
    Template(
        "alexnet-mini",
        "AlexNet (mini)",
        "Five convolutions with ReLU and max pooling, two wide dense layers with dropout: "
        "the design that won ImageNet 2012 and started the deep learning boom, shrunk to fit "
        "8x8 digits.",
        "Krizhevsky, Sutskever, Hinton: ImageNet Classification with Deep Convolutional "
        "Neural Networks (2012)",
        alexnet_mini,
        DIGITS,
        _train(15),
        _accuracy(0.95),
    ),
    Template(
        "vgg-mini",
        "VGG (mini)",
        "Stacks of small 3x3 convolutions between poolings: depth made of one simple, "
        "repeated block. Two 3x3 layers see as far as one 5x5 with fewer weights.",
        "Simonyan, Zisserman: Very Deep Convolutional Networks for Large-Scale Image "
        "Recognition (2014)",
        vgg_mini,
        DIGITS,
        _train(12),
        _accuracy(0.95),
    ),
    Template(
        "inception-mini",
        "Inception (mini)",
        "GoogLeNet's module looks at several scales at once: 1x1, 3x3 and 5x5 convolutions "
        "and a pooling branch run side by side and are concatenated; 1x1 convolutions keep "
        "the cost down.",
        "Szegedy et al.: Going Deeper with Convolutions (2014)",
        inception_mini,
        DIGITS,
        _train(15),
        _accuracy(0.93),
    ),
    Template(
        "resnet-mini",
        "ResNet (mini)",
        "Residual blocks add their input to their output, so each block learns only a "
        "correction; batch normalization keeps the signals in range.",
        "He, Zhang, Ren, Sun: Deep Residual Learning for Image Recognition (2015)",
        resnet_mini,
        DIGITS,
        _train(12),
        _accuracy(0.95),
    ),
    Template(
        "plain-deep",
        "Deep plain network (21 conv layers)",
        "The depth experiment, part one: 21 convolutions stacked with no normalization and "
        "no shortcuts. In as many steps it learns far less than resnet-deep, which "
        "is as deep: the gradient fades on its way down (with Glorot instead of He "
        "initialisation it does not learn at all). Train both and compare the curves.",
        "He, Zhang, Ren, Sun: Deep Residual Learning for Image Recognition (2015), figure 1",
        plain_deep,
        DIGITS,
        _train(4, batch_size=64),
        _accuracy(0.3),
    ),
    Template(
        "resnet-deep",
        "Deep residual network (21 conv layers)",
        "The depth experiment, part two: as deep as plain-deep, but with batch "
        "normalization and a shortcut around every pair of convolutions. It trains well "
        "where the plain net struggles.",
        "He, Zhang, Ren, Sun: Deep Residual Learning for Image Recognition (2015)",
        resnet_deep,
        DIGITS,
        _train(4, batch_size=64),
        _accuracy(0.9),
    ),
    Template(
        "mlp-spirals",
        "Multilayer perceptron on spirals",
        "Three hidden layers of ReLU units bend the plane until two interleaved spirals "
        "come apart: what no straight line can do.",
        "Rumelhart, Hinton, Williams: Learning Representations by Back-Propagating Errors (1986)",
        mlp_spirals,
        {"name": "spirals"},
        _train(10, learning_rate=1e-2),
        _accuracy(0.95),
    ),
    Template(
        "lstm-sequence",
        "LSTM sequence classifier",
        "A long short-term memory reads a noisy sequence step by step and says whether it "
        "hides a rising ramp, a falling ramp or nothing; its gates decide what to keep.",
        "Hochreiter, Schmidhuber: Long Short-Term Memory (1997)",
        lstm_sequence,
        {"name": "pattern"},
        _train(15, learning_rate=3e-3),
        _accuracy(0.9),
    ),
    Template(
        "gru-forecast",
        "GRU forecaster",
        "A gated recurrent unit reads a window of a noisy sine wave and predicts the next value.",
        "Cho et al.: Learning Phrase Representations using RNN Encoder-Decoder for "
        "Statistical Machine Translation (2014)",
        gru_forecast,
        {"name": "sine"},
        _train(15, learning_rate=3e-3),
        Target("val_mae", 0.1, higher_is_better=False),
    ),
    Template(
        "transformer-text",
        "Transformer text classifier",
        "Token embeddings plus learned position embeddings go through a self-attention "
        "encoder block; every word can look at every other, so 'not good' reads as "
        "negative.",
        "Vaswani et al.: Attention Is All You Need (2017)",
        transformer_text,
        {"name": "sentiment"},
        _train(20),
        _accuracy(0.88),
    ),
    Template(
        "vit-mini",
        "Vision Transformer (mini)",
        "The image is cut into 2x2 patches, each embedded as a token; a class token and "
        "position embeddings are added and two encoder blocks of self-attention read them. "
        "The class token's output gives the answer.",
        "Dosovitskiy et al.: An Image is Worth 16x16 Words: Transformers for Image "
        "Recognition at Scale (2020)",
        vit_mini,
        DIGITS,
        _train(25),
        _accuracy(0.9),
    ),
    Template(
        "autoencoder",
        "Convolutional autoencoder",
        "Strided convolutions squeeze each digit into a 2x2x32 code; transposed "
        "convolutions grow it back. Trained to reproduce its input, the network learns a "
        "compact description of digits.",
        "Hinton, Salakhutdinov: Reducing the Dimensionality of Data with Neural Networks (2006)",
        autoencoder,
        {**DIGITS, "view": "reconstruct"},
        _train(25, loss="mse"),
        Target("val_loss", 0.015, higher_is_better=False),
    ),
    Template(
        "siamese",
        "Siamese network",
        "One encoder, applied to two images with the very same weights; the squared "
        "difference of the two codes says whether both show the same digit.",
        "Bromley et al.: Signature Verification using a Siamese Time Delay Neural Network (1993)",
        siamese,
        {**DIGITS, "view": "pairs"},
        _train(8),
        _accuracy(0.85),
    ),
)
