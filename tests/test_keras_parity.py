"""The same initial weights give the same training in backproplab and Keras 3.

Skipped (with the reason) where Keras is not installed: the learner's install never needs it.
CI installs torch==2.13.0 (CPU) and keras, and sets KERAS_BACKEND=torch.
"""
import os

import numpy as np
import pytest

from backproplab import SGD, Adam, Dense, Input, RMSprop, Sequential
from backproplab.datasets import load_digits, to_categorical

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="Keras 3 is not installed (pip install torch==2.13.0 keras)")
pytestmark = pytest.mark.keras

import torch  # noqa: E402  (keras' backend here)

torch.set_num_threads(1)  # two threads on a busy 2-core machine make Keras 10-40x slower

OPTIMIZERS = {
    "sgd": (lambda: SGD(learning_rate=0.01), lambda: keras.optimizers.SGD(learning_rate=0.01)),
    "momentum": (lambda: SGD(learning_rate=0.01, momentum=0.9),
                 lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)),
    "nesterov": (lambda: SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
                 lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)),
    "rmsprop": (lambda: RMSprop(), lambda: keras.optimizers.RMSprop()),
    "adam": (lambda: Adam(), lambda: keras.optimizers.Adam()),
    "sgd_clipnorm": (lambda: SGD(learning_rate=0.1, clipnorm=0.5),
                     lambda: keras.optimizers.SGD(learning_rate=0.1, clipnorm=0.5)),
}


@pytest.fixture(scope="module")
def digits():
    (x, y), (xv, yv) = load_digits(validation_split=0.2)
    return x.astype(np.float32), to_categorical(y).astype(np.float32), xv.astype(np.float32), \
        to_categorical(yv).astype(np.float32)


def _pair(opt_name, seed=0):
    ours_opt, keras_opt = OPTIMIZERS[opt_name]
    ours = Sequential([Input(shape=(64,)), Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=seed)
    ours.compile(optimizer=ours_opt(), loss="categorical_crossentropy", metrics=["accuracy"])
    theirs = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                               keras.layers.Dense(10, activation="softmax")])
    theirs.set_weights(ours.get_weights())
    theirs.compile(optimizer=keras_opt(), loss="categorical_crossentropy", metrics=["accuracy"])
    return ours, theirs


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_one_epoch_same_weights(opt_name, digits):
    x, y, xv, yv = digits
    ours, theirs = _pair(opt_name)
    h1 = ours.fit(x, y, epochs=1, batch_size=32, shuffle=False, validation_data=(xv, yv), verbose=0)
    h2 = theirs.fit(x, y, epochs=1, batch_size=32, shuffle=False, validation_data=(xv, yv), verbose=0)
    diffs = [float(np.max(np.abs(a - b))) for a, b in zip(ours.get_weights(), theirs.get_weights())]
    assert max(diffs) <= 1e-5, diffs
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(ours.get_weights(), _pair(opt_name)[0].get_weights()))
    assert moved > 1e-3  # the comparison is not between two untrained models
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert h1.history[key][0] == pytest.approx(h2.history[key][0], abs=1e-5), key


def test_seed_model_same_validation_accuracy(digits):
    """The seed article's model (Dense 64 relu -> Dense 10 softmax, SGD 0.01), 10 epochs."""
    x, y, xv, yv = digits
    ours, theirs = _pair("sgd", seed=1)
    ours.fit(x, y, epochs=10, batch_size=32, shuffle=False, verbose=0)
    theirs.fit(x, y, epochs=10, batch_size=32, shuffle=False, verbose=0)
    loss1, acc1 = ours.evaluate(xv, yv, verbose=0)
    loss2, acc2 = theirs.evaluate(xv, yv, verbose=0)
    assert acc1 == pytest.approx(acc2, abs=1e-6)  # keras reports float32; 1 sample is 1/360
    assert loss1 == pytest.approx(loss2, abs=1e-5)
    np.testing.assert_allclose(ours.predict(xv), theirs.predict(xv, verbose=0), atol=1e-5)


@pytest.mark.parametrize("loss,out,k", [("mse", "linear", 3), ("binary_crossentropy", "sigmoid", 2),
                                        ("sparse_categorical_crossentropy", "softmax", 4)])
def test_other_losses_one_step(loss, out, k):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6)).astype(np.float32)
    y = {"mse": lambda: rng.normal(size=(40, k)),
         "binary_crossentropy": lambda: rng.integers(0, 2, (40, k)),
         "sparse_categorical_crossentropy": lambda: rng.integers(0, k, 40)}[loss]()
    y = y.astype(np.float32) if loss != "sparse_categorical_crossentropy" else y
    ours = Sequential([Input((6,)), Dense(5, activation="tanh"), Dense(k, activation=out)], seed=2)
    ours.compile(optimizer=SGD(learning_rate=0.1), loss=loss)
    theirs = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="tanh"),
                               keras.layers.Dense(k, activation=out)])
    theirs.set_weights(ours.get_weights())
    theirs.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss)
    l1 = ours.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history["loss"]
    l2 = theirs.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(l1, l2, atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)
