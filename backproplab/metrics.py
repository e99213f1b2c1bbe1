"""Metrics reported by ``Sequential.fit`` and ``evaluate``: each maps a batch to per-sample values."""
import numpy as np

from .errors import unknown_name


def categorical_accuracy(y_true, y_pred):
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    y = np.asarray(y_true).reshape(len(y_pred))
    return (y == np.argmax(y_pred, axis=-1)).astype(np.float64)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    acc = (np.asarray(y_true) == (y_pred > threshold)).astype(np.float64)
    return acc.mean(axis=-1) if acc.ndim > 1 else acc


def mean_absolute_error(y_true, y_pred):
    d = np.abs(np.asarray(y_pred) - y_true)
    return d.mean(axis=-1) if d.ndim > 1 else d


_REGISTRY = {
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
}


def get(identifier, loss_name=None):
    """Return ``(name, function)``. ``'accuracy'`` picks the right kind from the loss, as Keras does."""
    if callable(identifier):
        return getattr(identifier, "__name__", "metric"), identifier
    if not isinstance(identifier, str):
        raise TypeError(f"A metric should be a name such as 'accuracy' or a function, not {type(identifier).__name__}.")
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        if loss_name == "sparse_categorical_crossentropy":
            return "accuracy", sparse_categorical_accuracy
        if loss_name == "binary_crossentropy":
            return "accuracy", binary_accuracy
        return "accuracy", categorical_accuracy
    if key in _REGISTRY:
        return key, _REGISTRY[key]
    raise unknown_name("metric", identifier, list(_REGISTRY) + ["accuracy"])
