import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplab import Activation, Dense, Flatten, Reshape
from backproplab.errors import ShapeError
from backproplab.gradcheck import LAYER_TOLERANCE, assert_gradients_close, check_layer


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 5), d=st.integers(1, 6), units=st.integers(1, 5),
       act=st.sampled_from(["linear", "sigmoid", "tanh", "softmax", "relu"]), seed=st.integers(0, 1000))
def test_dense_gradients(n, d, units, act, seed):
    layer = Dense(units, activation=act, bias_initializer="glorot_uniform", dtype="float64")
    x = np.random.default_rng(seed).normal(size=(n, d))
    layer.build((d,), rng=seed)
    report = check_layer(layer, x, seed=seed)
    if act == "relu":  # central differences straddling the kink are not a fair referee
        z = x @ layer.params["kernel"] + layer.params["bias"]
        if np.min(np.abs(z)) < 1e-5:
            return
    assert set(report) == {"kernel", "bias", "input"}
    assert_gradients_close(report, LAYER_TOLERANCE)


def test_dense_without_bias_and_3d_inputs(float64):
    layer = Dense(3, activation="tanh", use_bias=False)
    x = np.random.default_rng(1).normal(size=(2, 4, 5))
    report = check_layer(layer, x)
    assert set(report) == {"kernel", "input"}
    assert_gradients_close(report)


@pytest.mark.parametrize("layer,shape", [(Activation("sigmoid"), (3, 4)), (Flatten(), (2, 3, 4)),
                                         (Reshape((6, 2)), (2, 3, 4)), (Reshape((-1, 3)), (2, 3, 4))])
def test_parameter_free_layers(layer, shape, float64):
    layer.dtype = np.dtype("float64")
    x = np.random.default_rng(0).normal(size=shape)
    assert_gradients_close(check_layer(layer, x))


def test_keras_weight_layout_and_init():
    layer = Dense(64)
    layer.build((784,), rng=0)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (784, 64) and bias.shape == (64,)
    assert kernel.dtype == np.float32
    limit = np.sqrt(6 / (784 + 64))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert np.all(bias == 0)


def test_wrong_feature_count_message():
    layer = Dense(64, input_shape=(784,))
    layer.build((784,))
    with pytest.raises(ShapeError) as e:
        layer(np.zeros((5, 28)))
    msg = str(e.value)
    assert "784 features" in msg and "(5, 28)" in msg and "28 features" in msg


def test_unflattened_images_hint():
    layer = Dense(64)
    layer.build((784,))
    with pytest.raises(ShapeError, match="flatten"):
        layer(np.zeros((5, 28, 28)))


def test_first_layer_skips_input_gradient():
    layer = Dense(4)
    layer.build((3,), rng=0)
    layer.need_input_grad = False
    layer.forward(np.ones((2, 3), np.float32))
    assert layer.backward(np.ones((2, 4), np.float32)) is None
    assert np.all(layer.grads["bias"] == 2)


def test_set_weights_validates_before_writing():
    layer = Dense(2)
    layer.build((3,), rng=0)
    before = layer.get_weights()
    with pytest.raises(ShapeError, match="transposed"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ShapeError, match="2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_bad_units():
    with pytest.raises(ValueError, match="positive whole number"):
        Dense(0)
