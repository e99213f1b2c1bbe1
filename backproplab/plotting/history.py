"""Learning curves: loss and metrics per epoch, training against validation.

``plot_history(history, metrics=None, labels=None)``
    one panel per metric (``'loss'``, ``'accuracy'`` ...), the training curve solid and the
    validation curve (``'val_loss'`` ...) dashed in the same colour. ``history`` is what ``fit``
    returns (a backproplab or a Keras ``History``), its ``.history`` dict, or a list of those to
    overlay several runs (each gets its own colour and marker, and the first a thicker line, so
    curves that coincide stay visible).

matplotlib is imported when the function is called, not when this module is imported.
"""

__all__ = ["plot_history"]

_MARKERS = (None, "o", "s", "^", "v", "D")
_PRETTY = {"loss": "loss", "accuracy": "accuracy", "acc": "accuracy", "mae": "mean absolute error"}


def _as_dict(history):
    """The ``{'loss': [...], 'val_loss': [...]}`` dict inside a History (ours or Keras'), or a dict."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"plot_history expects a History (what fit returns), its .history dict, or a list of "
                        f"those, but got {type(history).__name__}.")
    return logs


def _is_single(history):
    return isinstance(history, dict) or hasattr(history, "history")


def plot_history(history, metrics=None, labels=None, axes=None, title=None, logy=False):
    """Plot learning curves from one or several ``History`` objects.

    Parameters
    ----------
    history : History, dict, or a list of them
        ``model.fit(...)`` returns a History; Keras' History works too (anything with a
        ``.history`` dict), and so does a plain dict such as ``{'loss': losses}``.
        A list overlays several runs.
    metrics : str or list of str, optional
        which quantities to draw, one panel each, e.g. ``'loss'`` or ``['loss', 'accuracy']``.
        Default: every key of the first history that does not start with ``'val_'``.
    labels : list of str, optional
        a name for each history in the legend (default ``'run 1'``, ``'run 2'`` ... when there are
        several, nothing when there is one).
    axes : Axes or sequence of Axes, optional
        where to draw, one per metric; new figure otherwise.
    title : str, optional
        the figure's title (each panel is titled by its metric); with a single panel, its title.
    logy : bool
        a logarithmic loss axis (metrics such as accuracy stay linear).

    Returns
    -------
    The Axes when one metric is drawn, otherwise a list of Axes (one per metric).
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    if _is_single(history):
        runs = [history]
    elif isinstance(history, (list, tuple)):
        runs = list(history)
    else:
        _as_dict(history)  # raises a TypeError that says what is expected
    if not runs:
        raise ValueError("plot_history got an empty list: pass at least one History.")
    logs = [_as_dict(h) for h in runs]
    if labels is None:
        labels = [None] if len(runs) == 1 else [f"run {i + 1}" for i in range(len(runs))]
    labels = list(labels)
    if len(labels) != len(runs):
        raise ValueError(f"plot_history got {len(runs)} histories but {len(labels)} labels.")
    if metrics is None:
        metrics = [k for k in logs[0] if not k.startswith("val_")]
    elif isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    for m in metrics:
        if not any(m in lg for lg in logs):
            known = sorted({k for lg in logs for k in lg if not k.startswith("val_")})
            raise KeyError(f"No history has {m!r}; the histories hold: {', '.join(known)}. "
                           "Did you pass metrics=['accuracy'] to compile()?")

    if axes is None:
        fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.8), squeeze=False)
        axes = list(axes[0])
    else:
        axes = [axes] if hasattr(axes, "plot") else list(np.ravel(axes))
        if len(axes) != len(metrics):
            raise ValueError(f"plot_history needs one Axes per metric: {len(metrics)} metrics, {len(axes)} Axes.")
        fig = axes[0].figure

    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
    for ax, m in zip(axes, metrics):
        for i, (lg, label) in enumerate(zip(logs, labels)):
            color = colors[i % len(colors)]
            marker = _MARKERS[i % len(_MARKERS)]
            for key, style, part in ((m, "-", "training"), (f"val_{m}", "--", "validation")):
                if key not in lg:
                    continue
                values = list(lg[key])
                epochs = range(1, len(values) + 1)
                name = part if label is None else f"{label}, {part}"
                every = max(1, len(values) // 15)
                ax.plot(epochs, values, linestyle=style, color=color, marker=marker, markevery=every,
                        markersize=5, fillstyle="none", linewidth=2.4 if i == 0 else 1.2, label=name)
        pretty = _PRETTY.get(m, m.replace("_", " "))
        ax.set_title(pretty[0].upper() + pretty[1:] + " per epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel(pretty)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if logy and "acc" not in m:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=9)
    if title is not None and len(axes) == 1:
        axes[0].set_title(title)  # one panel: the title replaces "Loss per epoch"
    elif title is not None:
        fig.suptitle(title)
    fig.tight_layout()
    return axes[0] if len(axes) == 1 else axes
