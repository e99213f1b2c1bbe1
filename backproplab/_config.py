"""Package-wide settings: the default float type (Keras' ``floatx``)."""
import numpy as np

_FLOATX = "float32"
_ALLOWED = ("float16", "float32", "float64")


def floatx():
    """The default float type of new layers and models, as a string (``'float32'``)."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type: ``'float32'`` (the default, as in Keras) or ``'float64'``.

    Gradient checks want ``'float64'``: central differences in float32 lose about half the digits.
    """
    global _FLOATX
    value = np.dtype(value).name if not isinstance(value, str) else value
    if value not in _ALLOWED:
        raise ValueError(
            f"set_floatx expected one of {', '.join(_ALLOWED)} but got {value!r}; "
            "use 'float64' for gradient checks and 'float32' for speed.")
    _FLOATX = value


def resolve_dtype(dtype):
    """``None`` means the package default; anything NumPy understands otherwise."""
    return np.dtype(floatx() if dtype is None else dtype)
