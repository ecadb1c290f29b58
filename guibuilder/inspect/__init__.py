"""Looking inside a model: numpy in, numpy out. No Qt.

Activations (:mod:`.activations`), weights (:mod:`.weights`), signal health
(:mod:`.health`), attributions (:mod:`.attribution`), evaluation (:mod:`.evaluation`),
embeddings (:mod:`.embeddings`); :mod:`.callback` records activations during training and
:mod:`.figures` draws PNG figures. Keras is imported by the functions that need it, so
importing this package stays quick.
"""

from guibuilder.inspect._grad import InspectError
from guibuilder.inspect.activations import (
    Probe,
    activations,
    attention_scores,
    feature_grid,
    kind_of,
    layer_ids,
    sequence_map,
)
from guibuilder.inspect.attribution import fgsm, grad_cam, occlusion, saliency
from guibuilder.inspect.embeddings import pca, tsne
from guibuilder.inspect.evaluation import (
    confusion_matrix,
    evaluate_classifier,
    most_confident_wrong,
    precision_recall,
    regression_pairs,
)
from guibuilder.inspect.health import LayerHealth, dead_fraction, gradient_norms, signal_health
from guibuilder.inspect.weights import conv_filters, weight_histograms

__all__ = [
    "InspectError",
    "LayerHealth",
    "Probe",
    "activations",
    "attention_scores",
    "confusion_matrix",
    "conv_filters",
    "dead_fraction",
    "evaluate_classifier",
    "feature_grid",
    "fgsm",
    "grad_cam",
    "gradient_norms",
    "kind_of",
    "layer_ids",
    "most_confident_wrong",
    "occlusion",
    "pca",
    "precision_recall",
    "regression_pairs",
    "saliency",
    "sequence_map",
    "signal_health",
    "tsne",
    "weight_histograms",
]
