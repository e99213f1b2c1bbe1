"""Checks for ex04: a Dense layer's forward and backward pass (reference: ``backproplab.layers.Dense``)."""
import numpy as np

from ... import activations
from ...layers import Dense
from ..core import FunctionQuestion, register


def _inputs(rng, n=4, d=3, m=2):
    return {"x": rng.normal(size=(n, d)), "W": rng.normal(size=(d, m)), "b": rng.normal(size=m),
            "dout": rng.normal(size=(n, m))}


def _layer(W, b, activation=None):
    layer = Dense(W.shape[1], activation=activation, dtype="float64")
    layer.build((W.shape[0],))
    layer.set_weights([W, b])
    return layer


def _forward(x, W, b):
    return _layer(W, b).forward(x)


def _backward(x, W, b, dout, activation=None):
    layer = _layer(W, b, activation)
    layer.forward(x)
    dx = layer.backward(dout)
    return dx, layer.grads["kernel"].copy(), layer.grads["bias"].copy()


def _forward_mistakes(x, W, b):
    return [("you forgot to add the bias b.", x @ W),
            ("the bias is subtracted instead of added.", x @ W - b)]


def _backward_mistakes(x, W, b, dout):
    n = len(x)
    return [
        ("you averaged over the batch; for this layer dL/db is the SUM of dout over the batch (the 1/N, "
         "if any, is already inside dout).", (None, None, dout.mean(axis=0))),
        ("dL/dW is a sum over the batch, not an average: the 1/N is already inside dout.",
         (None, x.T @ dout / n, None)),
    ]


def _sigmoid_mistakes(x, W, b, dout):
    linear = _backward(x, W, b, dout)
    return [("you forgot the activation's derivative: multiply dout by σ'(z) = a(1 − a) first.", linear),
            ("you multiplied by σ(z) instead of its derivative σ(z)(1 − σ(z)).",
             _backward(x, W, b, dout * activations.sigmoid(x @ W + b)))]


def _batch(x, W, b, dout=None):
    return len(x)


q1 = FunctionQuestion(
    "dense_forward", lambda rng, n=4, d=3, m=2: {k: v for k, v in _inputs(rng, n, d, m).items() if k != "dout"},
    _forward, public=[{"seed": 0}], mistakes=_forward_mistakes)

q2 = FunctionQuestion(
    "dense_backward", _inputs, lambda x, W, b, dout: _backward(x, W, b, dout),
    outputs=("dx", "dW", "db"), public=[{"seed": 1}], mistakes=_backward_mistakes, batch=_batch)

q3 = FunctionQuestion(
    "dense_sigmoid_backward", _inputs, lambda x, W, b, dout: _backward(x, W, b, dout, "sigmoid"),
    outputs=("dx", "dW", "db"), public=[{"seed": 2}], mistakes=_sigmoid_mistakes, batch=_batch)

register(globals(), "ex04_dense_backward")
