"""Checks for ex05: softmax, categorical cross-entropy and their fused gradient (p − y)/N
(reference: ``backproplab.activations.softmax`` and ``backproplab.losses.CategoricalCrossentropy``)."""
import numpy as np

from ... import activations as act
from ...losses import CategoricalCrossentropy
from ..core import FunctionQuestion, register


def _logits(rng, n=4, k=3, scale=2.0, big=False):
    z = rng.normal(scale=scale, size=(n, k))
    if big:
        z[0] += 1000.0  # a row that overflows exp() unless the maximum is subtracted first
    return z


def _onehot(rng, n, k):
    return np.eye(k)[rng.integers(0, k, size=n)]


def _softmax_inputs(rng, n=4, k=3, big=False):
    return {"z": _logits(rng, n, k, big=big)}


def _ce_inputs(rng, n=4, k=3):
    p = act.softmax(_logits(rng, n, k))
    return {"p": p, "y": _onehot(rng, n, k)}


def _grad_inputs(rng, n=4, k=3):
    return {"z": _logits(rng, n, k), "y": _onehot(rng, n, k)}


def _softmax_mistakes(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return [("normalise each ROW (one sample's scores) to sum to 1: sum along axis=1 with keepdims=True, "
             "not over the whole batch or along axis 0.", e / e.sum(axis=0, keepdims=True)),
            ("normalise each row by its own sum, not by the sum of the whole batch.", e / e.sum())]


def _cross_entropy(p, y):
    return float(CategoricalCrossentropy()(y, p))


def _ce_mistakes(p, y):
    per_sample = -np.sum(y * np.log(p), axis=1)
    return [("you took the log of 1 − p or of every class; only the true class counts: −Σ y·log p.",
             float(np.mean(-np.sum(np.log(p), axis=1))))] + [
            ("you averaged over the classes too; sum over the classes, average over the batch.",
             float(per_sample.mean() / p.shape[1]))]


def _grad(z, y):
    p = act.softmax(z)
    return CategoricalCrossentropy().fused_gradient(y, p)


def _grad_mistakes(z, y):
    p = act.softmax(z)
    n = len(z)
    return [("you forgot to subtract the targets: the gradient is (p − y)/N.", p / n),
            ("this is the gradient with respect to p, not to the logits z; through the softmax it "
             "simplifies to (p − y)/N.", -y / p / n)]


q1 = FunctionQuestion("softmax", _softmax_inputs, lambda z: act.softmax(z),
                      public=[{"seed": 0}, {"seed": 1, "big": True}], mistakes=_softmax_mistakes)
q2 = FunctionQuestion("cross_entropy", _ce_inputs, _cross_entropy, public=[{"seed": 2}],
                      mistakes=_ce_mistakes, batch=lambda p, y: len(p))
q3 = FunctionQuestion("softmax_cross_entropy_grad", _grad_inputs, _grad, public=[{"seed": 3}],
                      mistakes=_grad_mistakes, batch=lambda z, y: len(z))

register(globals(), "ex05_softmax_cross_entropy")
