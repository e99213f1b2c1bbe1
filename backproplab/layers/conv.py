"""Conv2D: a 2-D convolution over channels-last images, as ``keras.layers.Conv2D``.

A convolution is a Dense layer applied to every patch of the image with the same weights.
``im2col`` makes that literal: it copies every ``kh × kw × C`` patch into one row of a matrix
``cols``, after which the forward pass is one matrix product and the backward pass is two::

    cols    : (N·Ho·Wo, kh·kw·C)     one row per output pixel, one column per weight
    z       = cols @ K + b           K = kernel.reshape(kh·kw·C, F): (N·Ho·Wo, F)
    dK      = colsᵀ @ dz             exactly Dense's dkernel
    db      = Σ dz
    dcols   = dz @ Kᵀ                exactly Dense's dx, one row per patch ...
    dx      = col2im(dcols)          ... added back to the pixels each patch came from

``col2im`` adds each patch's gradient back where the patch was read: a pixel that appears in
several patches receives the sum. Written out, this sum is itself a convolution (of ``dz``
with the kernel flipped), which is the famous "the gradient of a convolution is a convolution".
"""
import math
import re

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import activations as _activations
from .. import initializers as _initializers
from ..errors import ShapeError
from .base import Layer, _auto_name


# ---------------------------------------------------------------------------------------------
# Helpers shared with pooling.py: Keras' argument spellings and its padding arithmetic.

