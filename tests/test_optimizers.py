"""Every optimizer step is checked against its rule written out independently, and clipping
against Keras' definitions. (The Keras comparison itself is in test_keras_parity.py.)"""
import numpy as np
import pytest

from backproplab.optimizers import SGD, Adam, RMSprop, get


def _run(opt, steps=4, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(steps)]
    params = [w.copy()]
    for g in grads:
        opt.step(params, [g])
    return w, grads, params[0]


def test_sgd_rule():
    w, gs, out = _run(SGD(learning_rate=0.1))
    np.testing.assert_allclose(out, w - 0.1 * sum(gs), rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_rules(nesterov):
    mu, lr = 0.9, 0.05
    w0, gs, out = _run(SGD(learning_rate=lr, momentum=mu, nesterov=nesterov))
    w, m = w0.copy(), np.zeros_like(w0)
    for g in gs:
        m = mu * m - lr * g
        w = w + (mu * m - lr * g if nesterov else m)
    np.testing.assert_allclose(out, w, rtol=1e-12)


def test_rmsprop_rule():
    rho, lr, eps = 0.9, 0.01, 1e-7
    w0, gs, out = _run(RMSprop(learning_rate=lr))
    w, v = w0.copy(), np.zeros_like(w0)
    for g in gs:
        v = rho * v + (1 - rho) * g ** 2
        w = w - lr * g / np.sqrt(v + eps)
    np.testing.assert_allclose(out, w, rtol=1e-12)


def test_adam_rule():
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-7
    w0, gs, out = _run(Adam(learning_rate=lr))
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(out, w, rtol=1e-12)


def test_keras_defaults():
    assert SGD().learning_rate == 0.01 and SGD().momentum == 0
    assert RMSprop().learning_rate == 1e-3 and RMSprop().rho == 0.9 and RMSprop().epsilon == 1e-7
    a = Adam()
    assert (a.learning_rate, a.beta_1, a.beta_2, a.epsilon) == (1e-3, 0.9, 0.999, 1e-7)


def test_clipping():
    g = np.array([3.0, 4.0])
    np.testing.assert_allclose(SGD(clipnorm=1.0).clip([g])[0], [0.6, 0.8])
    np.testing.assert_allclose(SGD(clipvalue=3.5).clip([g])[0], [3.0, 3.5])
    out = SGD(global_clipnorm=5.0).clip([g, np.array([0.0, 5.0])])  # global norm √50
    np.testing.assert_allclose(np.sqrt(sum(np.sum(o ** 2) for o in out)), 5.0)
    np.testing.assert_allclose(SGD(clipnorm=10.0).clip([g])[0], g)


def test_old_lr_spelling_explains_the_fix():
    with pytest.raises(TypeError, match=r"learning_rate.*SGD\(learning_rate=0.01\)"):
        SGD(lr=0.01)


def test_unknown_argument_suggests():
    with pytest.raises(TypeError, match="Did you mean 'momentum'"):
        SGD(momentun=0.9)


def test_bad_learning_rate():
    for bad in (0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="positive number"):
            SGD(learning_rate=bad)


def test_get_names():
    assert isinstance(get("adam"), Adam)
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        get("adma")


def test_state_size_mismatch_is_explained():
    opt = Adam()
    opt.step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="new optimizer"):
        opt.step([np.zeros(2), np.zeros(2)], [np.ones(2), np.ones(2)])
