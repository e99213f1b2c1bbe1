"""backproplab.scalar: the three-neuron network's gradients, the seed's wrong formulas, and ``Value``.

The references here are independent of the code under test: central differences written out in
this file (float64, and a 50-digit ``decimal`` version whose round-off is negligible), never the
network's own ``numerical_gradients``.
"""
import decimal
import doctest
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backproplab import scalar
from backproplab.gradcheck import relative_error
from backproplab.scalar import ThreeNeuronNet, Value, seed_article_gradients

NAMES = ("w11", "w12", "w21", "w22")

weight = st.floats(-3.0, 3.0, allow_nan=False)
inputs = st.floats(-2.0, 2.0, allow_nan=False)
targets = st.floats(0.0, 1.0, allow_nan=False)


def not_tiny(v):
    return v == 0 or abs(v) > 1e-9


# ----------------------------------------------------------------------------- references
def error_by_formula(w, x1, y):
    """E = ½(y − o1)², written independently of the library (math.exp, plain floats)."""
    s = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731  (|z| ≤ 6 in these tests: no overflow)
    h1, h2 = s(w["w11"] * x1), s(w["w12"] * x1)
    o1 = s(w["w21"] * h1 + w["w22"] * h2)
    return 0.5 * (y - o1) ** 2


def central_differences(w, x1, y, eps=1e-6):
    out = {}
    for k in NAMES:
        plus, minus = dict(w), dict(w)
        plus[k] += eps
        minus[k] -= eps
        out[k] = (error_by_formula(plus, x1, y) - error_by_formula(minus, x1, y)) / (2 * eps)
    return out


def central_differences_50_digits(w, x1, y):
    """Central differences in 50-digit decimal arithmetic with eps = 1e-20: error ~1e-30."""
    D = decimal.Decimal
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        s = lambda z: 1 / (1 + (-z).exp())  # noqa: E731

        def err(v):
            h1, h2 = s(v["w11"] * D(x1)), s(v["w12"] * D(x1))
            o1 = s(v["w21"] * h1 + v["w22"] * h2)
            return (D(y) - o1) ** 2 / 2

        wd = {k: D(v) for k, v in w.items()}
        eps = D("1e-20")
        out = {}
        for k in NAMES:
            plus, minus = dict(wd), dict(wd)
            plus[k] += eps
            minus[k] -= eps
            out[k] = float((err(plus) - err(minus)) / (2 * eps))
    return out


# ---------------------------------------------------------------------------- forward pass
def test_forward_matches_the_seed_equations():
    net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    f = net.forward(0.7)
    s = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    assert f.z_h1 == pytest.approx(0.35) and f.h1 == pytest.approx(s(0.35), rel=1e-15)
    assert f.z_h2 == pytest.approx(-0.21) and f.h2 == pytest.approx(s(-0.21), rel=1e-15)
    assert f.z_o1 == pytest.approx(0.8 * s(0.35) + 0.2 * s(-0.21), rel=1e-15)
    assert f.o1 == pytest.approx(s(f.z_o1), rel=1e-15)
    assert net.error(0.7, 0.2) == pytest.approx(0.5 * (0.2 - f.o1) ** 2, rel=1e-15)
    assert list(f.as_dict()) == ["x1", "z_h1", "h1", "z_h2", "h2", "z_o1", "o1"]
    assert "o1=" in repr(f) and all(isinstance(v, float) for v in f)


