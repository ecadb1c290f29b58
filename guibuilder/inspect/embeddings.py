"""A layer's activations in two dimensions: PCA and t-SNE (scikit-learn)."""

from __future__ import annotations

from typing import Any

import numpy as np

from guibuilder.inspect._grad import InspectError


def _flat(activations: Any) -> np.ndarray:
    values = np.asarray(activations, dtype="float64")
    if values.ndim < 2 or len(values) < 2:
        raise InspectError(f"an embedding needs at least 2 samples, got shape {values.shape}")
    return values.reshape(len(values), -1)


def pca(activations: Any, components: int = 2) -> np.ndarray:
    """The first ``components`` principal components of each sample's activations."""
    from sklearn.decomposition import PCA

    values = _flat(activations)
    components = min(components, *values.shape)
    return PCA(n_components=components).fit_transform(values)


def tsne(activations: Any, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """A 2-D t-SNE map of the samples (perplexity lowered for small sets)."""
    from sklearn.manifold import TSNE

    values = _flat(activations)
    perplexity = min(perplexity, max(1.0, (len(values) - 1) / 3))
    return TSNE(n_components=2, perplexity=perplexity, random_state=seed, init="pca").fit_transform(
        values
    )
