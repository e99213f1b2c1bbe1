"""Learning-rate sweeps and families of loss curves.

``sweep_learning_rates(train, learning_rates)``
    call ``train(lr)`` for each learning rate and collect the loss curves; a run that diverges
    (``DivergenceError`` or any ``FloatingPointError``) keeps the curve it had and is marked.
``plot_curves_by_learning_rate(curves)``
    one loss curve per learning rate, coloured from small (dark) to large (light) rates.
``plot_learning_rate_sweep(learning_rates, final_losses)``
    final loss against learning rate, on a log axis; diverged runs drawn as crosses at the top.
``plot_labelled_curves(curves)``
    any family of curves ``{label: y}`` or ``{label: (x, y)}``: optimizers, batch sizes...

The sweep is plain Python; matplotlib is imported only inside the plotting functions.
Each plotting function returns its ``Axes``.
"""
import numpy as np

from ._common import new_axes
from .surfaces import log_axis

__all__ = ["sweep_learning_rates", "final_losses", "plot_curves_by_learning_rate", "plot_learning_rate_sweep",
           "plot_labelled_curves"]


def _curve(values, diverged):
    c = np.asarray(values, dtype=np.float64).reshape(-1)
    if diverged and (c.size == 0 or np.isfinite(c[-1])):
        c = np.append(c, np.inf)
    return c


def _diverged(curve):
    """A curve whose last value is not finite is a run that diverged."""
    return len(curve) > 0 and not np.isfinite(curve[-1])


def sweep_learning_rates(train, learning_rates):
    """``{lr: curve}`` with ``curve = train(lr)`` (a sequence of losses) for each learning rate.

    If ``train`` raises ``FloatingPointError`` (``backproplab.errors.DivergenceError`` is one),
    the curve is what the error's ``history`` holds (a ``History`` or a list) followed by ``inf``.
    The rule everywhere in this module: a curve whose last value is not finite diverged.
    """
    curves = {}
    for lr in learning_rates:
        try:
            curves[float(lr)] = _curve(train(lr), False)
        except FloatingPointError as err:
            hist = getattr(err, "history", None)
            if hist is not None and hasattr(hist, "history"):
                hist = hist.history.get("loss", [])
            curves[float(lr)] = _curve(list(hist or []), True)
    return curves


def final_losses(curves):
    """``(learning_rates, last loss of each curve)`` as two arrays; ``inf`` for diverged runs."""
    lrs = np.array(sorted(curves), dtype=np.float64)
    last = np.array([np.inf if _diverged(curves[lr]) else float(curves[lr][-1]) for lr in lrs])
    return lrs, last


def _new_axes(ax):
    return new_axes(ax, (6.4, 4.4), layout="constrained")


def plot_curves_by_learning_rate(curves, ax=None, xlabel="epoch", ylabel="loss", title=None, logy=True,
                                 ceiling=None, cmap="plasma", x_start=0):
    """One loss curve per learning rate, labelled ``lr = …``; returns the Axes.

    ``curves`` maps learning rate → losses (as from ``sweep_learning_rates``); colours run from dark
    (small rates) to light (large). A curve that passes ``ceiling`` (default: 1000 × the largest
    first value) stops there with a cross: "(diverged)" in its label when it overflowed, "(diverging)"
    when it ends above where it started. ``x_start`` is the x of the first value (0 when the curve
    starts with the loss before training).
    """
    import matplotlib.pyplot as plt

    ax = _new_axes(ax)
    lrs = sorted(curves)
    firsts = [float(curves[lr][0]) for lr in lrs if len(curves[lr]) and np.isfinite(curves[lr][0])]
    if ceiling is None:
        ceiling = 1e3 * max(firsts) if firsts else np.inf
    colors = plt.get_cmap(cmap)(np.linspace(0.0, 0.8, max(len(lrs), 2)))
    for color, lr in zip(colors, lrs):
        y = np.asarray(curves[lr], dtype=np.float64)
        diverged = _diverged(y)
        growing = not diverged and len(y) > 1 and y[-1] > y[0]
        over = np.flatnonzero(~(y <= ceiling))
        if over.size:
            y = y[:over[0] + 1]
            y[-1] = ceiling
        x = np.arange(x_start, x_start + len(y))
        label = f"lr = {lr:g}" + (" (diverged)" if diverged else " (diverging)" if growing else "")
        ax.plot(x, y, color=color, lw=1.8, label=label)
        if over.size:
            ax.plot(x[-1], y[-1], "X", color=color, markersize=10, markeredgecolor="k")
    if logy:
        log_axis(ax, "y")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else "Loss curves for several learning rates")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize=8.5, framealpha=0.9)
    return ax


