"""Checks for ex01: the chain rule on small computational graphs (reference: ``backproplab.scalar.Value``)."""
import numpy as np

from ...activations import sigmoid
from ...scalar import Value
from ..core import FunctionQuestion, register


def _numbers(rng, names, low=-2.0, high=2.0):
    return {n: float(rng.uniform(low, high)) for n in names}


def _grads(f, **values):
    """Value and gradients of a scalar graph built from ``Value``s (the library's little autodiff)."""
    nodes = {k: Value(v) for k, v in values.items()}
    out = f(**nodes)
    out.backward()
    return (out.data,) + tuple(nodes[k].grad for k in values)


# q1: f = (x + y) * z
def _ref1(x, y, z):
    return _grads(lambda x, y, z: (x + y) * z, x=x, y=y, z=z)


def _mistakes1(x, y, z):
    return [("you stopped at the local derivative ∂q/∂x = 1: multiply it by the upstream gradient "
             "∂f/∂q = z (the chain rule).", (None, 1.0, 1.0, None)),
            ("f itself is wrong: it is (x + y)·z, the sum first.", (x + y * z, None, None, None))]


# q2: L = ½ (σ(w x + b) − t)²
def _ref2(w, x, b, t):
    _, dw, dx, db, _ = _grads(lambda w, x, b, t: 0.5 * ((w * x + b).sigmoid() - t) ** 2, w=w, x=x, b=b, t=t)
    return dw, db, dx


def _mistakes2(w, x, b, t):
    s = float(sigmoid(np.float64(w * x + b)))
    d = s - t
    return [("you forgot the sigmoid's derivative σ'(a) = s(1 − s) on the path through a = w·x + b.",
             (d * x, d, d * w)),
            ("you used σ'(a) = σ(a) instead of σ(a)(1 − σ(a)).", (d * s * x, d * s, d * s * w)),
            ("you swapped the roles of w and x: ∂a/∂w = x and ∂a/∂x = w.",
             (d * s * (1 - s) * w, None, d * s * (1 - s) * x))]


# q3: u = x·y, v = x + y, f = u·v: x and y reach f along two paths each
def _ref3(x, y):
    return _grads(lambda x, y: (x * y) * (x + y), x=x, y=y)[1:]


def _mistakes3(x, y):
    u, v = x * y, x + y
    return [("you followed only the path through u = x·y; x also reaches f through v = x + y. "
             "Add the contributions of all paths.", (y * v, x * v)),
            ("you followed only the path through v = x + y; x also reaches f through u = x·y. "
             "Add the contributions of all paths.", (u, u)),
            ("you multiplied the contributions of the two paths; the chain rule ADDS them.", (y * v * u, x * v * u))]


q1 = FunctionQuestion("forward_backward", lambda rng: _numbers(rng, "xyz"), _ref1,
                      outputs=("f", "df_dx", "df_dy", "df_dz"), public=[{"seed": 0}], mistakes=_mistakes1)
q2 = FunctionQuestion("neuron_grads", lambda rng: {**_numbers(rng, "wxb"), "t": float(rng.uniform(0, 1))}, _ref2,
                      outputs=("dL_dw", "dL_db", "dL_dx"), public=[{"seed": 1}], mistakes=_mistakes2)
q3 = FunctionQuestion("two_path_grads", lambda rng: _numbers(rng, "xy"), _ref3,
                      outputs=("df_dx", "df_dy"), public=[{"seed": 2}], mistakes=_mistakes3)

register(globals(), "ex01_chain_rule")
