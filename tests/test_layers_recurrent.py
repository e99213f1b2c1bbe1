"""SimpleRNN and LSTM: weights, shapes, forward against the cell equations written naively,
BPTT gradients against central differences (float64, relative error ≤ 1e-7), per-step gradient
norms, errors, and Keras 3 from the same weights."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backproplab.errors import ShapeError
from backproplab.gradcheck import LAYER_TOLERANCE, check_layer
from backproplab.layers import LSTM, Dense, SimpleRNN

KERAS_NOISE = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def simple_rnn_reference(x, kernel, recurrent, bias, act=np.tanh):
    h = np.zeros((x.shape[0], recurrent.shape[0]))
    hs = []
    for t in range(x.shape[1]):
        h = act(x[:, t] @ kernel + h @ recurrent + bias)
        hs.append(h)
    return np.stack(hs, axis=1)


def lstm_reference(x, kernel, recurrent, bias):
    u = recurrent.shape[0]
    h = c = np.zeros((x.shape[0], u))
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1)


def randomize(layer, seed=3, scale=0.6):
    """Random weights and biases, so that every parameter matters in a check."""
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(-scale, scale, size=p.shape) for p in layer.params.values()])


# ------------------------------------------------------------------ weights and shapes

@pytest.mark.parametrize("cls,k", [(SimpleRNN, 1), (LSTM, 4)])
def test_weights_have_keras_names_shapes_and_init(cls, k):
    layer = cls(5, seed=0)
    layer.build((7, 3))
    assert list(layer.params) == ["kernel", "recurrent_kernel", "bias"]
    assert layer.params["kernel"].shape == (3, 5 * k)
    assert layer.params["recurrent_kernel"].shape == (5, 5 * k)
    assert layer.params["bias"].shape == (5 * k,)
    assert all(p.dtype == np.float32 for p in layer.params.values())
    r = layer.params["recurrent_kernel"].astype(np.float64)
    np.testing.assert_allclose(r @ r.T, np.eye(5), atol=1e-6)        # orthogonal rows
    limit = np.sqrt(6 / (3 + 5 * k))
    assert np.abs(layer.params["kernel"]).max() <= limit              # glorot_uniform
    assert layer.count_params() == k * (3 * 5 + 5 * 5 + 5)


def test_lstm_unit_forget_bias():
    layer = LSTM(4)
    layer.build((2, 3))
    np.testing.assert_array_equal(layer.params["bias"], [0] * 4 + [1] * 4 + [0] * 8)
    layer = LSTM(4, unit_forget_bias=False)
    layer.build((2, 3))
    np.testing.assert_array_equal(layer.params["bias"], 0)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM])
def test_output_shapes_and_any_sequence_length(cls):
    x = np.zeros((4, 6, 3), dtype=np.float32)
    last = cls(5)
    assert last(x).shape == (4, 5)
    assert last.output_shape == (5,)
    assert last(np.zeros((2, 11, 3))).shape == (2, 5)              # another length, same weights
    seq = cls(5, return_sequences=True)
    y = seq(x)
    assert y.shape == (4, 6, 5) and y.dtype == np.float32
    assert seq.output_shape == (6, 5)
    assert repr(seq) == f"{cls.__name__}(5, return_sequences=True)"


def test_automatic_names_are_keras_names():
    assert SimpleRNN(2).name.startswith("simple_rnn")
    assert LSTM(2).name.startswith("lstm")
    assert LSTM(2, name="encoder").name == "encoder"


# ------------------------------------------------------------------ forward against the equations

def test_simple_rnn_forward_matches_equations(float64):
    x = np.random.default_rng(0).normal(size=(3, 6, 2))
    for act, fn in [("tanh", np.tanh), ("relu", lambda z: np.maximum(z, 0)), ("sigmoid", sigmoid)]:
        layer = SimpleRNN(4, activation=act, return_sequences=True)
        layer.build(x.shape[1:])
        randomize(layer)
        expected = simple_rnn_reference(x, *layer.get_weights(), act=fn)
        np.testing.assert_allclose(layer(x), expected, rtol=1e-12, atol=1e-14)
        last = SimpleRNN(4, activation=act)
        last.build(x.shape[1:])
        last.set_weights(layer.get_weights())
        np.testing.assert_allclose(last(x), expected[:, -1], rtol=1e-12, atol=1e-14)


def test_lstm_forward_matches_equations(float64):
    x = np.random.default_rng(0).normal(size=(3, 6, 2))
    layer = LSTM(4, return_sequences=True)
    layer.build(x.shape[1:])
    randomize(layer)
    np.testing.assert_allclose(layer(x), lstm_reference(x, *layer.get_weights()), rtol=1e-12, atol=1e-14)


def test_lstm_float32_sigmoid_is_accurate():
    """The in-place sigmoid (via tanh) agrees with the textbook formula to float32 precision."""
    x = np.random.default_rng(0).normal(size=(8, 20, 3)).astype(np.float32) * 5
    layer = LSTM(6, return_sequences=True)
    layer.build(x.shape[1:])
    randomize(layer, scale=2.0)
    expected = lstm_reference(x.astype(np.float64), *[w.astype(np.float64) for w in layer.get_weights()])
    np.testing.assert_allclose(layer(x), expected, rtol=0, atol=2e-6)


# ------------------------------------------------------------------ gradients, float64

RNN_CASES = [  # (N, T, D, units)
    (2, 1, 3, 4), (3, 5, 2, 4), (1, 8, 1, 3), (4, 3, 5, 2),
]


@pytest.mark.parametrize("n,t,d,units", RNN_CASES)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_simple_rnn_gradients(n, t, d, units, return_sequences, activation, float64):
    layer = SimpleRNN(units, activation=activation, return_sequences=return_sequences)
    layer.build((t, d))
    randomize(layer)
    report = check_layer(layer, np.random.default_rng(1).normal(size=(n, t, d)))
    assert set(report) == {"kernel", "recurrent_kernel", "bias", "input"}
    assert max(report.values()) <= LAYER_TOLERANCE, report


@pytest.mark.parametrize("n,t,d,units", RNN_CASES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_gradients(n, t, d, units, return_sequences, float64):
    layer = LSTM(units, return_sequences=return_sequences)
    layer.build((t, d))
    randomize(layer)
    report = check_layer(layer, np.random.default_rng(1).normal(size=(n, t, d)))
    assert set(report) == {"kernel", "recurrent_kernel", "bias", "input"}
    assert max(report.values()) <= LAYER_TOLERANCE, report


@FAST
@given(n=st.integers(1, 3), t=st.integers(1, 6), d=st.integers(1, 3), units=st.integers(1, 4),
       return_sequences=st.booleans(), use_bias=st.booleans(), lstm=st.booleans(),
       activation=st.sampled_from(["tanh", "sigmoid", "linear"]), seed=st.integers(0, 2 ** 16))
def test_recurrent_gradients_property(n, t, d, units, return_sequences, use_bias, lstm, activation, seed):
    kwargs = dict(return_sequences=return_sequences, use_bias=use_bias, activation=activation, dtype="float64")
    layer = LSTM(units, recurrent_activation="sigmoid" if activation != "sigmoid" else "tanh", **kwargs) \
        if lstm else SimpleRNN(units, **kwargs)
    layer.build((t, d), rng=seed)
    randomize(layer, seed=seed)
    report = check_layer(layer, np.random.default_rng(seed).normal(size=(n, t, d)), seed=seed)
    assert max(report.values()) <= LAYER_TOLERANCE, report


def test_simple_rnn_fused_gradient_matches_unfused(float64):
    """``skip_activation=True`` (Sequential's fused losses) means the upstream is dL/dz."""
    x = np.random.default_rng(0).normal(size=(3, 5, 2))
    for return_sequences in (False, True):
        layer = SimpleRNN(4, activation="sigmoid", return_sequences=return_sequences)
        y = layer(x, training=True)
        g = np.random.default_rng(1).normal(size=y.shape)
        dx = layer.backward(g)
        plain = {k: v.copy() for k, v in layer.grads.items()}
        dx_fused = layer.backward(g * y * (1 - y), skip_activation=True)
        np.testing.assert_allclose(dx_fused, dx, rtol=1e-12, atol=1e-15)
        for k in plain:
            np.testing.assert_allclose(layer.grads[k], plain[k], rtol=1e-12, atol=1e-15)


def test_lstm_refuses_a_fused_gradient():
    layer = LSTM(2)
    y = layer(np.zeros((1, 3, 1)), training=True)
    with pytest.raises(ValueError, match="Dense layer"):
        layer.backward(y, skip_activation=True)


def test_recurrent_layers_in_sequential_check_and_learn(float64):
    from backproplab.gradcheck import MODEL_TOLERANCE, check_model
    from backproplab.model import Sequential
    from backproplab.optimizers import Adam

    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 5, 2))
    y = x[:, :, :1].sum(axis=1) > 0          # the sign of a running sum
    model = Sequential([LSTM(4, return_sequences=True, input_shape=(5, 2)), SimpleRNN(3),
                        Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy")
    report = check_model(model, x, y.astype(float))
    assert max(report.values()) <= MODEL_TOLERANCE, report
    before = model.compute_loss(x, y.astype(float))
    for _ in range(40):
        model.train_on_batch(x, y.astype(float))
    assert model.compute_loss(x, y.astype(float)) < 0.5 * before


# ------------------------------------------------------------------ gradient norms over time

def test_time_step_grad_norms_of_a_linear_rnn_follow_the_matrix_powers(float64):
    """With f(z) = z and L = Σ h_T ⊙ r, dL/dh_t = r (Rᵀ)^(T−1−t): the norms are known exactly."""
    t_steps = 6
    layer = SimpleRNN(3, activation=None)
    layer.build((t_steps, 2))
    randomize(layer, scale=0.9)
    y = layer(np.random.default_rng(0).normal(size=(4, t_steps, 2)), training=True)
    r = np.random.default_rng(1).normal(size=y.shape)
    layer.backward(r)
    rec = layer.params["recurrent_kernel"]
    expected = [np.linalg.norm(r @ np.linalg.matrix_power(rec.T, t_steps - 1 - t)) for t in range(t_steps)]
    assert layer.time_step_grad_norms.shape == (t_steps,)
    np.testing.assert_allclose(layer.time_step_grad_norms, expected, rtol=1e-12)


@pytest.mark.parametrize("scale,vanish", [(0.3, True), (3.0, False)])
def test_time_step_grad_norms_show_vanishing_and_exploding(scale, vanish):
    layer = SimpleRNN(8, activation=None, seed=0)
    layer.build((30, 1))
    layer.params["recurrent_kernel"] *= scale        # orthogonal × scale: every singular value is `scale`
    y = layer(np.random.default_rng(0).normal(size=(2, 30, 1)), training=True)
    layer.backward(np.ones_like(y))
    norms = layer.time_step_grad_norms
    assert (norms[0] < 1e-10 * norms[-1]) if vanish else (norms[0] > 1e10 * norms[-1])


def test_lstm_exposes_hidden_and_cell_gradient_norms(float64):
    layer = LSTM(3)
    y = layer(np.random.default_rng(0).normal(size=(2, 7, 2)), training=True)
    r = np.random.default_rng(1).normal(size=y.shape)
    layer.backward(r)
    assert layer.time_step_grad_norms.shape == layer.cell_grad_norms.shape == (7,)
    assert layer.time_step_grad_norms[-1] == pytest.approx(np.linalg.norm(r))
    assert np.all(layer.cell_grad_norms > 0)
    assert set(layer.gradient_norms()) == {"kernel", "recurrent_kernel", "bias"}


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM])
@pytest.mark.parametrize("n", [1, 3])
def test_backward_leaves_the_upstream_gradient_untouched(cls, n):
    layer = cls(3, return_sequences=True)
    y = layer(np.random.default_rng(0).normal(size=(n, 5, 2)), training=True)
    upstream = np.random.default_rng(1).normal(size=y.shape).astype(np.float32)
    kept = upstream.copy()
    layer.backward(upstream)
    np.testing.assert_array_equal(upstream, kept)


