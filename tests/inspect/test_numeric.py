"""Each inspect function against values worked out by hand on tiny models."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from guibuilder.inspect import (
    InspectError,
    Probe,
    activations,
    attention_scores,
    confusion_matrix,
    conv_filters,
    dead_fraction,
    feature_grid,
    fgsm,
    grad_cam,
    gradient_norms,
    most_confident_wrong,
    occlusion,
    pca,
    precision_recall,
    saliency,
    sequence_map,
    signal_health,
    tsne,
    weight_histograms,
)
from guibuilder.inspect.evaluation import (
    class_probabilities,
    evaluate_classifier,
    regression_pairs,
)

RNG = np.random.default_rng(0)


def linear_image_model(w: np.ndarray, b: np.ndarray) -> keras.Model:
    """A 3x3x1 image, flattened, into a linear Dense layer with the given weights."""
    x = keras.Input((3, 3, 1), name="image")
    flat = keras.layers.Flatten(name="flat")(x)
    out = keras.layers.Dense(w.shape[1], name="out")(flat)
    model = keras.Model(x, out)
    model.get_layer("out").set_weights([w, b])
    return model


def test_saliency_of_a_linear_model_is_its_weight_vector():
    w = RNG.normal(size=(9, 3)).astype("float32")
    b = RNG.normal(size=3).astype("float32")
    model = linear_image_model(w, b)
    image = RNG.random((3, 3, 1)).astype("float32")
    for target in range(3):
        np.testing.assert_allclose(saliency(model, image, target).ravel(), w[:, target], rtol=1e-6)
    predicted = int(np.argmax(image.ravel() @ w + b))
    np.testing.assert_allclose(saliency(model, image).ravel(), w[:, predicted], rtol=1e-6)
    with pytest.raises(InspectError, match="class 3 is out of range"):
        saliency(model, image, 3)


def test_occlusion_of_a_linear_model_is_weight_times_pixel():
    w = RNG.normal(size=(9, 2)).astype("float32")
    model = linear_image_model(w, np.zeros(2, "float32"))
    image = RNG.random((3, 3, 1)).astype("float32")
    drop = occlusion(model, image, target=1, patch=1, stride=1, fill=0.0)
    np.testing.assert_allclose(drop, (w[:, 1] * image.ravel()).reshape(3, 3), atol=1e-6)


def edge_detector() -> keras.Model:
    x = keras.Input((5, 5, 1), name="image")
    y = keras.layers.Conv2D(1, 3, use_bias=False, name="conv")(x)
    model = keras.Model(x, y)
    kernel = np.array([[-1, 0, 1]] * 3, dtype="float32").reshape(3, 3, 1, 1)
    model.get_layer("conv").set_weights([kernel])
    return model


def test_a_known_conv_filter_on_a_known_image_gives_the_known_map():
    model = edge_detector()
    image = np.zeros((1, 5, 5, 1), dtype="float32")
    image[..., 2:, 0] = 1.0  # dark on the left, bright from column 2: a vertical edge
    maps = activations(model, image)["conv"]
    # Worked by hand: windows over columns 0-2 and 1-3 see 0 on the left and 1 on the
    # right of each of 3 rows (+3); the window over columns 2-4 sees 1 on both sides (0).
    assert maps.shape == (1, 3, 3, 1)
    np.testing.assert_allclose(maps[0, :, :, 0], [[3, 3, 0]] * 3)
    filters = conv_filters(model)
    assert filters.shape == (1, 3, 3, 1)
    np.testing.assert_array_equal(filters[0, :, :, 0], [[-1, 0, 1]] * 3)


def test_probe_caches_one_submodel_per_choice_and_names_by_node_id():
    model = edge_detector()
    probe = Probe(model)
    image = np.ones((2, 5, 5, 1), dtype="float32")
    first = probe(image, ["conv"])
    assert list(first) == ["conv"] and first["conv"].shape == (2, 3, 3, 1)
    cached = probe._cache[("conv",)][0]
    probe(image * 2, ["conv"])
    assert probe._cache[("conv",)][0] is cached
    with pytest.raises(InspectError, match="no layer 'nope'"):
        probe(image, ["nope"])


def test_feature_grid_tiles_maps_with_blank_gaps():
    maps = np.stack([np.full((2, 2), v, dtype="float32") for v in (1.0, 2.0, 3.0)], axis=-1)
    grid = feature_grid(maps, pad=1, normalise=False)
    assert grid.shape == (5, 5)  # 2x2 tiles of 2x2 with one blank row and column between
    np.testing.assert_array_equal(grid[:2, :2], 1.0)
    np.testing.assert_array_equal(grid[:2, 3:], 2.0)
    np.testing.assert_array_equal(grid[3:, :2], 3.0)
    assert np.isnan(grid[2]).all() and np.isnan(grid[3:, 3:]).all()
    np.testing.assert_array_equal(sequence_map(np.arange(6).reshape(3, 2)), [[0, 2, 4], [1, 3, 5]])


def test_grad_cam_of_an_identity_conv_is_the_image_scaled():
    x = keras.Input((4, 4, 1), name="image")
    conv = keras.layers.Conv2D(1, 3, padding="same", use_bias=False, name="conv")(x)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(conv)
    out = keras.layers.Dense(2, name="out")(pooled)
    model = keras.Model(x, out)
    identity = np.zeros((3, 3, 1, 1), dtype="float32")
    identity[1, 1] = 1.0
    model.get_layer("conv").set_weights([identity])
    model.get_layer("out").set_weights([np.array([[2.0, -1.0]], "float32"), np.zeros(2, "float32")])
    image = RNG.random((4, 4, 1)).astype("float32")
    # The map is the image; d score_0 / d map = 2 / 16 > 0 everywhere, so the CAM is the
    # image scaled to a maximum of 1; for class 1 the weight is negative and the CAM is 0.
    np.testing.assert_allclose(grad_cam(model, image, 0), image[:, :, 0] / image.max(), atol=1e-6)
    np.testing.assert_allclose(grad_cam(model, image, 1), 0.0)


def test_fgsm_steps_along_the_sign_of_the_loss_gradient():
    w = RNG.normal(size=(9, 2)).astype("float32")
    model = linear_image_model(w, np.zeros(2, "float32"))
    image = RNG.random((3, 3, 1)).astype("float32")
    adversarial = fgsm(model, image, label=0, epsilon=0.1, clip=None)
    # For logits z = W x and label 0, d loss / d x = p_1 (W[:, 1] - W[:, 0]).
    expected = image.ravel() + 0.1 * np.sign(w[:, 1] - w[:, 0])
    np.testing.assert_allclose(adversarial.ravel(), expected, atol=1e-6)
    clipped = fgsm(model, image, label=0, epsilon=5.0)
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0
    with pytest.raises(InspectError, match="epsilon"):
        fgsm(model, image, 0, -1.0)


def test_confusion_matrix_precision_and_recall_of_known_predictions():
    y_true = [0, 0, 1, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0, 2]
    matrix = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    precision, recall = precision_recall(matrix)
    np.testing.assert_allclose(precision, [1 / 2, 2 / 3, 1.0])
    np.testing.assert_allclose(recall, [1 / 2, 1.0, 2 / 3])
    assert confusion_matrix([0, 1], [1, 1], num_classes=4).shape == (4, 4)
    with pytest.raises(InspectError, match=r"outside 0\.\.1"):
        confusion_matrix([0, 2], [0, 1], num_classes=2)


def test_most_confidently_wrong_samples_come_first():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.05, 0.95], [0.7, 0.3]])
    labels = [0, 0, 0, 0, 1]
    # Wrong: 1 (0.8), 2 (0.6), 3 (0.95), 4 (0.7) -> by confidence 3, 1, 4, 2.
    np.testing.assert_array_equal(most_confident_wrong(probs, labels), [3, 1, 4, 2])
    np.testing.assert_array_equal(most_confident_wrong(probs, labels, count=2), [3, 1])


def test_class_probabilities_of_a_sigmoid_unit_logits_and_a_wrong_width():
    sigmoid = np.array([[0.2], [0.9], [0.5]])
    probs, softmaxed = class_probabilities(sigmoid, 2, "pairs")
    np.testing.assert_allclose(probs, [[0.8, 0.2], [0.1, 0.9], [0.5, 0.5]])
    assert not softmaxed
    logits = np.array([[0.0, np.log(3.0)], [2.0, 2.0]])
    probs, softmaxed = class_probabilities(logits, 2, "pairs")
    np.testing.assert_allclose(probs, [[0.25, 0.75], [0.5, 0.5]])
    assert softmaxed
    with pytest.raises(InspectError, match="3 values per sample, but 'iris' has 2 classes"):
        class_probabilities(np.zeros((4, 3)), 2, "iris")


def test_a_sigmoid_classifier_is_evaluated_as_two_classes():
    x = keras.Input((1,))
    model = keras.Model(x, keras.layers.Dense(1, activation="sigmoid")(x))
    model.set_weights([np.array([[10.0]], "float32"), np.zeros(1, "float32")])
    samples = np.array([[-1.0], [1.0], [2.0], [-3.0]], "float32")  # p = 0, 1, 1, 0
    result = evaluate_classifier(model, samples, [0, 1, 0, 0], num_classes=2)
    np.testing.assert_array_equal(result.y_pred, [0, 1, 1, 0])
    np.testing.assert_array_equal(result.matrix, [[2, 1], [0, 1]])


def test_evaluation_of_a_fixed_classifier_and_a_regressor():
    w = np.array([[1.0, -1.0]] + [[0.0, 0.0]] * 8, dtype="float32")
    model = linear_image_model(w, np.zeros(2, "float32"))
    x = np.zeros((4, 3, 3, 1), dtype="float32")
    x[:, 0, 0, 0] = [1.0, -1.0, 2.0, -2.0]  # class 0 when the first pixel is positive
    result = evaluate_classifier(model, x, [0, 1, 1, 1])
    np.testing.assert_array_equal(result.y_pred, [0, 1, 0, 1])
    np.testing.assert_array_equal(result.matrix, [[1, 0], [1, 2]])
    assert result.accuracy == 0.75 and list(result.wrong) == [2]

    regressor = linear_image_model(np.ones((9, 1), "float32"), np.zeros(1, "float32"))
    pred, true, r2 = regression_pairs(regressor, x, x[:, 0, 0, 0])
    np.testing.assert_allclose(pred, true)
    assert r2 == pytest.approx(1.0)


def relu_model(bias: float) -> keras.Model:
    x = keras.Input((3,), name="input")
    hidden = keras.layers.Dense(5, activation="relu", name="hidden")(x)
    out = keras.layers.Dense(2, name="out")(hidden)
    model = keras.Model(x, out)
    layer = model.get_layer("hidden")
    layer.set_weights([layer.get_weights()[0], np.full(5, bias, "float32")])
    return model


def test_a_relu_layer_with_a_large_negative_bias_is_all_dead_and_flagged():
    x = RNG.normal(size=(16, 3)).astype("float32")
    y = RNG.integers(0, 2, size=16)
    dead = {h.node_id: h for h in signal_health(relu_model(-100.0), x, y)}
    assert dead["hidden"].dead_fraction == 1.0
    assert "dead_relu" in dead["hidden"].flags
    assert dead["hidden"].mean == 0.0 and dead["hidden"].std == 0.0
    assert dead["out"].dead_fraction is None
    alive = {h.node_id: h for h in signal_health(relu_model(100.0), x, y)}
    assert alive["hidden"].dead_fraction == 0.0 and alive["hidden"].flags == ()
    assert dead_fraction(np.array([[[1.0, 0.0]], [[0.0, 0.0]]])) == 0.5
    # No unit is ever active, so no gradient reaches the hidden layer's weights.
    assert "vanishing" in dead["hidden"].flags and dead["hidden"].grad_norm == 0.0


def test_gradient_norm_of_a_linear_layer_under_squared_error():
    x_in = keras.Input((2,), name="input")
    model = keras.Model(x_in, keras.layers.Dense(1, name="out")(x_in))
    model.get_layer("out").set_weights([np.array([[1.0], [2.0]], "float32"), np.array([0.5])])
    x = np.array([[3.0, -1.0]], "float32")
    target = np.array([[2.0]], "float32")
    # e = 1*3 + 2*(-1) + 0.5 - 2 = -0.5; dL/dw = 2 e x, dL/db = 2 e
    expected = 2 * 0.5 * np.sqrt(3.0**2 + 1.0**2 + 1.0)
    norms = gradient_norms(model, x, target, keras.losses.MeanSquaredError())
    assert norms == {"out": pytest.approx(expected, rel=1e-5)}


def test_pca_of_points_on_a_line_finds_the_line():
    t = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    points = np.stack([t, 2 * t, np.zeros_like(t)], axis=1)
    result = pca(points)
    assert result.shape == (5, 2)
    first = result[:, 0] * np.sign(result[-1, 0])
    np.testing.assert_allclose(first, t * np.sqrt(5.0), atol=1e-9)
    np.testing.assert_allclose(result[:, 1], 0.0, atol=1e-9)
    spread = tsne(RNG.normal(size=(12, 4)))
    assert spread.shape == (12, 2) and np.isfinite(spread).all()
    with pytest.raises(InspectError, match="at least 2 samples"):
        pca(np.ones((1, 3)))


def test_weight_histograms_count_every_weight():
    model = relu_model(0.0)
    hists = {h.node_id: h for h in weight_histograms(model, bins=7)}
    assert sorted(hists) == ["hidden", "out"]
    assert hists["hidden"].counts.sum() == 3 * 5 + 5 == hists["hidden"].size
    assert len(hists["out"].edges) == 8


def test_attention_scores_per_head_are_softmax_rows():
    x = keras.Input((4, 6), name="tokens")
    attended = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="attn")(x, x)
    model = keras.Model(x, keras.layers.GlobalAveragePooling1D(name="pool")(attended))
    batch = RNG.normal(size=(3, 4, 6)).astype("float32")
    scores = attention_scores(model, "attn", batch)
    assert scores.shape == (3, 2, 4, 4)
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0, rtol=1e-5)
    _, direct = model.get_layer("attn")(batch, batch, return_attention_scores=True)
    np.testing.assert_allclose(scores, np.asarray(direct), rtol=1e-5)
    with pytest.raises(InspectError, match="not MultiHeadAttention"):
        attention_scores(model, "pool", batch)


@pytest.mark.parametrize(
    "shape", [(6, 6, 5), (12, 4), (10,), (300,)], ids=["maps", "sequence", "bars", "heat map"]
)
def test_activation_figures_are_drawn_for_every_kind_of_output(shape, tmp_path):
    from matplotlib.image import imread

    from guibuilder.inspect.figures import activation_figure

    values = RNG.normal(size=shape)
    path = activation_figure("layer", "Dense", values, tmp_path / "a.png", ())
    pixels = imread(path)[..., :3]
    assert (pixels < 0.9).any(axis=-1).mean() > 0.02
