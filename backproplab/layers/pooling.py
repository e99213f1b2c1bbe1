"""MaxPooling2D and AveragePooling2D, channels last, as in Keras.

Both slide a ``ph × pw`` window over each channel separately (strides default to the pool
size: windows side by side). Both are written as a loop over the ``ph·pw`` offsets inside the
window, each offset picking one strided view of the whole batch (``xp[:, a::sh, b::sw]``,
trimmed): for a 2×2 pool that is four array operations, whatever the image size. Max pooling
first copies the four views into one contiguous array, because NumPy is several times faster
on contiguous rows than on channels-last views that jump every C numbers.

Backward:

* average pooling spreads each output's gradient evenly over its window:
  ``dx[window] += dout / count``;
* max pooling sends each output's gradient to the input that was the maximum, and nowhere
  else (the max is locally the identity on that input and constant in the others).
  **Ties**: when several inputs of a window share the maximum, the whole gradient goes to the
  first of them in row-major order (top row first, left to right), as PyTorch's and
  TensorFlow's CPU kernels do. The result is deterministic and the gradient's total is
  preserved.
"""
import numpy as np

from .base import Layer
from .conv import (_check_image_input, _data_format, _pad, _pair, _padding_mode, _spatial_plan, _window_slice,
                   keras_name)


class _Pooling2D(Layer):
    """Shared plumbing: arguments, shapes, padding and the window offsets."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name or keras_name(type(self).__name__), **kwargs)
        cls = type(self).__name__
        self.pool_size = _pair(pool_size, "pool_size", cls)
        self.strides = self.pool_size if strides is None else _pair(strides, "strides", cls)
        self.padding = _padding_mode(padding, cls)
        _data_format(data_format, cls)

    def build(self, input_shape, rng=None):
        input_shape = tuple(int(s) for s in input_shape)
        self.pads, self.out_hw = _spatial_plan(self, input_shape, self.pool_size, self.strides, self.padding,
                                               "pool")
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        _, (ho, wo) = _spatial_plan(self, tuple(input_shape), self.pool_size, self.strides, self.padding, "pool")
        return (ho, wo, input_shape[-1])

    def check_input(self, x):
        _check_image_input(self, x)

    def _offsets(self):
        """For each offset ``(a, b)`` inside the window, in row-major order, the index that
        picks the input under that offset for every output: ``xp[idx]`` has the output's shape."""
        (ph, pw), (sh, sw), (ho, wo) = self.pool_size, self.strides, self.out_hw
        return [(slice(None), _window_slice(a, sh, ho), _window_slice(b, sw, wo))
                for a in range(ph) for b in range(pw)]

    def _unpad(self, dxp):
        (top, _), (left, _) = self.pads
        h, w, _ = self.input_shape
        return dxp[:, top:top + h, left:left + w]

    def __repr__(self):
        extra = "" if self.strides == self.pool_size else f", strides={self.strides}"
        extra += "" if self.padding == "valid" else f", padding='{self.padding}'"
        return f"{type(self).__name__}({self.pool_size}{extra})"


class MaxPooling2D(_Pooling2D):
    """The maximum of each ``ph × pw`` window, per channel.

    Shapes: ``x`` (N, H, W, C) → (N, Ho, Wo, C) with ``Ho = floor((H − ph)/sh) + 1`` ('valid')
    or ``ceil(H/sh)`` ('same', padding with −∞ so that padding never wins). No parameters.

    Backward: ``dx[argmax of each window] += dout``; ties go to the first maximum in row-major
    order (see the module docstring).
    """

    def forward(self, x, training=True):
        xp = _pad(x, self.pads, value=-np.inf)
        offsets = self._offsets()
        # windows[k] = the input under window offset k, for every output: one contiguous array,
        # so that the max and the backward pass's comparisons run over long rows of memory.
        windows = np.empty((len(offsets), x.shape[0]) + self.out_hw + (x.shape[-1],), dtype=x.dtype)
        for k, idx in enumerate(offsets):
            windows[k] = xp[idx]
        out = windows.max(axis=0)
        self.cache = (xp.shape, windows, out)
        return out

    def backward(self, grad_out):
        if not self.need_input_grad:
            return None
        shape, windows, out = self.cache
        dxp = np.zeros(shape, dtype=windows.dtype)
        overlapping = self.strides[0] < self.pool_size[0] or self.strides[1] < self.pool_size[1]
        taken = None                              # outputs whose maximum has been found already
        for k, idx in enumerate(self._offsets()):  # row-major order inside the window
            hit = windows[k] == out
            if taken is None:
                taken = hit
            else:
                hit &= ~taken                     # a tie with an earlier maximum gets nothing
                taken |= hit
            if overlapping:
                dxp[idx] += grad_out * hit        # a pixel in several windows collects from each
            else:
                np.multiply(grad_out, hit, out=dxp[idx])
        return self._unpad(dxp)


class AveragePooling2D(_Pooling2D):
    """The mean of each ``ph × pw`` window, per channel.

    Shapes as MaxPooling2D. With ``padding='same'`` the padded positions are left out of the
    mean (each output averages only the real pixels of its window), as Keras documents and
    as TensorFlow does. (Keras 3.15 on the torch backend differs when the padding is uneven
    on some axis, e.g. 3×3 windows with stride 2 over an even size: it then pads by
    replicating the edge pixels and divides by the full window size; a backend quirk we do
    not copy.)

    Backward: ``dx[window] += dout / count`` for every window.
    """

    def build(self, input_shape, rng=None):
        super().build(input_shape)
        # How many real pixels each window covers: ph·pw everywhere unless 'same' padding
        # puts part of a window outside the image.
        ones = _pad(np.ones((1,) + self.input_shape[:2] + (1,), dtype=self.dtype), self.pads)
        count = sum(ones[idx] for idx in self._offsets())
        self.count = count[0] if np.any(count != count.flat[0]) else self.dtype.type(count.flat[0])

    def forward(self, x, training=True):
        xp = _pad(x, self.pads)
        offsets = self._offsets()
        total = xp[offsets[0]].copy()
        for idx in offsets[1:]:
            total += xp[idx]
        self.cache = xp.shape
        return total / self.count

    def backward(self, grad_out):
        if not self.need_input_grad:
            return None
        dxp = np.zeros(self.cache, dtype=self.dtype)
        share = grad_out / self.count
        for idx in self._offsets():
            dxp[idx] += share
        return self._unpad(dxp)