def plot_learning_rate_sweep(learning_rates, losses, ax=None, title=None, ylabel="final loss", logy=True,
                             threshold=None, threshold_label=None, mark_best=True, ceiling=None):
    """Final loss against learning rate on a logarithmic x axis; returns the Axes.

    Diverged runs (``inf`` or ``nan``, or above ``ceiling`` when it is given: a run whose loss
    ended far above where it started is diverging, even if it has not overflowed yet) are drawn as
    red crosses along the top of the plot.
    ``threshold`` draws a dashed vertical line (for example the ``2/λ_max`` a theory predicts).
    ``learning_rates`` may also be a ``{lr: curve}`` dict, with ``losses=None``.
    """
    if isinstance(learning_rates, dict):
        learning_rates, losses = final_losses(learning_rates)
    lrs = np.asarray(learning_rates, dtype=np.float64)
    y = np.asarray(losses, dtype=np.float64)
    order = np.argsort(lrs)
    lrs, y = lrs[order], y[order]
    ok = np.isfinite(y) & (y <= ceiling if ceiling is not None else True)
    ax = _new_axes(ax)
    ax.plot(lrs[ok], y[ok], "o-", color="C0", lw=1.6, markersize=5, label="converged or still going")
    if (~ok).any():
        top = np.max(y[ok]) * (3 if logy else 1.1) if ok.any() else 1.0
        ax.plot(lrs[~ok], np.full((~ok).sum(), top), "X", color="C3", markersize=9, ls="none",
                label="diverged (loss → ∞)")
    if mark_best and ok.any():
        i = int(np.argmin(np.where(ok, y, np.inf)))
        ax.plot(lrs[i], y[i], "o", markersize=12, markerfacecolor="none", markeredgecolor="C2", mew=2,
                label=f"lowest final loss: lr = {lrs[i]:.3g}")
    if threshold is not None:
        ax.axvline(threshold, color="0.3", ls="--", lw=1.2,
                   label=threshold_label or f"threshold {threshold:.3g}")
    log_axis(ax, "x")
    if logy:
        log_axis(ax, "y")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else "Learning-rate sweep")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize=8.5, framealpha=0.9)
    return ax


def plot_labelled_curves(curves, ax=None, xlabel="epoch", ylabel="loss", title="Loss curves", logy=True,
                         styles=None):
    """Any family of curves: ``{label: y}`` (x = 0, 1, 2, …) or ``{label: (x, y)}``; returns the Axes.

    ``styles`` optionally maps a label to keyword arguments for ``ax.plot`` (``{'Adam': {'ls': '--'}}``).
    """
    ax = _new_axes(ax)
    for i, (label, c) in enumerate(curves.items()):
        if isinstance(c, tuple) and len(c) == 2:
            x, y = np.asarray(c[0], dtype=np.float64), np.asarray(c[1], dtype=np.float64)
        else:
            y = np.asarray(c, dtype=np.float64)
            x = np.arange(len(y))
        kw = {"color": f"C{i % 10}", "lw": 1.7}
        kw.update((styles or {}).get(label, {}))
        ax.plot(x, y, label=label, **kw)
    if logy:
        log_axis(ax, "y")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize=8.5, framealpha=0.9)
    return ax
