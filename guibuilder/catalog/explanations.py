"""What each layer does, for a student: a few plain sentences, the formula and the paper.

Pure data, no Qt and no Keras: the "What does this layer do?" panel shows these texts, and
``guibuilder explain TYPE`` prints them. Formulas are written with Unicode and a few HTML
tags (``<sub>``, ``<sup>``, ``<i>``, ``<b>``); :func:`plain` strips the tags for a terminal.
Every layer type in the catalog has an entry (a test holds this), and every parameter an
entry describes is a real parameter of that layer.
"""

# The formulas are mathematics: the Unicode minus, times and Greek letters are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paper:
    """A paper a layer comes from (or is best read about in)."""

    authors: str
    year: int
    title: str
    url: str = ""

    @property
    def cite(self) -> str:
        """``Authors (year). Title.``"""
        return f"{self.authors} ({self.year}). {self.title}."


@dataclass(frozen=True)
class Explanation:
    """The explanation of one layer type.

    ``text`` is two to four sentences; ``formula`` may span lines (``\\n``); ``params`` maps
    a parameter name to one line on what changing it does; ``try_this`` suggests a small
    experiment to run in class.
    """

    type_id: str
    text: str
    formula: str
    params: dict[str, str] = field(default_factory=dict)
    papers: tuple[Paper, ...] = ()
    try_this: str = ""


_TAGS = re.compile(r"</?(?:sub|sup|i|b)>")


def plain(markup: str) -> str:
    """``markup`` as text: ``x<sub>t+1</sub>`` -> ``x_(t+1)``, ``x<sup>2</sup>`` -> ``x^2``."""
    text = re.sub(r"<sub>([^<>]*)</sub>", lambda m: _script("_", m.group(1)), markup)
    text = re.sub(r"<sub>([^<>]*)</sub>", lambda m: _script("_", m.group(1)), text)
    text = re.sub(r"<sup>(.*?)</sup>", lambda m: _script("^", m.group(1)), text)
    return html.unescape(_TAGS.sub("", text))


def _script(mark: str, inner: str) -> str:
    return f"{mark}{inner}" if len(inner) == 1 else f"{mark}({inner})"


