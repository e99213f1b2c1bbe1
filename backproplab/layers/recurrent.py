"""SimpleRNN and LSTM, with backpropagation through time (BPTT), as in Keras 3.

Inputs are sequences ``x`` of shape (N, T, D): N sequences of T time steps with D features.
The weights have Keras' names, shapes and order, so ``layer.set_weights(keras_layer.get_weights())``
gives the same outputs::

    kernel            (D, k·units)       input → gates, for all time steps in ONE matrix product
    recurrent_kernel  (units, k·units)   h_{t−1} → gates, one product per time step
    bias              (k·units,)

with ``k = 1`` for SimpleRNN and ``k = 4`` for LSTM (gates in Keras' order i, f, c, o).

BPTT is the ordinary chain rule on the unrolled network: the same weights are used at every
step, so their gradient is the sum over steps, and ``h_{t−1}`` receives gradient both from its
own output and from step ``t``. After ``backward`` the layer keeps
``time_step_grad_norms[t] = ‖dL/dh_t‖`` (over the whole batch), the numbers to plot when
showing gradients vanish or explode along the sequence.

Speed: everything that does not depend on the previous step is done for all steps at once
(the input products, the bias, the activation derivatives, the weight gradients); only the
recurrence itself is a Python loop over time. Arrays are kept time-major, (T, N, ...), so
that each step works on contiguous memory.
"""
import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from ..errors import ShapeError
from .base import Layer
from .conv import keras_name


def _activate(act, z, out):
    """``out[...] = act(z)``, computed in place for the common activations (this runs once
    per time step, where allocating new arrays is most of the cost)."""
    if isinstance(act, _activations.Tanh):
        np.tanh(z, out=out)
    elif isinstance(act, _activations.Sigmoid):
        # σ(z) = (1 + tanh(z/2)) / 2: the same function, stable for any z, and in place.
        np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out *= 0.5
        out += 0.5
    else:
        out[...] = act.forward(z)
    return out


def _derivative(act, z, a):
    """``f'(z)`` for an elementwise activation ``a = f(z)``, from ``a`` where that is cheaper."""
    if isinstance(act, _activations.Tanh):
        return 1 - a * a
    if isinstance(act, _activations.Sigmoid):
        return a * (1 - a)
    return act.backward(np.ones_like(a), z, a)   # any other: its chain rule with an upstream of ones


