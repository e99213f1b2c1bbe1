"""Checks for ex08: a gradient checker of one's own (reference: analytic gradients, and
``backproplab.gradcheck.relative_error``)."""
import numpy as np

from ...gradcheck import relative_error
from ..core import ChoiceQuestion, FunctionQuestion, register


class TestFunction:
    """f(x) = Σ sin(a·x) + ½(b·x)² + Σ c·x³/3 over the entries of x, with its exact gradient."""

    def __init__(self, a, b, c):
        self.a, self.b, self.c = a, b, c

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        return float(np.sum(np.sin(self.a * x)) + 0.5 * np.sum(self.b * x) ** 2 + np.sum(self.c * x ** 3) / 3)

    def gradient(self, x):
        return self.a * np.cos(self.a * x) + self.b * np.sum(self.b * x) + self.c * x ** 2

    def __repr__(self):
        return "TestFunction(...)"


def _inputs(rng, shape=(2, 3)):
    shape = tuple(shape)
    f = TestFunction(rng.uniform(0.5, 2, size=shape), rng.normal(size=shape), rng.normal(size=shape))
    return {"f": f, "x": rng.normal(size=shape)}


def _forward_difference(f, x, eps):
    out = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += eps
        out[i] = (f(xp) - f0) / eps
    return out


def _gradient_mistakes(f, x):
    eps = 1e-5
    fp, fm = f(x + eps), f(x - eps)
    return [("this is a forward difference (f(x + ε) − f(x)) / ε, whose error is of order ε; the central "
             "difference (f(x + ε) − f(x − ε)) / 2ε is far more accurate.", _forward_difference(f, x, eps)),
            ("divide by 2ε: the two evaluations are 2ε apart.", 2 * f.gradient(x)),
            ("you moved every entry of x at once; move one entry at a time and keep the others fixed.",
             np.full(x.shape, (fp - fm) / (2 * eps)))]


def _rel_inputs(rng, shape=(3, 2), zero=False, close=False):
    if zero:
        return {"a": np.zeros(shape), "b": np.zeros(shape)}
    a = rng.normal(size=shape)
    b = a + (1e-6 if close else 0.3) * rng.normal(size=shape)
    return {"a": a, "b": b}


def _rel_mistakes(a, b):
    with np.errstate(all="ignore"):
        return [("use norms of the whole arrays, ‖a − b‖ / (‖a‖ + ‖b‖), as backproplab.gradcheck does, not "
                 "an elementwise maximum.", float(np.max(np.abs(a - b) / np.maximum(1e-12, np.abs(a) + np.abs(b))))),
                ("divide by ‖a‖ + ‖b‖, so the error does not depend on which array you call a.",
                 float(np.linalg.norm(a - b) / np.linalg.norm(a))),
                ("divide by ‖a‖ + ‖b‖, the sum of the two norms, not the norm of the sum.",
                 float(np.linalg.norm(a - b) / np.linalg.norm(a + b)))]


def _rel_zero(answer, a, b):
    if not np.any(a) and not np.any(b) and not (np.size(answer) == 1 and float(np.asarray(answer, float).ravel()[0]) == 0):
        return "when both arrays are all zeros they agree perfectly: return 0 (not NaN)."
    return None


q1 = FunctionQuestion("numerical_gradient", _inputs, lambda f, x: f.gradient(x), public=[{"seed": 0}],
                      mistakes=_gradient_mistakes, rtol=1e-7, atol=1e-8)
q2 = FunctionQuestion("relative_error", _rel_inputs, lambda a, b: relative_error(a, b),
                      public=[{"seed": 1}, {"seed": 2, "zero": True}], mistakes=_rel_mistakes, extra_check=_rel_zero)
q3 = ChoiceQuestion("buggy", "B", ["A", "B", "C"],
                    hints={"A": "A passes a careful gradient check; compare each one with numerical_gradient "
                                "using relative_error.",
                           "C": "C passes a careful gradient check (it only looks different); compare each one with "
                                "numerical_gradient using relative_error."}, what="implementation")

register(globals(), "ex08_gradient_checker")
