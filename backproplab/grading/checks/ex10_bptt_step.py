"""Checks for ex10: backpropagation through time in a SimpleRNN (reference: ``backproplab.layers.SimpleRNN``
in float64).

Notation of lecture notebook 11, per batch of N sequences of T steps with D features and H units::

    z_t = x_t W + h_{t−1} U + b,   h_t = tanh(z_t),   h_0 = 0        W: (D, H), U: (H, H), b: (H,)
    dL/dh_t = g_t + dL/dz_{t+1} Uᵀ   (no second term at t = T),   dL/dz_t = dL/dh_t ⊙ (1 − h_t²)
    dW = Σ_t x_tᵀ dz_t,   dU = Σ_t h_{t−1}ᵀ dz_t,   db = Σ_t Σ_n dz_t,   dx_t = dz_t Wᵀ
"""
import numpy as np

from ...layers import SimpleRNN
from ..core import FunctionQuestion, register


# ------------------------------------------------------------------------- references
def _rnn(x, W, U, b, return_sequences):
    layer = SimpleRNN(W.shape[1], return_sequences=return_sequences, dtype="float64")
    layer.build(x.shape[1:])
    layer.set_weights([W, U, b])
    return layer, layer.forward(x)


def _states(x, W, U, b):
    return _rnn(x, W, U, b, True)[1].copy()


def _library_bptt(x, W, U, b, grad_out, return_sequences):
    layer, _ = _rnn(x, W, U, b, return_sequences)
    dx = layer.backward(grad_out)
    g = layer.grads
    return dx.copy(), g["kernel"].copy(), g["recurrent_kernel"].copy(), g["bias"].copy()


def _inputs(rng, n=2, t=4, d=3, h=5):
    return {"x": rng.normal(size=(n, t, d)), "W": rng.normal(scale=0.5, size=(d, h)),
            "U": rng.normal(scale=0.3, size=(h, h)), "b": rng.normal(scale=0.2, size=h)}


def _shape(value):
    return value.shape if isinstance(value, np.ndarray) else None


# ------------------------------------------------------------------------- plain-NumPy variants for the mistakes
def _forward_variant(x, W, U, b, tanh=True, recurrence=True, transpose_U=False):
    n, steps, _ = x.shape
    h = np.zeros((n, W.shape[1]))
    out = []
    for t in range(steps):
        z = x[:, t] @ W + b
        if recurrence:
            z = z + h @ (U.T if transpose_U else U)
        h = np.tanh(z) if tanh else z
        out.append(h)
    return np.stack(out, axis=1)


def _bptt_variant(x, W, U, b, G, deriv="h", carry="UT", accumulate="sum", dU_state="prev", carry_after=False):
    """BPTT with one slip. G (N, T, H): dL/dh_t from the outputs. Returns (dx, dW, dU, db).

    deriv: "h" (1 − h_t², right), "none", "last" (only at step T), "prev" (1 − h_{t−1}²),
           "tanh_h" (1 − tanh(h_t)²)
    carry: "UT" (dz_{t+1} Uᵀ, right), "U" (dz_{t+1} U), "none" (truncated after one step)
    accumulate: "sum" (right), "first" (each step overwrote the last: step 1 is left), "last" (only step T)
    dU_state: "prev" (h_{t−1}, right) or "cur" (h_t).  carry_after: the carry added after the derivative.
    """
    hs = _states(x, W, U, b)
    steps = x.shape[1]
    hprev = np.concatenate([np.zeros_like(hs[:, :1]), hs[:, :-1]], axis=1)
    dx = np.zeros_like(x)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    c = np.zeros_like(hs[:, 0])
    for t in range(steps - 1, -1, -1):
        fp = {"h": 1 - hs[:, t] ** 2, "none": np.ones_like(c), "prev": 1 - hprev[:, t] ** 2,
              "tanh_h": 1 - np.tanh(hs[:, t]) ** 2,
              "last": 1 - hs[:, t] ** 2 if t == steps - 1 else np.ones_like(c)}[deriv]
        dz = G[:, t] * fp + c if carry_after else (G[:, t] + c) * fp
        dx[:, t] = dz @ W.T
        terms = (x[:, t].T @ dz, (hprev if dU_state == "prev" else hs)[:, t].T @ dz, dz.sum(axis=0))
        if accumulate == "sum":
            dW, dU, db = dW + terms[0], dU + terms[1], db + terms[2]
        elif accumulate == "first" or t == steps - 1:   # "first": each step overwrote the one before
            dW, dU, db = terms
        c = {"UT": dz @ U.T, "U": dz @ U, "none": np.zeros_like(c)}[carry]
    return dx, dW, dU, db