class _Recurrent(Layer):
    """What SimpleRNN and LSTM share: arguments, weights, input checks and output shapes."""

    n_gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", return_sequences=False,
                 input_shape=None, name=None, **kwargs):
        super().__init__(input_shape=input_shape, name=name or keras_name(type(self).__name__), **kwargs)
        cls = type(self).__name__
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units < 1:
            raise ValueError(f"{cls}(units) expects a positive whole number of hidden units, got {units!r}.")
        self.units = int(units)
        self.activation = self._elementwise(activation, "activation")
        self.use_bias = use_bias
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.recurrent_initializer = _initializers.get(recurrent_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.return_sequences = bool(return_sequences)
        self.time_step_grad_norms = None

    def _elementwise(self, identifier, what):
        act = _activations.get(identifier)
        if not act.elementwise:
            raise ValueError(f"{type(self).__name__}: the {what} must act elementwise (such as 'tanh' or "
                             f"'sigmoid'), not {act.name!r}. Put a Dense(..., activation='{act.name}') "
                             "after the recurrent layer instead.")
        return act

    # ------------------------------------------------------------------ shapes and weights
    def build(self, input_shape, rng=None):
        input_shape = tuple(int(s) for s in input_shape)
        if len(input_shape) != 2:
            cls = type(self).__name__
            shape = "(batch, " + ", ".join(map(str, input_shape)) + ")"
            hint = ""
            if len(input_shape) == 1:
                t = input_shape[0]
                hint = (f" If each row is one sequence of {t} numbers, add a feature axis: x[..., None] "
                        f"gives shape (batch, {t}, 1). If each row is the {t} features of a single time "
                        f"step, add the time axis: x[:, None, :] gives shape (batch, 1, {t}).")
            elif len(input_shape) == 3:
                hint = (" Images can be read as sequences of rows: "
                        "x.reshape(len(x), x.shape[1], -1) gives (batch, rows, columns·channels).")
            raise ShapeError(f"{cls} expects sequences of shape (batch, time steps, features) but got inputs "
                             f"of shape {shape}, with {len(input_shape)} axes after the batch instead of 2.{hint}")
        super().build(input_shape)
        rng = self._rng(rng)
        d, width = input_shape[-1], self.n_gates * self.units
        self.params = {  # C order whatever the initializer returns (orthogonal can return a transpose)
            "kernel": np.ascontiguousarray(self.kernel_initializer((d, width), rng=rng, dtype=self.dtype),
                                           dtype=self.dtype),
            "recurrent_kernel": np.ascontiguousarray(
                self.recurrent_initializer((self.units, width), rng=rng, dtype=self.dtype), dtype=self.dtype),
        }
        if self.use_bias:
            self.params["bias"] = self._initial_bias(rng)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def _initial_bias(self, rng):
        width = self.n_gates * self.units
        return np.ascontiguousarray(self.bias_initializer((width,), rng=rng, dtype=self.dtype), dtype=self.dtype)

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], self.units)
        return (self.units,)

    def check_input(self, x):
        t, d = self.input_shape
        if x.ndim == 3 and x.shape[-1] == d and x.shape[1] >= 1:
            return                                # any sequence length works
        cls = type(self).__name__
        hint = ""
        if x.ndim == 2 and x.shape[-1] == d:
            hint = (f" Each sample needs a time axis: x[:, None, :] makes each row a sequence of one step, "
                    f"shape {(x.shape[0], 1, d)}.")
        elif x.ndim == 2 and d == 1:
            hint = f" Add the feature axis: x[..., None] gives shape {tuple(x.shape) + (1,)}."
        elif x.ndim == 3 and x.shape[1] == d:
            hint = " Time and features look swapped: try x.transpose(0, 2, 1)."
        elif x.ndim == 3 and x.shape[1] == 0:
            hint = " The sequences are empty (zero time steps)."
        raise ShapeError(f"{cls} expected sequences of shape (batch, time steps, {d}) but got an array of shape "
                         f"{tuple(x.shape)}.{hint}")

    # ------------------------------------------------------------------ helpers for forward/backward
    def _input_products(self, x):
        """``X`` (T, N, D) time-major and ``Z = X @ kernel + bias`` (T, N, k·units) for all steps."""
        x_tm = np.ascontiguousarray(np.asarray(x, dtype=self.dtype).transpose(1, 0, 2))
        t, n, d = x_tm.shape
        z = np.dot(x_tm.reshape(t * n, d), self.params["kernel"])   # np.dot: fast even when d = 1
        if self.use_bias:
            z += self.params["bias"]
        return x_tm, z.reshape(t, n, -1)

    def _output(self, h_tm):
        return h_tm.transpose(1, 0, 2) if self.return_sequences else h_tm[-1]

    def _upstream(self, grad_out, shape):
        """``dL/dh_t`` coming from this layer's output, time-major (T, N, units)."""
        if self.return_sequences:
            # always a fresh copy: BPTT adds into it, and the caller's array must stay untouched
            return np.array(np.asarray(grad_out).transpose(1, 0, 2), dtype=self.dtype, order="C", copy=True)
        dh = np.zeros(shape, dtype=self.dtype)
        dh[-1] = grad_out
        return dh

    def _weight_grads(self, x_tm, h_tm, dz):
        """Weight gradients summed over all time steps, each as one matrix product, and dx.

        ``dz`` is dL/d(pre-activation) (T, N, k·units); step t used ``h_{t−1}`` (zero at t=0).
        """
        t, n, d = x_tm.shape
        dz2 = dz.reshape(t * n, -1)
        np.matmul(x_tm.reshape(t * n, d).T, dz2, out=self.grads["kernel"])
        np.matmul(h_tm[:-1].reshape(-1, self.units).T, dz[1:].reshape(-1, dz2.shape[1]),
                  out=self.grads["recurrent_kernel"])
        if self.use_bias:   # Σ over steps and samples, as 1ᵀ dz (faster than a column sum)
            np.matmul(np.ones(len(dz2), dtype=dz2.dtype), dz2, out=self.grads["bias"])
        if not self.need_input_grad:
            return None
        return (dz2 @ self.params["kernel"].T).reshape(t, n, d).transpose(1, 0, 2)

    def __repr__(self):
        extra = "" if self.activation.name == "tanh" else f", activation='{self.activation.name}'"
        extra += ", return_sequences=True" if self.return_sequences else ""
        return f"{type(self).__name__}({self.units}{extra})"