# ------------------------------------------------------------------ papers
LECUN_1989 = Paper(
    "LeCun et al.",
    1989,
    "Backpropagation applied to handwritten zip code recognition",
    "https://doi.org/10.1162/neco.1989.1.4.541",
)
LECUN_1998 = Paper(
    "LeCun, Bottou, Bengio & Haffner",
    1998,
    "Gradient-based learning applied to document recognition",
    "https://doi.org/10.1109/5.726791",
)
ROSENBLATT_1958 = Paper(
    "Rosenblatt",
    1958,
    "The perceptron: a probabilistic model for information storage and organization in the brain",
    "https://doi.org/10.1037/h0042519",
)
RUMELHART_1986 = Paper(
    "Rumelhart, Hinton & Williams",
    1986,
    "Learning representations by back-propagating errors",
    "https://doi.org/10.1038/323533a0",
)
BENGIO_2003 = Paper(
    "Bengio, Ducharme, Vincent & Jauvin",
    2003,
    "A neural probabilistic language model",
    "https://www.jmlr.org/papers/v3/bengio03a.html",
)
MIKOLOV_2013 = Paper(
    "Mikolov, Chen, Corrado & Dean",
    2013,
    "Efficient estimation of word representations in vector space",
    "https://arxiv.org/abs/1301.3781",
)
ALEXNET = Paper(
    "Krizhevsky, Sutskever & Hinton",
    2012,
    "ImageNet classification with deep convolutional neural networks",
    "https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html",
)
TRAN_2015 = Paper(
    "Tran, Bourdev, Fergus, Torresani & Paluri",
    2015,
    "Learning spatiotemporal features with 3D convolutional networks",
    "https://arxiv.org/abs/1412.0767",
)
FCN = Paper(
    "Long, Shelhamer & Darrell",
    2015,
    "Fully convolutional networks for semantic segmentation",
    "https://arxiv.org/abs/1411.4038",
)
CONV_ARITHMETIC = Paper(
    "Dumoulin & Visin",
    2016,
    "A guide to convolution arithmetic for deep learning",
    "https://arxiv.org/abs/1603.07285",
)
XCEPTION = Paper(
    "Chollet",
    2017,
    "Xception: deep learning with depthwise separable convolutions",
    "https://arxiv.org/abs/1610.02357",
)
MOBILENET = Paper(
    "Howard et al.",
    2017,
    "MobileNets: efficient convolutional neural networks for mobile vision applications",
    "https://arxiv.org/abs/1704.04861",
)
HMAX = Paper(
    "Riesenhuber & Poggio",
    1999,
    "Hierarchical models of object recognition in cortex",
    "https://doi.org/10.1038/14819",
)
NIN = Paper("Lin, Chen & Yan", 2013, "Network in network", "https://arxiv.org/abs/1312.4400")
SEQ2SEQ = Paper(
    "Sutskever, Vinyals & Le",
    2014,
    "Sequence to sequence learning with neural networks",
    "https://arxiv.org/abs/1409.3215",
)
UNET = Paper(
    "Ronneberger, Fischer & Brox",
    2015,
    "U-Net: convolutional networks for biomedical image segmentation",
    "https://arxiv.org/abs/1505.04597",
)
VGG = Paper(
    "Simonyan & Zisserman",
    2014,
    "Very deep convolutional networks for large-scale image recognition",
    "https://arxiv.org/abs/1409.1556",
)
BATCHNORM = Paper(
    "Ioffe & Szegedy",
    2015,
    "Batch normalization: accelerating deep network training by reducing internal covariate shift",
    "https://arxiv.org/abs/1502.03167",
)
LAYERNORM = Paper(
    "Ba, Kiros & Hinton", 2016, "Layer normalization", "https://arxiv.org/abs/1607.06450"
)
GROUPNORM = Paper("Wu & He", 2018, "Group normalization", "https://arxiv.org/abs/1803.08494")
DROPOUT = Paper(
    "Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov",
    2014,
    "Dropout: a simple way to prevent neural networks from overfitting",
    "https://jmlr.org/papers/v15/srivastava14a.html",
)
SPATIAL_DROPOUT = Paper(
    "Tompson, Goroshin, Jain, LeCun & Bregler",
    2015,
    "Efficient object localization using convolutional networks",
    "https://arxiv.org/abs/1411.4280",
)
BISHOP_1995 = Paper(
    "Bishop",
    1995,
    "Training with noise is equivalent to Tikhonov regularization",
    "https://doi.org/10.1162/neco.1995.7.1.108",
)
RELU = Paper(
    "Nair & Hinton",
    2010,
    "Rectified linear units improve restricted Boltzmann machines",
    "https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf",
)
GLOROT_2011 = Paper(
    "Glorot, Bordes & Bengio",
    2011,
    "Deep sparse rectifier neural networks",
    "https://proceedings.mlr.press/v15/glorot11a.html",
)
LEAKY = Paper(
    "Maas, Hannun & Ng",
    2013,
    "Rectifier nonlinearities improve neural network acoustic models",
    "https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf",
)
PRELU = Paper(
    "He, Zhang, Ren & Sun",
    2015,
    "Delving deep into rectifiers: surpassing human-level performance on ImageNet classification",
    "https://arxiv.org/abs/1502.01852",
)
ELU = Paper(
    "Clevert, Unterthiner & Hochreiter",
    2015,
    "Fast and accurate deep network learning by exponential linear units (ELUs)",
    "https://arxiv.org/abs/1511.07289",
)
BRIDLE_1990 = Paper(
    "Bridle",
    1990,
    "Probabilistic interpretation of feedforward classification network outputs, "
    "with relationships to statistical pattern recognition",
)
RESNET = Paper(
    "He, Zhang, Ren & Sun",
    2016,
    "Deep residual learning for image recognition",
    "https://arxiv.org/abs/1512.03385",
)
SIAMESE = Paper(
    "Bromley, Guyon, LeCun, Säckinger & Shah",
    1993,
    "Signature verification using a \u201cSiamese\u201d time delay neural network",
)
SQUEEZE_EXCITE = Paper(
    "Hu, Shen & Sun",
    2018,
    "Squeeze-and-excitation networks",
    "https://arxiv.org/abs/1709.01507",
)
MAXOUT = Paper(
    "Goodfellow, Warde-Farley, Mirza, Courville & Bengio",
    2013,
    "Maxout networks",
    "https://arxiv.org/abs/1302.4389",
)
GOOGLENET = Paper(
    "Szegedy et al.", 2015, "Going deeper with convolutions", "https://arxiv.org/abs/1409.4842"
)
DENSENET = Paper(
    "Huang, Liu, van der Maaten & Weinberger",
    2017,
    "Densely connected convolutional networks",
    "https://arxiv.org/abs/1608.06993",
)
LSTM = Paper(
    "Hochreiter & Schmidhuber",
    1997,
    "Long short-term memory",
    "https://doi.org/10.1162/neco.1997.9.8.1735",
)
GRU = Paper(
    "Cho et al.",
    2014,
    "Learning phrase representations using RNN encoder-decoder for statistical machine translation",
    "https://arxiv.org/abs/1406.1078",
)
ELMAN = Paper(
    "Elman", 1990, "Finding structure in time", "https://doi.org/10.1207/s15516709cog1402_1"
)
TRANSFORMER = Paper(
    "Vaswani et al.", 2017, "Attention is all you need", "https://arxiv.org/abs/1706.03762"
)
LUONG = Paper(
    "Luong, Pham & Manning",
    2015,
    "Effective approaches to attention-based neural machine translation",
    "https://arxiv.org/abs/1508.04025",
)
BAHDANAU = Paper(
    "Bahdanau, Cho & Bengio",
    2014,
    "Neural machine translation by jointly learning to align and translate",
    "https://arxiv.org/abs/1409.0473",
)
VIT = Paper(
    "Dosovitskiy et al.",
    2020,
    "An image is worth 16x16 words: transformers for image recognition at scale",
    "https://arxiv.org/abs/2010.11929",
)
BERT = Paper(
    "Devlin, Chang, Lee & Toutanova",
    2018,
    "BERT: pre-training of deep bidirectional transformers for language understanding",
    "https://arxiv.org/abs/1810.04805",
)
EFFICIENT_BACKPROP = Paper(
    "LeCun, Bottou, Orr & Müller",
    1998,
    "Efficient BackProp",
    "http://yann.lecun.com/exdb/publis/pdf/lecun-98b.pdf",
)
SIMARD_2003 = Paper(
    "Simard, Steinkraus & Platt",
    2003,
    "Best practices for convolutional neural networks applied to visual document analysis",
)
# ----------------------------------------------------------- shared lines
_ACT = "The function applied to each output; relu is the usual choice inside a network."
_BIAS = "Whether a learned constant is added to each output."
_FILTERS = "How many filters (patterns) the layer learns: the number of output channels."
_KERNEL = "The size of the window each filter looks at."
_STRIDES = "How far the window moves each step; 2 halves the output size."
_PADDING = "'same' pads the border so the size is kept (at stride 1); 'valid' does not pad."
_POOL = "The size of the window the value is taken from."
_POOL_STRIDES = "How far the window moves; empty means as far as the window is wide."
_RATE = "The fraction of values set to zero while training (0.5 drops half)."
_SEQUENCES = "Return the output at every time step (needed before another recurrent layer)."
_RNN_UNITS = "The size of the state the layer carries from step to step."
_BIDIRECTIONAL = "Also read the sequence backwards and combine both directions."
_RNN_DROPOUT = "Fraction of the inputs dropped at each step while training."
_KEEP_CHANNELS = "The layer has no weights: it keeps the channels and only shrinks the size."
_FILL = "How pixels that come from outside the image are filled in."
_IMAGE_AUG = "It is only active while training: at prediction time images pass through unchanged."
_CENTER = "Learn an offset β added after normalising."
_SCALE = "Learn a factor γ applied after normalising."


