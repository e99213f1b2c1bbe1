"""Backpropagation one number at a time: the seed article's three-neuron network, and ``Value``.

What lives here, each piece small enough to read in one sitting:

``ThreeNeuronNet``
    The seed article's example written out as explicit scalar formulas: one input ``x1``, two
    sigmoid hidden neurons ``h1``, ``h2``, one sigmoid output ``o1``, no biases, and the error
    ``E = ½ (y − o1)²`` for a target ``y``::

        z_h1 = w11 · x1          h1 = σ(z_h1)
        z_h2 = w12 · x1          h2 = σ(z_h2)
        z_o1 = w21 · h1 + w22 · h2          o1 = σ(z_o1)
        E    = ½ (y − o1)²

    Backward, by the chain rule (``σ'(z) = σ(z)(1 − σ(z))``)::

        dE/do1   = o1 − y
        dE/dz_o1 = (o1 − y) · o1 (1 − o1)                 call it δ_o
        dE/dw21  = δ_o · h1
        dE/dw22  = δ_o · h2
        dE/dh1   = δ_o · w21          dE/dh2 = δ_o · w22
        dE/dz_h1 = δ_o · w21 · h1 (1 − h1)
        dE/dz_h2 = δ_o · w22 · h2 (1 − h2)
        dE/dw11  = δ_o · w21 · h1 (1 − h1) · x1
        dE/dw12  = δ_o · w22 · h2 (1 − h2) · x1

``seed_article_gradients``
    The seed article's printed formulas, kept on purpose so that a notebook can show a numerical
    check catching them. They are WRONG for ``w11`` and ``w12`` (the factors ``w21·h1(1−h1)`` and
    ``w22·h2(1−h2)`` are missing). Never train with them.

``Value``
    A scalar that remembers how it was computed, in the spirit of Karpathy's micrograd: each
    operation keeps its local derivative right beside its forward code, and ``backward()`` walks
    the graph in reverse topological order. Unlike micrograd, ``backward()`` first ZEROES the
    gradient of every node in the graph, so calling it twice gives the same gradients instead of
    silently doubling them.

``ThreeNeuronNet.numerical_gradients``
    The referee: central differences ``(E(w + ε) − E(w − ε)) / 2ε`` for each weight, computed by
    ``backproplab.gradcheck.numerical_gradient``.

Everything is plain Python ``float`` (float64); NumPy is used only for the stable sigmoid.
"""
import math
import numbers
from typing import NamedTuple

import numpy as np

from .activations import sigmoid as _np_sigmoid
from .gradcheck import numerical_gradient

__all__ = ["ThreeNeuronNet", "ForwardPass", "seed_article_gradients", "Value", "sigmoid"]

WEIGHT_NAMES = ("w11", "w12", "w21", "w22")


# ---------------------------------------------------------------------------------------- helpers
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)) for one number, as a Python float; stable at |z| = 1000.

    Reuses ``backproplab.activations.sigmoid``, which never calls ``exp`` on a large positive number.
    """
    return float(_np_sigmoid(np.float64(z)))


def _as_number(value, name, hint=""):
    """Turn ``value`` into a finite Python float, or raise an error that a learner can act on."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} should be a number, but got the boolean {value!r}. "
                        f"Write {float(value)!r} if you really mean that number.{hint}")
    if isinstance(value, str):
        try:
            float(value)
            suggestion = f" Did you mean float({value!r})?"
        except ValueError:
            suggestion = ""
        raise TypeError(f"{name} should be a number, but got the string {value!r}.{suggestion}{hint}")
    if isinstance(value, (list, tuple, np.ndarray)):
        shape = np.shape(value)
        raise TypeError(
            f"{name} should be a single number, but got a {type(value).__name__} of shape {shape}. "
            f"The three-neuron network has exactly one input; to learn from several examples, pass "
            f"them to train(...) or loop over them.{hint}")
    if isinstance(value, Value):
        raise TypeError(f"{name} should be a plain number, but got a Value; use {name}.data for its number.")
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} should be a real number (int or float), but got "
                        f"{type(value).__name__} {value!r}.{hint}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} should be a finite number, but got {value}. NaN or infinity usually "
                         f"means an earlier step diverged; try a smaller learning rate.{hint}")
    return value


