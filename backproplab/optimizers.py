"""Optimizers with Keras 3's names, defaults and update rules.

One interface for all: ``opt.step(params, grads)`` updates each array in ``params`` in place from
the matching array in ``grads``. State (velocities, moments) is kept per position in ``params``,
so call ``step`` with the same list every time. ``opt.iterations`` counts the steps taken.

The rules, for one parameter ``w`` with gradient ``g`` (``lr`` the learning rate):

SGD        ``w ← w − lr·g``
  momentum ``m ← μ·m − lr·g``;  ``w ← w + m``
  Nesterov ``m ← μ·m − lr·g``;  ``w ← w + μ·m − lr·g``
RMSprop    ``v ← ρ·v + (1 − ρ)·g²``;  ``w ← w − lr·g / √(v + ε)``
Adam       ``m ← β₁·m + (1 − β₁)·g``;  ``v ← β₂·v + (1 − β₂)·g²``;
           ``α_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)``;  ``w ← w − α_t·m / (√v + ε)``  (t counts from 1)

Gradient clipping, as Keras: ``clipnorm`` rescales each gradient to norm at most ``clipnorm``;
``global_clipnorm`` rescales all of them together; ``clipvalue`` clips each entry to ``±clipvalue``.
"""
import numpy as np

from .errors import unknown_name


class Optimizer:
    _hyper = ()  # names of the hyper-parameters, for repr

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, global_clipnorm=None, **kwargs):
        _reject_unknown(type(self).__name__, kwargs, self._hyper)
        if not np.isscalar(learning_rate) or not float(learning_rate) > 0 or not np.isfinite(learning_rate):
            raise ValueError(f"{type(self).__name__}(learning_rate=...) expects a positive number, "
                             f"got {learning_rate!r}. Typical values: 0.1 to 1e-4.")
        given = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"Use only one of clipnorm, clipvalue and global_clipnorm; got {', '.join(given)}.")
        for n in given:
            if not float(locals()[n]) > 0:
                raise ValueError(f"{n} must be a positive number, got {locals()[n]!r}.")
        self.learning_rate = float(learning_rate)
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = 0
        self._state = None

    def clip(self, grads):
        """Return the gradients after this optimizer's clipping (new arrays where changed)."""
        if self.clipnorm is not None:
            out = []
            for g in grads:
                n = np.linalg.norm(g)
                out.append(g * (self.clipnorm / n) if n > self.clipnorm else g)
            return out
        if self.global_clipnorm is not None:
            n = np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))
            if n > self.global_clipnorm:
                return [g * (self.global_clipnorm / n) for g in grads]
            return list(grads)
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return list(grads)

    def step(self, params, grads):
        if len(params) != len(grads):
            raise ValueError(f"step got {len(params)} parameters but {len(grads)} gradients.")
        if self._state is None:
            self._state = [self._init_state(p) for p in params]
        elif len(self._state) != len(params):
            raise ValueError(f"This optimizer was first used with {len(self._state)} parameters and now gets "
                             f"{len(params)}; make a new optimizer for a different model.")
        if self.clipnorm is not None or self.clipvalue is not None or self.global_clipnorm is not None:
            grads = self.clip(grads)
        self.iterations += 1
        for p, g, s in zip(params, grads, self._state):
            self._update(p, g, s)

    def _init_state(self, p):
        return {}

    def _update(self, p, g, state):
        raise NotImplementedError

    def get_config(self):
        return {"learning_rate": self.learning_rate, **{k: getattr(self, k) for k in self._hyper}}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum. Keras defaults: lr 0.01, momentum 0."""

    _hyper = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD momentum should be in [0, 1), got {momentum!r}; 0.9 is a common choice.")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _init_state(self, p):
        return {"m": np.zeros_like(p)} if self.momentum > 0 else {}

    def _update(self, p, g, state):
        lr = self.learning_rate
        if self.momentum == 0:
            p -= lr * g
            return
        m = state["m"]
        m *= self.momentum
        m -= lr * g
        if self.nesterov:
            p += self.momentum * m - lr * g
        else:
            p += m


class RMSprop(Optimizer):
    """Divide each step by a running RMS of the gradient. Keras defaults: lr 1e-3, ρ 0.9, ε 1e-7."""

    _hyper = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = float(rho), float(momentum), float(epsilon), centered

    def _init_state(self, p):
        s = {"v": np.zeros_like(p)}
        if self.momentum > 0:
            s["m"] = np.zeros_like(p)
        if self.centered:
            s["a"] = np.zeros_like(p)
        return s

    def _update(self, p, g, state):
        v = state["v"]
        v *= self.rho
        v += (1 - self.rho) * g * g
        denom = v
        if self.centered:
            a = state["a"]
            a *= self.rho
            a += (1 - self.rho) * g
            denom = v - a * a
        increment = self.learning_rate * g / np.sqrt(denom + self.epsilon)
        if self.momentum > 0:
            m = state["m"]
            m *= self.momentum
            m += increment
            p -= m
        else:
            p -= increment


class Adam(Optimizer):
    """Momentum on the gradient and on its square, with bias correction. Keras defaults:
    lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7 (ε outside the square root, after bias correction)."""

    _hyper = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def _update(self, p, g, state):
        t = self.iterations
        m, v = state["m"], state["v"]
        m += (1 - self.beta_1) * (g - m)
        v += (1 - self.beta_2) * (g * g - v)
        alpha = self.learning_rate * float(np.sqrt(1 - self.beta_2 ** t)) / (1 - self.beta_1 ** t)
        p -= alpha * m / (np.sqrt(v) + self.epsilon)


_REGISTRY = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def _reject_unknown(cls_name, kwargs, hyper):
    if not kwargs:
        return
    if "lr" in kwargs:
        raise TypeError(f"{cls_name}(lr=...) is the old Keras 2 spelling; Keras 3 and backproplab call it "
                        f"learning_rate. Write {cls_name}(learning_rate={kwargs['lr']!r}).")
    known = ("learning_rate", "clipnorm", "clipvalue", "global_clipnorm") + tuple(hyper)
    name = next(iter(kwargs))
    from .errors import closest

    hint = closest(name, known)
    raise TypeError(f"{cls_name} got an unexpected argument {name!r}."
                    + (f" Did you mean {hint!r}?" if hint else "") + f" It accepts: {', '.join(known)}.")


def get(identifier):
    """Turn ``'sgd'``, ``'adam'``, ``'rmsprop'``, a class or an instance into an optimizer."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _REGISTRY:
            return _REGISTRY[key]()
        raise unknown_name("optimizer", identifier, _REGISTRY)
    raise TypeError(f"An optimizer should be a name such as 'sgd' or an Optimizer object, "
                    f"not {type(identifier).__name__}.")