def test_sigmoid_is_stable_at_large_inputs():
    net = ThreeNeuronNet(w11=1.0, w12=-1.0, w21=1.0, w22=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = net.forward(1000.0)
        assert (f.h1, f.h2) == (1.0, 0.0)
        assert scalar.sigmoid(-1000.0) == 0.0 and scalar.sigmoid(1000.0) == 1.0
        assert math.isfinite(net.gradients(1000.0, 0.0)["w11"])


def test_default_weights_are_seeded_and_leave_the_global_state_alone():
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    a, b = ThreeNeuronNet(), ThreeNeuronNet()
    assert a.weights == b.weights
    assert np.random.random() == before                  # NumPy's global generator was not used
    assert ThreeNeuronNet(seed=1).weights != a.weights
    assert ThreeNeuronNet(seed=np.random.default_rng(1)).weights == ThreeNeuronNet(seed=1).weights
    # giving one weight does not shift the others' draws
    partial = ThreeNeuronNet(w21=5.0, seed=1)
    assert partial.w21 == 5.0 and partial.w11 == ThreeNeuronNet(seed=1).w11


# ---------------------------------------------------------------------- gradients, checked
@settings(max_examples=300, deadline=None)
@given(weight, weight, weight, weight, inputs, targets)
def test_gradients_match_central_differences_float64(w11, w12, w21, w22, x1, y):
    net = ThreeNeuronNet(w11, w12, w21, w22)
    assume(abs(net.forward(x1).o1 - y) > 1e-3)           # else every gradient is round-off sized
    analytic = net.gradients(x1, y)
    numeric = central_differences(net.weights, x1, y)
    a = [analytic[k] for k in NAMES]
    n = [numeric[k] for k in NAMES]
    assert relative_error(a, n) <= 1e-7, (analytic, numeric)


@settings(max_examples=200, deadline=None)
@given(*[s.filter(not_tiny) for s in (weight, weight, weight, weight, inputs)], targets)
def test_every_gradient_matches_high_precision_differences(w11, w12, w21, w22, x1, y):
    """Each of the four gradients on its own, against a reference with no float64 round-off.

    (A factor below 1e-9 in size, such as x1 = 1e-295, would make the perturbation smaller than
    the 50 digits can resolve with eps = 1e-20; exact zeros are fine and are kept.)
    """
    net = ThreeNeuronNet(w11, w12, w21, w22)
    assume(abs(net.forward(x1).o1 - y) > 1e-6)           # (o1 − y) itself loses digits below that
    analytic = net.gradients(x1, y)
    exact = central_differences_50_digits(net.weights, x1, y)
    for k in NAMES:
        assert abs(analytic[k] - exact[k]) <= 1e-7 * abs(exact[k]) + 1e-300, (k, analytic[k], exact[k])


def test_backward_gives_every_intermediate_gradient():
    net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    x1, y, eps = 0.7, 0.2, 1e-6
    g = net.backward(x1, y)
    f = net.forward(x1)
    s = scalar.sigmoid
    # perturb each intermediate quantity and recompute only what comes after it
    after = {
        "o1": lambda v: 0.5 * (y - v) ** 2,
        "z_o1": lambda v: 0.5 * (y - s(v)) ** 2,
        "h1": lambda v: 0.5 * (y - s(0.8 * v + 0.2 * f.h2)) ** 2,
        "h2": lambda v: 0.5 * (y - s(0.8 * f.h1 + 0.2 * v)) ** 2,
        "z_h1": lambda v: 0.5 * (y - s(0.8 * s(v) + 0.2 * f.h2)) ** 2,
        "z_h2": lambda v: 0.5 * (y - s(0.8 * f.h1 + 0.2 * s(v))) ** 2,
    }
    for name, fn in after.items():
        v = getattr(f, name)
        numeric = (fn(v + eps) - fn(v - eps)) / (2 * eps)
        assert relative_error(g[name], numeric) <= 1e-7, name
    assert g["E"] == 1.0


def test_numerical_gradients_method_agrees_and_restores_the_weights():
    net = ThreeNeuronNet(seed=3)
    before = net.weights
    num = net.numerical_gradients(0.4, 0.9)
    assert net.weights == before
    ref = central_differences(before, 0.4, 0.9)
    assert relative_error([num[k] for k in NAMES], [ref[k] for k in NAMES]) <= 1e-9


# ------------------------------------------------------------------- the seed's formulas
def test_seed_article_formulas_disagree_with_the_numerical_gradient():
    """The lesson of notebook 03: a gradient check catches the seed's w11 and w12 formulas."""
    net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    numeric = central_differences(net.weights, 0.7, 0.2)
    seed = seed_article_gradients(net, 0.7, 0.2)
    assert relative_error(seed["w21"], numeric["w21"]) <= 1e-7     # right
    assert relative_error(seed["w22"], numeric["w22"]) <= 1e-7     # right
    assert relative_error(seed["w11"], numeric["w11"]) > 0.5       # wrong
    assert relative_error(seed["w12"], numeric["w12"]) > 0.5       # wrong
    # wrong by exactly the missing factors w21·h1(1−h1) and w22·h2(1−h2)
    f = net.forward(0.7)
    assert seed["w11"] * 0.8 * f.h1 * (1 - f.h1) == pytest.approx(numeric["w11"], rel=1e-7)
    assert seed["w12"] * 0.2 * f.h2 * (1 - f.h2) == pytest.approx(numeric["w12"], rel=1e-7)


@settings(max_examples=100, deadline=None)
@given(weight, weight, weight, weight, inputs.filter(lambda v: abs(v) > 0.1), targets)
def test_seed_w11_formula_is_wrong_in_general(w11, w12, w21, w22, x1, y):
    net = ThreeNeuronNet(w11, w12, w21, w22)
    assume(abs(net.forward(x1).o1 - y) > 1e-3)
    seed = seed_article_gradients(net, x1, y)
    right = net.gradients(x1, y)
    # w21·h1(1−h1) is at most 3/4 in magnitude here, so the seed's value is always too large
    assert abs(seed["w11"]) > abs(right["w11"]) * (4 / 3) * 0.999


# ---------------------------------------------------------------------------------- learning
def test_step_moves_against_the_gradient_and_returns_the_error_before():
    net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    before = net.weights
    grads = net.gradients(0.7, 0.2)
    e0 = net.error(0.7, 0.2)
    returned = net.step(0.7, 0.2, learning_rate=0.1)
    assert returned == e0
    for k in NAMES:
        assert net.weights[k] == pytest.approx(before[k] - 0.1 * grads[k], rel=1e-15)
    assert net.error(0.7, 0.2) < e0


def test_step_computes_all_gradients_before_updating_any_weight():
    """dE/dw11 depends on w21: a sequential update (w21 first) would give a different w11."""
    net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    g = net.gradients(0.7, 0.2)
    net.step(0.7, 0.2, learning_rate=5.0)
    assert net.w11 == pytest.approx(0.5 - 5.0 * g["w11"], rel=1e-15)


def test_training_reduces_the_error():
    net = ThreeNeuronNet(seed=0)
    history = net.train(0.7, 0.2, learning_rate=1.0, epochs=200)
    assert len(history) == 201
    assert history[-1] < 0.01 * history[0]
    assert all(b <= a + 1e-15 for a, b in zip(history, history[1:]))   # small steps: monotone here


def test_training_on_several_examples():
    net = ThreeNeuronNet(seed=0)
    history = net.train([0.1, 0.5, 0.9], [0.3, 0.5, 0.7], learning_rate=1.0, epochs=300)
    assert history[-1] < 0.5 * history[0]
    assert history[0] == pytest.approx(ThreeNeuronNet(seed=0).mean_error([0.1, 0.5, 0.9], [0.3, 0.5, 0.7]))


def test_seed_formulas_train_worse_than_the_right_ones():
    """With the seed's w11/w12 gradients the error is not minimised as well from the same start."""
    xs, ys = [-1.0, 1.0], [0.9, 0.1]
    right = ThreeNeuronNet(w11=1.0, w12=-0.5, w21=0.3, w22=0.6)
    seed_net = right.copy()
    right.train(xs, ys, learning_rate=0.5, epochs=300)
    for _ in range(300):
        for x, y in zip(xs, ys):
            g = seed_article_gradients(seed_net, x, y)
            seed_net.set_weights({k: seed_net.weights[k] - 0.5 * g[k] for k in NAMES})
    assert right.mean_error(xs, ys) < seed_net.mean_error(xs, ys)


# ---------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad, exc, words", [
    ("0.5", TypeError, ["x1 should be a number", "float('0.5')"]),
    ("abc", TypeError, ["x1 should be a number", "'abc'"]),
    ([0.1, 0.2], TypeError, ["single number", "shape (2,)", "train"]),
    (np.array([0.1, 0.2]), TypeError, ["single number", "shape (2,)"]),
    (None, TypeError, ["real number", "NoneType"]),
    (True, TypeError, ["boolean"]),
    (float("nan"), ValueError, ["finite", "nan"]),
    (float("inf"), ValueError, ["finite", "inf"]),
])
def test_bad_x1_messages(bad, exc, words):
    net = ThreeNeuronNet()
    with pytest.raises(exc) as info:
        net.forward(bad)
    for w in words:
        assert w in str(info.value)