class SimpleRNN(_Recurrent):
    """The plain recurrent layer: ``h_t = f(x_t @ kernel + h_{t−1} @ recurrent_kernel + bias)``, h₀ = 0.

    Shapes: ``x`` (N, T, D) → (N, T, units) with ``return_sequences=True``, else the last
    state (N, units). ``kernel`` (D, units), ``recurrent_kernel`` (units, units), ``bias`` (units,).

    Backward through time, with ``g_t`` the gradient arriving at ``h_t`` from the output::

        dh_t  = g_t + dz_{t+1} @ recurrent_kernelᵀ     (the second term is zero at t = T)
        dz_t  = dh_t ⊙ f'(z_t)
        dkernel = Σ_t x_tᵀ dz_t,  drecurrent_kernel = Σ_t h_{t−1}ᵀ dz_t,  dbias = Σ_t Σ_n dz_t
        dx_t  = dz_t @ kernelᵀ

    A factor ``recurrent_kernelᵀ`` and ``f'`` per step back: that product is why gradients
    vanish (or explode) over long sequences; see ``time_step_grad_norms``.
    """

    fuses_activation = True  # backward(..., skip_activation=True) takes dL/dz

    def forward(self, x, training=True):
        x_tm, z = self._input_products(x)         # z[t] = x_t @ kernel + bias, for every t
        h = np.empty_like(z)
        recurrent = self.params["recurrent_kernel"]
        for t in range(z.shape[0]):
            if t:
                z[t] += h[t - 1] @ recurrent
            _activate(self.activation, z[t], out=h[t])
        self.cache = (x_tm, z, h)
        return self._output(h)

    def backward(self, grad_out, skip_activation=False):
        """BPTT. ``skip_activation=True`` (what ``Sequential`` passes when a loss is fused with
        this layer's activation) means ``grad_out`` is already dL/dz for the output steps; the
        per-step norms of dL/dh_t are then not available (``time_step_grad_norms`` is None)."""
        x_tm, z, h = self.cache
        steps = z.shape[0]
        fprime = _derivative(self.activation, z, h)
        if skip_activation:
            dz = self._upstream(grad_out, z.shape)  # the output steps' dL/dz, to which BPTT adds
        else:
            dh = self._upstream(grad_out, h.shape)  # becomes dL/dh_t once the loop has passed t
            dz = np.empty_like(z)
        recurrent_t = self.params["recurrent_kernel"].T
        carry = np.empty_like(z[0])               # dL/dh_{t−1} through step t
        for t in range(steps - 1, -1, -1):
            if skip_activation:
                if t < steps - 1:
                    dz[t] += carry * fprime[t]
            else:
                if t < steps - 1:
                    dh[t] += carry
                np.multiply(dh[t], fprime[t], out=dz[t])
            if t:
                np.matmul(dz[t], recurrent_t, out=carry)
        self.time_step_grad_norms = None if skip_activation else np.sqrt(np.einsum("tnu,tnu->t", dh, dh))
        return self._weight_grads(x_tm, h, dz)


