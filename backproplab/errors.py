"""Errors that speak to a learner: what was expected, what came, and the likely fix.

Every error is also a standard Python exception (``ValueError``, ``TypeError``...), so
``except ValueError`` keeps working for people who already know NumPy.
"""
import difflib

import numpy as np


class BackproplabError(Exception):
    """Base class of every error raised on purpose by backproplab."""


class ShapeError(BackproplabError, ValueError):
    """An array had the wrong shape for where it was used."""


class DataError(BackproplabError, ValueError):
    """Training or evaluation data cannot be used as given (empty, NaN, wrong kind of labels)."""


class UnknownNameError(BackproplabError, ValueError):
    """A string such as ``'rellu'`` named nothing backproplab knows."""


class NotCompiledError(BackproplabError, RuntimeError):
    """A model was trained or evaluated before ``compile``."""


class DivergenceError(BackproplabError, FloatingPointError):
    """Training produced a NaN or infinite loss."""


def closest(name, choices):
    """The choice closest to ``name``, or ``None`` when nothing is close."""
    match = difflib.get_close_matches(str(name).lower(), [c.lower() for c in choices], n=1, cutoff=0.5)
    if not match:
        return None
    lowered = {c.lower(): c for c in choices}
    return lowered[match[0]]


def unknown_name(kind, name, choices):
    """Build an ``UnknownNameError`` that lists the choices and suggests the closest."""
    choices = sorted(set(choices))
    hint = closest(name, choices)
    msg = f"Unknown {kind} {name!r}."
    if hint is not None:
        msg += f" Did you mean {hint!r}?"
    msg += f" Known {kind} names: {', '.join(repr(c) for c in choices)}."
    return UnknownNameError(msg)


def as_float_array(x, name, dtype=None, allow_nonfinite=False):
    """Convert ``x`` to a float array, refusing empty data and NaN/infinity with a clear message."""
    try:
        arr = np.asarray(x, dtype=dtype) if dtype is not None else np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} could not be turned into a numeric array ({exc}). Expected numbers in a "
            "NumPy array or nested lists of equal lengths.") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise DataError(
            f"{name} should hold numbers but has dtype {arr.dtype}. Expected a numeric NumPy array; "
            "check for strings or ragged lists in your data.")
    if arr.size == 0:
        raise DataError(f"{name} is empty (shape {arr.shape}); there is nothing to learn from or predict. "
                        "Check how you loaded or split the data.")
    if dtype is None and not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    # a sum is finite when every entry is (or, rarely, overflows: then the full check decides)
    if not allow_nonfinite and not (np.isfinite(np.add.reduce(arr, axis=None)) or np.all(np.isfinite(arr))):
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise DataError(
            f"{name} contains {n_nan} NaN and {n_inf} infinite values; a network cannot learn from them. "
            "Remove or impute those entries (for example with np.nan_to_num or by dropping rows).")
    return arr