def test_numpy_scalars_are_fine():
    net = ThreeNeuronNet()
    assert net.forward(np.float32(0.5)).o1 == net.forward(0.5).o1 == net.forward(np.array(0.5)).o1


def test_bad_target_and_weights_messages():
    net = ThreeNeuronNet()
    with pytest.raises(TypeError, match="y is the TARGET"):
        net.error(0.5, "1")
    with pytest.raises(TypeError, match="w21 should be a number"):
        ThreeNeuronNet(w21="0.3")
    with pytest.raises(TypeError, match="seed should be an integer"):
        ThreeNeuronNet(seed=0.5)
    with pytest.raises(KeyError, match="w33"):
        net.set_weights({"w33": 1.0})
    with pytest.raises(ValueError, match="expected 4 numbers"):
        net.set_weights([1.0, 2.0])


def test_bad_learning_settings_messages():
    net = ThreeNeuronNet()
    before = net.weights
    with pytest.raises(TypeError, match="learning_rate=") as info:
        net.step(0.5, 0.5, lr=0.1)
    assert "lr" in str(info.value)
    with pytest.raises(ValueError, match="positive"):
        net.step(0.5, 0.5, learning_rate=-0.1)
    with pytest.raises(ValueError, match="epochs"):
        net.train(0.5, 0.5, learning_rate=0.1, epochs=0)
    with pytest.raises(ValueError, match="x1 has 3 examples but y has 2"):
        net.train([0.1, 0.2, 0.3], [0.1, 0.2], learning_rate=0.1)
    with pytest.raises(ValueError, match="empty"):
        net.train([], [], learning_rate=0.1)
    assert net.weights == before                         # nothing changed on the way to the errors


