"""Checks for ex06: one step of SGD with momentum, RMSprop and Adam, exactly as Keras 3 defines them.

The references below are the formulas of ``backproplab.optimizers`` (its docstring) written for
one step with explicit state; ``tests/test_grading.py`` checks them against the optimizers.
"""
import numpy as np

from ..core import FunctionQuestion, register


def _state(rng, n, tiny):
    scale = 1e-4 if tiny else 1.0
    g = rng.normal(scale=scale, size=n)
    m = rng.normal(scale=scale, size=n)
    v = rng.uniform(0.1, 2.0, size=n) * scale ** 2
    return rng.normal(size=n), g, m, v


def _sgd_inputs(rng, n=5, learning_rate=0.1, momentum=0.9):
    w, g, m, _ = _state(rng, n, False)
    return {"w": w, "g": g, "m": 0.1 * m, "learning_rate": learning_rate, "momentum": momentum}


def _sgd(w, g, m, learning_rate, momentum):
    m_new = momentum * m - learning_rate * g
    return w + m_new, m_new


def _sgd_mistakes(w, g, m, learning_rate, momentum):
    mt = momentum * m + learning_rate * g
    return [("Keras keeps the velocity as m ← μ·m − lr·g and then adds it, w ← w + m; you have the "
             "other sign convention (m ← μ·m + lr·g, w ← w − m), which gives a different m.", (w - mt, mt)),
            ("you moved w with the OLD velocity: update m first, then w ← w + m (the new m).",
             (w + m, momentum * m - learning_rate * g)),
            ("this is plain SGD: the velocity m is missing (m ← μ·m − lr·g).", (w - learning_rate * g, None)),
            ("the learning rate multiplies the gradient inside the velocity, m ← μ·m − lr·g, not the "
             "velocity itself.", (w + momentum * m - g, momentum * m - g))]


def _rms_inputs(rng, n=5, learning_rate=0.01, rho=0.9, epsilon=1e-7, tiny=False):
    w, g, _, v = _state(rng, n, tiny)
    return {"w": w, "g": g, "v": v, "learning_rate": learning_rate, "rho": rho, "epsilon": epsilon}


def _rms(w, g, v, learning_rate, rho, epsilon):
    v_new = rho * v + (1 - rho) * g * g
    return w - learning_rate * g / np.sqrt(v_new + epsilon), v_new


def _rms_mistakes(w, g, v, learning_rate, rho, epsilon):
    v_new = rho * v + (1 - rho) * g * g
    return [("Keras puts ε INSIDE the square root: g / √(v + ε), not g / (√v + ε) (it matters when "
             "gradients are tiny).", (w - learning_rate * g / (np.sqrt(v_new) + epsilon), None)),
            ("you divided by the OLD running average: update v first, then use the new v.",
             (w - learning_rate * g / np.sqrt(v + epsilon), None)),
            ("divide by the square ROOT of the running average.", (w - learning_rate * g / (v_new + epsilon), None)),
            ("the running average is of the SQUARED gradient: v ← ρ·v + (1 − ρ)·g².", (None, rho * v + (1 - rho) * g)),
            ("ρ weighs the old average: v ← ρ·v + (1 − ρ)·g², you have the weights swapped.",
             (None, (1 - rho) * v + rho * g * g))]


def _adam_inputs(rng, n=5, t=3, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, tiny=False):
    w, g, m, v = _state(rng, n, tiny)
    return {"w": w, "g": g, "m": m, "v": v, "t": int(t), "learning_rate": learning_rate, "beta_1": beta_1,
            "beta_2": beta_2, "epsilon": epsilon}


def _adam_moments(g, m, v, beta_1, beta_2):
    return beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g * g


def _adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m_new, v_new = _adam_moments(g, m, v, beta_1, beta_2)
    alpha = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - alpha * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


def _adam_mistakes(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m_new, v_new = _adam_moments(g, m, v, beta_1, beta_2)
    m_hat, v_hat = m_new / (1 - beta_1 ** t), v_new / (1 - beta_2 ** t)
    alpha = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    out = [("this is the paper's form, lr·m̂/(√v̂ + ε). Keras folds the bias corrections into the step "
            "size, α_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), and adds ε to √v BEFORE correction: w ← w − α_t·m/(√v + ε). "
            "The two differ when gradients are tiny.", (w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), None, None)),
           ("the bias correction is missing: α_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ).",
            (w - learning_rate * m_new / (np.sqrt(v_new) + epsilon), None, None)),
           ("ε goes outside the square root in Adam: √v + ε (unlike RMSprop).",
            (w - alpha * m_new / np.sqrt(v_new + epsilon), None, None)),
           ("you updated w with the OLD moments: update m and v first.",
            (w - alpha * m / (np.sqrt(v) + epsilon), None, None)),
           ("the second moment averages the SQUARED gradient: v ← β₂·v + (1 − β₂)·g².",
            (None, None, beta_2 * v + (1 - beta_2) * g))]
    for t_wrong, why in ((t + 1, "one step ahead"), (t - 1, "one step behind")):
        if t_wrong >= 1:
            a = learning_rate * np.sqrt(1 - beta_2 ** t_wrong) / (1 - beta_1 ** t_wrong)
            out.append((f"the bias correction is {why}: t is this step's number, counting from 1, "
                        "as given (do not add or subtract 1).", (w - a * m_new / (np.sqrt(v_new) + epsilon), None, None)))
    return out


q1 = FunctionQuestion("sgd_momentum_step", _sgd_inputs, _sgd, outputs=("w_new", "m_new"),
                      public=[{"seed": 0}], mistakes=_sgd_mistakes, rtol=1e-7, atol=1e-12)
q2 = FunctionQuestion("rmsprop_step", _rms_inputs, _rms, outputs=("w_new", "v_new"),
                      public=[{"seed": 1}, {"seed": 2, "tiny": True}], mistakes=_rms_mistakes, rtol=1e-7, atol=1e-14)
q3 = FunctionQuestion("adam_step", _adam_inputs, _adam, outputs=("w_new", "m_new", "v_new"),
                      public=[{"seed": 3}, {"seed": 4, "t": 1, "tiny": True}], mistakes=_adam_mistakes,
                      rtol=1e-7, atol=1e-14)

register(globals(), "ex06_optimizers")
