import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplab import activations
from backproplab.errors import UnknownNameError
from backproplab.gradcheck import LAYER_TOLERANCE, check_activation, numerical_derivative, numerical_gradient

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
ALL = ELEMENTWISE + ["softmax"]


def _away_from_kink(z):
    # relu and leaky_relu are not differentiable at 0: keep numeric checks off the kink
    return np.where(np.abs(z) < 1e-3, 0.5, z)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=30, deadline=None)
@given(z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-3, 3)))
def test_backward_matches_central_differences(name, z):
    z = _away_from_kink(z)
    assert check_activation(activations.get(name), z) <= LAYER_TOLERANCE


@pytest.mark.parametrize("name", ALL)
def test_backward_in_saturated_regions(name):
    # Where |z| is large the true gradient is below 1e-4, and central differences' round-off
    # (about 1e-16 / 1e-6 = 1e-10) dominates a *relative* error: compare absolutely instead.
    z = np.array([[-12.0, -7.5, -5.5, 5.5, 7.5, 12.0]])
    act = activations.get(name)
    r = np.random.default_rng(0).standard_normal(z.shape)
    analytic = act.backward(r, z, act.forward(z))
    numeric = numerical_gradient(lambda: np.sum(act.forward(z) * r), z)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_numerical_derivative(name):
    act = activations.get(name)
    z = _away_from_kink(np.linspace(-5, 5, 41))
    np.testing.assert_allclose(act.derivative(z), numerical_derivative(act.forward, z), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ALL)
def test_stable_at_large_inputs(name):
    z = np.array([[-1000.0, -1.0, 0.0, 1.0, 1000.0]])
    act = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.forward(z)
        g = act.backward(np.ones_like(z), z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(g))


def test_known_values():
    assert activations.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(activations.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    np.testing.assert_allclose(activations.softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])
    np.testing.assert_allclose(activations.relu(np.array([-2.0, 3.0])), [0.0, 3.0])
    np.testing.assert_allclose(activations.leaky_relu(np.array([-2.0, 3.0])), [-0.4, 3.0])  # Keras 3 slope 0.2
    np.testing.assert_allclose(activations.softmax(np.array([0.0, np.log(3.0)])), [0.25, 0.75])


def test_softmax_jacobian_matches_numerical():
    z = np.array([0.3, -1.2, 2.0])
    sm = activations.Softmax()
    num = np.stack([numerical_derivative(lambda t, i=i: sm.forward(z + t * np.eye(3)[i]), 0.0) for i in range(3)], axis=1)
    np.testing.assert_allclose(sm.jacobian(z), num, atol=1e-9)


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(TypeError, match="jacobian"):
        activations.Softmax().derivative(np.zeros(3))


def test_unknown_name_suggests_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'relu'"):
        activations.get("rellu")
    with pytest.raises(ValueError, match="sigmoid"):
        activations.get("sigmod")
