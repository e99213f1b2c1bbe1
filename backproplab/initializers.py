"""Weight initializers, with Keras 3's names and formulas.

Every initializer is called as ``init(shape, rng=None, dtype=None)`` where ``rng`` is a
``numpy.random.Generator`` or an integer seed: nothing here touches NumPy's global random state.

Fans follow Keras: for a Dense kernel of shape ``(fan_in, fan_out)``; for a convolution kernel
of shape ``(kh, kw, in_channels, filters)``, ``fan_in = kh·kw·in_channels`` and
``fan_out = kh·kw·filters``.
"""
import numpy as np

from ._config import resolve_dtype
from .errors import unknown_name


def as_generator(rng=None):
    """A ``numpy.random.Generator`` from a Generator, a seed, or ``None`` (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng should be a numpy.random.Generator or an integer seed, not {type(rng).__name__}.")


def compute_fans(shape):
    shape = tuple(int(s) for s in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(rng, stddev, shape):
    """Normal(0, stddev) redrawn outside ±2 stddev, as Keras' TruncatedNormal."""
    out = rng.normal(0.0, stddev, size=shape)
    bad = np.abs(out) > 2 * stddev
    while bad.any():
        out[bad] = rng.normal(0.0, stddev, size=int(bad.sum()))
        bad = np.abs(out) > 2 * stddev
    return out


def zeros(shape, rng=None, dtype=None):
    return np.zeros(shape, dtype=resolve_dtype(dtype))


def ones(shape, rng=None, dtype=None):
    return np.ones(shape, dtype=resolve_dtype(dtype))


def glorot_uniform(shape, rng=None, dtype=None):
    """``U(−l, l)`` with ``l = √(6 / (fan_in + fan_out))``: Keras' default for Dense kernels."""
    fan_in, fan_out = compute_fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return as_generator(rng).uniform(-limit, limit, size=shape).astype(resolve_dtype(dtype))


def glorot_normal(shape, rng=None, dtype=None):
    """Truncated normal with stddev ``√(2 / (fan_in + fan_out))``, adjusted as Keras does."""
    fan_in, fan_out = compute_fans(shape)
    stddev = np.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
    return _truncated_normal(as_generator(rng), stddev, shape).astype(resolve_dtype(dtype))


def he_normal(shape, rng=None, dtype=None):
    """Truncated normal with stddev ``√(2 / fan_in)``: suited to ReLU layers."""
    fan_in, _ = compute_fans(shape)
    stddev = np.sqrt(2.0 / fan_in) / 0.87962566103423978
    return _truncated_normal(as_generator(rng), stddev, shape).astype(resolve_dtype(dtype))


def he_uniform(shape, rng=None, dtype=None):
    """``U(−l, l)`` with ``l = √(6 / fan_in)``."""
    fan_in, _ = compute_fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return as_generator(rng).uniform(-limit, limit, size=shape).astype(resolve_dtype(dtype))


def random_normal(shape, rng=None, dtype=None, stddev=0.05):
    """Normal(0, 0.05), Keras' RandomNormal default; shown in the notebooks as the 'naive' choice."""
    return as_generator(rng).normal(0.0, stddev, size=shape).astype(resolve_dtype(dtype))


def orthogonal(shape, rng=None, dtype=None):
    """A (semi-)orthogonal matrix: Keras' default for recurrent kernels."""
    rows = int(np.prod(shape[:-1]))
    cols = shape[-1]
    a = as_generator(rng).normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return np.ascontiguousarray(q[:rows, :cols].reshape(shape), dtype=resolve_dtype(dtype))


_REGISTRY = {
    "zeros": zeros,
    "ones": ones,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "random_normal": random_normal,
    "orthogonal": orthogonal,
}
_ALIASES = {"xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal"}


def get(identifier):
    """Turn a name such as ``'he_normal'`` or a callable into an initializer."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        key = _ALIASES.get(identifier.lower(), identifier.lower())
        if key in _REGISTRY:
            return _REGISTRY[key]
        raise unknown_name("initializer", identifier, list(_REGISTRY) + list(_ALIASES))
    raise TypeError(f"An initializer should be a name such as 'glorot_uniform' or a function, "
                    f"not {type(identifier).__name__}.")
