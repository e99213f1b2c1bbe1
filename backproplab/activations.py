"""Activation functions, each with its derivative written right beside it.

Every activation is an object with three methods:

``forward(z)``
    the value ``a = f(z)``, elementwise (softmax: along the last axis);
``derivative(z)``
    ``f'(z)`` elementwise (not defined for softmax, whose derivative is a Jacobian);
``backward(grad_a, z, a)``
    the chain rule: given ``dL/da`` return ``dL/dz``. For elementwise activations this is
    ``grad_a * f'(z)``; for softmax it is ``a * (grad_a - sum(grad_a * a))``.

The plain functions ``sigmoid(z)``, ``relu(z)``... are shortcuts for ``forward``.
All are numerically stable: no overflow warning and no NaN at ``|z| = 1000``.
"""
import numpy as np

from .errors import unknown_name


class Activation:
    """Base class: subclasses define ``forward`` and ``derivative`` (or ``backward``)."""

    name = "activation"
    elementwise = True

    def forward(self, z):
        raise NotImplementedError

    def derivative(self, z):
        raise NotImplementedError

    def backward(self, grad_a, z, a):
        return grad_a * self.derivative(z)

    def __call__(self, z):
        return self.forward(z)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Activation):
    """``f(z) = z``; ``f'(z) = 1``. Keras' ``'linear'`` (and ``None``)."""

    name = "linear"

    def forward(self, z):
        return z

    def derivative(self, z):
        return np.ones_like(z)

    def backward(self, grad_a, z, a):
        return grad_a


class Sigmoid(Activation):
    """``σ(z) = 1 / (1 + e^(−z))``; ``σ'(z) = σ(z)(1 − σ(z))``.

    Computed as ``e^(−|z|)`` based branches so that ``exp`` never overflows.
    """

    name = "sigmoid"

    def forward(self, z):
        z = np.asarray(z)
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(z, np.float32), copy=False)

    def derivative(self, z):
        s = self.forward(z)
        return s * (1 - s)

    def backward(self, grad_a, z, a):
        return grad_a * a * (1 - a)


class Tanh(Activation):
    """``tanh(z)``; ``tanh'(z) = 1 − tanh(z)²``."""

    name = "tanh"

    def forward(self, z):
        return np.tanh(z)

    def derivative(self, z):
        t = np.tanh(z)
        return 1 - t * t

    def backward(self, grad_a, z, a):
        return grad_a * (1 - a * a)


class ReLU(Activation):
    """``max(0, z)``; derivative 1 for ``z > 0`` and 0 otherwise (0 at the kink, as in Keras)."""

    name = "relu"

    def forward(self, z):
        return np.maximum(z, 0)

    def derivative(self, z):
        return (np.asarray(z) > 0).astype(np.result_type(z, np.float32))

    def backward(self, grad_a, z, a):
        return grad_a * (z > 0)


class LeakyReLU(Activation):
    """``z`` for ``z > 0`` and ``negative_slope · z`` otherwise (Keras 3's default slope 0.2)."""

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = float(negative_slope)

    def forward(self, z):
        return np.where(z > 0, z, self.negative_slope * z)

    def derivative(self, z):
        return np.where(np.asarray(z) > 0, 1.0, self.negative_slope).astype(np.result_type(z, np.float32))

    def backward(self, grad_a, z, a):
        return np.where(z > 0, grad_a, self.negative_slope * grad_a)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Softmax(Activation):
    """``softmax(z)_i = e^(z_i) / Σ_j e^(z_j)`` along the last axis.

    Shifting by ``max(z)`` changes nothing mathematically and keeps ``exp`` finite.
    Its Jacobian is ``diag(a) − a aᵀ``, so ``dL/dz = a ⊙ (dL/da − ⟨dL/da, a⟩)``.
    """

    name = "softmax"
    elementwise = False

    def forward(self, z):
        z = np.asarray(z)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def derivative(self, z):
        raise TypeError(
            "softmax has no elementwise derivative: each output depends on every input. "
            "Use Softmax().jacobian(z) for the full matrix, or backward(grad_a, z, a) for the chain rule.")

    def jacobian(self, z):
        """The matrix ``∂a_i/∂z_j = a_i (δ_ij − a_j)`` for a single vector ``z``."""
        a = self.forward(np.asarray(z, dtype=float).ravel())
        return np.diag(a) - np.outer(a, a)

    def backward(self, grad_a, z, a):
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


_REGISTRY = {
    "linear": Linear,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
}


def get(identifier):
    """Turn ``'relu'``, ``None``, a class or an instance into an activation object."""
    if identifier is None:
        return Linear()
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Activation):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _REGISTRY:
            return _REGISTRY[key]()
        raise unknown_name("activation", identifier, _REGISTRY)
    raise TypeError(f"An activation should be a name such as 'relu' or an Activation object, "
                    f"not {type(identifier).__name__}.")


def sigmoid(z):
    return Sigmoid().forward(z)


def tanh(z):
    return Tanh().forward(z)


def relu(z):
    return ReLU().forward(z)


def leaky_relu(z, negative_slope=0.2):
    return LeakyReLU(negative_slope).forward(z)


def softmax(z):
    return Softmax().forward(z)


def linear(z):
    return Linear().forward(z)


def sigmoid_derivative(z):
    return Sigmoid().derivative(z)


def tanh_derivative(z):
    return Tanh().derivative(z)


def relu_derivative(z):
    return ReLU().derivative(z)


def leaky_relu_derivative(z, negative_slope=0.2):
    return LeakyReLU(negative_slope).derivative(z)
