import numpy as np
import pytest

from backproplab import Dense, initializers
from backproplab.gradcheck import (GradientCheckError, assert_gradients_close, check_layer, numerical_gradient,
                                   relative_error)


def test_numerical_gradient_of_known_functions():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(numerical_gradient(lambda: np.sum(x ** 3), x), 3 * x ** 2, rtol=1e-8)
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(numerical_gradient(lambda: np.sum(np.sin(a)), a), np.cos(a), rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # restored after perturbing


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
    assert relative_error(np.array([1.0, 0]), np.array([1.01, 0])) == pytest.approx(0.01 / 2.01)


def test_check_layer_refuses_float32():
    layer = Dense(2)
    layer.build((3,), rng=0)
    with pytest.raises(TypeError, match="float64"):
        check_layer(layer, np.ones((2, 3)))


def test_checker_catches_a_planted_bug():
    class ForgotActivationDerivative(Dense):
        def backward(self, grad_out, skip_activation=False):
            return super().backward(grad_out, skip_activation=True)

    layer = ForgotActivationDerivative(3, activation="sigmoid", dtype="float64")
    report = check_layer(layer, np.random.default_rng(0).normal(size=(4, 5)))
    with pytest.raises(GradientCheckError, match="kernel.*bias.*input"):
        assert_gradients_close(report)


@pytest.mark.parametrize("name,shape", [("glorot_uniform", (30, 20)), ("he_normal", (50, 40)),
                                        ("glorot_normal", (50, 40)), ("he_uniform", (30, 20)),
                                        ("orthogonal", (20, 20)), ("zeros", (3, 4))])
def test_initializers_are_seeded_and_have_the_keras_scale(name, shape):
    init = initializers.get(name)
    a, b = init(shape, rng=1), init(shape, rng=1)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32 and a.shape == shape
    fan_in, fan_out = shape
    big = init((400, 300), rng=np.random.default_rng(2), dtype="float64")
    expected_std = {"glorot_uniform": np.sqrt(2 / 700), "glorot_normal": np.sqrt(2 / 700),
                    "he_normal": np.sqrt(2 / 400), "he_uniform": np.sqrt(2 / 400)}.get(name)
    if expected_std is not None:
        assert big.std() == pytest.approx(expected_std, rel=0.03)
    if name == "orthogonal":
        np.testing.assert_allclose(a.T @ a, np.eye(20), atol=1e-5)
    if name == "zeros":
        assert not a.any()


def test_initializers_do_not_touch_global_state():
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    initializers.glorot_uniform((5, 5), rng=None)
    assert np.random.random() == before


def test_conv_fans():
    assert initializers.compute_fans((3, 3, 8, 16)) == (72, 144)


def test_unknown_initializer():
    with pytest.raises(ValueError, match="Did you mean 'he_normal'"):
        initializers.get("he_norml")
