import numpy as np
import pytest

import backproplab
from backproplab import SGD, Activation, Adam, Dense, Flatten, Input, Sequential
from backproplab.errors import DataError, DivergenceError, NotCompiledError, ShapeError, UnknownNameError
from backproplab.gradcheck import MODEL_TOLERANCE, assert_gradients_close, check_model


def _data(n=64, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = np.eye(k)[np.argmax(x @ rng.normal(size=(d, k)), axis=1)]  # learnable labels
    return x, y


def _model(d=5, k=3, seed=0, **compile_kw):
    m = Sequential([Input(shape=(d,)), Dense(8, activation="tanh"), Dense(k, activation="softmax")], seed=seed)
    kw = dict(optimizer=SGD(learning_rate=0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    kw.update(compile_kw)
    m.compile(**kw)
    return m


@pytest.mark.parametrize("loss,out_act,k", [("categorical_crossentropy", "softmax", 3),
                                            ("sparse_categorical_crossentropy", "softmax", 3),
                                            ("mse", "linear", 2), ("half_squared_error", "sigmoid", 1),
                                            ("binary_crossentropy", "sigmoid", 2)])
def test_whole_model_gradients(loss, out_act, k, float64):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 4))
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, k, 7)
    elif loss in ("categorical_crossentropy",):
        y = np.eye(k)[rng.integers(0, k, 7)]
    elif loss == "binary_crossentropy" or loss == "half_squared_error":
        y = rng.integers(0, 2, size=(7, k)).astype(float)
    else:
        y = rng.normal(size=(7, k))
    m = Sequential([Input((4,)), Dense(6, activation="tanh"), Dense(5, activation="sigmoid"),
                    Dense(k, activation=out_act)], seed=1)
    m.compile(optimizer="sgd", loss=loss)
    report = check_model(m, x, y)
    assert len(report) == 6
    assert_gradients_close(report, MODEL_TOLERANCE)


def test_gradient_check_catches_a_wrong_gradient(float64):
    class Broken(Dense):
        def backward(self, grad_out, skip_activation=False):
            out = super().backward(grad_out, skip_activation)
            self.grads["kernel"] *= 1.01  # a 1 % error must not pass
            return out

    x, y = _data()
    m = Sequential([Input((5,)), Broken(3, activation="softmax")], seed=0)
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(AssertionError, match="kernel"):
        assert_gradients_close(check_model(m, x, y), MODEL_TOLERANCE)


def test_fit_learns_and_history_has_keras_keys():
    x, y = _data(200)
    m = _model()
    h = m.fit(x, y, epochs=15, batch_size=16, validation_data=(x[:50], y[:50]), verbose=0)
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 15 for v in h.history.values())
    assert h.history["loss"][-1] < 0.8 * h.history["loss"][0]
    loss, acc = m.evaluate(x, y, verbose=0)
    assert acc > 0.5
    assert m.predict(x[:5]).shape == (5, 3)
    np.testing.assert_allclose(m.predict(x[:5]).sum(axis=1), 1, rtol=1e-5)