def _as_learning_rate(learning_rate, legacy):
    if "lr" in legacy:
        raise TypeError("Use learning_rate=..., not lr=...: lr is the old Keras spelling that the seed article "
                        "uses; Keras 3 and backproplab call it learning_rate.")
    if legacy:
        raise TypeError(f"Unexpected keyword argument(s): {', '.join(sorted(legacy))}.")
    if learning_rate is None:
        raise TypeError("A learning rate is needed: pass learning_rate=..., for example learning_rate=0.5.")
    learning_rate = _as_number(learning_rate, "learning_rate")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate should be positive, but got {learning_rate}. Gradient descent "
                         "steps AGAINST the gradient with a positive step size, e.g. learning_rate=0.5.")
    return learning_rate


# ---------------------------------------------------------------------------- the network
class ForwardPass(NamedTuple):
    """Every intermediate value of one forward pass, in the order they are computed.

    ``z_*`` are pre-activations (weighted sums); ``h1, h2, o1`` are their sigmoids.
    A named tuple: ``fp.h1``, ``fp.as_dict()``, or unpack ``x1, z_h1, h1, z_h2, h2, z_o1, o1 = fp``.
    """

    x1: float
    z_h1: float
    h1: float
    z_h2: float
    h2: float
    z_o1: float
    o1: float

    def as_dict(self):
        return dict(zip(self._fields, self))

    def __repr__(self):
        inner = ", ".join(f"{k}={v:.6g}" for k, v in zip(self._fields, self))
        return f"ForwardPass({inner})"