def _pair(value, what, layer):
    """``3`` or ``(3, 3)`` → ``(3, 3)``, refusing anything that is not two positive integers."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    try:
        pair = tuple(int(v) for v in value)
        ok = len(pair) == 2 and all(p >= 1 and p == v for p, v in zip(pair, value))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{layer}: {what} should be a positive whole number or a pair of them "
                         f"such as (3, 3), not {value!r}.")
    return pair


def _padding_mode(padding, layer):
    mode = str(padding).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"{layer}: padding should be 'valid' (no padding) or 'same' (pad so that "
                         f"output size = ceil(input size / stride)), not {padding!r}.")
    return mode


def _data_format(data_format, layer):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer}: backproplab works channels-last, (batch, height, width, channels), "
                         f"as Keras does by default; got data_format={data_format!r}. Move the channel "
                         "axis last with x.transpose(0, 2, 3, 1).")


def same_padding(size, window, stride):
    """Keras' (and TensorFlow's) 'same' padding along one axis, as ``(before, after)``.

    The output has ``ceil(size / stride)`` positions; the total padding is whatever makes the
    last window fit, ``max((ceil(size/stride) − 1)·stride + window − size, 0)``, split with the
    odd pixel going after (bottom/right).
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def output_size(size, window, stride, padding):
    """Number of window positions along one axis: ``floor((size − window)/stride) + 1`` for
    'valid', ``ceil(size/stride)`` for 'same'."""
    if padding == "same":
        return -(-size // stride)
    return (size - window) // stride + 1


def _spatial_plan(layer, input_shape, window, strides, padding, kind):
    """Check an image input shape and work out padding and output size for a sliding window.

    Returns ``((pad_top, pad_bottom), (pad_left, pad_right)), (Ho, Wo)``.
    """
    if len(input_shape) != 3:
        shape = "(batch, " + ", ".join(map(str, input_shape)) + ")"
        hint = ""
        if len(input_shape) == 2:
            hint = (f" Grayscale images need a channel axis: use x[..., None] to get shape "
                    f"(batch, {input_shape[0]}, {input_shape[1]}, 1).")
        elif len(input_shape) == 1:
            side = math.isqrt(input_shape[0])
            if side * side == input_shape[0]:
                hint = (f" These look like flattened images: use x.reshape(-1, {side}, {side}, 1).")
        raise ShapeError(f"{layer!r} expects images of shape (batch, height, width, channels) but got "
                         f"inputs of shape {shape}, with {len(input_shape)} axes after the batch "
                         f"instead of 3.{hint}")
    pads, outs = [], []
    for size, k, s, axis in zip(input_shape[:2], window, strides, ("height", "width")):
        pad = same_padding(size, k, s) if padding == "same" else (0, 0)
        out = output_size(size, k, s, padding)
        if out < 1:
            raise ShapeError(f"{layer!r}: a {kind} of {axis} {k} does not fit inputs of {axis} {size} with "
                             f"padding='valid'. Use padding='same' or a smaller {kind}.")
        pads.append(pad)
        outs.append(out)
    return tuple(pads), tuple(outs)


def keras_name(cls_name):
    """Keras' automatic layer name: ``Conv2D`` → ``conv2d``, ``SimpleRNN`` → ``simple_rnn``,
    numbered by the base class's counter (``conv2d_1``, ...)."""
    return _auto_name(cls_name)


def _check_image_input(layer, x):
    """The shared ``check_input`` of Conv2D and the pooling layers."""
    expected = layer.input_shape
    if x.ndim == 4 and tuple(x.shape[1:]) == expected:
        return
    h, w, c = expected
    hint = ""
    if x.ndim == 3 and c == 1 and tuple(x.shape[1:]) == (h, w):
        hint = " The channel axis is missing: use x[..., None] for grayscale images."
    elif x.ndim == 3 and tuple(x.shape) == expected:
        hint = " That looks like a single image without the batch axis: use x[None]."
    elif x.ndim == 4 and tuple(x.shape[1:]) == (c, h, w):
        hint = " That looks channels-first: use x.transpose(0, 2, 3, 1) to move the channels last."
    elif x.ndim == 2 and x.shape[1] == h * w * c:
        hint = f" These look like flattened images: use x.reshape(-1, {h}, {w}, {c})."
    raise ShapeError(f"{layer!r} expected images of shape (batch, {h}, {w}, {c}) (channels last) but got "
                     f"an array of shape {tuple(x.shape)}.{hint}")


def _pad(x, pads, value=0.0):
    """Pad the two spatial axes of ``x`` (N, H, W, C); no copy when there is nothing to pad."""
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    n, h, w, c = x.shape
    xp = np.full((n, h + top + bottom, w + left + right, c), value, dtype=x.dtype)
    xp[:, top:top + h, left:left + w] = x
    return xp


def _window_slice(offset, stride, count):
    """The input rows (or columns) that kernel row ``offset`` touches, for ``count`` outputs."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


# ---------------------------------------------------------------------------------------------

class Conv2D(Layer):
    """2-D convolution, channels last: ``a = f(conv(x, kernel) + bias)``.

    Shapes: ``x`` (N, H, W, C) → ``a`` (N, Ho, Wo, filters); ``kernel`` (kh, kw, C, filters)
    and ``bias`` (filters,), the order and shapes of ``keras.layers.Conv2D.get_weights()``.

    ``Ho = floor((H − kh)/sh) + 1`` with ``padding='valid'``; ``Ho = ceil(H/sh)`` with
    ``padding='same'``, which pads with zeros as Keras does (odd pixel at the bottom/right).
    Strictly this is a cross-correlation (the kernel is not flipped), as in every deep
    learning library.

    Backward, with ``dz = f.backward(grad_out)`` (see the module docstring for why)::

        dkernel = colsᵀ @ dz        (kh·kw·C, filters), reshaped to (kh, kw, C, filters)
        dbias   = Σ_{n,i,j} dz      (filters,)
        dx      = col2im(dz @ Kᵀ)   (N, H, W, C), skipped when need_input_grad is False
    """

    fuses_activation = True  # backward(..., skip_activation=True) takes dL/dz

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 data_format=None, input_shape=None, name=None, **kwargs):
        super().__init__(input_shape=input_shape, name=name or keras_name("Conv2D"), **kwargs)
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters < 1:
            raise ValueError(f"Conv2D(filters) expects a positive whole number of filters, got {filters!r}.")
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2D")
        self.strides = _pair(strides, "strides", "Conv2D")
        self.padding = _padding_mode(padding, "Conv2D")
        _data_format(data_format, "Conv2D")
        self.activation = _activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)

    def build(self, input_shape, rng=None):
        input_shape = tuple(int(s) for s in input_shape)
        self.pads, self.out_hw = _spatial_plan(self, input_shape, self.kernel_size, self.strides,
                                               self.padding, "kernel")
        super().build(input_shape)
        rng = self._rng(rng)
        kh, kw = self.kernel_size
        self._build_kernel_and_bias((kh, kw, self.input_shape[-1], self.filters), rng)

    def compute_output_shape(self, input_shape):
        _, (ho, wo) = _spatial_plan(self, tuple(input_shape), self.kernel_size, self.strides, self.padding,
                                    "kernel")
        return (ho, wo, self.filters)

    def check_input(self, x):
        _check_image_input(self, x)

    def _im2col(self, x):
        """(N, H, W, C) → (N·Ho·Wo, kh·kw·C): row ``(n, i, j)`` is the patch under output pixel
        ``(i, j)`` of image ``n``, flattened in the kernel's (kh, kw, C) order."""
        kh, kw = self.kernel_size
        sh, sw = self.strides
        ho, wo = self.out_hw
        n, c = x.shape[0], x.shape[-1]
        xp = _pad(x, self.pads)
        if c * kw >= 16:
            # A view, no copy: windows[n, i, j, c, a, b] = xp[n, i·sh + a, j·sw + b, c]; the
            # reshape then copies each patch into one row.
            windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw][:, :ho, :wo]
            return windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * c)
        # Few channels (a grayscale input): copying one kernel offset at a time moves longer
        # runs of memory at once, the same result about three times faster.
        cols = np.empty((n, ho, wo, kh, kw, c), dtype=x.dtype)
        for a in range(kh):
            rows = _window_slice(a, sh, ho)
            for b in range(kw):
                cols[:, :, :, a, b] = xp[:, rows, _window_slice(b, sw, wo)]
        return cols.reshape(-1, kh * kw * c)

    def _col2im(self, dcols, n):
        """The adjoint of ``_im2col``: add each patch's gradient back onto its pixels."""
        kh, kw = self.kernel_size
        sh, sw = self.strides
        ho, wo = self.out_hw
        h, w, c = self.input_shape
        (top, bottom), (left, right) = self.pads
        dcols = dcols.reshape(n, ho, wo, kh, kw, c)
        dxp = np.zeros((n, h + top + bottom, w + left + right, c), dtype=dcols.dtype)
        for a in range(kh):          # a loop over the kh·kw kernel offsets, not over pixels
            rows = _window_slice(a, sh, ho)
            for b in range(kw):
                dxp[:, rows, _window_slice(b, sw, wo)] += dcols[:, :, :, a, b]
        return dxp[:, top:top + h, left:left + w]

    def forward(self, x, training=True):
        n = x.shape[0]
        cols = self._im2col(x)
        z = cols @ self.params["kernel"].reshape(cols.shape[1], self.filters)
        if self.use_bias:
            z += self.params["bias"]
        z = z.reshape((n,) + self.out_hw + (self.filters,))
        a = self.activation.forward(z)
        self.cache = (cols, z, a)
        return a

    def backward(self, grad_out, skip_activation=False):
        cols, z, a = self.cache
        dz = grad_out if skip_activation else self.activation.backward(grad_out, z, a)
        dz2 = dz.reshape(-1, self.filters)
        np.matmul(cols.T, dz2, out=self.grads["kernel"].reshape(-1, self.filters))
        if self.use_bias:
            # Σ over all N·Ho·Wo rows, written as 1ᵀ dz: the same sum, much faster than
            # NumPy's column sum of a tall, narrow array.
            np.matmul(np.ones(len(dz2), dtype=dz2.dtype), dz2, out=self.grads["bias"])
        if not self.need_input_grad:
            return None
        dcols = dz2 @ self.params["kernel"].reshape(-1, self.filters).T
        return self._col2im(dcols, dz.shape[0])

    def __repr__(self):
        parts = [str(self.filters), str(self.kernel_size)]
        if self.strides != (1, 1):
            parts.append(f"strides={self.strides}")
        if self.padding != "valid":
            parts.append(f"padding='{self.padding}'")
        if self.activation.name != "linear":
            parts.append(f"activation='{self.activation.name}'")
        return f"Conv2D({', '.join(parts)})"
