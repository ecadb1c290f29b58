"""The Keras objects a project may name, as plain strings, and the checks that use them.

A project holds serialized Keras objects (``{"module", "class_name", "config",
"registered_name"}``) in node parameters and call arguments. Only the classes and functions
listed here may be named, at any depth: the layers of public Keras modules that load no
files and run no stored code (never ``Lambda``, ``TFSMLayer``, wrappers of foreign
functions; lookup layers only with their vocabulary as a list, never a file path),
initializers, regularizers, constraints, optimizers, schedules, losses, metrics, dtype
policies, ``keras.ops`` operations that take no function, and guibuilder's own layers.
These checks are pure data, so a project is refused when it is opened, before Keras is
imported; the compiler checks the same list again before Keras makes any object (see
``guibuilder.compiler.layers.keras_object``).
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Mapping
from typing import Any

from guibuilder.errors import shown


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LAYERS = _names(
    """
    Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D
    AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D
    Add AdditiveAttention AlphaDropout Attention AugMix AutoContrast Average AveragePooling1D
    AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization
    Bidirectional CategoryEncoding CenterCrop Concatenate
    ContrastLimitedAdaptiveHistogramEqualization Conv1D Conv1DTranspose Conv2D
    Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Convolution1D
    Convolution1DTranspose Convolution2D Convolution2DTranspose Convolution3D
    Convolution3DTranspose Cropping1D Cropping2D Cropping3D CutMix Dense DepthwiseConv1D
    DepthwiseConv2D Discretization Dot Dropout ELU EinsumDense Embedding Equalization Flatten
    GRU GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D
    GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D
    GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
    GroupNormalization GroupQueryAttention HashedCrossing Hashing Identity InputLayer LSTM
    LSTMCell LayerNormalization LeakyReLU Masking MaxNumBoundingBoxes MaxPool1D MaxPool2D
    MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum MelSpectrogram Minimum MixUp
    MultiHeadAttention Multiply Normalization PReLU Permute Pipeline RMSNormalization RNN
    RandAugment RandomBrightness RandomColorDegeneration RandomColorJitter RandomContrast
    RandomCrop RandomElasticTransform RandomErasing RandomFlip RandomGaussianBlur
    RandomGrayscale RandomHue RandomInvert RandomPerspective RandomPosterization
    RandomRotation RandomSaturation RandomSharpness RandomShear RandomTranslation RandomZoom
    ReLU RepeatVector Rescaling Reshape Resizing ReversibleEmbedding STFTSpectrogram
    SeparableConv1D SeparableConv2D SeparableConvolution1D SeparableConvolution2D SimpleRNN
    SimpleRNNCell Softmax Solarization SpatialDropout1D SpatialDropout2D SpatialDropout3D
    SpectralNormalization StackedRNNCells Subtract TimeDistributed UnitNormalization
    UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D
    """
)
#: Layers that read a vocabulary: listed, but only with the vocabulary given as a list in
#: their config; a string would be a file path that Keras reads (``object_problem``).
VOCABULARY_LAYERS = _names("IntegerLookup StringLookup TextVectorization")
_INITIALIZERS = _names(
    """
    Constant GlorotNormal GlorotUniform HeNormal HeUniform Identity IdentityInitializer
    LecunNormal LecunUniform Ones Orthogonal OrthogonalInitializer RandomNormal RandomUniform
    STFT STFTInitializer TruncatedNormal VarianceScaling Zeros
    """
)
_OPTIMIZERS = _names(
    """
    Adadelta Adafactor Adagrad Adam AdamW Adamax Ftrl Lamb Lion LossScaleOptimizer Muon Nadam
    RMSprop SGD ScheduleFreeAdamW
    """
)
_SCHEDULES = _names(
    """
    CosineDecay CosineDecayRestarts ExponentialDecay InverseTimeDecay PiecewiseConstantDecay
    PolynomialDecay
    """
)
_LOSSES = _names(
    """
    BinaryCrossentropy BinaryFocalCrossentropy CTC CategoricalCrossentropy
    CategoricalFocalCrossentropy CategoricalGeneralizedCrossEntropy CategoricalHinge Circle
    CosineSimilarity Dice Hinge Huber KLDivergence LogCosh MeanAbsoluteError
    MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError Poisson
    SparseCategoricalCrossentropy SquaredHinge Tversky
    """
)
_METRICS = _names(
    """
    AUC Accuracy BinaryAccuracy BinaryCrossentropy BinaryIoU CategoricalAccuracy
    CategoricalCrossentropy CategoricalHinge ConcordanceCorrelation CosineSimilarity F1Score
    FBetaScore FalseNegatives FalsePositives Hinge IoU KLDivergence LogCoshError Mean
    MeanAbsoluteError MeanAbsolutePercentageError MeanIoU MeanSquaredError
    MeanSquaredLogarithmicError OneHotIoU OneHotMeanIoU PearsonCorrelation Poisson Precision
    PrecisionAtRecall R2Score Recall RecallAtPrecision RootMeanSquaredError
    SensitivityAtSpecificity SparseCategoricalAccuracy SparseCategoricalCrossentropy
    SparseTopKCategoricalAccuracy SpecificityAtSensitivity SquaredHinge Sum
    TopKCategoricalAccuracy TrueNegatives TruePositives
    """
)
_DTYPE_POLICIES = _names(
    """
    AWQDTypePolicy DTypePolicy DTypePolicyMap FloatDTypePolicy GPTQDTypePolicy Int4DTypePolicy
    QuantizedDTypePolicy QuantizedFloat8DTypePolicy
    """
)

#: The module of guibuilder's own layers, and their classes (registered as ``guibuilder>X``).
CUSTOM_MODULE = "guibuilder.keras_layers"
CUSTOM_PACKAGE = "guibuilder"
CUSTOM_CLASSES = _names("PositionEmbedding ClassToken SelectToken")

#: Public Keras modules and the classes a project may name in each: generated code writes
#: these as ``module.Class(...)``.
PUBLIC_CLASSES: Mapping[str, frozenset[str]] = {
    "keras": _names("DTypePolicy FloatDTypePolicy Model Sequential"),
    "keras.models": _names("Model Sequential"),
    "keras.layers": _LAYERS | VOCABULARY_LAYERS,
    "keras.initializers": _INITIALIZERS,
    "keras.regularizers": _names("L1 L1L2 L2 OrthogonalRegularizer"),
    "keras.constraints": _names("MaxNorm MinMaxNorm NonNeg UnitNorm"),
    "keras.optimizers": _OPTIMIZERS,
    "keras.optimizers.schedules": _SCHEDULES,
    "keras.losses": _LOSSES,
    "keras.metrics": _METRICS,
    "keras.dtype_policies": _DTYPE_POLICIES,
}

#: Keras classes that are saved under their internal module (nested models and the
#: ``keras.ops`` operations of an imported model), and guibuilder's own layers.
INTERNAL_CLASSES: Mapping[str, frozenset[str]] = {
    "keras.src.models.functional": _names("Functional"),
    "keras.src.models.sequential": _names("Sequential"),
    "keras.src.ops.core": _names(
        """
        Cast ConvertToTensor SaturateCast Scatter ScatterUpdate Slice SliceUpdate StopGradient
        Unstack
        """
    ),
    "keras.src.ops.einops": _names("Rearrange"),
    "keras.src.ops.image": _names(
        """
        AffineTransform CropImages ElasticTransform ExtractPatches GaussianBlur HSVToRGB
        MapCoordinates PadImages PerspectiveTransform RGBToGrayscale RGBToHSV Resize SSIM
        ScaleAndTranslate SobelEdges
        """
    ),
    "keras.src.ops.linalg": _names(
        """
        Cholesky CholeskyInverse Det Eig Eigh Inv Lstsq LuFactor MatrixRank Norm Pinv Qr SVD
        Solve SolveTriangular
        """
    ),
    "keras.src.ops.math": _names(
        """
        CDist Erf Erfc Erfinv ExtractSequences FFT FFT2 IFFT2 IRFFT ISTFT InTopK Logdet
        Logsumexp RFFT Rsqrt STFT SegmentMax SegmentMin SegmentProd SegmentReduction
        SegmentSum TopK ViewAsComplex ViewAsReal
        """
    ),
    "keras.src.ops.nn": _names(
        """
        AdaptiveAveragePool AdaptiveMaxPool AveragePool BatchNorm BinaryCrossentropy CTCDecode
        CTCLoss CategoricalCrossentropy Celu Conv ConvTranspose DepthToSpace DepthwiseConv
        DotProductAttention Elu Fold Gelu Glu HardShrink HardSigmoid HardSilu HardTanh
        LayerNorm LeakyRelu LogSigmoid LogSoftmax MaxPool Moments MultiHot Normalize OneHot
        PSNR Polar RMSNorm Relu Relu6 Selu SeparableConv Sigmoid Silu SoftShrink Softmax
        Softplus Softsign SpaceToDepth SparseCategoricalCrossentropy SparsePlus SparseSigmoid
        Sparsemax Squareplus TanhShrink Threshold Unfold
        """
    ),
    "keras.src.ops.numpy": _names(
        """
        Abs Absolute Add All AllClose Amax Amin Angle Any Append Arange Arccos Arccosh Arcsin
        Arcsinh Arctan Arctan2 Arctanh Argmax Argmin Argpartition Argsort Array ArraySplit
        Average Bincount BitwiseAnd BitwiseInvert BitwiseLeftShift BitwiseNot BitwiseOr
        BitwiseRightShift BitwiseXor BroadcastTo Cbrt Ceil Clip Concatenate Conj Conjugate Copy
        Corrcoef Correlate Cos Cosh CountNonzero Cross Cumprod Cumsum Deg2rad Diag Diagflat
        Diagonal Diff Digitize Divide DivideNoNan Dot Dsplit Dstack Einsum EmptyLike Equal Exp
        Exp2 ExpandDims Expm1 Fabs Flip Fliplr Flipud Floor FloorDivide Fmax Fmin Fmod Full
        FullLike Gcd Geomspace GetItem Greater GreaterEqual Heaviside Histogram Hsplit Hstack
        Hypot I0 Imag Inner IsIn Isclose Isfinite Isinf Isnan Isneginf Isposinf Isreal Kron Lcm
        Ldexp LeftShift Less LessEqual Linspace Log Log10 Log1p Log2 Logaddexp Logaddexp2
        LogicalAnd LogicalNot LogicalOr LogicalXor Logspace Matmul Max Maximum Mean Median
        Meshgrid Min Minimum Mod Moveaxis Multiply NanToNum Nanargmax Nanargmin Nancumprod
        Nancumsum Nanmax Nanmean Nanmedian Nanmin Nanpercentile Nanprod Nanquantile Nanstd
        Nansum Nanvar Ndim Negative Nextafter Nonzero NotEqual OnesLike Outer Pad Percentile
        Power Prod Ptp Quantile Rad2deg Ravel Real Reciprocal Repeat Reshape RightShift Roll
        Rot90 Round SearchSorted Select Sign Signbit Sin Sinc Sinh Size Slogdet Sort Split Sqrt
        Square Squeeze Stack Std Subtract Sum Swapaxes Take TakeAlongAxis Tan Tanh Tensordot
        Tile Trace Transpose Trapezoid Tril Triu TrueDivide Trunc Unique UnravelIndex Vander
        Var Vdot View Vsplit Vstack Where ZerosLike
        """
    ),
    CUSTOM_MODULE: CUSTOM_CLASSES,
}

#: Keras' built-in functions a project may name (``{"class_name": "function", "config":
#: name}``): activations, losses and metrics.
FUNCTIONS = _names(
    """
    celu elu exponential gelu glu hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh
    leaky_relu linear log_sigmoid log_softmax mish relu relu6 selu sigmoid silu soft_shrink
    softmax softplus softsign sparse_plus sparse_sigmoid sparsemax squareplus swish tanh
    tanh_shrink threshold
    binary_accuracy binary_crossentropy binary_focal_crossentropy categorical_accuracy
    categorical_crossentropy categorical_focal_crossentropy categorical_generalized_cross_entropy
    categorical_hinge circle concordance_correlation cosine_similarity ctc dice hinge huber
    kl_divergence log_cosh mean_absolute_error mean_absolute_percentage_error
    mean_squared_error mean_squared_logarithmic_error pearson_correlation poisson
    sparse_categorical_accuracy sparse_categorical_crossentropy
    sparse_top_k_categorical_accuracy squared_hinge top_k_categorical_accuracy tversky
    """
)
#: The modules a serialized function may name.
FUNCTION_MODULES = frozenset(
    {None, "builtins", "keras.activations", "keras.losses", "keras.metrics"}
)

#: Values Keras stores as tagged data, not as a class (tensors, arrays, slices).
DATA_TAGS = _names("__keras_tensor__ __tensor__ __numpy__ __bytes__ __ellipsis__ __slice__")

_ALL_CLASSES = frozenset().union(*PUBLIC_CLASSES.values(), *INTERNAL_CLASSES.values())

#: A ``call_kwargs`` key holding the positional arguments of a call that no call style
#: describes (a generic layer called as ``layer(a, b, mask=m)``).
CALL_ARGS = "__args__"
#: ``{TENSOR_REF: i}`` inside ``call_kwargs`` stands for the ``i``-th input tensor.
TENSOR_REF = "__input__"

#: Decides on an object the list refuses: True accepts it (the compiler's hook for classes
#: that trusted code registered with Keras in this process).
Acceptor = Callable[[Mapping[str, Any]], bool]


def is_keyword_name(name: Any) -> bool:
    """Whether ``name`` can be written as a keyword argument: an identifier, no keyword."""
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def public_path(obj: Mapping[str, Any]) -> str | None:
    """``"keras.layers.Dense"`` for a serialized object of a listed public class, else None."""
    module, class_name = obj.get("module"), obj.get("class_name")
    registered = obj.get("registered_name")
    listed = module in PUBLIC_CLASSES and class_name in PUBLIC_CLASSES[module]
    return f"{module}.{class_name}" if listed and registered in (None, class_name) else None


def object_problem(obj: Mapping[str, Any]) -> str | None:
    """Why the serialized object ``obj`` (a dict with a ``class_name``) may not be named,
    or None when the list allows it; nested objects are not looked at."""
    class_name = obj.get("class_name")
    module = obj.get("module")
    registered = obj.get("registered_name")
    if not isinstance(class_name, str):
        return f"a Keras object whose class name is {shown(class_name)}, not text"
    if class_name in DATA_TAGS:
        return None if module is None else f"the data tag {shown(class_name)} with a module"
    if class_name == "function":
        name = obj.get("config")
        known = module in FUNCTION_MODULES and name in FUNCTIONS
        if known and registered in (None, name, "function"):
            return None
        return f"the function {shown(name)} of {shown(module)}, which is not a Keras built-in"
    label = class_name if module is None else f"{module}.{class_name}"
    if module is None:
        allowed = class_name in _ALL_CLASSES
    else:
        listed = (
            {**PUBLIC_CLASSES, **INTERNAL_CLASSES}.get(module) if isinstance(module, str) else None
        )
        allowed = listed is not None and class_name in listed
    if not allowed:
        return f"the class {shown(label)}, which is not a Keras class a project may use"
    custom = f"{CUSTOM_PACKAGE}>{class_name}" if module == CUSTOM_MODULE else None
    if registered not in (None, class_name, custom):
        return f"{shown(label)} registered as {shown(registered)}, another class"
    config = obj.get("config")
    vocabulary = config.get("vocabulary") if isinstance(config, Mapping) else None
    if class_name in VOCABULARY_LAYERS and not isinstance(vocabulary, list | type(None)):
        return (
            f"{shown(label)} with the vocabulary {shown(vocabulary)}, which is not a list "
            "(a file path would be read)"
        )
    return None


def value_problem(value: Any, accept: Acceptor | None = None) -> str | None:
    """Why a JSON value names a Keras object that a project may not name, at any depth, or
    None. ``accept`` may accept an object the list refuses."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if "class_name" in current:
                problem = object_problem(current)
                if problem is not None and not (accept is not None and accept(current)):
                    return problem
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)
    return None