def _conv(dims: str, extra: str = "") -> Explanation:
    """Conv1D, Conv2D and Conv3D differ only in how many axes the window slides along."""
    index = {"1D": "i", "2D": "i,j", "3D": "i,j,l"}[dims]
    offsets = {"1D": "u", "2D": "u,v", "3D": "u,v,w"}[dims]
    moved = {"1D": "i+u", "2D": "i+u, j+v", "3D": "i+u, j+v, l+w"}[dims]
    where = {
        "1D": "along a sequence (time steps, letters, samples of a signal)",
        "2D": "over the height and width of an image",
        "3D": "through a volume or a video (depth or time, height and width)",
    }[dims]
    return Explanation(
        type_id=f"Conv{dims}",
        text=(
            f"A small window of weights, a filter, slides {where} and computes a weighted "
            "sum at every position, so the same pattern detector is reused everywhere. "
            "Each filter produces one output channel that lights up where its pattern "
            "appears. Because the weights are shared across positions, a convolution needs "
            f"far fewer weights than a Dense layer on the same input.{extra}"
        ),
        formula=(
            f"y<sub>{index},k</sub> = f( Σ<sub>{offsets},c</sub> "
            f"W<sub>{offsets},c,k</sub> · x<sub>{moved},c</sub> + b<sub>k</sub> )"
        ),
        params={
            "filters": _FILTERS,
            "kernel_size": _KERNEL,
            "strides": _STRIDES,
            "padding": _PADDING,
            "activation": _ACT,
            "dilation_rate": "Spread the window's taps apart to see further with as many weights.",
        },
        papers={"1D": (LECUN_1989,), "2D": (LECUN_1989, LECUN_1998), "3D": (TRAN_2015,)}[dims],
        try_this=(
            "Open the Inspect panel after training and look at the feature maps: early "
            "filters find edges and blobs, deeper ones larger parts."
            if dims == "2D"
            else ""
        ),
    )


def _pool(kind: str, dims: str) -> Explanation:
    what = "largest" if kind == "Max" else "average"
    symbol = "max" if kind == "Max" else "mean"
    index = "i" if dims == "1D" else "i,j"
    window = "(u) ∈ window" if dims == "1D" else "(u,v) ∈ window"
    moved = "s·i+u" if dims == "1D" else "s·i+u, s·j+v"
    extra = (
        " Taking the maximum keeps the strongest response, so a feature still counts when "
        "it moves by a pixel or two."
        if kind == "Max"
        else " Averaging keeps a smoothed summary of the window, as the subsampling layers of "
        "LeNet did."
    )
    return Explanation(
        type_id=f"{kind}Pooling{dims}",
        text=(
            f"Slides a window over the input and keeps only the {what} value of each window, "
            f"for every channel on its own. {_KEEP_CHANNELS}{extra}"
        ),
        formula=(
            f"y<sub>{index},c</sub> = {symbol}<sub>{window}</sub> x<sub>{moved},c</sub>"
            "   (s = stride)"
        ),
        params={"pool_size": _POOL, "strides": _POOL_STRIDES, "padding": _PADDING},
        papers=(HMAX,) if kind == "Max" else (LECUN_1998,),
    )


def _global_pool(kind: str, dims: str) -> Explanation:
    what = "maximum" if kind == "Max" else "average"
    axes = "all time steps" if dims == "1D" else "the whole height and width"
    symbol = "max" if kind == "Max" else "mean"
    over = "t" if dims == "1D" else "i,j"
    return Explanation(
        type_id=f"Global{kind}Pooling{dims}",
        text=(
            f"Reduces every channel to one number, its {what} over {axes}. It turns a stack "
            "of feature maps into a short vector, one value per channel, ready for the "
            "classifier. Used instead of Flatten it needs no weights and works for any "
            "input size."
        ),
        formula=f"y<sub>c</sub> = {symbol}<sub>{over}</sub> x<sub>{over},c</sub>",
        params={"keepdims": "Keep the reduced axes with size 1 instead of removing them."},
        papers=(NIN,),
    )


def _spatial_dropout(dims: str) -> Explanation:
    unit = "time step series of a channel" if dims == "1D" else "feature map"
    return Explanation(
        type_id=f"SpatialDropout{dims}",
        text=(
            f"Like Dropout, but it drops a whole channel (every value of a {unit}) at once. "
            "Neighbouring values in a channel are strongly alike, so dropping single values "
            "hardly hides anything; dropping the whole channel forces the network to spread "
            "what it knows over several channels."
        ),
        formula="y<sub>·,c</sub> = m<sub>c</sub> · x<sub>·,c</sub> / (1 − p),   "
        "m<sub>c</sub> ~ Bernoulli(1 − p)",
        params={"rate": "The fraction of channels set to zero while training."},
        papers=(SPATIAL_DROPOUT,),
    )


def _recurrent() -> dict[str, str]:
    """What the parameters of LSTM, GRU and SimpleRNN do (they share them)."""
    return {
        "units": _RNN_UNITS,
        "activation": "The function squashing the new state; tanh keeps it between -1 and 1.",
        "return_sequences": _SEQUENCES,
        "return_state": "Also output the final state, to start another recurrent layer with.",
        "bidirectional": _BIDIRECTIONAL,
        "dropout": _RNN_DROPOUT,
        "recurrent_dropout": "Fraction of the state's connections dropped while training.",
    }


def _merge(type_id: str, text: str, formula: str, papers: tuple[Paper, ...] = ()) -> Explanation:
    return Explanation(type_id=type_id, text=text, formula=formula, papers=papers)


def _augment(type_id: str, text: str, formula: str, params: dict[str, str]) -> Explanation:
    return Explanation(
        type_id=type_id,
        text=f"{text} {_IMAGE_AUG}",
        formula=formula,
        params=params,
        papers=(ALEXNET,),
        try_this=(
            "Train the same model with and without augmentation on a small dataset and "
            "compare the gap between training and validation accuracy."
        ),
    )