class LSTM(_Recurrent):
    """Long short-term memory, Keras 3's cell (h₀ = c₀ = 0)::

        z_t = x_t @ kernel + h_{t−1} @ recurrent_kernel + bias          (N, 4·units)
        i, f, o = σ(z_i), σ(z_f), σ(z_o)      input, forget, output gates (recurrent_activation)
        g     = tanh(z_c)                      candidate cell values (activation)
        c_t   = f ⊙ c_{t−1} + i ⊙ g            the cell state
        h_t   = o ⊙ tanh(c_t)

    Shapes: ``x`` (N, T, D) → (N, T, units) or (N, units); ``kernel`` (D, 4·units),
    ``recurrent_kernel`` (units, 4·units), ``bias`` (4·units,), the gate blocks in the order
    i, f, c, o. ``unit_forget_bias=True`` starts the forget gate's bias at 1, as Keras does.

    Backward through time (``dc`` collects both paths into ``c_t``)::

        dh_t  = g_t + dz_{t+1} @ recurrent_kernelᵀ
        dc_t  = dh_t ⊙ o ⊙ tanh'(c_t) + dc_{t+1} ⊙ f_{t+1}
        dz_t  = [dc_t ⊙ g ⊙ σ'(z_i),  dc_t ⊙ c_{t−1} ⊙ σ'(z_f),
                 dc_t ⊙ i ⊙ tanh'(z_c),  dh_t ⊙ tanh(c_t) ⊙ σ'(z_o)]     (blocks i, f, c, o)

    The path ``dc_{t+1} ⊙ f_{t+1}`` is multiplied by the forget gate only, no weight matrix and
    no squashing derivative: with f ≈ 1 the gradient travels far back along the cell state.
    After ``backward``, ``time_step_grad_norms`` holds ‖dL/dh_t‖ and ``cell_grad_norms`` ‖dL/dc_t‖.
    """

    n_gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, return_sequences=False, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         return_sequences=return_sequences, **kwargs)
        self.recurrent_activation = self._elementwise(recurrent_activation, "recurrent_activation")
        self.unit_forget_bias = bool(unit_forget_bias)
        self.cell_grad_norms = None

    def _initial_bias(self, rng):
        bias = super()._initial_bias(rng)
        if self.unit_forget_bias:
            u = self.units
            bias[u:2 * u] = 1
        return bias

    def forward(self, x, training=True):
        x_tm, z = self._input_products(x)         # z[t] = x_t @ kernel + bias, for every t
        steps, n, _ = z.shape
        u = self.units
        # Gate-major: z[t, k] is gate k's (N, units) block, contiguous, so every elementwise
        # operation of a step runs over whole arrays; recurrent[k] is gate k's (units, units) block.
        z = np.ascontiguousarray(z.reshape(steps, n, 4, u).transpose(0, 2, 1, 3))     # (T, 4, N, units)
        recurrent = np.ascontiguousarray(self.params["recurrent_kernel"].reshape(u, 4, u).transpose(1, 0, 2))
        gates = np.empty_like(z)                  # [i, f, g, o] after their activations
        c = np.empty((steps, n, u), dtype=z.dtype)
        tanh_c = np.empty_like(c)
        h = np.empty_like(c)
        for t in range(steps):
            zt, at = z[t], gates[t]
            if t:
                zt += np.matmul(h[t - 1], recurrent)   # (N, units) @ (4, units, units): all gates at once
            _activate(self.recurrent_activation, zt, out=at)    # σ on all four blocks ...
            _activate(self.activation, zt[2], out=at[2])        # ... and tanh on the candidate g
            i, f, g, o = at
            np.multiply(i, g, out=c[t])
            if t:
                c[t] += f * c[t - 1]
            _activate(self.activation, c[t], out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=h[t])
        self.cache = (x_tm, z, gates, c, tanh_c, h, recurrent)
        return self._output(h)

    def backward(self, grad_out, skip_activation=False):
        if skip_activation:
            raise ValueError(
                f"{self!r} cannot take a gradient fused with its activation: an LSTM's output o ⊙ "
                f"{self.activation.name}(c) is not the activation of a pre-activation. Put a Dense layer "
                "(with the loss's activation) after the LSTM.")
        x_tm, z, gates, c, tanh_c, h, recurrent = self.cache
        steps, n, u = h.shape
        i, f, g, o = gates.transpose(1, 0, 2, 3)  # each (T, N, units)
        c_prev = np.concatenate([np.zeros_like(c[:1]), c[:-1]])

        # Everything that depends only on the forward pass, for all steps at once:
        fprime = _derivative(self.recurrent_activation, z, gates)   # σ'(z) for the four blocks ...
        fprime[:, 2] = _derivative(self.activation, z[:, 2], g)     # ... but tanh'(z_c) for g
        # dz_i = dc ⊙ g ⊙ σ'(z_i),  dz_f = dc ⊙ c_{t−1} ⊙ σ'(z_f),  dz_c = dc ⊙ i ⊙ tanh'(z_c):
        to_ifg = np.stack([g, c_prev, i], axis=1) * fprime[:, :3]   # (T, 3, N, units)
        to_o = tanh_c * fprime[:, 3]                                # dz_o = dh ⊙ this
        h_to_c = o * _derivative(self.activation, c, tanh_c)        # dc  += dh ⊙ this

        # The recurrence, backwards in time.
        dh = self._upstream(grad_out, h.shape)    # becomes dL/dh_t once the loop has passed t
        dc = np.empty_like(dh)                    # dL/dc_t
        dz = np.empty_like(z)                     # dL/dz_t, gate-major (T, 4, N, units)
        recurrent_t = np.ascontiguousarray(recurrent.transpose(0, 2, 1))   # contiguous: BLAS-friendly
        carry_c = np.empty_like(dh[0])            # dL/dc_{t−1} through step t: dc_t ⊙ f_t
        for t in range(steps - 1, -1, -1):
            last = t == steps - 1
            if not last:
                dh[t] += carry_h
            np.multiply(dh[t], h_to_c[t], out=dc[t])
            if not last:
                dc[t] += carry_c
            np.multiply(dc[t], to_ifg[t], out=dz[t, :3])
            np.multiply(dh[t], to_o[t], out=dz[t, 3])
            if t:
                # dL/dh_{t−1} = Σ_k dz_k @ recurrent_kᵀ, over the four gates
                carry_h = np.matmul(dz[t], recurrent_t).sum(axis=0)
                np.multiply(dc[t], f[t], out=carry_c)
        self.time_step_grad_norms = np.sqrt(np.einsum("tnu,tnu->t", dh, dh))
        self.cell_grad_norms = np.sqrt(np.einsum("tnu,tnu->t", dc, dc))
        dz_keras = dz.transpose(0, 2, 1, 3).reshape(steps, n, 4 * u)   # back to Keras' (.., i f c o) columns
        return self._weight_grads(x_tm, h, dz_keras)
