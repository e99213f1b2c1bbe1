"""Pictures of a classifier: its decision regions, its confusion matrix, and the images it sees.

``plot_decision_boundary(model, x, y)``
    the regions a model assigns to each class over a 2-D input plane, with the data on top.
``confusion_matrix(y_true, y_pred)`` / ``plot_confusion_matrix(y_true, y_pred)``
    counts of (true class, predicted class) pairs, as an array and as an annotated picture.
``plot_images(images, labels, predictions)``
    a grid of small images titled by their label (and prediction, in red when it is wrong).

Labels may be given as class indices ``(N,)``, as one-hot rows, or as predicted probabilities
``(N, K)``: two-dimensional inputs are turned into indices with ``argmax``.
matplotlib is imported when a function is called, not when this module is imported.
"""
import numpy as np

from ._common import unflatten_square

__all__ = ["plot_decision_boundary", "confusion_matrix", "plot_confusion_matrix", "plot_images"]


def _indices(y, name):
    """Class indices from indices (N,), a column (N, 1), or one-hot/probability rows (N, K)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
        if np.issubdtype(y.dtype, np.floating) and np.all((y >= 0) & (y <= 1)) and np.any(y % 1 != 0):
            y = y > 0.5  # sigmoid probabilities
    elif y.ndim == 2:
        y = np.argmax(y, axis=1)
    if y.ndim != 1:
        raise ValueError(f"{name} should be class indices of shape (N,) or one-hot/probability rows of shape "
                         f"(N, K), but has shape {y.shape}.")
    if np.issubdtype(y.dtype, np.floating) and np.any(y % 1 != 0):
        raise ValueError(f"{name} holds non-integer values such as {y[y % 1 != 0][0]}; pass class indices, "
                         "one-hot rows, or probabilities of shape (N, K).")
    return y.astype(np.int64)


def _predict(model, x):
    if hasattr(model, "predict"):
        try:
            return np.asarray(model.predict(x, batch_size=4096, verbose=0))
        except TypeError:
            return np.asarray(model.predict(x))
    if callable(model):
        return np.asarray(model(x))
    raise TypeError("plot_decision_boundary needs a model with a predict method, or a function that maps "
                    f"inputs of shape (N, 2) to outputs, but got {type(model).__name__}.")


def plot_decision_boundary(model, x, y, ax=None, resolution=200, margin=0.5, class_names=None, title=None):
    """Colour the plane by the class ``model`` predicts there, and draw the points ``(x, y)`` on top.

    Parameters
    ----------
    model : a model with ``predict`` (backproplab or Keras), or a function ``f(x) -> outputs``
        outputs of shape (N, 1) or (N,) are read as the probability of class 1 (the boundary is
        the 0.5 contour, and the background shows the probability); shape (N, K) as class scores.
    x : array of shape (N, 2)
    y : class indices (N,), a column (N, 1), or one-hot rows (N, K)
    resolution : int
        grid points per axis.
    margin : float
        how far the grid extends beyond the data.

    Returns the Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary draws 2-D inputs: x should have shape (N, 2), not {x.shape}.")
    labels = _indices(y, "y")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    out = _predict(model, grid)
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
    binary = out.ndim == 1 or out.shape[1] == 1
    if binary:
        p = out.reshape(g0.shape)
        filled = ax.contourf(g0, g1, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35, vmin=0, vmax=1)
        ax.contour(g0, g1, p, levels=[0.5], colors="k", linewidths=1.5)
        bar = ax.figure.colorbar(filled, ax=ax)
        bar.set_label("predicted probability of class 1")
        point_colors = ["#2166ac", "#b2182b"]
    else:
        k = out.shape[1]
        regions = np.argmax(out, axis=1).reshape(g0.shape)
        cmap = ListedColormap([colors[i % len(colors)] for i in range(k)])
        ax.contourf(g0, g1, regions, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
        ax.contour(g0, g1, regions, levels=np.arange(k) + 0.5, colors="k", linewidths=1)
        point_colors = [colors[i % len(colors)] for i in range(k)]
    for c in np.unique(labels):
        name = class_names[c] if class_names is not None else f"class {c}"
        mask = labels == c
        ax.scatter(x[mask, 0], x[mask, 1], s=18, color=point_colors[c % len(point_colors)],
                   edgecolors="k", linewidths=0.4, label=name)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title if title is not None else "Decision boundary" + (" (black: p = 0.5)" if binary else ""))
    ax.legend(loc="best", fontsize=9, framealpha=0.8)
    return ax