_ENTRIES: tuple[Explanation, ...] = (
    # ---------------------------------------------------------------- input
    Explanation(
        type_id="Input",
        text=(
            "The entry point of the model: it says what one sample looks like, for example "
            "28×28 pixels with 1 colour channel. It computes nothing and has no weights. "
            "Every shape further down the network follows from this one."
        ),
        formula="y = x,   x ∈ ℝ<sup>shape</sup>",
        params={
            "shape": "The shape of one sample, without the batch axis.",
            "dtype": "The number type fed in: float32 for measurements, int32 for ids.",
        },
    ),
    # ----------------------------------------------------------------- core
    Explanation(
        type_id="Dense",
        text=(
            "Every output is a weighted sum of all the inputs plus a bias, passed through an "
            "activation function. It is the classic artificial neuron, repeated once per "
            "unit. Stacked with non-linear activations, Dense layers can approximate almost "
            "any function, but they ignore where in the input a value sits."
        ),
        formula="y = f(W·x + b),   W ∈ ℝ<sup>units × inputs</sup>",
        params={
            "units": "How many outputs (neurons) the layer has.",
            "activation": _ACT,
            "use_bias": _BIAS,
        },
        papers=(ROSENBLATT_1958, RUMELHART_1986),
        try_this=(
            "Remove the activation from every hidden Dense layer: the whole stack becomes "
            "one linear map, and it can no longer separate the spirals."
        ),
    ),
    Explanation(
        type_id="Embedding",
        text=(
            "Turns whole numbers, such as word or category ids, into vectors of real numbers. "
            "It is a lookup table with one learned row per id, so ids that behave alike end "
            "up with similar vectors. It is how text enters a network."
        ),
        formula="y = E[x],   E ∈ ℝ<sup>input_dim × output_dim</sup>",
        params={
            "input_dim": "How many different ids there are (the vocabulary size).",
            "output_dim": "The length of each learned vector.",
            "mask_zero": "Treat id 0 as padding, so later layers skip it.",
        },
        papers=(BENGIO_2003, MIKOLOV_2013),
    ),
    # ----------------------------------------------------------- convolution
    _conv("1D"),
    _conv("2D"),
    _conv("3D"),
    Explanation(
        type_id="Conv2DTranspose",
        text=(
            "Works like a convolution run backwards: each input value spreads a learned "
            "pattern onto a larger output, so the image grows. With stride 2 it doubles the "
            "height and width. Decoders, segmentation networks and GAN generators use it to "
            "go from a small code back to a full image."
        ),
        formula=(
            "y<sub>s·i+u, s·j+v, k</sub> += Σ<sub>c</sub> W<sub>u,v,k,c</sub> · "
            "x<sub>i,j,c</sub>;   y = f(y + b)"
        ),
        params={
            "filters": _FILTERS,
            "kernel_size": _KERNEL,
            "strides": "How much larger the output is: 2 doubles the height and width.",
            "padding": _PADDING,
            "activation": _ACT,
        },
        papers=(FCN, CONV_ARITHMETIC),
    ),
    Explanation(
        type_id="SeparableConv2D",
        text=(
            "Splits a convolution in two: first each channel is filtered on its own "
            "(depthwise), then a 1×1 convolution mixes the channels (pointwise). The result "
            "is close to a full Conv2D with many times fewer weights and computations."
        ),
        formula=(
            "z<sub>c</sub> = D<sub>c</sub> ∗ x<sub>c</sub>   (depthwise)\n"
            "y<sub>k</sub> = f( Σ<sub>c</sub> P<sub>c,k</sub> · z<sub>c</sub> + b<sub>k</sub> )"
            "   (pointwise)"
        ),
        params={
            "filters": _FILTERS,
            "kernel_size": _KERNEL,
            "strides": _STRIDES,
            "padding": _PADDING,
            "depth_multiplier": "How many depthwise filters each input channel gets.",
        },
        papers=(XCEPTION, MOBILENET),
    ),
    Explanation(
        type_id="DepthwiseConv2D",
        text=(
            "Filters every input channel with its own small window, without mixing channels. "
            "It is cheap, and is usually followed by a 1×1 convolution that does the mixing, "
            "as in MobileNet."
        ),
        formula="y<sub>i,j,c</sub> = f( Σ<sub>u,v</sub> D<sub>u,v,c</sub> · "
        "x<sub>i+u, j+v, c</sub> + b<sub>c</sub> )",
        params={
            "kernel_size": _KERNEL,
            "strides": _STRIDES,
            "padding": _PADDING,
            "depth_multiplier": "How many outputs each input channel gets.",
        },
        papers=(MOBILENET,),
    ),
    # --------------------------------------------------------------- pooling
    _pool("Max", "1D"),
    _pool("Max", "2D"),
    _pool("Average", "1D"),
    _pool("Average", "2D"),
    _global_pool("Average", "1D"),
    _global_pool("Average", "2D"),
    _global_pool("Max", "1D"),
    _global_pool("Max", "2D"),
    # ------------------------------------------------------------- reshaping
    Explanation(
        type_id="Flatten",
        text=(
            "Lays all the values of one sample out in a single long vector, for example a "
            "7×7×32 stack of feature maps becomes 1568 numbers. Nothing is computed and "
            "nothing is learned; it is how a convolutional part hands over to Dense layers."
        ),
        formula="y = (x<sub>1</sub>, x<sub>2</sub>, …, x<sub>n</sub>),   n = ∏ shape",
    ),
    Explanation(
        type_id="Reshape",
        text=(
            "Rearranges the values of a sample into a new shape with the same number of "
            "values, keeping their order. For example 784 numbers can become a 28×28×1 "
            "image again."
        ),
        formula="y = reshape(x, target_shape),   ∏ target_shape = ∏ shape(x)",
        params={"target_shape": "The new shape; -1 once lets the layer work that size out."},
    ),
    Explanation(
        type_id="Permute",
        text=(
            "Swaps the axes of each sample, for example turning (time, features) into "
            "(features, time). The values stay the same; only the way they are indexed "
            "changes."
        ),
        formula="y<sub>i<sub>d1</sub>, i<sub>d2</sub>, …</sub> = x<sub>i<sub>1</sub>, "
        "i<sub>2</sub>, …</sub>",
        params={"dims": "The new order of the axes, counted from 1."},
    ),
    Explanation(
        type_id="RepeatVector",
        text=(
            "Copies a vector n times to make a sequence of n identical steps. In an "
            "encoder-decoder it hands the encoder's summary to every step of the decoder."
        ),
        formula="y<sub>t</sub> = x   for t = 1 … n",
        params={"n": "How many times the vector is repeated (the sequence length)."},
        papers=(SEQ2SEQ,),
    ),
    Explanation(
        type_id="UpSampling1D",
        text=(
            "Makes a sequence longer by repeating each time step. It learns nothing; put a "
            "convolution after it to smooth the result."
        ),
        formula="y<sub>t</sub> = x<sub>⌊t / size⌋</sub>",
        params={"size": "How many times each step is repeated."},
    ),
    Explanation(
        type_id="UpSampling2D",
        text=(
            "Enlarges an image by repeating rows and columns (or by interpolating between "
            "them). It has no weights; decoders and U-Nets follow it with a convolution, a "
            "cheap alternative to Conv2DTranspose."
        ),
        formula="y<sub>i,j,c</sub> = x<sub>⌊i / s<sub>h</sub>⌋, ⌊j / s<sub>w</sub>⌋, c</sub>",
        params={
            "size": "How many times larger along height and width.",
            "interpolation": "'nearest' repeats pixels; 'bilinear' blends neighbours.",
        },
        papers=(UNET,),
    ),
    Explanation(
        type_id="ZeroPadding1D",
        text=(
            "Adds zeros at the start and the end of a sequence. A following convolution can "
            "then look past the edges without the sequence getting shorter."
        ),
        formula="y = (0, …, 0, x<sub>1</sub>, …, x<sub>T</sub>, 0, …, 0)",
        params={"padding": "How many zeros go before and after the sequence."},
    ),
    Explanation(
        type_id="ZeroPadding2D",
        text=(
            "Adds a border of zeros around an image. It lets a convolution with 'valid' "
            "padding keep the image size, or makes a size fit an architecture."
        ),
        formula="y = [ 0 0 0 ; 0 x 0 ; 0 0 0 ]   (a frame of zeros around x)",
        params={"padding": "How many rows and columns of zeros on each side."},
    ),
    Explanation(
        type_id="Cropping1D",
        text=(
            "Cuts time steps off the start and the end of a sequence. It learns nothing; it "
            "makes sequence lengths match."
        ),
        formula="y = (x<sub>a+1</sub>, …, x<sub>T−b</sub>)",
        params={"cropping": "How many steps are cut from the start and from the end."},
    ),
    Explanation(
        type_id="Cropping2D",
        text=(
            "Cuts rows and columns off the borders of an image. U-Net uses it so that a skip "
            "connection's feature map has the size of the one it is joined to."
        ),
        formula="y = x[ top : H − bottom, left : W − right ]",
        params={"cropping": "How many rows and columns are cut from each side."},
        papers=(UNET,),
    ),
    # ---------------------------------------------------------- normalization
    Explanation(
        type_id="BatchNormalization",
        text=(
            "Rescales every channel to mean 0 and variance 1 using the statistics of the "
            "current batch, then applies a learned scale γ and offset β. Keeping signals in "
            "a steady range lets deep networks train faster and with higher learning rates. "
            "At prediction time it uses running averages collected during training instead "
            "of the batch statistics."
        ),
        formula=("x̂ = (x − μ<sub>B</sub>) / √(σ<sub>B</sub><sup>2</sup> + ε)\ny = γ · x̂ + β"),
        params={
            "momentum": "How slowly the running mean and variance follow new batches.",
            "center": _CENTER,
            "scale": _SCALE,
            "epsilon": "A tiny number that keeps the division safe.",
        },
        papers=(BATCHNORM,),
        try_this=(
            "Compare the plain-deep and resnet-deep templates: without normalisation the "
            "deep plain network barely learns."
        ),
    ),
    Explanation(
        type_id="LayerNormalization",
        text=(
            "Normalises the features of each sample on its own, to mean 0 and variance 1, "
            "then applies a learned scale and offset. Unlike batch normalisation it does not "
            "depend on the other samples of the batch, which suits sequences and "
            "Transformers."
        ),
        formula=(
            "x̂ = (x − μ<sub>sample</sub>) / √(σ<sub>sample</sub><sup>2</sup> + ε)\ny = γ · x̂ + β"
        ),
        params={"center": _CENTER, "scale": _SCALE, "epsilon": "Keeps the division safe."},
        papers=(LAYERNORM,),
    ),
    Explanation(
        type_id="GroupNormalization",
        text=(
            "Splits the channels of each sample into groups and normalises each group on its "
            "own. It works as well with a batch of 2 as with a batch of 200, where batch "
            "normalisation struggles."
        ),
        formula=(
            "x̂ = (x − μ<sub>group</sub>) / √(σ<sub>group</sub><sup>2</sup> + ε)\ny = γ · x̂ + β"
        ),
        params={
            "groups": "How many groups the channels are split into.",
            "center": _CENTER,
            "scale": _SCALE,
        },
        papers=(GROUPNORM,),
    ),
    # ---------------------------------------------------------- regularization
    Explanation(
        type_id="Dropout",
        text=(
            "While training, sets a random fraction of its inputs to zero at every step and "
            "scales the rest up to keep the sum the same. No unit can rely on any single "
            "other unit, so the network learns more robust features and overfits less. When "
            "predicting, nothing is dropped."
        ),
        formula="y = m ⊙ x / (1 − p),   m<sub>i</sub> ~ Bernoulli(1 − p)   (training only)",
        params={"rate": _RATE},
        papers=(DROPOUT,),
        try_this=(
            "Train with rate 0 and with rate 0.5 and compare the gap between the training "
            "and the validation loss."
        ),
    ),
    _spatial_dropout("1D"),
    _spatial_dropout("2D"),
    Explanation(
        type_id="GaussianNoise",
        text=(
            "Adds random noise with mean 0 to every value while training. The network has "
            "to give the same answer for slightly different inputs, which smooths what it "
            "learns. It does nothing at prediction time."
        ),
        formula="y = x + ε,   ε ~ 𝒩(0, stddev<sup>2</sup>)   (training only)",
        params={"stddev": "How strong the noise is (its standard deviation)."},
        papers=(BISHOP_1995,),
    ),
    # -------------------------------------------------------------- activations
    Explanation(
        type_id="Activation",
        text=(
            "Applies a fixed function to every value on its own, with no weights. The "
            "non-linearity is what lets a stack of layers learn more than a straight line. "
            "Use it to put an activation after a normalisation layer."
        ),
        formula="y<sub>i</sub> = f(x<sub>i</sub>),   e.g. relu, sigmoid, tanh, softmax",
        params={"activation": "Which function is applied."},
    ),
    Explanation(
        type_id="ReLU",
        text=(
            "Lets positive values through unchanged and sets negative ones to zero. It is "
            "cheap, and its gradient does not shrink for positive inputs, which made deep "
            "networks trainable. A cap of 6 gives ReLU6, used in mobile networks."
        ),
        formula="y = min(max(x, 0), max_value)",
        params={
            "max_value": "An upper limit on the output; empty for none.",
            "negative_slope": "The slope for negative inputs; above 0 it becomes leaky.",
        },
        papers=(RELU, GLOROT_2011),
    ),
    Explanation(
        type_id="LeakyReLU",
        text=(
            "Like ReLU, but negative inputs keep a small slope instead of becoming zero. A "
            "unit that only sees negative inputs still gets a gradient, so it cannot die."
        ),
        formula="y = x if x > 0, else α · x",
        params={"negative_slope": "The small slope α used for negative inputs."},
        papers=(LEAKY,),
    ),
    Explanation(
        type_id="PReLU",
        text=(
            "A leaky ReLU whose negative slope is learned during training, one slope per "
            "value or per channel. The network decides for itself how leaky each unit "
            "should be."
        ),
        formula="y = x if x > 0, else a · x   (a is learned)",
        params={"shared_axes": "Axes that share one slope; [1, 2] gives one per channel."},
        papers=(PRELU,),
    ),
    Explanation(
        type_id="ELU",
        text=(
            "Equal to x for positive inputs and a smooth curve that levels off at −α for "
            "negative ones. Its outputs average closer to zero than ReLU's, which can speed "
            "up learning."
        ),
        formula="y = x if x > 0, else α · (e<sup>x</sup> − 1)",
        params={"alpha": "The value negative inputs level off at (as −α)."},
        papers=(ELU,),
    ),
    Explanation(
        type_id="Softmax",
        text=(
            "Turns a vector of scores into probabilities: every output is positive and they "
            "add up to 1. The largest score gets the largest share. It is the usual last "
            "layer of a classifier."
        ),
        formula=(
            "y<sub>i</sub> = e<sup>x<sub>i</sub></sup> / Σ<sub>j</sub> e<sup>x<sub>j</sub></sup>"
        ),
        params={"axis": "The axis along which the probabilities add up to 1."},
        papers=(BRIDLE_1990,),
    ),
    # ------------------------------------------------------------------- merge
    _merge(
        "Add",
        "Adds its inputs element by element; they must have the same shape. Adding a "
        "block's input to its output is the skip connection of a residual network, which "
        "gives gradients a short path back and lets very deep networks train.",
        "y = x<sub>1</sub> + x<sub>2</sub> + … + x<sub>n</sub>",
        (RESNET,),
    ),
    _merge(
        "Subtract",
        "Subtracts the second input from the first, element by element. It measures a "
        "difference, for example between the two branches of a siamese network.",
        "y = x<sub>1</sub> − x<sub>2</sub>",
        (SIAMESE,),
    ),
    _merge(
        "Multiply",
        "Multiplies its inputs element by element. When one input lies between 0 and 1 it "
        "acts as a gate that lets some values through and holds others back, as in "
        "squeeze-and-excitation blocks and LSTM cells.",
        "y = x<sub>1</sub> ⊙ x<sub>2</sub> ⊙ … ⊙ x<sub>n</sub>",
        (SQUEEZE_EXCITE,),
    ),
    _merge(
        "Average",
        "The element-wise mean of its inputs, which must have the same shape. It can "
        "average the predictions of several branches, like a small ensemble.",
        "y = (x<sub>1</sub> + … + x<sub>n</sub>) / n",
    ),
    _merge(
        "Maximum",
        "Keeps, at every position, the largest value among its inputs. Taking the maximum "
        "of several linear branches is the idea of maxout units.",
        "y = max(x<sub>1</sub>, …, x<sub>n</sub>)   (element-wise)",
        (MAXOUT,),
    ),
    _merge(
        "Minimum",
        "Keeps, at every position, the smallest value among its inputs. All inputs must "
        "have the same shape.",
        "y = min(x<sub>1</sub>, …, x<sub>n</sub>)   (element-wise)",
    ),
    Explanation(
        type_id="Concatenate",
        text=(
            "Joins its inputs side by side along one axis, by default the channels. "
            "Inception modules concatenate branches with different window sizes, and "
            "DenseNet and U-Net reuse earlier feature maps this way."
        ),
        formula="y = [ x<sub>1</sub> ‖ x<sub>2</sub> ‖ … ‖ x<sub>n</sub> ]   (along axis)",
        params={"axis": "The axis along which inputs are joined; -1 is the channels."},
        papers=(GOOGLENET, DENSENET),
    ),
    Explanation(
        type_id="Dot",
        text=(
            "Multiplies two inputs value by value along an axis and adds the products up, "
            "giving one similarity score. With normalize switched on it becomes the cosine "
            "similarity, which siamese networks use to compare two samples."
        ),
        formula="y = Σ<sub>i</sub> a<sub>i</sub> · b<sub>i</sub>   (cosine: a·b / (‖a‖ ‖b‖))",
        params={
            "axes": "The axis of each input that is multiplied and summed.",
            "normalize": "Scale both inputs to length 1 first (cosine similarity).",
        },
        papers=(SIAMESE,),
    ),
    # --------------------------------------------------------------- recurrent
    Explanation(
        type_id="LSTM",
        text=(
            "Reads a sequence one step at a time and keeps a memory cell that gates decide "
            "to write to, keep or forget. Because the cell is carried forward mostly by "
            "addition, information and gradients survive over many steps, which plain "
            "recurrent layers cannot manage."
        ),
        formula=(
            "f, i, o = σ(W·[h<sub>t−1</sub>, x<sub>t</sub>] + b)   (forget, input, output gates)\n"
            "c̃ = tanh(W<sub>c</sub>·[h<sub>t−1</sub>, x<sub>t</sub>] + b<sub>c</sub>)\n"
            "c<sub>t</sub> = f ⊙ c<sub>t−1</sub> + i ⊙ c̃\n"
            "h<sub>t</sub> = o ⊙ tanh(c<sub>t</sub>)"
        ),
        params=_recurrent(),
        papers=(LSTM,),
    ),
    Explanation(
        type_id="GRU",
        text=(
            "A gated recurrent layer like the LSTM, with two gates and no separate memory "
            "cell. The update gate decides how much of the old state to keep. It has fewer "
            "weights than an LSTM and often learns just as well."
        ),
        formula=(
            "z = σ(W<sub>z</sub>·[h<sub>t−1</sub>, x<sub>t</sub>]),   "
            "r = σ(W<sub>r</sub>·[h<sub>t−1</sub>, x<sub>t</sub>])\n"
            "h̃ = tanh(W·[r ⊙ h<sub>t−1</sub>, x<sub>t</sub>])\n"
            "h<sub>t</sub> = (1 − z) ⊙ h<sub>t−1</sub> + z ⊙ h̃"
        ),
        params=_recurrent(),
        papers=(GRU,),
    ),
    Explanation(
        type_id="SimpleRNN",
        text=(
            "The plain recurrent layer: at every step the new state is computed from the "
            "current input and the previous state, with the same weights at every step. It "
            "is easy to follow but forgets quickly, because gradients shrink as they travel "
            "back through many steps."
        ),
        formula="h<sub>t</sub> = tanh(W·x<sub>t</sub> + U·h<sub>t−1</sub> + b)",
        params=_recurrent(),
        papers=(ELMAN,),
        try_this=(
            "Swap the SimpleRNN of a sequence template for an LSTM with the same units and "
            "compare how far back each can remember."
        ),
    ),
    # --------------------------------------------------------------- attention
    Explanation(
        type_id="MultiHeadAttention",
        text=(
            "Every position of the query asks a question of every position of the value "
            "sequence and takes a weighted mix of the answers, the weights coming from how "
            "well query and key match. Several heads do this in parallel, each free to look "
            "for something different. It is the core of the Transformer."
        ),
        formula=(
            "Attention(Q, K, V) = softmax(Q·K<sup>T</sup> / √d<sub>k</sub>) · V\n"
            "head<sub>h</sub> = Attention(Q·W<sub>h</sub><sup>Q</sup>, K·W<sub>h</sub><sup>K</sup>,"
            " V·W<sub>h</sub><sup>V</sup>)\n"
            "y = [head<sub>1</sub> ‖ … ‖ head<sub>H</sub>] · W<sup>O</sup>"
        ),
        params={
            "num_heads": "How many attention heads run side by side.",
            "key_dim": "The size of each head's queries and keys.",
            "value_dim": "The size of each head's values (empty: same as key_dim).",
            "dropout": "Fraction of attention weights dropped while training.",
        },
        papers=(TRANSFORMER,),
        try_this=(
            "Feed the same tensor to query, key and value: that is self-attention, as in "
            "the transformer-text template."
        ),
    ),
    Explanation(
        type_id="Attention",
        text=(
            "Dot-product attention without learned projections: each query step scores every "
            "key step by a dot product, turns the scores into weights with softmax, and "
            "returns the weighted mix of the values. It lets a decoder look back at the "
            "parts of the input that matter for the current step."
        ),
        formula="y = softmax(Q·K<sup>T</sup>) · V",
        params={
            "use_scale": "Learn a factor that sharpens or softens the scores.",
            "score_mode": "'dot' multiplies query and key; 'concat' adds them inside a tanh.",
            "dropout": "Fraction of attention weights dropped while training.",
        },
        papers=(LUONG,),
    ),
    Explanation(
        type_id="AdditiveAttention",
        text=(
            "Attention whose scores come from adding the query and the key and passing the "
            "sum through tanh, instead of multiplying them. It was the first attention used "
            "in machine translation, letting the decoder align with the source words."
        ),
        formula="score<sub>t,s</sub> = v · tanh(q<sub>t</sub> + k<sub>s</sub>);   "
        "y = softmax(score) · V",
        params={
            "use_scale": "Learn the vector v that weighs the tanh outputs.",
            "dropout": "Fraction of attention weights dropped while training.",
        },
        papers=(BAHDANAU,),
    ),
    Explanation(
        type_id="PositionEmbedding",
        text=(
            "Adds a learned vector to each position of a sequence. Attention by itself does "
            "not know the order of its inputs; this tells it where each token or patch sits."
        ),
        formula="y<sub>t</sub> = x<sub>t</sub> + p<sub>t</sub>   (p<sub>t</sub> is learned)",
        params={"initializer": "How the position vectors start before training."},
        papers=(TRANSFORMER, VIT),
    ),
    Explanation(
        type_id="ClassToken",
        text=(
            "Puts one extra learned vector in front of the sequence. Through attention it "
            "gathers information from every other position, and the classifier reads the "
            "answer from it alone."
        ),
        formula="y = [ c ; x<sub>1</sub> ; … ; x<sub>T</sub> ]   (c is learned)",
        params={"initializer": "How the class token starts before training."},
        papers=(BERT, VIT),
    ),
    Explanation(
        type_id="SelectToken",
        text=(
            "Keeps a single position of a sequence and drops the rest, for example the class "
            "token at index 0 before the classifier head. It has no weights."
        ),
        formula="y = x<sub>index</sub>",
        params={"index": "The position kept; negative numbers count from the end."},
        papers=(VIT,),
    ),
    # ----------------------------------------------------------- preprocessing
    Explanation(
        type_id="Rescaling",
        text=(
            "Multiplies every value by a fixed scale and adds a fixed offset, for example to "
            "bring pixels from 0-255 into 0-1. Nothing is learned; it simply makes the model "
            "accept raw data."
        ),
        formula="y = scale · x + offset",
        params={
            "scale": "The factor each value is multiplied by (1/255 for pixels).",
            "offset": "The value added after scaling.",
        },
    ),
    Explanation(
        type_id="Resizing",
        text=(
            "Resizes every image to a fixed height and width, so images of any size can go "
            "in. It interpolates between pixels and learns nothing."
        ),
        formula="y = resize(x, height × width)",
        params={
            "height": "The output height in pixels.",
            "width": "The output width in pixels.",
            "interpolation": "How new pixels are computed from the old ones.",
            "crop_to_aspect_ratio": "Crop instead of squashing when the aspect ratio differs.",
        },
    ),
    Explanation(
        type_id="Normalization",
        text=(
            "Shifts and scales each feature to mean 0 and variance 1, using statistics "
            "measured on the training data once, before training. Inputs on similar scales "
            "make gradient descent converge much faster."
        ),
        formula="y = (x − mean) / √variance",
        params={
            "axis": "The axis whose entries each keep their own mean and variance.",
            "mean": "A fixed mean; empty to measure it from the data.",
            "variance": "A fixed variance; empty to measure it from the data.",
        },
        papers=(EFFICIENT_BACKPROP,),
    ),
    # ------------------------------------------------------------ augmentation
    _augment(
        "RandomFlip",
        "Mirrors each training image at random, left to right and/or upside down, so the "
        "network sees more varied examples of the same classes.",
        "y = flip(x) with probability ½, else x",
        {"mode": "Which flips: horizontal, vertical, or both."},
    ),
    _augment(
        "RandomRotation",
        "Turns each training image by a random angle, teaching the network that a slightly "
        "tilted object is still the same object.",
        "y = rotate(x, θ),   θ ~ U(−factor, factor) · 360°",
        {"factor": "The largest rotation, as a fraction of a full turn.", "fill_mode": _FILL},
    ),
    _augment(
        "RandomZoom",
        "Zooms each training image in or out by a random amount, so the network copes with "
        "objects of different sizes.",
        "y = zoom(x, 1 + z),   z ~ U(−factor, factor)",
        {
            "height_factor": "The largest zoom along the height, as a fraction.",
            "width_factor": "The largest zoom along the width; empty: same as height.",
            "fill_mode": _FILL,
        },
    ),
    _augment(
        "RandomTranslation",
        "Shifts each training image up, down, left or right by a random amount, so the "
        "network does not depend on an object being centred.",
        "y<sub>i,j</sub> = x<sub>i−Δi, j−Δj</sub>,   Δ ~ U(−factor, factor) · size",
        {
            "height_factor": "The largest vertical shift, as a fraction of the height.",
            "width_factor": "The largest horizontal shift, as a fraction of the width.",
            "fill_mode": _FILL,
        },
    ),
    _augment(
        "RandomContrast",
        "Changes the contrast of each training image by a random factor, so the network "
        "copes with dull and with vivid pictures.",
        "y = (x − mean) · a + mean,   a ~ U(1 − factor, 1 + factor)",
        {
            "factor": "The largest change of contrast, as a fraction.",
            "value_range": "The lowest and highest pixel value of the images.",
        },
    ),
    # ------------------------------------------------------------------ other
    Explanation(
        type_id="KerasLayer",
        text=(
            "Stands for any Keras layer the catalog has no entry of its own for, given by "
            "its class name and its configuration. What it does is whatever that Keras class "
            "does: follow the Keras documentation link."
        ),
        formula="y = Layer(config)(x)",
        params={
            "class_name": "The name of the Keras layer class.",
            "config": "The layer's settings, as Keras' get_config() writes them.",
            "outputs": "How many tensors the layer returns.",
        },
    ),
)