# ------------------------------------------------------------------------- q1: the forward pass
def _forward_mistakes(x, W, U, b):
    hs = _states(x, W, U, b)
    return [("you forgot the tanh: h_t = tanh(x_t W + h_{t−1} U + b).", _forward_variant(x, W, U, b, tanh=False)),
            ("each step ignores the previous state: add h_{t−1} U (h_0 = 0) inside the tanh.",
             _forward_variant(x, W, U, b, recurrence=False)),
            ("you used Uᵀ: the state is a row vector (one row per sequence), multiplied on the right, h_{t−1} @ U.",
             _forward_variant(x, W, U, b, transpose_U=True)),
            ("your states are one step behind: return h_1 … h_T (the state after each input), not h_0 … h_{T−1}.",
             np.concatenate([np.zeros_like(hs[:, :1]), hs[:, :-1]], axis=1))]


def _forward_shape(answer, x, W, U, b):
    n, steps, _ = x.shape
    h = W.shape[1]
    shape = _shape(answer)
    if shape is None or shape == (n, steps, h):
        return None
    if shape == (steps, n, h):
        return ("hs is time-major, (T, N, H); return (N, T, H), sequences first, as Keras' return_sequences=True "
                "does: np.stack(states, axis=1).")
    if shape == (n, steps + 1, h):
        return "hs has T + 1 states: leave out h_0 = 0 and return h_1 … h_T."
    if shape == (n, h):
        return "hs is a single state; return every state h_1 … h_T, shape (N, T, H)."
    return None


# ------------------------------------------------------------------------- q2: the last step
def _last_inputs(rng, n=2, t=4, d=3, h=5):
    args = _inputs(rng, n, t, d, h)
    args["g"] = rng.normal(size=(n, h))
    return args


def _last_step(x, W, U, b, g):
    hs = _states(x, W, U, b)
    dz = g * (1 - hs[:, -1] ** 2)
    return dz, dz @ U.T


def _last_mistakes(x, W, U, b, g):
    hs = _states(x, W, U, b)
    h_T, h_prev = hs[:, -1], (hs[:, -2] if hs.shape[1] > 1 else np.zeros_like(hs[:, -1]))
    dz = g * (1 - h_T ** 2)
    return [("it skipped tanh's derivative: h_{T−1} reaches the loss through z_T, so start from dL/dz_T "
             "(not dL/dh_T) and multiply by Uᵀ.", (None, g @ U.T)),
            ("you forgot tanh's derivative: dL/dz_T = dL/dh_T ⊙ tanh'(z_T) = g ⊙ (1 − h_T²).", (g, g @ U.T)),
            ("tanh'(z_T) = 1 − tanh(z_T)² = 1 − h_T²: h_T is already tanh(z_T), do not apply tanh again.",
             (g * (1 - np.tanh(h_T) ** 2), None)),
            ("you used the previous state in the derivative: at step T it is 1 − h_T², not 1 − h_{T−1}².",
             (g * (1 - h_prev ** 2), None)),
            ("it went back through U instead of Uᵀ: z_T = … + h_{T−1} U, so dL/dh_{T−1} = dL/dz_T Uᵀ "
             "(as dx = dout Wᵀ for a Dense layer).", (None, dz @ U))]


def _last_shape(answer, x, W, U, b, g):
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return None
    d, h = W.shape
    if d != h and _shape(answer[1]) == (len(x), d):
        return ("dh_prev has the shape of x_T: you multiplied by Wᵀ, which gives dL/dx_T. h_{T−1} enters z_T "
                "through U, so dL/dh_{T−1} = dL/dz_T Uᵀ.")
    return None


# ------------------------------------------------------------------------- q3 and q4: BPTT
def _grads_shape(answer, x, W, U):
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        return None
    n, steps, d = x.shape
    dx = _shape(answer[0])
    if dx is not None and dx != x.shape:
        if dx == (steps, n, d):
            return "dx is time-major, (T, N, D); return it like x, (N, T, D)."
        if dx == (n, d):
            return ("dx has a single step; x_t feeds z_t at every step, so dx has one entry per step, the shape "
                    "of x, (N, T, D), with dx_t = dL/dz_t Wᵀ.")
    return None


def _last_state_inputs(rng, n=2, t=4, d=3, h=5):
    return _last_inputs(rng, n, t, d, h)


def _last_state_bptt(x, W, U, b, g):
    return _library_bptt(x, W, U, b, g, return_sequences=False)


def _as_sequence(x, W, g):
    G = np.zeros((x.shape[0], x.shape[1], W.shape[1]))
    G[:, -1] = g
    return G


_TRUNCATED = ("only the last step contributes: you stopped after one step (truncated BPTT). h_T depends on "
              "h_{T−1}, h_{T−2}, … too, so keep going back to t = 1 with dL/dh_{t−1} = dL/dz_t Uᵀ.")
_NO_DERIV = "you forgot tanh's derivative: dL/dz_t = dL/dh_t ⊙ (1 − h_t²), at every step."
_DERIV_LAST = ("you applied tanh's derivative at the last step only: dL/dz_t = dL/dh_t ⊙ (1 − h_t²) at every step "
               "(the gradient passes through a tanh at each one).")