def test_first_layer_skips_the_input_gradient():
    layer = LSTM(3)
    y = layer(np.ones((2, 4, 2)), training=True)
    layer.need_input_grad = False
    assert layer.backward(np.ones_like(y)) is None
    assert np.abs(layer.grads["kernel"]).sum() > 0


# ------------------------------------------------------------------ errors that speak to a learner

@pytest.mark.parametrize("cls", [SimpleRNN, LSTM])
def test_two_dimensional_input_suggests_the_missing_axis(cls):
    with pytest.raises(ShapeError, match=r"add the time axis: x\[:, None, :\]") as err:
        cls(4)(np.zeros((8, 50)))
    assert "x[..., None]" in str(err.value)
    layer = cls(4)
    layer.build((10, 3))
    with pytest.raises(ShapeError, match=r"needs a time axis: x\[:, None, :\]"):
        layer(np.zeros((8, 3)))
    layer = cls(4)
    layer.build((10, 1))
    with pytest.raises(ShapeError, match=r"x\[\.\.\., None\]"):
        layer(np.zeros((8, 10)))


def test_other_recurrent_shape_errors():
    layer = SimpleRNN(4)
    layer.build((10, 3))
    with pytest.raises(ShapeError, match=r"swapped: try x.transpose\(0, 2, 1\)"):
        layer(np.zeros((8, 3, 10)))
    with pytest.raises(ShapeError, match="rows"):
        SimpleRNN(4)(np.zeros((2, 8, 8, 1)))
    with pytest.raises(ValueError, match="positive whole number"):
        LSTM(0)
    with pytest.raises(ValueError, match="elementwise"):
        SimpleRNN(3, activation="softmax")