EXPLANATIONS: dict[str, Explanation] = {e.type_id: e for e in _ENTRIES}

#: Explanations of the palette's blocks (groups of layers), by block id.
BLOCK_EXPLANATIONS: dict[str, Explanation] = {
    "residual": Explanation(
        type_id="residual",
        text=(
            "Two convolutions with batch normalisation, and a shortcut that adds the block's "
            "input to their result. The convolutions only have to learn a correction to "
            "their input, and gradients flow back through the shortcut unchanged, so "
            "networks of a hundred layers and more still train."
        ),
        formula="y = ReLU( F(x) + x ),   F = Conv → BN → ReLU → Conv → BN",
        params={
            "filters": "The number of channels the block outputs.",
            "kernel_size": "The window size of both convolutions.",
            "strides": "2 halves the height and width (the shortcut then gets a 1×1 Conv).",
        },
        papers=(RESNET,),
        try_this=("Train plain-deep and resnet-deep side by side and overlay their loss curves."),
    ),
}


def explain(type_id: str) -> Explanation:
    """The explanation of layer type (or block id) ``type_id``; ``KeyError`` when none."""
    if type_id in EXPLANATIONS:
        return EXPLANATIONS[type_id]
    return BLOCK_EXPLANATIONS[type_id]


def has_explanation(type_id: str) -> bool:
    return type_id in EXPLANATIONS or type_id in BLOCK_EXPLANATIONS
