"""Loss functions, each with its gradient, following Keras 3's definitions.

Every loss object ``L`` gives:

``L(y_true, y_pred)``
    the loss of a batch: the mean over the ``N`` samples of the per-sample loss;
``L.gradient(y_true, y_pred)``
    ``dL/dy_pred``, same shape as ``y_pred``, already divided by ``N``;
``L.value_and_gradient(y_true, y_pred)``
    both at once.

Losses that pair with an output activation (softmax with categorical cross-entropy, sigmoid
with binary cross-entropy) also give ``fused_gradient(y_true, y_pred)``: the gradient with
respect to the *pre-activation* ``z``, which simplifies to ``(p − y)/N``. ``Sequential`` uses it
automatically; it is both faster and stable where ``p`` rounds to 0 or 1.

The plain functions (``categorical_crossentropy(y_true, y_pred)`` ...) return the per-sample
losses, shape ``(N,)``, as Keras' functions do.
"""
import numpy as np

from .errors import DataError, ShapeError, unknown_name

EPSILON = 1e-7  # Keras' backend.epsilon(): probabilities are clipped to [ε, 1 − ε]


def _pair(y_true, y_pred, name):
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true, dtype=y_pred.dtype if y_pred.dtype.kind == "f" else None)
    if y_true.shape != y_pred.shape:
        hint = ""
        if y_true.ndim == 1 and y_pred.ndim == 2 and y_pred.shape[1] == 1 and len(y_true) == len(y_pred):
            hint = " Reshape the targets with y.reshape(-1, 1)."
        elif y_true.ndim == 1 and y_pred.ndim == 2 and len(y_true) == len(y_pred):
            hint = (" The targets look like integer class labels: one-hot encode them with "
                    "backproplab.datasets.to_categorical(y) or use 'sparse_categorical_crossentropy'.")
        raise ShapeError(f"{name} expected targets of the same shape as the predictions {y_pred.shape} "
                         f"but got targets of shape {y_true.shape}.{hint}")
    return y_true, y_pred


def _positions(y_pred):
    """How many per-position losses the batch mean runs over: N, or N·T for sequence outputs."""
    return y_pred.size // y_pred.shape[-1] if y_pred.ndim > 1 else y_pred.size


def _normalise_and_clip(p):
    """Keras' first two steps: ``q = p / Σp``, then clip ``q`` to ``[ε, 1 − ε]``."""
    q = p / p.sum(axis=-1, keepdims=True)
    np.maximum(q, EPSILON, out=q)
    np.minimum(q, 1 - EPSILON, out=q)
    return q


class Loss:
    name = "loss"
    fuses_with = None  # name of the output activation whose gradient this loss can fuse

    def per_sample(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred):
        return float(self.per_sample(y_true, y_pred).mean())

    def gradient(self, y_true, y_pred):
        raise NotImplementedError

    def value_and_gradient(self, y_true, y_pred):
        return self(y_true, y_pred), self.gradient(y_true, y_pred)

    def check_targets(self, y_true, y_pred_shape):
        """Validate targets before training; raise an error a learner can act on."""
        y_true = np.asarray(y_true)
        if y_true.shape != tuple(y_pred_shape):
            _pair(np.zeros(y_true.shape), np.zeros(y_pred_shape), self.name)

    def __repr__(self):
        return f"{type(self).__name__}()"


