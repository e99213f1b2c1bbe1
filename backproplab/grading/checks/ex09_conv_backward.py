"""Checks for ex09: a convolution's backward pass (reference: ``backproplab.layers.Conv2D`` and
``MaxPooling2D`` in float64).

One channel, stride 1, no padding ('valid'), the kernel not flipped (a cross-correlation, as in
Keras and backproplab)::

    z_ij = Σ_pq K_pq x_{i+p, j+q} + b      x: (H, W), K: (kh, kw), z and δ = dL/dz: (Ho, Wo)
    dK   = correlate(x, δ)                  dL/dK_pq = Σ_ij δ_ij x_{i+p, j+q}
    dx   = correlate(pad(δ, kh − 1, kw − 1), K[::-1, ::-1])     the full correlation, flipped kernel
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...layers import Conv2D, MaxPooling2D
from ..core import FunctionQuestion, register


# ------------------------------------------------------------------------- references and helpers
def _conv(x, K, b=None):
    """A float64 Conv2D with kernel K (kh, kw, C, F) run forward on x (N, H, W, C)."""
    kh, kw, _, f = K.shape
    layer = Conv2D(f, (kh, kw), dtype="float64")
    layer.build(x.shape[1:])
    layer.set_weights([K, np.zeros(f) if b is None else b])
    z = layer.forward(x)
    return layer, z


def _correlate(x, K):
    """The 'valid' cross-correlation of one channel: an independent twin of Conv2D for the mistakes."""
    return np.einsum("ijpq,pq->ij", sliding_window_view(x, K.shape), K)


def _full(delta, K):
    """Full correlation of δ with K (δ padded by kh − 1, kw − 1 on each side)."""
    kh, kw = K.shape
    return _correlate(np.pad(delta, ((kh - 1, kh - 1), (kw - 1, kw - 1))), K)


def _shape(value):
    return value.shape if isinstance(value, np.ndarray) else None


# ------------------------------------------------------------------------- q1: the forward pass
def _forward_inputs(rng, h=6, w=7, kh=3, kw=3):
    return {"x": rng.normal(size=(h, w)), "K": rng.normal(size=(kh, kw))}


def _forward(x, K):
    _, z = _conv(x[None, :, :, None], K[:, :, None, None])
    return z[0, :, :, 0]


def _forward_mistakes(x, K):
    out = [("you flipped the kernel: that is a true (mathematical) convolution. Conv2D in Keras and "
            "backproplab computes a cross-correlation, z_ij = Σ K_pq x_{i+p, j+q}, kernel as it is.",
            _correlate(x, K[::-1, ::-1])),
           ("you flipped the kernel along one axis only; here it is not flipped at all.", _correlate(x, K[::-1])),
           ("you flipped the kernel along one axis only; here it is not flipped at all.", _correlate(x, K[:, ::-1]))]
    if K.shape[0] == K.shape[1]:
        out.append(("you used the transposed kernel K.T: K_pq multiplies x_{i+p, j+q}, with p along the "
                    "rows (first axis) and q along the columns.", _correlate(x, K.T)))
    return out


def _forward_size(answer, x, K):
    (h, w), (kh, kw) = x.shape, K.shape
    shape = _shape(answer)
    if shape is None or shape == (h - kh + 1, w - kw + 1):
        return None
    if shape == (h, w):
        return ("z has the input's size, as with 'same' padding. Here the padding is 'valid' (none): "
                "the kernel must fit inside the image, so there are H − kh + 1 rows and W − kw + 1 columns.")
    if shape == (h - kh, w - kw):
        return ("z is one row and one column short: a kernel of height kh fits at H − kh + 1 positions in an "
                "image of height H (count them for H = 3, kh = 3: one position). Check your range(...).")
    if shape == (h + kh - 1, w + kw - 1):
        return ("z has the size of a 'full' correlation (the image padded with kh − 1 zeros all round). Here "
                "the padding is 'valid' (none): H − kh + 1 rows and W − kw + 1 columns.")
    return None


# ------------------------------------------------------------------------- q2: kernel gradient
def _kernel_inputs(rng, h=6, w=7, kh=3, kw=3):
    return {"x": rng.normal(size=(h, w)), "delta": rng.normal(size=(h - kh + 1, w - kw + 1))}


def _kernel_grad(x, delta):
    kh, kw = x.shape[0] - delta.shape[0] + 1, x.shape[1] - delta.shape[1] + 1
    layer, _ = _conv(x[None, :, :, None], np.zeros((kh, kw, 1, 1)))
    layer.backward(delta[None, :, :, None])
    return layer.grads["kernel"][:, :, 0, 0].copy(), float(layer.grads["bias"][0])


def _kernel_mistakes(x, delta):
    dK = _correlate(x, delta)
    db = float(delta.sum())
    m = delta.size
    out = [("it is rotated by 180°: something got flipped. dL/dK_pq = Σ_ij δ_ij x_{i+p, j+q} slides δ over x "
            "as a correlation, with nothing flipped (the flip belongs to the input gradient).",
            (dK[::-1, ::-1], None)),
           ("you averaged over the output positions. A shared weight collects the SUM of the gradients of "
            "all its copies: one term per output pixel, no division.", (dK / m, db / m)),
           ("you convolved x with δ (flipping δ, as a true convolution or scipy's convolve2d does). The kernel "
            "gradient is a correlation: slide δ over x as it is.", (_correlate(x, delta[::-1, ::-1]), None)),
           ("it is 0, but the bias b is added to every output pixel, so dL/db = Σ_ij δ_ij.", (None, 0.0)),
           ("you averaged δ for db; the bias is used once per output pixel, so its gradient is the SUM of δ.",
            (None, db / m))]
    if dK.shape[0] == dK.shape[1]:
        out.append(("it looks transposed: p, the first index of K_pq, moves down the rows of x (x_{i+p, j+q}).",
                    (dK.T, None)))
    return out


def _kernel_size(answer, x, delta):
    if not isinstance(answer, (tuple, list)) or not answer:
        return None
    shape = _shape(answer[0])
    if shape is not None and shape == delta.shape and shape != (x.shape[0] - delta.shape[0] + 1,
                                                               x.shape[1] - delta.shape[1] + 1):
        return ("dK has the shape of δ, but a gradient has the shape of what it is the gradient of: the kernel, "
                "(H − Ho + 1) × (W − Wo + 1). Slide δ over x: dK = correlate2d(x, delta).")
    return None


# ------------------------------------------------------------------------- q3: input gradient
def _input_inputs(rng, ho=4, wo=5, kh=3, kw=3):
    return {"K": rng.normal(size=(kh, kw)), "delta": rng.normal(size=(ho, wo))}


def _input_grad(K, delta):
    (kh, kw), (ho, wo) = K.shape, delta.shape
    layer, _ = _conv(np.zeros((1, ho + kh - 1, wo + kw - 1, 1)), K[:, :, None, None])
    return layer.backward(delta[None, :, :, None])[0, :, :, 0].copy()


def _input_mistakes(K, delta):
    out = [("you forgot to flip the kernel (or flipped it twice: a true convolution, np.convolve or "
            "scipy's convolve2d, flips it already). dL/dx_mn = Σ_ij δ_ij K_{m−i, n−j}: as a sliding sum over "
            "the padded δ that is the kernel rotated by 180°, K[::-1, ::-1].", _full(delta, K)),
           ("you flipped the kernel along one axis only: rotate it by 180°, reversing both the rows and the "
            "columns, K[::-1, ::-1].", _full(delta, K[::-1])),
           ("you flipped the kernel along one axis only: rotate it by 180°, reversing both the rows and the "
            "columns, K[::-1, ::-1].", _full(delta, K[:, ::-1]))]
    if K.shape[0] == K.shape[1]:
        out += [("you transposed the kernel (K.T) instead of flipping it: flipping reverses the order of the "
                 "rows and of the columns, K[::-1, ::-1].", _full(delta, K.T)),
                ("you transposed the flipped kernel; flip it only, K[::-1, ::-1].", _full(delta, K[::-1, ::-1].T))]
    return out


def _input_size(answer, K, delta):
    (kh, kw), (ho, wo) = K.shape, delta.shape
    shape = _shape(answer)
    if shape is None or shape == (ho + kh - 1, wo + kw - 1) or shape == (wo + kw - 1, ho + kh - 1):
        return None
    return (f"dx has shape {shape}, but it should have the input's shape, (Ho + kh − 1, Wo + kw − 1): pad δ with "
            "kh − 1 rows of zeros above and below and kw − 1 columns left and right (a 'full' correlation), then "
            "slide the flipped kernel over it.")


# ------------------------------------------------------------------------- q4: channels and a batch
def _multi_inputs(rng, n=2, h=5, w=6, c=2, f=3, kh=3, kw=2):
    return {"x": rng.normal(size=(n, h, w, c)), "K": rng.normal(size=(kh, kw, c, f)),
            "delta": rng.normal(size=(n, h - kh + 1, w - kw + 1, f))}


def _multi(x, K, delta):
    layer, _ = _conv(x, K)
    dx = layer.backward(delta)
    return dx.copy(), layer.grads["kernel"].copy(), layer.grads["bias"].copy()


def _multi_dx(K, delta):
    """dx (N, H, W, C) summed over the filters, one full correlation per (image, channel, filter)."""
    n, ho, wo, f = delta.shape
    kh, kw, c, _ = K.shape
    dx = np.zeros((n, ho + kh - 1, wo + kw - 1, c))
    for i in range(n):
        for ch in range(c):
            for fi in range(f):
                dx[i, :, :, ch] += _full(delta[i, :, :, fi], K[::-1, ::-1, ch, fi])
    return dx


def _multi_mistakes(x, K, delta):
    _, dK, db = _multi(x, K, delta)
    n = len(x)
    out = [("you forgot to flip the kernel for dx: rotate each K[:, :, c, f] by 180°, as in q3.",
            (_multi_dx(K[::-1, ::-1], delta), None, None)),
           ("it is averaged over the batch: a kernel weight is used on every image, so its gradient is the SUM "
            "over the batch (any 1/N of a mean loss is already inside δ).", (None, dK / n, None)),
           ("it is averaged over the batch: sum δ over the batch and over both spatial axes.", (None, None, db / n)),
           ("it is averaged over the output pixels: db is the SUM of δ over the batch and both spatial axes.",
            (None, None, db / (n * delta.shape[1] * delta.shape[2]))),
           ("it looks like the contribution of the last filter only: an input pixel feeds every filter, so ADD "
            "(+=) the full correlations of all F filters.", (_multi_dx(K[..., -1:], delta[..., -1:]), None, None)),
           ("it looks like the contribution of the first filter only: an input pixel feeds every filter, so ADD "
            "the full correlations of all F filters.", (_multi_dx(K[..., :1], delta[..., :1]), None, None))]
    if K.shape[2] == K.shape[3]:
        out.append(("you used K[:, :, f, c] where dx needs K[:, :, c, f]: the kernel's third axis is the input "
                    "channel, the fourth the filter.", (_multi_dx(K.transpose(0, 1, 3, 2), delta), None, None)))
    return out


def _multi_axes(answer, x, K, delta):
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return None
    n, h, w, c = x.shape
    kh, kw, _, f = K.shape
    dx, dK, db = (_shape(a) for a in answer)
    if dx is not None and c != f and dx == (n, h, w, f):
        return ("dx has F (filters) channels instead of the input's C: each input channel c receives the sum "
                "over the FILTERS f of the full correlations with K[:, :, c, f].")
    if dK is not None and c != f and dK == (kh, kw, f, c):
        return "dK has its last two axes swapped: it should have the kernel's shape (kh, kw, C, F)."
    if f > 1 and (db == () or isinstance(answer[2], float)):
        return "db should have one entry per filter, shape (F,): sum δ over axis=(0, 1, 2), not over everything."
    if db is not None and db != (f,) and len(db) > 1 and db[-1] == f:
        return (f"db has shape {db}: the bias has one entry per filter, so sum δ over every axis but the last, "
                "axis=(0, 1, 2) (the batch and both spatial axes).")
    return None


# ------------------------------------------------------------------------- q5: max pooling
def _pool_inputs(rng, h=4, w=6):
    return {"x": rng.normal(size=(h, w)), "dout": rng.normal(size=(h // 2, w // 2))}


def _pool_backward(x, dout):
    layer = MaxPooling2D((2, 2), dtype="float64")
    layer.build(x.shape + (1,))
    layer.forward(x[None, :, :, None])
    return layer.backward(dout[None, :, :, None])[0, :, :, 0].copy()


def _up(a):
    return np.repeat(np.repeat(a, 2, axis=0), 2, axis=1)


def _pool_mistakes(x, dout):
    mask = _pool_backward(x, np.ones_like(dout))
    return [("you spread δ evenly over each window: that is average pooling's backward pass. Max pooling is "
             "locally the identity in the window's maximum and constant in the others: the maximum gets all of "
             "δ, the other three 0.", _up(dout) / 4),
            ("every pixel of a window received δ: only the window's maximum should (the other three do not "
             "change the output, so their gradient is 0).", _up(dout)),
            ("you marked where the maxima are but did not multiply by the upstream gradient dout.", mask),
            ("you sent the maximum's value x to it; send the upstream gradient dout instead.", mask * x),
            ("you sent δ to each window's MINIMUM; it goes to the maximum.", _pool_backward(-x, dout))]


def _pool_size(answer, x, dout):
    shape = _shape(answer)
    if shape is not None and shape == dout.shape and shape != x.shape:
        return ("dx has the pooled shape (H/2, W/2); it is the gradient with respect to the input, so it has the "
                "input's shape (H, W): one entry per pixel, zero where the pixel was not its window's maximum.")
    return None


q1 = FunctionQuestion("correlate2d", _forward_inputs, _forward, public=[{"seed": 0}],
                      mistakes=_forward_mistakes, extra_check=_forward_size)

q2 = FunctionQuestion("kernel_grad", _kernel_inputs, _kernel_grad, outputs=("dK", "db"),
                      public=[{"seed": 1}], mistakes=_kernel_mistakes, extra_check=_kernel_size)

q3 = FunctionQuestion("input_grad", _input_inputs, _input_grad, public=[{"seed": 2}],
                      mistakes=_input_mistakes, extra_check=_input_size)

q4 = FunctionQuestion("conv2d_backward", _multi_inputs, _multi, outputs=("dx", "dK", "db"),
                      public=[{"seed": 3}], mistakes=_multi_mistakes, batch=lambda x, K, delta: len(x),
                      extra_check=_multi_axes)

q5 = FunctionQuestion("maxpool_backward", _pool_inputs, _pool_backward, public=[{"seed": 4}],
                      mistakes=_pool_mistakes, extra_check=_pool_size)

register(globals(), "ex09_conv_backward")
