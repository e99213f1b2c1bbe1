"""``Sequential``: a stack of layers trained with Keras' verbs.

::

    model = Sequential([Input(shape=(64,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(learning_rate=0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, validation_data=(x_val, y_val))
    loss, accuracy = model.evaluate(x_test, y_test)
    probabilities = model.predict(x_new)

One training step is backpropagation in four lines (see ``train_on_batch``): forward through
every layer, the loss gradient, backward through every layer in reverse, and the optimizer step.
"""
import math

import numpy as np

from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._config import resolve_dtype
from .errors import DataError, DivergenceError, NotCompiledError, ShapeError, as_float_array
from .initializers import as_generator
from .layers.base import Layer
from .progress import ProgressBar


class Input:
    """Declares the shape of one sample (without the batch axis), as ``keras.Input(shape=...)``."""

    def __init__(self, shape, dtype=None):
        if isinstance(shape, (int, np.integer)):
            shape = (shape,)
        self.shape = tuple(int(s) for s in shape)
        self.dtype = dtype

    def __repr__(self):
        return f"Input(shape={self.shape})"


class History:
    """What ``fit`` returns: ``history.history`` maps ``'loss'``, ``'accuracy'``, ``'val_loss'``...
    to one value per epoch, exactly as in Keras."""

    def __init__(self):
        self.history = {}
        self.epoch = []

    def append(self, epoch, logs):
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return int(value)