class HalfSquaredError(Loss):
    """``½ Σ_k (y_k − o_k)²`` per sample: the seed article's error. Gradient ``(o − y)/N``."""

    name = "half_squared_error"

    def per_sample(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        d = y_pred - y_true
        return 0.5 * np.sum(d * d, axis=tuple(range(1, d.ndim))) if d.ndim > 1 else 0.5 * d * d

    def gradient(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        return (y_pred - y_true) / len(y_pred)


class MeanSquaredError(Loss):
    """``mean_k (y_k − o_k)²`` per sample (Keras' ``'mse'``). Gradient ``2(o − y)/(N·K)`` (``N·K`` = every entry)."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        d = y_pred - y_true
        return np.mean(d * d, axis=-1) if d.ndim > 1 else d * d

    def gradient(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        return 2.0 * (y_pred - y_true) / y_pred.size  # the mean runs over every entry


class BinaryCrossentropy(Loss):
    """``−mean_k [y log p + (1 − y) log(1 − p)]`` with ``p`` clipped to ``[ε, 1 − ε]``.

    Gradient ``(p − y) / (p (1 − p)) / (N·K)`` (zero where ``p`` was clipped, as in Keras);
    fused with a sigmoid output: ``(p − y)/(N·K)`` with respect to ``z``.
    """

    name = "binary_crossentropy"
    fuses_with = "sigmoid"

    def per_sample(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        ll = y_true * np.log(p) + (1 - y_true) * np.log(1 - p)
        return -np.mean(ll, axis=-1) if ll.ndim > 1 else -ll

    def gradient(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        inside = (y_pred > EPSILON) & (y_pred < 1 - EPSILON)
        return np.where(inside, (p - y_true) / (p * (1 - p)), 0.0).astype(y_pred.dtype) / y_pred.size

    def fused_gradient(self, y_true, y_pred):
        return (y_pred - y_true) / y_pred.size

    def check_targets(self, y_true, y_pred_shape):
        super().check_targets(y_true, y_pred_shape)
        y = np.asarray(y_true)
        if np.any((y < 0) | (y > 1)):
            raise DataError("binary_crossentropy expects targets between 0 and 1 (class 0 or 1, or a "
                            f"probability) but got values from {y.min()} to {y.max()}. For several classes "
                            "use 'categorical_crossentropy' with one-hot targets.")


class CategoricalCrossentropy(Loss):
    """``−Σ_k y_k log p_k`` per sample, for one-hot (or probability) targets.

    As in Keras, ``p`` is first renormalised to sum to 1 and clipped to ``[ε, 1 − ε]``.
    Gradient with respect to ``p`` (``s = Σ p``, ``q = p/s``, clipped entries get 0)::

        dL/dp_j = (−y_j/q_j + Σ_i y_i) / s / N

    Fused with a softmax output, with respect to the logits ``z``: ``(p · Σy − y)/N``,
    which is ``(p − y)/N`` for one-hot targets.
    """

    name = "categorical_crossentropy"
    fuses_with = "softmax"

    def per_sample(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        return -(y_true * np.log(_normalise_and_clip(y_pred))).sum(axis=-1)

    def gradient(self, y_true, y_pred):
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        s = np.sum(y_pred, axis=-1, keepdims=True)
        q = y_pred / s
        inside = (q > EPSILON) & (q < 1 - EPSILON)
        dq = np.where(inside, -y_true / np.where(inside, q, 1.0), 0.0)
        dp = (dq - np.sum(dq * q, axis=-1, keepdims=True)) / s
        return (dp / _positions(y_pred)).astype(y_pred.dtype, copy=False)

    def fused_gradient(self, y_true, y_pred):
        g = y_pred * y_true.sum(axis=-1, keepdims=True)
        g -= y_true
        g *= 1.0 / _positions(y_pred)
        return g

    def check_targets(self, y_true, y_pred_shape):
        y = np.asarray(y_true)
        n_classes = y_pred_shape[-1]
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and n_classes > 1):
            looks_int = np.issubdtype(y.dtype, np.integer) or (np.all(np.mod(y, 1) == 0))
            if looks_int:
                raise DataError(
                    f"categorical_crossentropy expects one-hot targets of shape (N, {n_classes}) but got "
                    f"integer class labels of shape {y.shape}. Either one-hot encode them with "
                    "backproplab.datasets.to_categorical(y, num_classes="
                    f"{n_classes}), or use loss='sparse_categorical_crossentropy' which takes the labels as they are.")
        super().check_targets(y_true, y_pred_shape)
        if np.any(y < 0):
            raise DataError("categorical_crossentropy targets must be non-negative (one-hot rows or "
                            f"probabilities) but the smallest value is {y.min()}.")


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer class labels ``y`` of shape ``(N,)`` or ``(N, 1)``."""

    name = "sparse_categorical_crossentropy"
    fuses_with = "softmax"

    def _labels(self, y_true, n):
        y = np.asarray(y_true)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or len(y) != n:
            raise ShapeError(f"sparse_categorical_crossentropy expected integer labels of shape ({n},) but got "
                             f"shape {y.shape}. If your targets are one-hot, use 'categorical_crossentropy'.")
        return y.astype(np.intp)

    def per_sample(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        y = self._labels(y_true, len(y_pred))
        return -np.log(_normalise_and_clip(y_pred)[np.arange(len(y)), y])

    def gradient(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        onehot = np.zeros_like(y_pred)
        onehot[np.arange(len(y_pred)), self._labels(y_true, len(y_pred))] = 1
        return CategoricalCrossentropy().gradient(onehot, y_pred)

    def fused_gradient(self, y_true, y_pred):
        g = y_pred.copy()
        g[np.arange(len(g)), self._labels(y_true, len(g))] -= 1
        g /= len(g)
        return g

    def check_targets(self, y_true, y_pred_shape):
        y = np.asarray(y_true)
        labels = self._labels(y, y.shape[0])
        n_classes = y_pred_shape[-1]
        if y.ndim == 2 and y.shape[1] == n_classes and n_classes > 1:
            raise DataError("sparse_categorical_crossentropy expects integer labels, but the targets look one-hot "
                            f"(shape {y.shape}); use 'categorical_crossentropy' for those.")
        if np.any(np.mod(y, 1) != 0) or labels.min() < 0 or labels.max() >= n_classes:
            raise DataError(f"sparse_categorical_crossentropy expects whole-number labels from 0 to {n_classes - 1} "
                            f"but got values from {y.min()} to {y.max()}. Does the output layer have one unit per class?")


def mean_squared_error(y_true, y_pred):
    return MeanSquaredError().per_sample(y_true, y_pred)


def half_squared_error(y_true, y_pred):
    return HalfSquaredError().per_sample(y_true, y_pred)


def binary_crossentropy(y_true, y_pred):
    return BinaryCrossentropy().per_sample(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred):
    return CategoricalCrossentropy().per_sample(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred):
    return SparseCategoricalCrossentropy().per_sample(y_true, y_pred)


_REGISTRY = {
    "half_squared_error": HalfSquaredError,
    "mean_squared_error": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
_ALIASES = {"mse": "mean_squared_error"}


def get(identifier):
    """Turn ``'categorical_crossentropy'``, ``'mse'``, a class or an instance into a loss object."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        key = _ALIASES.get(identifier.lower(), identifier.lower())
        if key in _REGISTRY:
            return _REGISTRY[key]()
        raise unknown_name("loss", identifier, list(_REGISTRY) + list(_ALIASES))
    raise TypeError(f"A loss should be a name such as 'categorical_crossentropy' or a Loss object, "
                    f"not {type(identifier).__name__}.")
