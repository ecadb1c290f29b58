"""Static PNG figures of the inspect results, drawn with matplotlib (imported lazily).

Every figure has a title, labelled axes and a colour bar where colour carries a value.
Only matplotlib's object API is used (no ``pyplot``), so no GUI backend is ever loaded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from guibuilder.inspect.activations import feature_grid, grid_shape, kind_of
from guibuilder.inspect.health import LayerHealth
from guibuilder.inspect.weights import Histogram

DPI = 110
#: Most tiles drawn in one grid of feature maps or filters.
MAX_TILES = 64
#: Vectors longer than this are drawn as a heat map, not bars.
MAX_BARS = 256


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _save(fig: Any, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def _shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _image(sample: np.ndarray) -> tuple[np.ndarray, str | None]:
    """An image sample ready for ``imshow`` and the colour map it needs."""
    sample = np.asarray(sample)
    if sample.ndim == 3 and sample.shape[-1] == 1:
        return sample[:, :, 0], "gray_r"
    if sample.ndim == 3 and sample.shape[-1] == 3:
        low, high = float(sample.min()), float(sample.max())
        return (sample - low) / (high - low or 1.0), None
    return sample.reshape(sample.shape[0], -1), "gray_r"


def _off(ax: Any) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def activation_figure(
    node_id: str,
    layer_type: str,
    activation: np.ndarray,
    path: str | Path,
    unit_names: Sequence[str] = (),
) -> Path:
    """One sample's activation of one layer: feature maps, a sequence map or bars.

    ``unit_names`` labels the bars of a vector (the class names of an output layer).
    """
    activation = np.asarray(activation, dtype="float64")
    kind = kind_of(activation)
    title = f"Activations of {node_id} ({layer_type}), output {_shape(activation.shape)}"
    if kind == "image":
        fig, count = _grid_figure(activation, "viridis", None, "activation")
        shown = (
            f" (first {count} of {activation.shape[-1]})" if count < activation.shape[-1] else ""
        )
        fig.suptitle(
            f"{title}\none feature map per channel{shown}, numbered; pixels as in the input"
        )
    elif kind == "sequence":
        fig = _figure(8, 4.5)
        ax = fig.subplots()
        image = ax.imshow(activation.T, aspect="auto", cmap="viridis", origin="lower")
        ax.set_xlabel("time step")
        ax.set_ylabel("unit")
        fig.colorbar(image, ax=ax, label="activation")
        ax.set_title(title)
    elif activation.size > MAX_BARS:
        values = activation.ravel()
        rows, cols = grid_shape(values.size)
        grid = np.full(rows * cols, np.nan)
        grid[: values.size] = values
        fig = _figure(7.5, 6.5)
        ax = fig.subplots()
        image = ax.imshow(grid.reshape(rows, cols), cmap="viridis", interpolation="nearest")
        ax.set_xlabel(f"unit mod {cols}")
        ax.set_ylabel(f"unit // {cols}")
        fig.colorbar(image, ax=ax, label="activation", shrink=0.8)
        ax.set_title(f"{title}\n{values.size} units as a heat map, row by row")
    else:
        values = activation.ravel()
        fig = _figure(min(max(5.0, 0.25 * values.size + 2), 14), 4)
        ax = fig.subplots()
        colours = ["tab:blue" if v >= 0 else "tab:red" for v in values]
        ax.bar(np.arange(values.size), values, color=colours)
        ax.axhline(0, color="black", linewidth=0.8)
        named = len(unit_names) == values.size
        ax.set_xlabel("class" if named else "unit")
        ax.set_ylabel("activation")
        if named:
            ax.set_xticks(np.arange(values.size), list(unit_names))
        elif values.size <= 32:
            ax.set_xticks(np.arange(values.size))
        ax.set_title(title)
    return _save(fig, path)


def _grid_figure(maps: np.ndarray, cmap: str, bound: float | None, label: str) -> tuple[Any, int]:
    """One image of the maps ``(h, w, n)`` tiled in a grid on one colour scale, numbered."""
    count = min(maps.shape[-1], MAX_TILES)
    rows, cols = grid_shape(count)
    h, w = maps.shape[:2]
    pad = max(1, round(max(h, w) / 6))
    grid = feature_grid(maps, max_maps=MAX_TILES, pad=pad, normalise=False)
    fig = _figure(min(0.9 * cols + 3.0, 14), min(0.9 * rows + 1.6, 14))
    ax = fig.subplots()
    from matplotlib import colormaps

    colours = colormaps[cmap].with_extremes(bad="white")
    low = -bound if bound is not None else float(np.nanmin(grid))
    high = bound if bound is not None else float(np.nanmax(grid))
    image = ax.imshow(grid, cmap=colours, vmin=low, vmax=high, interpolation="nearest")
    for i in range(count):
        r, c = divmod(i, cols)
        ax.text(
            c * (w + pad) - 0.5,
            r * (h + pad) - 0.5,
            str(i),
            fontsize=7,
            va="bottom",
            ha="left",
            color="black",
        )
    _off(ax)
    ax.set_frame_on(False)
    fig.colorbar(image, ax=ax, label=label, shrink=0.8)
    return fig, count


def filters_figure(node_id: str, filters: np.ndarray, path: str | Path) -> Path:
    """The kernels ``(n, h, w, c)`` of a convolution as small images on one colour scale.

    Kernels over several input channels are shown as their mean over the channels.
    """
    channels = filters.shape[-1]
    kernels = np.moveaxis(filters.mean(axis=-1), 0, -1)
    bound = float(np.max(np.abs(kernels))) or 1.0
    fig, _ = _grid_figure(kernels, "RdBu_r", bound, "weight")
    how = "" if channels == 1 else f", mean over {channels} input channels"
    fig.suptitle(
        f"Filters of {node_id}: {len(filters)} kernels of {filters.shape[1]}x{filters.shape[2]}"
        f"{how}\nred: a bright input pixel there excites the filter, blue: it inhibits it"
    )
    return _save(fig, path)


def weights_figure(histograms: Sequence[Histogram], path: str | Path) -> Path:
    """One histogram of weights per layer."""
    count = max(1, len(histograms))
    cols = min(3, count)
    rows = math.ceil(count / cols)
    fig = _figure(4.2 * cols, 3 * rows + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, hist in zip(axes, histograms, strict=False):
        ax.stairs(hist.counts, hist.edges, fill=True, color="tab:blue")
        ax.set_title(
            f"{hist.node_id}: {hist.size:,} weights\nmean {hist.mean:.3g}, std {hist.std:.3g}"
        )
        ax.set_xlabel("weight value")
        ax.set_ylabel("count")
    for ax in axes[len(histograms) :]:
        ax.set_axis_off()
    fig.suptitle("Weight histograms per layer (kernels and biases)")
    return _save(fig, path)


def attribution_figure(
    sample: np.ndarray,
    maps: dict[str, np.ndarray],
    title: str,
    path: str | Path,
) -> Path:
    """The input beside its attribution maps (saliency, occlusion, Grad-CAM ...)."""
    fig = _figure(3.4 * (len(maps) + 1), 3.8)
    axes = fig.subplots(1, len(maps) + 1, squeeze=False).ravel()
    image, cmap = _image(sample)
    shown = axes[0].imshow(image, cmap=cmap)
    axes[0].set_title("input")
    if cmap is not None:
        fig.colorbar(shown, ax=axes[0], label="pixel value", shrink=0.8)
    for ax, (name, values) in zip(axes[1:], maps.items(), strict=True):
        values = np.asarray(values, dtype="float64")
        if values.ndim == 3:
            values = np.abs(values).max(axis=-1)
        diverging = values.min() < 0
        bound = float(np.max(np.abs(values))) or 1.0
        shown = ax.imshow(
            values,
            cmap="RdBu_r" if diverging else "inferno",
            vmin=-bound if diverging else 0.0,
            vmax=bound,
        )
        ax.set_title(name)
        fig.colorbar(shown, ax=ax, shrink=0.8)
    for ax in axes:
        ax.set_xlabel("x (pixel)")
        ax.set_ylabel("y (pixel)")
    fig.suptitle(title)
    return _save(fig, path)


def confusion_figure(
    matrix: np.ndarray,
    class_names: Sequence[str],
    precision: np.ndarray,
    recall: np.ndarray,
    accuracy: float,
    path: str | Path,
) -> Path:
    """The confusion matrix with its counts, beside per-class precision and recall."""
    n = len(matrix)
    names = list(class_names) if len(class_names) == n else [str(i) for i in range(n)]
    size = min(max(5.0, 0.5 * n + 3), 14)
    fig = _figure(size + 4.5, size)
    left, right = fig.subplots(1, 2, width_ratios=[size, 4])
    shown = left.imshow(matrix, cmap="Blues")
    fig.colorbar(shown, ax=left, label="samples", shrink=0.8)
    left.set_xticks(np.arange(n), names, rotation=90 if n > 12 else 0)
    left.set_yticks(np.arange(n), names)
    left.set_xlabel("predicted class")
    left.set_ylabel("true class")
    if n <= 25:
        top = matrix.max() or 1
        for i in range(n):
            for j in range(n):
                if matrix[i, j]:
                    colour = "white" if matrix[i, j] > top / 2 else "black"
                    left.text(
                        j, i, str(matrix[i, j]), ha="center", va="center", color=colour, fontsize=8
                    )
    left.set_title(f"Confusion matrix: {int(matrix.sum())} samples, accuracy {accuracy:.1%}")
    rows = np.arange(n)
    right.barh(rows - 0.2, np.nan_to_num(precision), height=0.4, label="precision")
    right.barh(rows + 0.2, np.nan_to_num(recall), height=0.4, label="recall")
    right.set_yticks(rows, names)
    right.invert_yaxis()
    right.set_xlim(0, 1)
    right.set_xlabel("fraction")
    right.set_ylabel("class")
    right.set_title("Per-class precision and recall")
    right.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


def health_figure(report: Sequence[LayerHealth], path: str | Path) -> Path:
    """Activation mean and std, gradient norm and dead ReLUs against depth, flags in red."""
    fig = _figure(max(7.0, 0.7 * len(report) + 3), 9)
    top, middle, bottom = fig.subplots(3, 1, sharex=True)
    depth = np.array([h.depth for h in report])
    mean = np.array([h.mean for h in report])
    std = np.array([h.std for h in report])
    top.errorbar(depth, mean, yerr=std, marker="o", capsize=4, label="mean ± std")
    top.set_ylabel("activation")
    top.set_title("Signal health per layer (one batch)")
    top.legend(fontsize=8)
    with_grad = [h for h in report if h.grad_norm is not None]
    if with_grad:
        xs = [h.depth for h in with_grad]
        ys = [max(h.grad_norm, 1e-30) if math.isfinite(h.grad_norm) else np.nan for h in with_grad]
        middle.semilogy(xs, ys, marker="o", color="tab:green")
        for h, y in zip(with_grad, ys, strict=True):
            flagged = [f for f in h.flags if f in ("vanishing", "exploding")]
            if flagged:
                middle.annotate(
                    flagged[0], (h.depth, y), color="red", textcoords="offset points", xytext=(4, 6)
                )
                middle.plot([h.depth], [y], "o", color="red")
    middle.set_ylabel("gradient norm (log)")
    middle.set_title("Norm of the loss gradient w.r.t. each layer's weights")
    relu = [h for h in report if h.dead_fraction is not None]
    colours = ["red" if "dead_relu" in h.flags else "tab:orange" for h in relu]
    bars = bottom.bar([h.depth for h in relu], [h.dead_fraction for h in relu], color=colours)
    bottom.bar_label(bars, labels=[f"{h.dead_fraction:.0%}" for h in relu], padding=2)
    bottom.set_ylim(0, 1)
    bottom.set_ylabel("dead ReLU fraction")
    bottom.set_title("Fraction of ReLU units never active on the batch (red: flagged)")
    bottom.set_xticks(depth, [h.node_id for h in report], rotation=30, ha="right")
    bottom.set_xlabel("layer (by depth)")
    return _save(fig, path)


def embedding_figure(
    points: np.ndarray,
    labels: np.ndarray | None,
    class_names: Sequence[str],
    title: str,
    path: str | Path,
) -> Path:
    """A 2-D embedding of samples, coloured by class."""
    fig = _figure(7, 6)
    ax = fig.subplots()
    if labels is None:
        ax.scatter(points[:, 0], points[:, 1], s=12)
    else:
        from matplotlib import colormaps

        cmap = colormaps["tab10" if len(class_names) <= 10 else "tab20"]
        for k in np.unique(labels):
            chosen = labels == k
            name = class_names[k] if k < len(class_names) else str(k)
            ax.scatter(
                points[chosen, 0], points[chosen, 1], s=12, color=cmap(int(k) % cmap.N), label=name
            )
        ax.legend(title="true class", fontsize=8, markerscale=1.5, loc="best")
    ax.set_xlabel("component 1")
    ax.set_ylabel("component 2")
    ax.set_title(title)
    return _save(fig, path)


def samples_figure(
    samples: np.ndarray, captions: Sequence[str], title: str, path: str | Path
) -> Path:
    """A row (or grid) of image samples with a caption each."""
    count = max(1, len(samples))
    cols = min(count, 8)
    rows = math.ceil(count / cols)
    fig = _figure(1.8 * cols + 0.4, 2.1 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[len(samples) :]:
        ax.set_axis_off()
    for ax, sample, caption in zip(axes, samples, captions, strict=False):
        image, cmap = _image(sample)
        ax.imshow(image, cmap=cmap)
        ax.set_title(caption, fontsize=8)
        _off(ax)
    fig.suptitle(title)
    return _save(fig, path)


def regression_figure(pred: np.ndarray, true: np.ndarray, r2: float, path: str | Path) -> Path:
    """Predicted against true targets, with the line of perfect predictions."""
    fig = _figure(6, 6)
    ax = fig.subplots()
    ax.scatter(true, pred, s=10, alpha=0.6)
    low = float(min(true.min(), pred.min()))
    high = float(max(true.max(), pred.max()))
    ax.plot([low, high], [low, high], color="black", linewidth=1, label="perfect")
    ax.set_xlabel("true value")
    ax.set_ylabel("predicted value")
    ax.set_title(f"Predicted against true: {true.size} values, R² {r2:.3f}")
    ax.legend()
    return _save(fig, path)