class ThreeNeuronNet:
    """The seed article's network: ``x1 → (h1, h2) → o1``, sigmoid everywhere, no biases.

    Parameters
    ----------
    w11, w12 : float, optional
        weights from the input ``x1`` to the hidden neurons ``h1`` and ``h2``.
    w21, w22 : float, optional
        weights from ``h1`` and ``h2`` to the output ``o1``.
    seed : int or numpy.random.Generator, default 0
        where the weights not given come from: each is drawn from N(0, 1) by
        ``numpy.random.default_rng(seed)`` (never NumPy's global random state). All four are drawn
        in the order w11, w12, w21, w22 even when some are given, so giving one weight does not
        change the others.

    Examples
    --------
    >>> net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    >>> round(net.forward(1.0).o1, 6)
    0.641776
    >>> sorted(net.gradients(1.0, 0.0))
    ['w11', 'w12', 'w21', 'w22']
    """

    weight_names = WEIGHT_NAMES

    def __init__(self, w11=None, w12=None, w21=None, w22=None, *, seed=0):
        if isinstance(seed, np.random.Generator):
            rng = seed
        elif seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
            rng = np.random.default_rng(seed)
        else:
            raise TypeError(f"seed should be an integer or a numpy.random.Generator, not {type(seed).__name__}.")
        given = {"w11": w11, "w12": w12, "w21": w21, "w22": w22}
        if any(v is None for v in given.values()):
            drawn = [float(v) for v in rng.normal(0.0, 1.0, size=4)]
        else:
            drawn = [None] * 4
        for (name, value), default in zip(given.items(), drawn):
            setattr(self, name, default if value is None else _as_number(value, name))

    # -------------------------------------------------------------------- weights
    @property
    def weights(self):
        """The four weights as a dict ``{'w11': ..., 'w12': ..., 'w21': ..., 'w22': ...}`` (a copy)."""
        return {name: getattr(self, name) for name in WEIGHT_NAMES}

    def set_weights(self, weights):
        """Set weights from a dict (any subset of the four names) or a sequence of four numbers."""
        if isinstance(weights, dict):
            unknown = set(weights) - set(WEIGHT_NAMES)
            if unknown:
                raise KeyError(f"Unknown weight name(s) {sorted(unknown)}; the weights are {', '.join(WEIGHT_NAMES)}.")
            new = {k: _as_number(v, k) for k, v in weights.items()}
        else:
            values = list(weights)
            if len(values) != 4:
                raise ValueError(f"set_weights expected 4 numbers (w11, w12, w21, w22) but got {len(values)}.")
            new = {k: _as_number(v, k) for k, v in zip(WEIGHT_NAMES, values)}
        for k, v in new.items():
            setattr(self, k, v)
        return self

    def copy(self):
        return ThreeNeuronNet(**self.weights)

    def __repr__(self):
        inner = ", ".join(f"{k}={v:.6g}" for k, v in self.weights.items())
        return f"ThreeNeuronNet({inner})"

    # -------------------------------------------------------------------- forward
    def forward(self, x1):
        """The forward pass for one input; returns every intermediate value as a ``ForwardPass``."""
        x1 = _as_number(x1, "x1")
        z_h1 = self.w11 * x1
        h1 = sigmoid(z_h1)
        z_h2 = self.w12 * x1
        h2 = sigmoid(z_h2)
        z_o1 = self.w21 * h1 + self.w22 * h2
        o1 = sigmoid(z_o1)
        return ForwardPass(x1, z_h1, h1, z_h2, h2, z_o1, o1)

    def predict(self, x1):
        """Just the output ``o1`` for the input ``x1``."""
        return self.forward(x1).o1

    def error(self, x1, y):
        """``E = ½ (y − o1)²``: the seed article's error for one example with target ``y``."""
        y = _as_number(y, "y", hint=" (y is the TARGET, the output we want, not something the network computes)")
        o1 = self.forward(x1).o1
        return 0.5 * (y - o1) ** 2

    # -------------------------------------------------------------------- backward
    def backward(self, x1, y):
        """The gradient of ``E`` with respect to EVERY quantity in the network, by the chain rule.

        Returns a dict with keys ``'E'`` (always 1), ``'o1', 'z_o1', 'h1', 'h2', 'z_h1', 'z_h2'``
        and the four weights ``'w11', 'w12', 'w21', 'w22'``. Each value is ``dE/d(that quantity)``.
        """
        y = _as_number(y, "y", hint=" (y is the TARGET, the output we want, not something the network computes)")
        f = self.forward(x1)
        g = {"E": 1.0}
        g["o1"] = f.o1 - y                               # E = ½(y − o1)²
        g["z_o1"] = g["o1"] * f.o1 * (1.0 - f.o1)        # o1 = σ(z_o1)
        g["w21"] = g["z_o1"] * f.h1                      # z_o1 = w21·h1 + w22·h2
        g["w22"] = g["z_o1"] * f.h2
        g["h1"] = g["z_o1"] * self.w21
        g["h2"] = g["z_o1"] * self.w22
        g["z_h1"] = g["h1"] * f.h1 * (1.0 - f.h1)        # h1 = σ(z_h1)
        g["z_h2"] = g["h2"] * f.h2 * (1.0 - f.h2)        # h2 = σ(z_h2)
        g["w11"] = g["z_h1"] * f.x1                      # z_h1 = w11·x1
        g["w12"] = g["z_h2"] * f.x1                      # z_h2 = w12·x1
        return g

    def gradients(self, x1, y):
        """``{'w11': dE/dw11, 'w12': dE/dw12, 'w21': dE/dw21, 'w22': dE/dw22}`` for one example."""
        g = self.backward(x1, y)
        return {name: g[name] for name in WEIGHT_NAMES}

    def numerical_gradients(self, x1, y, eps=1e-6):
        """The same dict as ``gradients`` but by central differences: the referee, not the method.

        Uses ``backproplab.gradcheck.numerical_gradient`` on the four weights packed in an array;
        the network's own weights are left exactly as they were.
        """
        x1 = _as_number(x1, "x1")
        y = _as_number(y, "y")
        w = np.array([getattr(self, name) for name in WEIGHT_NAMES], dtype=np.float64)
        probe = ThreeNeuronNet(*w)

        def error():
            probe.w11, probe.w12, probe.w21, probe.w22 = (float(v) for v in w)
            return probe.error(x1, y)

        g = numerical_gradient(error, w, eps)
        return {name: float(v) for name, v in zip(WEIGHT_NAMES, g)}

    # -------------------------------------------------------------------- learning
    def step(self, x1, y, learning_rate=None, **legacy):
        """One gradient-descent update on one example; returns the error BEFORE the update.

        All four gradients are computed first and only then are the weights changed: ``dE/dw11``
        depends on ``w21``, so updating ``w21`` first would use a gradient of a different network.
        """
        learning_rate = _as_learning_rate(learning_rate, legacy)
        e = self.error(x1, y)
        grads = self.gradients(x1, y)
        new = {name: getattr(self, name) - learning_rate * grads[name] for name in WEIGHT_NAMES}
        if not all(math.isfinite(v) for v in new.values()):
            raise FloatingPointError(f"This step would make a weight infinite or NaN ({new}); "
                                     f"learning_rate={learning_rate} is far too large.")
        for name, value in new.items():
            setattr(self, name, value)
        return e

    def mean_error(self, x1, y):
        """Mean of ``½ (y − o1)²`` over examples (``x1``, ``y`` numbers or equal-length sequences)."""
        xs, ys = _as_examples(x1, y)
        return sum(self.error(a, b) for a, b in zip(xs, ys)) / len(xs)

    def train(self, x1, y, learning_rate=None, epochs=100, **legacy):
        """Gradient descent, one example at a time, as the seed article describes.

        ``x1`` and ``y`` are one number each or two sequences of the same length. Each epoch makes
        one ``step`` per example, in the order given. Returns the history of the mean error over
        all examples: ``history[0]`` before training and ``history[k]`` after ``k`` epochs, so the
        list has ``epochs + 1`` entries. Stops with ``FloatingPointError`` if the error becomes
        NaN or infinite.
        """
        learning_rate = _as_learning_rate(learning_rate, legacy)
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
            raise ValueError(f"epochs should be a whole number of at least 1, but got {epochs!r}.")
        xs, ys = _as_examples(x1, y)
        history = [self.mean_error(xs, ys)]
        for epoch in range(int(epochs)):
            for a, b in zip(xs, ys):
                self.step(a, b, learning_rate)
            history.append(self.mean_error(xs, ys))
            if not math.isfinite(history[-1]):
                raise FloatingPointError(f"The error became {history[-1]} in epoch {epoch + 1}; "
                                         f"learning_rate={learning_rate} is probably too large.")
        return history