def confusion_matrix(y_true, y_pred, num_classes=None):
    """``C[i, j]`` = how many samples of true class ``i`` were predicted as class ``j``.

    Both arguments take class indices, one-hot rows or probabilities (``argmax`` is applied).
    Returns an int64 array of shape (K, K); the diagonal holds the correct predictions.
    """
    t = _indices(y_true, "y_true")
    p = _indices(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true has {len(t)} samples but y_pred has {len(p)}.")
    k = int(max(t.max(), p.max())) + 1 if num_classes is None else int(num_classes)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def plot_confusion_matrix(y_true, y_pred, class_names=None, ax=None, normalize=False, title=None, cmap="Blues"):
    """Draw the confusion matrix of ``y_true`` against ``y_pred`` with every count written in its cell.

    Rows are the true classes, columns the predicted ones; ``normalize=True`` divides each row by its
    total, so the diagonal reads as the recall of each class. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    k = len(class_names) if class_names is not None else None
    cm = confusion_matrix(y_true, y_pred, num_classes=k)
    k = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    if ax is None:
        size = max(4.5, 0.5 * k + 2)
        _, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(shown, cmap=cmap, vmin=0)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("fraction of the true class" if normalize else "number of samples")
    top = shown.max() if shown.size else 1
    for i in range(k):
        for j in range(k):
            value = shown[i, j]
            if value == 0:
                continue
            text = f"{value:.2f}" if normalize else str(int(value))
            ax.text(j, i, text, ha="center", va="center", fontsize=9,
                    color="white" if value > 0.6 * top else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(cm) / max(cm.sum(), 1)
    ax.set_title(title if title is not None else f"Confusion matrix (accuracy {accuracy:.3f})")
    return ax


def plot_images(images, labels=None, predictions=None, class_names=None, ncols=None, title=None, cmap="gray_r"):
    """Show ``images`` in a grid, each titled by its label and, if given, the model's prediction.

    Parameters
    ----------
    images : array of shape (n, h, w), (n, h, w, channels), or (n, h·w) with square images
    labels, predictions : class indices (n,), or one-hot / probability rows (n, K); optional
        a wrong prediction is titled in red.
    ncols : int, optional
        images per row (default: up to 8).

    Returns the Figure (its title, ``fig._suptitle``, explains how to read the panels).
    """
    import matplotlib.pyplot as plt

    images = unflatten_square(images, "plot_images")
    if images.ndim not in (3, 4):
        raise ValueError(f"plot_images expects images of shape (n, h, w) or (n, h*w), not {images.shape}.")
    n = len(images)
    if n == 0:
        raise ValueError("plot_images got no images to show.")
    t = _indices(labels, "labels") if labels is not None else None
    p = _indices(predictions, "predictions") if predictions is not None else None

    def name(c):
        return str(class_names[c]) if class_names is not None else str(c)

    ncols = min(n, 8) if ncols is None else int(ncols)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.35 * ncols, 1.55 * nrows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(images[i], cmap=cmap if images.ndim == 3 else None)
        if t is not None and p is not None:
            wrong = t[i] != p[i]
            ax.set_title(f"{name(t[i])} → {name(p[i])}", fontsize=10, color="#b2182b" if wrong else "black")
        elif t is not None:
            ax.set_title(name(t[i]), fontsize=10)
        elif p is not None:
            ax.set_title(f"→ {name(p[i])}", fontsize=10)
    if title is None:
        title = "Images"
        if t is not None and p is not None:
            title += " (true label → prediction; red: wrong)"
        elif t is not None:
            title += " with their labels"
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig
