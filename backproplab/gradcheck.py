"""Numerical gradients: the referee for every analytic gradient in the course.

Central differences, ``(f(x + ε) − f(x − ε)) / 2ε``, have an error of order ``ε²``; in float64
with ``ε = 1e-6`` a correct analytic gradient typically agrees to a relative error of 1e-9 or
better, while a wrong one is off by 1e-2 or more. In float32 rounding swamps the difference,
which is why every check here insists on float64.

Tolerances used by the course's tests: ``1e-7`` for elementwise functions, losses and single
layers, ``1e-6`` for whole models.
"""
import numpy as np

from .errors import BackproplabError

LAYER_TOLERANCE = 1e-7
MODEL_TOLERANCE = 1e-6


class GradientCheckError(BackproplabError, AssertionError):
    """An analytic gradient disagreed with the numerical one."""


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``f`` takes no argument and reads ``x``, which is perturbed in place one entry at a time and
    restored afterwards. Returns an array of ``x``'s shape.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"numerical_gradient needs a float array to perturb, got dtype {x.dtype}.")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient needs a contiguous array it can perturb in place.")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = flat[i]  # the step really taken: in float32, old + eps is rounded
        f_plus = float(f())
        flat[i] = old - eps
        down = flat[i]
        f_minus = float(f())
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / float(up - down)
    return grad


def numerical_derivative(f, x, eps=1e-6):
    """Central difference of a scalar function of a scalar (or elementwise over an array)."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def relative_error(analytic, numeric):
    """``‖a − n‖ / (‖a‖ + ‖n‖)``, and 0 when both are exactly zero."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {n.shape}.")
    den = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if den == 0 else float(np.linalg.norm(a - n) / den)


def _require_float64(what, dtype):
    if np.dtype(dtype) != np.float64:
        raise TypeError(
            f"Gradient checks need float64 but {what} uses {np.dtype(dtype).name}: central differences in "
            "float32 lose about half their digits. Call backproplab.set_floatx('float64') before building "
            "it, or pass dtype='float64'.")


def check_activation(activation, z, eps=1e-6):
    """Relative error of ``activation.backward`` against central differences at ``z``."""
    z = np.array(z, dtype=np.float64)
    rng = np.random.default_rng(0)
    r = rng.standard_normal(z.shape)
    a = activation.forward(z)
    analytic = activation.backward(r, z, a)
    numeric = numerical_gradient(lambda: np.sum(activation.forward(z) * r), z, eps)
    return relative_error(analytic, numeric)


def check_loss(loss, y_true, y_pred, eps=1e-6, fused=False):
    """Relative error of a loss gradient with respect to ``y_pred`` (or the logits, ``fused=True``)."""
    from . import activations

    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.array(y_pred, dtype=np.float64)
    if not fused:
        analytic = loss.gradient(y_true, y_pred)
        numeric = numerical_gradient(lambda: loss(y_true, y_pred), y_pred, eps)
    else:
        act = activations.get(loss.fuses_with)
        z = y_pred  # interpreted as logits
        analytic = loss.fused_gradient(y_true, act.forward(z))
        numeric = numerical_gradient(lambda: loss(y_true, act.forward(z)), z, eps)
    return relative_error(analytic, numeric)


def check_layer(layer, x, eps=1e-6, seed=0):
    """Check every parameter gradient of ``layer`` and its input gradient at the batch ``x``.

    Uses the scalar ``L = Σ output ⊙ R`` for a fixed random ``R``, so ``dL/doutput = R``.
    Returns ``{name: relative error}`` with one entry per parameter and ``'input'``.
    """
    x = np.array(x, dtype=np.float64)
    if not layer.built:
        layer.build(x.shape[1:], rng=seed)
    _require_float64(repr(layer), layer.dtype)
    out = layer.forward(x, training=True)
    r = np.random.default_rng(seed).standard_normal(out.shape)
    keep = layer.need_input_grad
    layer.need_input_grad = True
    try:
        dx = layer.backward(r)
    finally:
        layer.need_input_grad = keep
    analytic = {k: g.copy() for k, g in layer.grads.items()}

    def loss():
        return np.sum(layer.forward(x, training=True) * r)

    report = {}
    for name, p in layer.params.items():
        report[name] = relative_error(analytic[name], numerical_gradient(loss, p, eps))
    report["input"] = relative_error(dx, numerical_gradient(loss, x, eps))
    layer.forward(x, training=True)  # leave the cache consistent with the unperturbed weights
    return report


def check_model(model, x, y, eps=1e-6, max_entries=None, seed=0):
    """Check every parameter gradient of a compiled ``Sequential`` on the batch ``(x, y)``.

    ``max_entries`` limits the numerical check to that many randomly chosen entries per
    parameter (the rest is skipped), to keep large models quick. Returns ``{'layer.param': error}``.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64) if not np.issubdtype(np.asarray(y).dtype, np.integer) else np.asarray(y)
    _, grads = model.compute_gradients(x, y)
    rng = np.random.default_rng(seed)
    report = {}
    for (label, p), g in zip(model.named_parameters(), grads):
        _require_float64(label, p.dtype)
        if max_entries is None or p.size <= max_entries:
            report[label] = relative_error(g, numerical_gradient(lambda: model.compute_loss(x, y), p, eps))
            continue
        idx = rng.choice(p.size, size=max_entries, replace=False)
        flat = p.reshape(-1)
        num = np.empty(max_entries)
        for j, i in enumerate(idx):
            old = flat[i]
            flat[i] = old + eps
            fp = model.compute_loss(x, y)
            flat[i] = old - eps
            fm = model.compute_loss(x, y)
            flat[i] = old
            num[j] = (fp - fm) / (2 * eps)
        report[label] = relative_error(g.reshape(-1)[idx], num)
    return report


def assert_gradients_close(report, tolerance=LAYER_TOLERANCE):
    """Raise ``GradientCheckError`` naming every entry of ``report`` above ``tolerance``."""
    bad = {k: v for k, v in report.items() if not (v <= tolerance)}
    if bad:
        lines = ", ".join(f"{k}: {v:.2e}" for k, v in bad.items())
        raise GradientCheckError(f"Analytic and numerical gradients disagree (relative error above "
                                 f"{tolerance:.0e}): {lines}.")
    return report