def _as_examples(x1, y):
    def listify(v, name):
        if isinstance(v, (list, tuple, np.ndarray)) and np.ndim(v) > 0:
            if np.ndim(v) != 1:
                raise TypeError(f"{name} should be one number or a flat sequence of numbers, but got shape {np.shape(v)}.")
            return [_as_number(item, f"{name}[{i}]") for i, item in enumerate(v)]
        return [_as_number(v, name)]

    xs, ys = listify(x1, "x1"), listify(y, "y")
    if len(xs) == 0:
        raise ValueError("No examples: x1 and y are empty.")
    if len(xs) != len(ys):
        raise ValueError(f"x1 has {len(xs)} examples but y has {len(ys)}; each input needs exactly one target.")
    return xs, ys


def seed_article_gradients(net, x1, y):
    """THE SEED ARTICLE'S FORMULAS, REPRODUCED AS PRINTED. WRONG FOR w11 AND w12. Do not train with them.

    The article writes::

        d_error/d_w21 = (o1 - y) * o1 * (1 - o1) * h1       right (but its chain goes via d_h1/d_w21)
        d_error/d_w22 = (o1 - y) * o1 * (1 - o1) * h2       right
        d_error/d_w11 = (o1 - y) * o1 * (1 - o1) * x1       WRONG: misses w21 * h1 * (1 - h1)
        d_error/d_w12 = (o1 - y) * o1 * (1 - o1) * x1       WRONG: misses w22 * h2 * (1 - h2)

    Kept so that a notebook and a test can show a numerical gradient check catching them.
    Returns a dict keyed like ``ThreeNeuronNet.gradients``.
    """
    y = _as_number(y, "y")
    f = net.forward(x1)
    common = (f.o1 - y) * f.o1 * (1.0 - f.o1)
    return {"w11": common * f.x1, "w12": common * f.x1, "w21": common * f.h1, "w22": common * f.h2}