_DERIV_PREV = "tanh's derivative at step t is 1 − h_t² (the state that step produced), not 1 − h_{t−1}²."
_DERIV_TANH = "tanh'(z_t) = 1 − h_t²: h_t is already tanh(z_t), do not apply tanh again."
_U = ("the gradient went back through U instead of Uᵀ: z_t = … + h_{t−1} U, so dL/dh_{t−1} = dL/dz_t Uᵀ "
      "(as dx = dout Wᵀ for a Dense layer).")
_NOT_SUMMED = ("W, U and b are used at every step, so their gradients are SUMS over t. Yours look like a single "
               "step's term: accumulate with += inside the loop (starting from zeros), do not overwrite.")
_AVERAGED = "you divided by T: the gradient of a weight used at every step is the SUM of its steps' terms."
_DU_CUR = "dU pairs dL/dz_t with the state that ENTERED step t, h_{t−1} (h_0 = 0), not with h_t."


def _bptt_mistakes(x, W, U, b, G):
    _, dW, dU, db = _bptt_variant(x, W, U, b, G)
    steps = x.shape[1]
    # the "not summed" slips leave dx right; listed first so that a right dx with a single-step dW is
    # named as such, while a truncated run fails already on dx with its own message
    return [(_NOT_SUMMED, (None,) + _bptt_variant(x, W, U, b, G, accumulate="first")[1:]),
            (_NOT_SUMMED, (None,) + _bptt_variant(x, W, U, b, G, accumulate="last")[1:]),
            (_TRUNCATED, _bptt_variant(x, W, U, b, G, carry="none")),
            (_NO_DERIV, _bptt_variant(x, W, U, b, G, deriv="none")),
            (_DERIV_LAST, _bptt_variant(x, W, U, b, G, deriv="last")),
            (_DERIV_PREV, _bptt_variant(x, W, U, b, G, deriv="prev")),
            (_DERIV_TANH, _bptt_variant(x, W, U, b, G, deriv="tanh_h")),
            (_U, _bptt_variant(x, W, U, b, G, carry="U")),
            (_AVERAGED, (None, dW / steps, dU / steps, db / steps)),
            (_DU_CUR, (None, None, _bptt_variant(x, W, U, b, G, dU_state="cur")[2], None))]


def _q3_mistakes(x, W, U, b, g):
    return _bptt_mistakes(x, W, U, b, _as_sequence(x, W, g))


def _q3_shape(answer, x, W, U, b, g):
    return _grads_shape(answer, x, W, U)


def _all_inputs(rng, n=2, t=4, d=3, h=5):
    args = _inputs(rng, n, t, d, h)
    args["G"] = rng.normal(size=(n, t, h))
    return args


def _all_states_bptt(x, W, U, b, G):
    return _library_bptt(x, W, U, b, G, return_sequences=True)


def _q4_mistakes(x, W, U, b, G):
    only_last = G.copy()
    only_last[:, :-1] = 0
    return [("each step used only its own output's gradient g_t, as if h_t affected nothing else. It also reaches "
             "the loss through h_{t+1}, h_{t+2}, …: dL/dh_t = g_t + dL/dz_{t+1} Uᵀ.",
             _bptt_variant(x, W, U, b, G, carry="none")),
            ("you used only the last step's g_T, as in q3. Here every state has a loss term of its own: add g_t to "
             "dL/dh_t at every step.", _bptt_variant(x, W, U, b, only_last)),
            ("you added the gradient from h_{t+1} after multiplying by tanh's derivative. Add first, then "
             "multiply: dL/dz_t = (g_t + dL/dz_{t+1} Uᵀ) ⊙ (1 − h_t²).",
             _bptt_variant(x, W, U, b, G, carry_after=True))] + [
        (message, wrong) for message, wrong in _bptt_mistakes(x, W, U, b, G) if message != _TRUNCATED]


def _q4_shape(answer, x, W, U, b, G):
    return _grads_shape(answer, x, W, U)


def _batch(x, *rest):
    return len(x)


q1 = FunctionQuestion("rnn_forward", _inputs, _states, public=[{"seed": 0}], mistakes=_forward_mistakes,
                      extra_check=_forward_shape)

q2 = FunctionQuestion("last_step_backward", _last_inputs, _last_step, outputs=("dz_T", "dh_prev"),
                      public=[{"seed": 1}], mistakes=_last_mistakes, extra_check=_last_shape)

q3 = FunctionQuestion("bptt_last_state", _last_state_inputs, _last_state_bptt, outputs=("dx", "dW", "dU", "db"),
                      public=[{"seed": 2}], mistakes=_q3_mistakes, extra_check=_q3_shape, batch=_batch)

q4 = FunctionQuestion("bptt_all_states", _all_inputs, _all_states_bptt, outputs=("dx", "dW", "dU", "db"),
                      public=[{"seed": 3}], mistakes=_q4_mistakes, extra_check=_q4_shape, batch=_batch)

register(globals(), "ex10_bptt_step")