# ------------------------------------------------------------------ Keras 3 from the same weights

@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "torch"
    pytest.importorskip("torch", reason="the Keras comparison runs Keras on the torch backend")
    return pytest.importorskip("keras", reason="Keras 3 is not installed")


def assert_same_as_keras(keras_layer, ours, x, seed=7):
    """Same weights → same outputs (≤ 1e-5) and the same gradients of Σ output ⊙ upstream, Keras'
    computed by torch autograd through the Keras layer."""
    import torch

    rng = np.random.default_rng(seed)
    keras_layer.build(x.shape)
    for w in keras_layer.weights:
        w.assign(rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32))
    ours.build(x.shape[1:])
    ours.set_weights(keras_layer.get_weights())
    y_ours = ours(x, training=True)
    upstream = rng.normal(size=y_ours.shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    y = keras_layer(xt)
    (y * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(y_ours, y.detach().numpy(), rtol=0, atol=1e-5)
    dx = ours.backward(upstream)
    pairs = [(dx, xt.grad.numpy())] + [(ours.grads[name], w.value.grad.numpy())
                                       for name, w in zip(ours.params, keras_layer.weights)]
    for mine, theirs in pairs:
        assert np.max(np.abs(mine - theirs)) <= 1e-5 * max(1.0, np.max(np.abs(theirs)))


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_matches_keras(keras, return_sequences):
    x = np.random.default_rng(0).normal(size=(4, 9, 3)).astype(np.float32)
    assert_same_as_keras(keras.layers.SimpleRNN(5, return_sequences=return_sequences),
                         SimpleRNN(5, return_sequences=return_sequences), x)


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_matches_keras(keras, return_sequences):
    x = np.random.default_rng(0).normal(size=(4, 9, 3)).astype(np.float32)
    assert_same_as_keras(keras.layers.LSTM(5, return_sequences=return_sequences),
                         LSTM(5, return_sequences=return_sequences), x)


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM"])
def test_default_initial_weights_are_keras_layouts(keras, cls):
    """Keras' own initial weights (including LSTM's unit forget bias) give the same outputs here."""
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype(np.float32)
    k = getattr(keras.layers, cls)(4)
    y = k(x).detach().numpy()
    ours = {"SimpleRNN": SimpleRNN, "LSTM": LSTM}[cls](4)
    ours.build(x.shape[1:])
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in k.get_weights()]
    if cls == "LSTM":
        np.testing.assert_array_equal(ours.get_weights()[2], k.get_weights()[2])
    ours.set_weights(k.get_weights())
    np.testing.assert_allclose(ours(x), y, rtol=0, atol=1e-5)