def test_history_loss_is_batch_weighted_mean_before_each_update():
    x, y = _data(10)
    a, b = _model(seed=4), _model(seed=4)
    h = a.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    losses = [b.train_on_batch(x[i:i + 4], y[i:i + 4]) for i in (0, 4, 8)]
    expected = (losses[0] * 4 + losses[1] * 4 + losses[2] * 2) / 10
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_seed_makes_runs_reproducible_and_shuffle_matters():
    x, y = _data(100)
    w1 = _model(seed=7)
    w1.fit(x, y, epochs=2, verbose=0)
    w2 = _model(seed=7)
    w2.fit(x, y, epochs=2, verbose=0)
    w3 = _model(seed=7)
    w3.fit(x, y, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_array_equal(w1.get_weights()[0], w2.get_weights()[0])
    assert not np.array_equal(w1.get_weights()[0], w3.get_weights()[0])


def test_float32_by_default_and_float64_available():
    m = _model()
    assert all(w.dtype == np.float32 for w in m.get_weights())
    assert m.predict(np.zeros((2, 5))).dtype == np.float32
    backproplab.set_floatx("float64")
    m64 = _model()
    assert all(w.dtype == np.float64 for w in m64.get_weights())
    m_mixed = Sequential([Input((5,)), Dense(3, dtype="float64")])
    assert m_mixed.get_weights()[0].dtype == np.float64


def test_verbose_levels(capsys):
    x, y = _data(40)
    _model().fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    _model().fit(x, y, epochs=2, verbose=1, validation_data=(x, y))
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "val_accuracy" in out and "2/2 [" in out
    _model().fit(x, y, epochs=1, verbose=2)
    assert "loss:" in capsys.readouterr().out


def test_summary(capsys):
    m = Sequential([Input((784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    m.summary()
    out = capsys.readouterr().out
    assert "(None, 64)" in out and "50,240" in out and "Total params: 50,890" in out


def test_flatten_first_layer_and_images():
    rng = np.random.default_rng(0)
    x = rng.random((20, 4, 4))
    y = np.eye(2)[rng.integers(0, 2, 20)]
    m = Sequential([Input((4, 4)), Flatten(), Dense(2, activation="softmax")], seed=0)
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    m.fit(x, y, epochs=1, verbose=0)
    assert m.layers[0].need_input_grad is False and m.layers[1].need_input_grad is False


# ---------------------------------------------------------------- bad input: messages and no state change
def _unchanged(m, before):
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_wrong_number_of_features():
    m = Sequential([Input((784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=0)
    m.compile(optimizer="sgd", loss="categorical_crossentropy")
    before = m.get_weights()
    with pytest.raises(ShapeError, match=r"784 features.*28 features"):
        m.fit(np.zeros((5, 28)), np.eye(10)[:5], verbose=0)
    with pytest.raises(ShapeError, match="flatten"):
        m.fit(np.zeros((5, 28, 28)), np.eye(10)[:5], verbose=0)
    _unchanged(m, before)


def test_x_and_y_lengths_differ():
    m = _model()
    x, y = _data(10)
    with pytest.raises(ShapeError, match="x has 10 and y has 9"):
        m.fit(x, y[:9], verbose=0)


def test_integer_labels_with_categorical_crossentropy():
    m = _model()
    before = m.get_weights()
    x, _ = _data(10)
    with pytest.raises(DataError, match="to_categorical.*sparse_categorical_crossentropy"):
        m.fit(x, np.arange(10) % 3, verbose=0)
    _unchanged(m, before)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_data(bad):
    m = _model()
    x, y = _data(10)
    x[3, 2] = bad
    with pytest.raises(DataError, match="NaN.*infinite"):
        m.fit(x, y, verbose=0)
    y2 = y.copy()
    y2[0, 0] = bad
    with pytest.raises(DataError, match="y contains"):
        m.fit(_data(10)[0], y2, verbose=0)


def test_fit_before_compile():
    m = Sequential([Input((5,)), Dense(3)])
    with pytest.raises(NotCompiledError, match=r"compile\(optimizer=.*before model.fit"):
        m.fit(*_data(10), verbose=0)
    with pytest.raises(NotCompiledError, match="evaluate"):
        m.evaluate(*_data(10))


def test_unknown_names_suggest():
    with pytest.raises(UnknownNameError, match="Did you mean 'relu'"):
        Dense(3, activation="rellu")
    m = Sequential([Input((5,)), Dense(3)])
    with pytest.raises(UnknownNameError, match="Did you mean 'categorical_crossentropy'"):
        m.compile(optimizer="sgd", loss="categorical_crosentropy")
    with pytest.raises(UnknownNameError, match="Did you mean 'sgd'"):
        m.compile(optimizer="sdg", loss="mse")
    with pytest.raises(UnknownNameError, match="accuracy"):
        m.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])


@pytest.mark.parametrize("kw,msg", [({"batch_size": 0}, "batch_size"), ({"epochs": 0}, "epochs"),
                                    ({"batch_size": 2.5}, "batch_size"), ({"epochs": -1}, "epochs")])
def test_batch_size_and_epochs_below_one(kw, msg):
    m = _model()
    before = m.get_weights()
    with pytest.raises(ValueError, match=f"{msg} must be a whole number of at least 1"):
        m.fit(*_data(10), verbose=0, **kw)
    _unchanged(m, before)


def test_empty_data():
    m = _model()
    with pytest.raises(DataError, match="empty"):
        m.fit(np.zeros((0, 5)), np.zeros((0, 3)), verbose=0)


def test_set_weights_wrong_shapes():
    m = _model()
    before = m.get_weights()
    bad = [w.T for w in before]
    with pytest.raises(ShapeError, match="transposed.*Nothing was changed"):
        m.set_weights(bad)
    with pytest.raises(ShapeError, match="4 weight arrays but set_weights got 1"):
        m.set_weights(before[:1])
    _unchanged(m, before)


def test_divergence_points_at_the_learning_rate():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)) * 10
    y = x @ np.array([[1.0], [2.0], [3.0]])
    m = Sequential([Input((3,)), Dense(16, activation="relu"), Dense(1)], seed=0)
    m.compile(optimizer=SGD(learning_rate=1.0), loss="mse")
    with pytest.raises(DivergenceError, match=r"learning rate \(1\) is probably too large") as e:
        m.fit(x, y, epochs=50, verbose=0)
    assert len(e.value.history.history.get("loss", [])) < 50


def test_single_sample_without_batch_axis_hint():
    m = _model()
    with pytest.raises(ShapeError, match=r"reshape\(1, -1\)"):
        m.predict(np.zeros(5))


def test_adam_fit_runs_with_sparse_labels():
    x, y = _data(60)
    m = _model(optimizer=Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    h = m.fit(x, y.argmax(1), epochs=3, verbose=0)
    assert "accuracy" in h.history


def test_fused_gradient_only_for_layers_that_declare_it(float64):
    """An LSTM's output is o ⊙ act(c), not act(z): the loss's fused (p − y)/N must not be used."""
    from backproplab.layers import LSTM

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3, 2))
    y = rng.integers(0, 2, size=(4, 2)).astype(float)
    m = Sequential([Input((3, 2)), LSTM(2, activation="sigmoid")], seed=0)
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    assert not m._uses_fused_gradient()
    assert_gradients_close(check_model(m, x, y), MODEL_TOLERANCE)


def test_keras_automatic_names():
    from backproplab.layers import LSTM, Conv2D, MaxPooling2D, SimpleRNN

    names = [type(l).__name__ + ":" + l.name.split("_")[0] for l in (Conv2D(2, 3), MaxPooling2D(), SimpleRNN(2), LSTM(2))]
    assert [n.split(":")[1] for n in names] == ["conv2d", "max", "simple", "lstm"]
    assert SimpleRNN(2).name.startswith("simple_rnn")


@pytest.mark.parametrize("loss,act", [("mse", "linear"), ("binary_crossentropy", "sigmoid"),
                                      ("categorical_crossentropy", "softmax")])
def test_gradients_for_outputs_with_more_than_two_axes(loss, act, float64):
    """Losses average over every position of (N, T, K) outputs, and so must their gradients."""
    from backproplab import Reshape

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6))
    if loss == "categorical_crossentropy":
        y = np.eye(3)[rng.integers(0, 3, (4, 5))]
    else:
        y = rng.random((4, 5, 3))
    m = Sequential([Input((6,)), Dense(15), Reshape((5, 3)), Activation(act)], seed=0)
    m.compile(optimizer="sgd", loss=loss)
    assert_gradients_close(check_model(m, x, y), MODEL_TOLERANCE)


def test_shared_layers_between_two_models_keep_their_own_flags():
    rng = np.random.default_rng(0)
    x = rng.random((32, 8))
    ae = Sequential([Input((8,)), Dense(4, activation="relu"), Dense(2), Dense(4, activation="relu"), Dense(8)], seed=0)
    ae.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
    decoder = Sequential([Input((2,))] + ae.layers[2:])  # the third layer is first here: no input gradient
    decoder.compile(optimizer="sgd", loss="mse")
    before = ae.layers[0].get_weights()[0].copy()
    ae.fit(x, x, epochs=1, batch_size=32, verbose=0)
    assert not np.allclose(before, ae.layers[0].get_weights()[0])  # the encoder still learns
    loss, grads = ae.compute_gradients(x, x)
    assert np.linalg.norm(grads[0]) > 0
