"""Dense, Activation, Flatten and Reshape."""
import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from ..errors import ShapeError
from .base import Layer


class Dense(Layer):
    """A fully connected layer: ``a = f(x @ kernel + bias)``.

    Shapes: ``x`` (N, D) → ``a`` (N, units); ``kernel`` (D, units); ``bias`` (units,).
    Inputs with more axes are treated as Keras does: the product acts on the last axis.

    Backward, with ``z = x @ kernel + bias`` and ``g = dL/da``::

        dz      = f.backward(g, z, a)      # g * f'(z) for elementwise f
        dkernel = xᵀ @ dz                  # (D, units)
        dbias   = Σ_n dz                   # (units,)
        dx      = dz @ kernelᵀ             # (N, D), skipped when need_input_grad is False
    """

    fuses_activation = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", input_dim=None, input_shape=None, **kwargs):
        if input_dim is not None:
            input_shape = (input_dim,)
        super().__init__(input_shape=input_shape, **kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units < 1:
            raise ValueError(f"Dense(units) expects a positive whole number of neurons, got {units!r}.")
        self.units = int(units)
        self.activation = _activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)

    def build(self, input_shape, rng=None):
        super().build(input_shape)
        rng = self._rng(rng)
        self._build_kernel_and_bias((self.input_shape[-1], self.units), rng)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def check_input(self, x):
        d = self.input_shape[-1]
        if x.ndim < 2 or x.shape[-1] != d or x.shape[1:-1] != self.input_shape[:-1]:
            hint = ""
            if x.ndim > 2 and int(np.prod(x.shape[1:])) == d:
                hint = " Did you forget to flatten the inputs (a Flatten layer, or x.reshape(len(x), -1))?"
            elif x.ndim == 1:
                hint = " That looks like one sample without the batch axis: use x.reshape(1, -1)."
            elif x.ndim >= 2 and x.shape[-1] != d:
                hint = (f" Check the data, or build the layer for {x.shape[-1]} features "
                        f"(input_shape=({x.shape[-1]},)).")
            raise ShapeError(
                f"{self!r} expected inputs with {d} features (shape (batch, {d})) but got shape "
                f"{tuple(x.shape)} with {x.shape[-1] if x.ndim else 0} features.{hint}")

    def forward(self, x, training=True):
        z = x @ self.params["kernel"]
        if self.use_bias:
            z += self.params["bias"]
        a = self.activation.forward(z)
        self.cache = (x, z, a)
        return a

    def backward(self, grad_out, skip_activation=False):
        x, z, a = self.cache
        dz = grad_out if skip_activation else self.activation.backward(grad_out, z, a)
        x2 = x.reshape(-1, x.shape[-1])
        dz2 = dz.reshape(-1, dz.shape[-1])
        np.matmul(x2.T, dz2, out=self.grads["kernel"])
        if self.use_bias:
            dz2.sum(axis=0, out=self.grads["bias"])
        if not self.need_input_grad:
            return None
        return dz @ self.params["kernel"].T

    def __repr__(self):
        act = self.activation.name
        return f"Dense({self.units}" + (f", activation='{act}')" if act != "linear" else ")")


class Activation(Layer):
    """Applies an activation on its own: ``Activation('relu')``."""

    fuses_activation = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def forward(self, x, training=True):
        a = self.activation.forward(x)
        self.cache = (x, a)
        return a

    def backward(self, grad_out, skip_activation=False):
        if skip_activation:
            return grad_out
        x, a = self.cache
        return self.activation.backward(grad_out, x, a)

    def __repr__(self):
        return f"Activation('{self.activation.name}')"


class Flatten(Layer):
    """(N, d1, d2, ...) → (N, d1·d2·...). Backward reshapes the gradient back."""

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, x, training=True):
        self.cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        if not self.need_input_grad:
            return None
        return grad_out.reshape(self.cache)

    def __repr__(self):
        return "Flatten()"


class Reshape(Layer):
    """(N, *input_shape) → (N, *target_shape); one entry of ``target_shape`` may be -1."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(s) for s in target_shape)

    def compute_output_shape(self, input_shape):
        size = int(np.prod(input_shape))
        target = list(self.target_shape)
        if target.count(-1) == 1:
            known = int(np.prod([t for t in target if t != -1]))
            target[target.index(-1)] = size // known if known else 0
        if int(np.prod(target)) != size:
            raise ShapeError(f"Reshape{self.target_shape} cannot hold inputs of shape {tuple(input_shape)}: "
                             f"{size} values do not fit {int(np.prod(target))}.")
        return tuple(target)

    def build(self, input_shape, rng=None):
        super().build(input_shape)
        self.compute_output_shape(self.input_shape)

    def forward(self, x, training=True):
        self.cache = x.shape
        return x.reshape((x.shape[0],) + self.compute_output_shape(x.shape[1:]))

    def backward(self, grad_out):
        if not self.need_input_grad:
            return None
        return grad_out.reshape(self.cache)

    def __repr__(self):
        return f"Reshape({self.target_shape})"