# ------------------------------------------------------------------------------- autodiff
class Value:
    """A number that remembers how it was made, so that ``backward()`` can apply the chain rule.

    ``data`` is the number, ``grad`` is d(output)/d(this) after the output's ``backward()``.
    Supported: ``+ - * /`` with numbers or Values, ``** number``, ``exp()``, ``log()``,
    ``sigmoid()``, ``tanh()``, ``relu()``.

    ``backward()`` zeroes ``grad`` on every node of the graph below the output before it
    propagates, so it can be called again (for instance after changing ``data`` and rebuilding)
    without gradients piling up. Inside one ``backward()`` gradients DO add up (``+=``): a node
    used twice, as in ``x * x``, gets both contributions, which is the multivariable chain rule.
    The flip side: ``a.backward()`` then ``b.backward()`` on graphs that share nodes leaves the
    shared nodes with ``b``'s gradients only. To differentiate a sum of losses, build the sum
    and call ``backward()`` on it once.
    """

    __slots__ = ("data", "grad", "label", "_op", "_prev", "_backward")

    def __init__(self, data, label="", _children=(), _op=""):
        self.data = _as_number(data, "Value(data)")
        self.grad = 0.0
        self.label = str(label)
        self._op = _op
        self._prev = tuple(_children)
        self._backward = lambda: None

    @staticmethod
    def _lift(other):
        if isinstance(other, Value):
            return other
        return Value(_as_number(other, "the other operand"), label="const")

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other):
        other = self._lift(other)
        out = Value(self.data + other.data, _children=(self, other), _op="+")

        def _backward():                       # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._lift(other)
        out = Value(self.data * other.data, _children=(self, other), _op="×")

        def _backward():                       # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported; only a constant exponent such as x ** 2 "
                            "or x ** -1. For a variable exponent write (b * a.log()).exp().")
        n = _as_number(exponent, "the exponent")
        if self.data == 0 and n < 1:
            raise ZeroDivisionError(f"0 ** {n:g} has no finite value or derivative.")
        if self.data < 0 and not float(n).is_integer():
            raise ValueError(f"{self.data:g} ** {n:g} is not a real number (negative base, fractional exponent).")
        out = Value(self.data ** n, _children=(self,), _op=f"**{n:g}")

        def _backward():                       # d(aⁿ)/da = n aⁿ⁻¹
            self.grad += n * self.data ** (n - 1) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        out = Value(-self.data, _children=(self,), _op="neg")

        def _backward():                       # d(−a)/da = −1
            self.grad -= out.grad
        out._backward = _backward
        return out

    def __sub__(self, other):
        other = self._lift(other)
        out = Value(self.data - other.data, _children=(self, other), _op="−")

        def _backward():                       # d(a−b)/da = 1, d(a−b)/db = −1
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = self._lift(other)
        if other.data == 0:
            raise ZeroDivisionError("division by a Value whose data is 0")
        out = Value(self.data / other.data, _children=(self, other), _op="÷")

        def _backward():                       # d(a/b)/da = 1/b, d(a/b)/db = −a/b²
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    # ------------------------------------------------------------ functions
    def exp(self):
        if self.data > 709.0:
            raise OverflowError(f"exp({self.data:g}) overflows a float64.")
        e = math.exp(self.data)
        out = Value(e, _children=(self,), _op="exp")

        def _backward():                       # d(eᵃ)/da = eᵃ
            self.grad += e * out.grad
        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log({self.data:g}) is undefined: log needs a positive number.")
        out = Value(math.log(self.data), _children=(self,), _op="log")

        def _backward():                       # d(ln a)/da = 1/a
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def sigmoid(self):
        s = sigmoid(self.data)
        out = Value(s, _children=(self,), _op="σ")

        def _backward():                       # σ'(a) = σ(a)(1 − σ(a))
            self.grad += s * (1.0 - s) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, _children=(self,), _op="tanh")

        def _backward():                       # tanh'(a) = 1 − tanh(a)²
            self.grad += (1.0 - t * t) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, _children=(self,), _op="ReLU")

        def _backward():                       # 1 for a > 0, 0 otherwise (0 at the kink, as in Keras)
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    # ------------------------------------------------------------ graph
    def topological_order(self):
        """Every node this Value depends on (itself included), each after all of its inputs."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:                           # iterative DFS: deep graphs do not hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for child in reversed(node._prev):
                if id(child) not in seen:
                    stack.append((child, False))
        return order

    def zero_grad(self):
        """Set ``grad = 0`` on this node and everything it depends on."""
        for node in self.topological_order():
            node.grad = 0.0

    def backward(self):
        """Fill ``grad`` of every node below with d(self)/d(node); earlier gradients are zeroed first."""
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"
