import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab import losses
from backproplab.activations import sigmoid, softmax
from backproplab.errors import DataError, ShapeError, UnknownNameError
from backproplab.gradcheck import LAYER_TOLERANCE, check_loss


def _probs(rng, n, k):
    return softmax(rng.normal(size=(n, k)))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_categorical_crossentropy_gradients(n, k, seed):
    rng = np.random.default_rng(seed)
    y = np.eye(k)[rng.integers(0, k, n)]
    loss = losses.CategoricalCrossentropy()
    assert check_loss(loss, y, _probs(rng, n, k)) <= LAYER_TOLERANCE
    # unnormalised probabilities: Keras renormalises, and so must the gradient
    assert check_loss(loss, y, _probs(rng, n, k) * 1.7) <= LAYER_TOLERANCE
    assert check_loss(loss, y, rng.normal(size=(n, k)), fused=True) <= LAYER_TOLERANCE


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_sparse_categorical_crossentropy_gradients(n, k, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    loss = losses.SparseCategoricalCrossentropy()
    p = _probs(rng, n, k)
    np.testing.assert_allclose(loss(labels, p), losses.CategoricalCrossentropy()(np.eye(k)[labels], p))
    assert check_loss(loss, labels, p) <= LAYER_TOLERANCE
    assert check_loss(loss, labels, rng.normal(size=(n, k)), fused=True) <= LAYER_TOLERANCE


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_regression_and_binary_losses(n, k, seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, k))
    for loss in (losses.MeanSquaredError(), losses.HalfSquaredError()):
        assert check_loss(loss, y, rng.normal(size=(n, k))) <= LAYER_TOLERANCE
    yb = rng.integers(0, 2, size=(n, k)).astype(float)
    bce = losses.BinaryCrossentropy()
    assert check_loss(bce, yb, sigmoid(rng.normal(size=(n, k)))) <= LAYER_TOLERANCE
    assert check_loss(bce, yb, rng.normal(size=(n, k)), fused=True) <= LAYER_TOLERANCE


def test_values_by_hand():
    # half squared error is the seed's ½(y − o)², averaged over the batch
    assert losses.HalfSquaredError()(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])) == pytest.approx(0.125)
    assert losses.MeanSquaredError()(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]])) == pytest.approx(0.5)
    p = np.array([[0.7, 0.2, 0.1]])
    assert losses.CategoricalCrossentropy()(np.array([[1.0, 0, 0]]), p) == pytest.approx(-np.log(0.7))
    assert losses.BinaryCrossentropy()(np.array([[1.0]]), np.array([[0.8]])) == pytest.approx(-np.log(0.8))


def test_fused_gradient_is_p_minus_y_over_n():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    y = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    np.testing.assert_allclose(losses.CategoricalCrossentropy().fused_gradient(y, p), (p - y) / 2)


def test_keras_clipping_rule():
    # Keras clips probabilities to [1e-7, 1 - 1e-7]: a zero probability gives a finite loss
    loss = losses.CategoricalCrossentropy()(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert loss == pytest.approx(-np.log(1e-7))
    g = losses.CategoricalCrossentropy().gradient(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert np.all(np.isfinite(g))


def test_integer_labels_with_categorical_crossentropy_get_advice():
    loss = losses.CategoricalCrossentropy()
    with pytest.raises(DataError, match="to_categorical") as e:
        loss.check_targets(np.array([0, 3, 1]), (3, 10))
    assert "sparse_categorical_crossentropy" in str(e.value)


def test_shape_mismatch_message():
    with pytest.raises(ShapeError, match=r"same shape as the predictions \(3, 1\).*reshape\(-1, 1\)"):
        losses.MeanSquaredError()(np.zeros(3), np.zeros((3, 1)))


def test_sparse_labels_out_of_range():
    with pytest.raises(DataError, match="from 0 to 2"):
        losses.SparseCategoricalCrossentropy().check_targets(np.array([0, 3]), (2, 3))


def test_get_by_name_and_alias():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("categorical_crossentropy"), losses.CategoricalCrossentropy)
    with pytest.raises(UnknownNameError, match="categorical_crossentropy"):
        losses.get("categorical_crossentropie")
