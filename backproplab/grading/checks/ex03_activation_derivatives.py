"""Checks for ex03: derivatives of the activations (reference: ``backproplab.activations``)."""
import numpy as np

from ... import activations as act
from ..core import FunctionQuestion, register


def _z(rng, n=9, scale=3.0):
    z = rng.normal(scale=scale, size=n)
    z[:3] = [0.0, 1.0, -1.0]  # the kink and two easy points are always there
    return {"z": z}


def _z_slope(rng, n=9, slope=0.2):
    return {**_z(rng, n), "negative_slope": float(slope)}


def _sigmoid_mistakes(z):
    s = act.sigmoid(z)
    return [("you returned σ(z) itself, not its derivative σ(z)(1 − σ(z)).", s),
            ("σ'(z) is σ(z)(1 − σ(z)), not 1 − σ(z).", 1 - s),
            ("σ'(z) is σ(z)(1 − σ(z)), not σ(z)(1 + σ(z)).", s * (1 + s)),
            ("σ'(z) is σ(z)(1 − σ(z)), not z(1 − z): apply the sigmoid first.", z * (1 - z))]


def _tanh_mistakes(z):
    t = np.tanh(z)
    return [("you returned tanh(z) itself, not its derivative 1 − tanh(z)².", t),
            ("tanh'(z) is 1 − tanh(z)², squared: you used 1 − tanh(z).", 1 - t),
            ("tanh'(z) is 1 − tanh(z)², not 1 − z²: apply tanh first.", 1 - z * z)]


def _relu_mistakes(z):
    return [("at z = 0 use 0, as Keras does (ReLU has a kink there; any value in [0, 1] is a "
             "subgradient, and the convention is 0).", (z >= 0).astype(float)),
            ("you returned ReLU(z) itself, not its derivative (1 for z > 0, 0 otherwise).", np.maximum(z, 0))]


def _leaky_mistakes(z, negative_slope):
    return [("for z < 0 the derivative is the slope, not 0: that is the plain ReLU's derivative.",
             (z > 0).astype(float)),
            ("the slope applies to z < 0 and 1 to z > 0: you have them the other way round.",
             np.where(z > 0, negative_slope, 1.0)),
            ("at z = 0 use the slope (Keras' convention: the z > 0 branch is strict).",
             np.where(z >= 0, 1.0, negative_slope)),
            ("you returned the activation itself, not its derivative.", np.where(z > 0, z, negative_slope * z))]


q1 = FunctionQuestion("sigmoid_prime", _z, lambda z: act.Sigmoid().derivative(np.asarray(z, float)),
                      public=[{"seed": 0}], mistakes=_sigmoid_mistakes)
q2 = FunctionQuestion("tanh_prime", _z, lambda z: act.Tanh().derivative(z), public=[{"seed": 1}],
                      mistakes=_tanh_mistakes)
q3 = FunctionQuestion("relu_prime", _z, lambda z: act.ReLU().derivative(z).astype(float), public=[{"seed": 2}],
                      mistakes=_relu_mistakes)
q4 = FunctionQuestion("leaky_relu_prime", _z_slope,
                      lambda z, negative_slope: act.LeakyReLU(negative_slope).derivative(z).astype(float),
                      public=[{"seed": 3}], mistakes=_leaky_mistakes)

register(globals(), "ex03_activation_derivatives")