def test_divergence_stops_with_a_message():
    """Sigmoids saturate, so only an absurd step overflows; it must stop, not carry inf onward."""
    net = ThreeNeuronNet(w11=1.0, w12=1.0, w21=1.0, w22=1.0)
    before = net.weights
    with pytest.raises(FloatingPointError, match="learning_rate=1e\\+300 is far too large"):
        net.train(1.0, 1e10, learning_rate=1e300, epochs=5)
    assert net.weights == before
    with pytest.raises(TypeError, match="learning_rate=0.5"):
        net.step(1.0, 0.0)


# -------------------------------------------------------------------------------- Value
def _value_grads(fn, xs):
    vs = [Value(x) for x in xs]
    out = fn(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def _numeric_grads(fn, xs, eps=1e-6):
    plain = lambda *a: fn(*[Value(v) for v in a]).data  # noqa: E731
    grads = []
    for i in range(len(xs)):
        p, m = list(xs), list(xs)
        p[i] += eps
        m[i] -= eps
        grads.append((plain(*p) - plain(*m)) / (2 * eps))
    return grads


EXPRESSIONS = {
    "sum and product": (lambda a, b: a * b + a, [2.0, -3.0]),
    "reused input": (lambda a, b: a * a * a + b * a, [1.5, 0.7]),
    "subtraction and division": (lambda a, b: (a - b) / (a + b * b), [1.3, -0.4]),
    "reflected operators": (lambda a, b: 2.0 - a / 3.0 + 1.0 / b - 4.0 * b + (1 + a), [0.8, 1.7]),
    "powers": (lambda a, b: a ** 3 + b ** -2 + (a * a + 1.0) ** 0.5, [1.1, -0.9]),
    "exp and log": (lambda a, b: (a * b).exp() + (a * a + b * b).log(), [0.3, -0.6]),
    "sigmoid neuron": (lambda a, b: (a * b + 0.5).sigmoid(), [0.9, -1.2]),
    "tanh": (lambda a, b: (a - b).tanh() * b, [0.2, 0.5]),
    "relu active and inactive": (lambda a, b: (a * 2).relu() + (b * 2).relu(), [0.4, -0.3]),
    "negation": (lambda a, b: -a * -b - (-a), [1.2, 0.6]),
    "three-neuron error": (lambda x, w: 0.5 * (0.2 - ((x * w).sigmoid() * w).sigmoid()) ** 2, [0.7, 0.5]),
}


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_value_gradients_match_central_differences(name):
    fn, xs = EXPRESSIONS[name]
    _, analytic = _value_grads(fn, xs)
    numeric = _numeric_grads(fn, xs)
    assert relative_error(analytic, numeric) <= 1e-7, (analytic, numeric)


@settings(max_examples=100, deadline=None)
@given(st.floats(-2, 2), st.floats(-2, 2))
def test_value_gradients_property(a, b):
    fn = lambda a, b: (a * b + a.tanh()).sigmoid() * (b - 3.0) / (a * a + 1.0)  # noqa: E731
    _, analytic = _value_grads(fn, [a, b])
    numeric = _numeric_grads(fn, [a, b])
    assert relative_error(analytic, numeric) <= 1e-7 or np.allclose(analytic, numeric, atol=1e-9)


def test_value_reproduces_the_three_neuron_gradients():
    net = ThreeNeuronNet(seed=5)
    w = {k: Value(v, label=k) for k, v in net.weights.items()}
    x1, y = Value(0.7), 0.2
    h1 = (w["w11"] * x1).sigmoid()
    h2 = (w["w12"] * x1).sigmoid()
    o1 = (w["w21"] * h1 + w["w22"] * h2).sigmoid()
    err = 0.5 * (y - o1) ** 2
    err.backward()
    assert err.data == pytest.approx(net.error(0.7, y), rel=1e-15)
    expected = net.gradients(0.7, y)
    for k in NAMES:
        assert w[k].grad == pytest.approx(expected[k], rel=1e-12)


def test_backward_twice_gives_the_same_gradients():
    """micrograd accumulates on a second backward(); Value zeroes first."""
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    c.backward()
    first = (a.grad, b.grad, c.grad)
    c.backward()
    assert (a.grad, b.grad, c.grad) == first == (-2.0, 2.0, 1.0)


def test_backward_after_changing_data_uses_new_values_only():
    a = Value(2.0)
    out = a * a
    out.backward()
    assert a.grad == 4.0
    a2 = Value(5.0)
    out2 = a2 * a2
    out2.backward()
    assert a2.grad == 10.0 and a.grad == 4.0


def test_reused_node_accumulates_within_one_backward():
    x = Value(3.0)
    y = x * x + x                                       # dy/dx = 2x + 1 = 7
    y.backward()
    assert x.grad == 7.0


def test_shared_node_documented_behaviour():
    """Two outputs sharing a node: the second backward() overwrites, it does not add."""
    x = Value(3.0)
    u, v = x * 2.0, x * 5.0
    u.backward()
    assert x.grad == 2.0
    v.backward()
    assert x.grad == 5.0                                # not 7.0
    (u + v).backward()
    assert x.grad == 7.0                                # the way to get the sum


def test_zero_grad_and_deep_graphs():
    x = Value(1.0)
    y = x
    for _ in range(5000):                               # deeper than Python's recursion limit
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    y.zero_grad()
    assert x.grad == 0.0


def test_value_sigmoid_stable():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big, small = Value(1000.0).sigmoid(), Value(-1000.0).sigmoid()
    assert big.data == 1.0 and small.data == 0.0


def test_value_bad_input_messages():
    with pytest.raises(TypeError, match="Value\\(data\\) should be a number"):
        Value("2")
    with pytest.raises(TypeError, match="single number"):
        Value([1.0, 2.0])
    with pytest.raises(TypeError, match="other operand"):
        Value(1.0) + "x"
    with pytest.raises(TypeError, match="constant exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="not a real number"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="log"):
        Value(0.0).log()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)
    with pytest.raises(OverflowError, match="overflows"):
        Value(800.0).exp()
    assert repr(Value(2.0, label="a")) == "Value(data=2, grad=0, label='a')"


# ----------------------------------------------------------------------------------- drawing
def test_drawings_have_titles_and_every_label(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from backproplab.plotting import draw_three_neuron_net, draw_value_graph

    net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    ax = draw_three_neuron_net(net, 0.7, 0.2)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert ax.get_title()
    for k in NAMES:
        assert f"w_{{{k[1:]}}}" in texts                 # every weight and its gradient
        assert f"{net.gradients(0.7, 0.2)[k]:.4g}" in texts
    for node in ("h_1", "h_2", "o_1"):
        assert rf"\partial E/\partial {node}" in texts
    plt.close(ax.figure)

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    ax = draw_value_graph(c)
    texts = [t.get_text() for t in ax.texts]
    assert "Computational graph of c" in ax.get_title()
    assert {"a", "b", "c", "×", "grad -3", "grad 2", "data -6"} <= set(texts)
    ax.figure.savefig(tmp_path / "graph.png")
    plt.close(ax.figure)


def test_docstring_examples():
    failures, _ = doctest.testmod(scalar)
    assert failures == 0