class Sequential:
    """A linear stack of layers. ``seed`` makes weight initialisation and shuffling reproducible."""

    def __init__(self, layers=None, name=None, seed=None):
        from .layers.base import _auto_name

        self.name = name or _auto_name("Sequential")  # sequential, sequential_1, ... as in Keras
        self.layers = []
        self._input_shape = None
        self._rng = as_generator(seed)
        self.built = False
        self.optimizer = self.loss = None
        self.metric_fns = []
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer):
        if isinstance(layer, Input):
            if self.layers:
                raise ValueError("Input(...) must come first, before any layer.")
            self._input_shape = layer.shape
            return
        if isinstance(layer, type) and issubclass(layer, Layer):
            raise TypeError(f"add() got the class {layer.__name__}, not a layer: write {layer.__name__}(...) "
                            "with its arguments, e.g. Dense(64, activation='relu').")
        if not isinstance(layer, Layer):
            raise TypeError(f"add() expects a layer such as Dense(64), got {type(layer).__name__}.")
        if not self.layers and self._input_shape is None and layer._requested_input_shape is not None:
            self._input_shape = layer._requested_input_shape
        self.layers.append(layer)
        self.built = False
        if self._input_shape is not None:
            self.build(self._input_shape)

    def build(self, input_shape):
        """Create every layer's weights for samples of shape ``input_shape`` (no batch axis)."""
        shape = tuple(int(s) for s in input_shape)
        self._input_shape = shape
        seen_params = False
        flags = []
        for layer in self.layers:
            if not layer.built:
                layer.build(shape, rng=self._rng)
            elif layer.input_shape != shape:
                raise ShapeError(f"{layer!r} was built for inputs {layer.input_shape} but now receives {shape}.")
            # no layer up to and including the first one with weights needs an input gradient
            flags.append(seen_params)
            seen_params = seen_params or bool(layer.params)
            shape = layer.compute_output_shape(shape)
        # kept per model and applied before each backward pass: a layer may be shared by two
        # models (an autoencoder and its decoder) that need different flags for it
        self._need_input_grad = flags
        for layer, flag in zip(self.layers, flags):
            layer.need_input_grad = flag
        self.built = True
        self.output_shape = shape

    @property
    def dtype(self):
        for layer in self.layers:
            return layer.dtype
        return resolve_dtype(None)

    def named_parameters(self):
        return [(f"{layer.name}.{k}", p) for layer in self.layers for k, p in layer.params.items()]

    @property
    def weights(self):
        return [p for layer in self.layers for p in layer.params.values()]

    def _grads(self):
        return [g for layer in self.layers for g in layer.grads.values()]

    def get_weights(self):
        return [p.copy() for p in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        params = self.named_parameters()
        if len(weights) != len(params):
            raise ShapeError(f"This model has {len(params)} weight arrays but set_weights got {len(weights)}. "
                             "Pass the list returned by get_weights() of a model with the same layers.")
        for (label, p), w in zip(params, weights):
            if np.shape(w) != p.shape:
                raise ShapeError(f"set_weights: {label} has shape {p.shape} but the new value has shape "
                                 f"{np.shape(w)}." + (" Is it transposed?" if np.shape(w)[::-1] == p.shape else "")
                                 + " Nothing was changed.")
        for p, w in zip(self.weights, weights):
            p[...] = w

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=print):
        if not self.built:
            raise RuntimeError("The model is not built yet, so its shapes are unknown: start with "
                               "Input(shape=...), give the first layer input_shape=..., or call it on data.")
        rows = [("Layer (type)", "Output Shape", "Param #")]
        for layer in self.layers:
            out = layer.compute_output_shape(layer.input_shape)
            rows.append((f"{layer.name} ({type(layer).__name__})", str((None,) + tuple(out)), f"{layer.count_params():,}"))
        widths = [max(len(r[i]) for r in rows) + 3 for i in range(3)]
        line = "─" * sum(widths)
        print_fn(f'Model: "{self.name}"')
        print_fn(line)
        for i, r in enumerate(rows):
            print_fn("".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            print_fn("═" * sum(widths) if i == 0 else line)
        print_fn(f" Total params: {self.count_params():,}")

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='categorical_crossentropy' for one-hot "
                             "classification or loss='mse' for regression.")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = _losses.get(loss)
        if isinstance(metrics, str):
            metrics = [metrics]
        self.metric_fns = [_metrics.get(m, self.loss.name) for m in (metrics or [])]
        self._fused = None

    def _require_compiled(self, verb):
        if self.loss is None:
            raise NotCompiledError(f"Call model.compile(optimizer=..., loss=..., metrics=[...]) before model.{verb}(); "
                                   "backproplab needs to know which loss to minimise and how.")

    # ------------------------------------------------------------------ the maths
    def _forward(self, x, training=False):
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def _uses_fused_gradient(self):
        if self._fused is None:
            last = self.layers[-1]
            act = getattr(last, "activation", None)
            self._fused = (self.loss.fuses_with is not None and act is not None
                           and getattr(last, "fuses_activation", False) and act.name == self.loss.fuses_with)
        return self._fused

    def _backward(self, y, out):
        for layer, flag in zip(self.layers, self._need_input_grad):
            layer.need_input_grad = flag
        if self._uses_fused_gradient():
            grad = self.loss.fused_gradient(y, out)
            grad = self.layers[-1].backward(grad, skip_activation=True)
        else:
            grad = self.layers[-1].backward(self.loss.gradient(y, out))
        for layer in reversed(self.layers[:-1]):
            if grad is None:
                break
            grad = layer.backward(grad)

    def compute_loss(self, x, y):
        """The loss on a batch with the current weights (no update)."""
        self._require_compiled("compute_loss")
        return self.loss(y, self._forward(x))

    def compute_gradients(self, x, y):
        """``(loss, [dL/dw for w in model.weights])`` on a batch, without updating anything."""
        self._require_compiled("compute_gradients")
        x, y = self._prepare(x, y, "compute_gradients")
        out = self._forward(x, training=True)
        loss = self.loss(y, out)
        self._backward(y, out)
        return loss, [g.copy() for g in self._grads()]

    def train_on_batch(self, x, y):
        """One step of backpropagation and gradient descent on one batch; returns the loss before the step."""
        self._require_compiled("train_on_batch")
        x, y = self._prepare(x, y, "train_on_batch")
        return self._train_step(x, y)[0]

    def _train_step(self, x, y, params=None, grads=None):
        out = self._forward(x, training=True)        # 1. forward phase
        loss = self.loss(y, out)                      # 2. the error
        self._backward(y, out)                        # 3. backward phase: the chain rule, layer by layer
        self.optimizer.step(params or self.weights, grads or self._grads())  # 4. gradient descent
        return loss, out

    # ------------------------------------------------------------------ data checks
    def _prepare(self, x, y, verb):
        x = as_float_array(x, "x")
        if y is not None:
            y_arr = np.asarray(y)
            if y_arr.size == 0:
                raise DataError(f"y passed to {verb} is empty: there are no targets to learn from.")
            y_arr = as_float_array(y_arr, "y") if not np.issubdtype(y_arr.dtype, np.integer) else y_arr
            if len(x) != len(y_arr):
                raise ShapeError(f"x and y must have the same number of samples, but x has {len(x)} and y has "
                                 f"{len(y_arr)}. Did you pair the training inputs with the test targets, or "
                                 "slice one of them differently?")
        if not self.layers:
            raise ValueError("The model has no layers yet: add some with model.add(Dense(...)).")
        if not self.built:
            first = self.layers[0]
            first_shape = self._input_shape
            if first_shape is not None and tuple(x.shape[1:]) != first_shape:
                self.build(first_shape)
            else:
                self.build(x.shape[1:])
        self.layers[0].check_input(x) if self.layers[0].input_shape is not None else None
        x = x.astype(self.dtype, copy=False)
        if y is None:
            return x, None
        if np.issubdtype(y_arr.dtype, np.integer) and self.loss is not None and \
                self.loss.name == "sparse_categorical_crossentropy":
            y = y_arr
        else:
            y = y_arr.astype(self.dtype, copy=False)
        if self.loss is not None:
            self.loss.check_targets(y_arr, (len(y_arr),) + tuple(self.output_shape))
        return x, y

    # ------------------------------------------------------------------ Keras verbs
    def fit(self, x, y, batch_size=32, epochs=1, verbose="auto", validation_data=None, validation_split=0.0,
            shuffle=True, initial_epoch=0):
        """Train for ``epochs`` passes over ``(x, y)`` in mini-batches; returns a ``History``.

        ``history.history['loss']`` is the mean of each step's loss, weighted by batch size and taken
        before that step's update (as Keras reports it); ``val_*`` use the weights at the epoch's end.
        """
        self._require_compiled("fit")
        batch_size = _check_positive_int("batch_size", batch_size)
        epochs = _check_positive_int("epochs", epochs)
        x, y = self._prepare(x, y, "fit")
        if validation_split and validation_data is None:
            if not 0 < validation_split < 1:
                raise ValueError(f"validation_split is a fraction between 0 and 1, got {validation_split!r}.")
            cut = int(len(x) * (1 - validation_split))
            x, y, validation_data = x[:cut], y[:cut], (x[cut:], y[cut:])
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data should be a pair (x_val, y_val).")
            xv, yv = self._prepare(validation_data[0], validation_data[1], "fit (validation_data)")
        verbose = 1 if verbose == "auto" else int(verbose)
        history = History()
        self.history = history
        validation = (xv, yv) if validation_data is not None else None
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported, not warned about
            return self._fit_epochs(x, y, batch_size, epochs, initial_epoch, shuffle, validation, verbose, history)

    def _fit_epochs(self, x, y, batch_size, epochs, initial_epoch, shuffle, validation, verbose, history):
        names = ["loss"] + [name for name, _ in self.metric_fns]
        n = len(x)
        steps = -(-n // batch_size)
        bar = ProgressBar(epochs, steps, verbose)
        params, grads = self.weights, self._grads()  # the same arrays all along: gather them once
        for epoch in range(initial_epoch, epochs):
            bar.epoch_begin(epoch)
            order = self._rng.permutation(n) if shuffle else None
            totals = [0.0] * len(names)  # Python floats: cheaper than a NumPy array per step
            seen = 0
            for step in range(steps):
                lo, hi = step * batch_size, min(n, (step + 1) * batch_size)
                if order is None:
                    xb, yb = x[lo:hi], y[lo:hi]
                else:
                    idx = order[lo:hi]
                    xb, yb = x[idx], y[idx]
                loss, out = self._train_step(xb, yb, params, grads)
                if not math.isfinite(loss):
                    err = DivergenceError(
                        f"Training diverged: the loss became {loss} at epoch {epoch + 1}, batch {step + 1}. "
                        f"The learning rate ({self.optimizer.learning_rate:g}) is probably too large for this "
                        "problem; try one 10 times smaller. (Unscaled inputs can do this too: scale them to "
                        "about [0, 1] or standardise them.)")
                    err.history = history
                    raise err
                b = hi - lo
                totals[0] += loss * b
                for j, (_, fn) in enumerate(self.metric_fns, start=1):
                    totals[j] += float(fn(yb, out).sum())
                seen += b
                if verbose == 1:
                    bar.update(step + 1, {k: t / seen for k, t in zip(names, totals)})
            logs = {k: t / seen for k, t in zip(names, totals)}
            if validation is not None:
                val = self._evaluate_prepared(*validation, batch_size)
                logs.update({f"val_{k}": v for k, v in zip(names, val)})
            history.append(epoch, logs)
            bar.epoch_end(logs)
        return history

    def _evaluate_prepared(self, x, y, batch_size):
        totals = np.zeros(1 + len(self.metric_fns))
        for lo in range(0, len(x), batch_size):
            xb, yb = x[lo:lo + batch_size], y[lo:lo + batch_size]
            out = self._forward(xb)
            totals[0] += self.loss(yb, out) * len(xb)
            for j, (_, fn) in enumerate(self.metric_fns, start=1):
                totals[j] += float(np.sum(fn(yb, out)))
        return totals / len(x)

    def evaluate(self, x, y, batch_size=32, verbose="auto", return_dict=False):
        """The loss (and metrics) on ``(x, y)``: a float, or ``[loss, metric, ...]`` with metrics."""
        self._require_compiled("evaluate")
        batch_size = _check_positive_int("batch_size", batch_size)
        x, y = self._prepare(x, y, "evaluate")
        values = [float(v) for v in self._evaluate_prepared(x, y, batch_size)]
        names = ["loss"] + [name for name, _ in self.metric_fns]
        if return_dict:
            return dict(zip(names, values))
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=32, verbose="auto"):
        """The model's outputs for ``x``, computed in batches."""
        batch_size = _check_positive_int("batch_size", batch_size)
        x, _ = self._prepare(x, None, "predict")
        return np.concatenate([self._forward(x[lo:lo + batch_size]) for lo in range(0, len(x), batch_size)])

    def __call__(self, x):
        x, _ = self._prepare(x, None, "call")
        return self._forward(x)

    def gradient_norms(self):
        """``{'layer.param': ‖gradient‖}`` from the last backward pass."""
        return {f"{layer.name}.{k}": v for layer in self.layers for k, v in layer.gradient_norms().items()}

    def __repr__(self):
        return f"Sequential([{', '.join(repr(l) for l in self.layers)}])"
