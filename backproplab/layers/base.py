"""The ``Layer`` contract that every layer in backproplab follows.

A layer is called on a batch. Shapes below list the batch axis ``N`` first; the ``input_shape``
a layer is built with leaves it out (as in Keras).

``build(input_shape, rng=None)``
    create the parameters for inputs of shape ``(N, *input_shape)``. Called automatically by the
    first ``forward`` (or by ``Sequential``); ``rng`` is a ``numpy.random.Generator`` or seed.
``forward(x, training=True)``
    compute the output and keep in ``self.cache`` what ``backward`` needs.
``backward(grad_out)``
    take ``dL/d(output)`` (same shape as the output), fill ``self.grads[name]`` with ``dL/dparam``
    for every ``name`` in ``self.params``, and return ``dL/d(input)``. When
    ``need_input_grad`` is False (``Sequential`` sets it on the first layer) it returns ``None``
    and skips that product: nobody needs the gradient with respect to the data.

``params`` and ``grads`` are dicts of arrays in Keras' weight order; ``get_weights()`` and
``set_weights()`` use the same order as ``keras.layers.X.get_weights()``.
"""
import numpy as np

from .._config import resolve_dtype
from ..errors import ShapeError
from ..initializers import as_generator


class Layer:
    """Base class. Subclasses override ``build``, ``forward``, ``backward`` and
    ``compute_output_shape`` (and ``_describe_input`` for better error messages)."""

    def __init__(self, name=None, dtype=None, input_shape=None, seed=None):
        self.name = name or _auto_name(type(self).__name__)
        self.dtype = resolve_dtype(dtype)
        self._requested_input_shape = tuple(input_shape) if input_shape is not None else None
        self.seed = seed
        self.params = {}
        self.grads = {}
        self.cache = None
        self.built = False
        self.input_shape = None
        self.need_input_grad = True

    # ------------------------------------------------------------------ building
    def build(self, input_shape, rng=None):
        self.input_shape = tuple(int(s) for s in input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    @property
    def output_shape(self):
        if not self.built:
            raise RuntimeError(f"{self.name} is not built yet, so its output shape is not known.")
        return self.compute_output_shape(self.input_shape)

    def _rng(self, rng):
        return as_generator(self.seed if self.seed is not None else rng)

    def _build_kernel_and_bias(self, kernel_shape, rng):
        """Dense's and Conv2D's parameters: ``kernel`` from ``kernel_initializer``, then (with
        ``use_bias``) ``bias`` of the last axis' size from ``bias_initializer``; zeroed gradients."""
        def make(init, shape):
            return np.asarray(init(shape, rng=rng, dtype=self.dtype), dtype=self.dtype)

        self.params = {"kernel": make(self.kernel_initializer, tuple(kernel_shape))}
        if self.use_bias:
            self.params["bias"] = make(self.bias_initializer, (kernel_shape[-1],))
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    # ------------------------------------------------------------------ calling
    def __call__(self, x, training=False):
        x = self._prepare_input(x)
        return self.forward(x, training=training)

    def _prepare_input(self, x):
        x = np.asarray(x)
        if not self.built:
            self.build(x.shape[1:])
        self.check_input(x)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        return x

    def check_input(self, x):
        """Raise a ``ShapeError`` a learner can act on when ``x`` does not fit this layer."""
        expected = self.input_shape
        if expected is None:
            return
        if x.ndim != len(expected) + 1 or tuple(x.shape[1:]) != expected:
            raise ShapeError(
                f"{self!r} expected inputs of shape (batch, {', '.join(map(str, expected))}) "
                f"but got an array of shape {tuple(x.shape)}.{self._shape_hint(x)}")

    def _shape_hint(self, x):
        if x.ndim == len(self.input_shape):
            return (" It looks like a single sample without the batch axis: "
                    "use x[None] or x.reshape(1, -1) to make a batch of one.")
        if x.ndim > len(self.input_shape) + 1:
            return " Did you forget to flatten the inputs (a Flatten layer or x.reshape(len(x), -1))?"
        return ""

    #: True when ``backward(grad, skip_activation=True)`` accepts ``dL/dz`` for the layer's own
    #: activation, so that ``Sequential`` may use a loss's fused gradient such as ``(p − y)/N``.
    fuses_activation = False

    def forward(self, x, training=True):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    # ------------------------------------------------------------------ weights
    def get_weights(self):
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights):
        weights = list(weights)
        names = list(self.params)
        if not self.built:
            raise RuntimeError(f"{self.name} is not built yet: call the model on data, or give the first "
                               "layer input_shape=..., before set_weights.")
        if len(weights) != len(names):
            raise ShapeError(f"{self.name} has {len(names)} weight arrays ({', '.join(names)}) "
                             f"but set_weights got {len(weights)}.")
        checked = []
        for name, w in zip(names, weights):
            w = np.asarray(w)
            if w.shape != self.params[name].shape:
                raise ShapeError(
                    f"{self.name}.{name} has shape {self.params[name].shape} but set_weights got "
                    f"shape {w.shape}." + (" Is it transposed?" if w.shape[::-1] == self.params[name].shape else ""))
            checked.append(w)
        for name, w in zip(names, checked):  # only write once everything is known to fit
            self.params[name][...] = w

    def count_params(self):
        return int(sum(p.size for p in self.params.values()))

    def gradient_norms(self):
        """``{name: ‖dL/dparam‖₂}`` from the last ``backward``: handy to watch gradients vanish."""
        return {k: float(np.linalg.norm(g)) for k, g in self.grads.items()}

    def __repr__(self):
        return f"{type(self).__name__}()"


_COUNTS = {}


def _auto_name(cls_name):
    """Keras' automatic names: Dense -> dense, dense_1, ...; Conv2D -> conv2d; SimpleRNN -> simple_rnn."""
    import re

    base = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", cls_name)
    base = re.sub(r"([a-z])([A-Z])", r"\1_\2", base).lower()
    _COUNTS[base] = _COUNTS.get(base, 0) + 1
    n = _COUNTS[base]
    return base if n == 1 else f"{base}_{n - 1}"