def generic_object(params: Mapping[str, Any]) -> dict[str, Any]:
    """The serialized object a generic ``KerasLayer`` node's params describe (its config
    without name and trainable); missing params take their defaults."""
    from guibuilder.catalog.registry import get

    params = {**get("KerasLayer").defaults(), **params}
    return {
        "module": params.get("module") or "keras.layers",
        "class_name": params.get("class_name"),
        "config": params.get("config"),
        "registered_name": params.get("registered_name"),
    }


def _call_value_problem(value: Any) -> str | None:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if TENSOR_REF in current:
                index = current[TENSOR_REF]
                if len(current) != 1 or not isinstance(index, int) or isinstance(index, bool):
                    return f"{shown(TENSOR_REF)} must stand alone with an input number"
                if index < 0:
                    return f"{shown(TENSOR_REF)} must be an input number, not {index}"
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return None


def node_problem(
    type_id: str,
    params: Mapping[str, Any],
    call_kwargs: Mapping[str, Any],
    accept: Acceptor | None = None,
) -> str | None:
    """Why a node's params or call arguments may not be used, as the end of a sentence
    (``"call_kwargs key '1x' is not a Python name"``), or None."""
    if type_id == "KerasLayer":
        problem = object_problem(generic_object(params))
        if problem is not None and not (accept is not None and accept(generic_object(params))):
            return f"params name {problem}"
    problem = value_problem(dict(params), accept)
    if problem is not None:
        return f"params name {problem}"
    for key, value in call_kwargs.items():
        if key == CALL_ARGS:
            if not isinstance(value, list):
                return f"call_kwargs key {shown(CALL_ARGS)} must hold a list"
        elif not is_keyword_name(key):
            return f"call_kwargs key {shown(key)} is not a Python name"
        problem = _call_value_problem(value) or value_problem(value, accept)
        if problem is not None:
            return f"call_kwargs key {shown(key)} holds {problem}"
    return None
