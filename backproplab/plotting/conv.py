"""Pictures of convolutional networks and autoencoders.

``plot_conv_matrix(matrix)``
    a convolution written as the matrix of an equivalent Dense layer: its sparsity and its
    repeated (shared) weights become visible.
``plot_filters(kernel)``
    every filter of a ``Conv2D`` kernel ``(kh, kw, channels, filters)`` as a small image, on one
    shared colour scale centred on zero.
``plot_feature_maps(image, maps)``
    an input image beside the maps a convolutional layer computes from it, one per filter.
``plot_reconstructions(originals, reconstructions)``
    original images in the first row, one row of reconstructions per model below.
``plot_codes(codes, labels)``
    a 2-D code (an autoencoder's bottleneck) as a scatter plot coloured by class.
``plot_decoded_grid(decode, xlim, ylim)``
    what a decoder makes of every point of a grid over the 2-D code plane.

Images may be given as ``(n, h, w)``, ``(n, h, w, 1)`` or flat ``(n, h·w)`` with square images.
Every helper returns the Figure or Axes it drew on and sets titles and axis labels.
matplotlib is imported when a function is called, not when this module is imported.
"""
import numpy as np

from ._common import unflatten_square

__all__ = ["plot_conv_matrix", "plot_filters", "plot_feature_maps", "plot_reconstructions", "plot_codes",
           "plot_decoded_grid"]


def _as_images(images, name):
    """(n, h, w) from (n, h, w), (n, h, w, 1) or square flat (n, h·w)."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    images = unflatten_square(images, name)
    if images.ndim != 3:
        raise ValueError(f"{name} should have shape (n, h, w), (n, h, w, 1) or (n, h*w), not {images.shape}.")
    return images


def _symmetric_limit(values):
    top = float(np.max(np.abs(values))) if np.size(values) else 1.0
    return top if top > 0 else 1.0


def plot_conv_matrix(matrix, ax=None, title=None, cmap="RdBu_r"):
    """Draw the matrix ``W`` of a linear map (such as a convolution) with zeros left white.

    Parameters
    ----------
    matrix : array of shape (outputs, inputs)
        row ``r`` holds the weights that output ``r`` gives to every input.

    The colour scale is centred on zero, so equal weights have equal colours (a convolution's
    shared weights repeat along diagonals) and the many zeros stay white. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    w = np.asarray(matrix, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"plot_conv_matrix expects a 2-D matrix (outputs, inputs), not shape {w.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.2, 5.2))
    limit = _symmetric_limit(w)
    shown = np.ma.masked_where(w == 0, w)
    cm = plt.get_cmap(cmap).with_extremes(bad="white")
    image = ax.imshow(shown, cmap=cm, vmin=-limit, vmax=limit, interpolation="nearest")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("weight (white: exactly zero)")
    ax.set_xlabel("input pixel (flattened index)")
    ax.set_ylabel("output pixel (flattened index)")
    nonzero = np.count_nonzero(w)
    ax.set_title(title if title is not None else
                 f"A convolution as a {w.shape[0]}×{w.shape[1]} matrix ({nonzero} of {w.size} entries non-zero)")
    return ax


def plot_filters(kernel, ncols=8, title=None, cmap="RdBu_r", channel=0):
    """Show each filter of a convolution kernel as a small image on one shared colour scale.

    Parameters
    ----------
    kernel : array of shape (kh, kw, channels, filters) (``Conv2D.params['kernel']``) or (kh, kw, filters)
    channel : int
        which input channel's weights to show when there are several.

    Red is a positive weight, blue a negative one, white zero; the colour bar gives the scale.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim == 4:
        k = k[:, :, channel, :]
    if k.ndim != 3:
        raise ValueError(f"plot_filters expects a kernel of shape (kh, kw, channels, filters) or (kh, kw, filters), "
                         f"not {np.shape(kernel)}.")
    n = k.shape[-1]
    ncols = min(n, int(ncols))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.25 * ncols + 1.2, 1.35 * nrows + 0.7), squeeze=False)
    limit = _symmetric_limit(k)
    image = None
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        image = ax.imshow(k[:, :, i], cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(f"filter {i}", fontsize=9)
    fig.suptitle(title if title is not None else f"{n} filters of {k.shape[0]}×{k.shape[1]} weights", fontsize=11)
    fig.tight_layout()
    bar = fig.colorbar(image, ax=axes.ravel().tolist(), fraction=0.025, pad=0.02)
    bar.set_label("weight")
    return fig


def plot_feature_maps(image, maps, ncols=8, title=None, image_title="input", cmap="viridis"):
    """Show an input image and the feature maps a convolutional layer computes from it.

    Parameters
    ----------
    image : array of shape (h, w) or (h, w, 1)
    maps : array of shape (ho, wo, filters) (one sample of a ``Conv2D`` output) or (1, ho, wo, filters)

    The input is drawn first in grey, then one panel per filter on one shared colour scale
    (the colour bar), so that bright means "this filter responds strongly here". Returns the Figure.
    """
    import matplotlib.pyplot as plt

    img = np.asarray(image, dtype=np.float64)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    m = np.asarray(maps, dtype=np.float64)
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]
    if img.ndim != 2 or m.ndim != 3:
        raise ValueError(f"plot_feature_maps expects an image (h, w) and maps (ho, wo, filters), got shapes "
                         f"{np.shape(image)} and {np.shape(maps)}.")
    n = m.shape[-1]
    ncols = min(n + 1, int(ncols))
    nrows = -(-(n + 1) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.25 * ncols + 1.2, 1.4 * nrows + 0.7), squeeze=False)
    low, high = float(m.min()), float(m.max())
    if high == low:
        high = low + 1.0
    shown = None
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i == 0:
            ax.imshow(img, cmap="gray_r", interpolation="nearest")
            ax.set_title(image_title, fontsize=9, fontweight="bold")
        elif i <= n:
            shown = ax.imshow(m[:, :, i - 1], cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
            ax.set_title(f"map {i - 1}", fontsize=9)
        else:
            ax.axis("off")
    fig.suptitle(title if title is not None else f"The input and its {n} feature maps", fontsize=11)
    fig.tight_layout()
    bar = fig.colorbar(shown, ax=axes.ravel().tolist(), fraction=0.025, pad=0.02)
    bar.set_label("activation")
    return fig


def plot_reconstructions(originals, reconstructions, row_labels=None, labels=None, title=None, cmap="gray_r"):
    """Original images in the top row and, below each, what one or several models rebuilt.

    Parameters
    ----------
    originals : images (n, h, w), (n, h, w, 1) or flat (n, h·w)
    reconstructions : images of the same shape, or a list of such arrays (one row each)
    row_labels : list of str, optional
        a name for each row, written at its left (default ``'original'``, ``'reconstruction'``...).
        Give one more name than there are reconstructions: the first is the originals' row.
    labels : class indices (n,), optional
        written above each column.

    Pixels are drawn on the scale [0, 1] (the digits' scale) unless they leave it. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    rows = [_as_images(originals, "originals")]
    if not isinstance(reconstructions, (list, tuple)):
        reconstructions = [reconstructions]
    rows += [_as_images(r, "reconstructions") for r in reconstructions]
    n = len(rows[0])
    if any(r.shape != rows[0].shape for r in rows):
        raise ValueError("plot_reconstructions: every row needs as many images of the same size as the originals; "
                         f"got shapes {[r.shape for r in rows]}.")
    if row_labels is None:
        row_labels = ["original"] + (["reconstruction"] if len(rows) == 2 else
                                     [f"model {i}" for i in range(1, len(rows))])
    row_labels = list(row_labels)
    if len(row_labels) != len(rows):
        raise ValueError(f"plot_reconstructions got {len(rows)} rows but {len(row_labels)} row_labels.")
    low = min(0.0, min(float(r.min()) for r in rows))
    high = max(1.0, max(float(r.max()) for r in rows))
    fig, axes = plt.subplots(len(rows), n, figsize=(1.0 * n + 1.6, 1.1 * len(rows) + 0.8), squeeze=False)
    for r, (row, name) in enumerate(zip(rows, row_labels)):
        for i in range(n):
            ax = axes[r, i]
            ax.imshow(row[i], cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0 and labels is not None:
                ax.set_title(str(int(np.asarray(labels)[i])), fontsize=10)
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=10)
    fig.suptitle(title if title is not None else "Originals (top) and their reconstructions", fontsize=11)
    fig.tight_layout()
    return fig


def plot_codes(codes, labels, ax=None, title=None, class_names=None, s=12, alpha=0.75):
    """Scatter a 2-D code, one colour per class, with a legend.

    Parameters
    ----------
    codes : array of shape (N, 2), e.g. an autoencoder's bottleneck activations
    labels : class indices (N,)

    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    c = np.asarray(codes, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != 2:
        raise ValueError(f"plot_codes draws 2-D codes: codes should have shape (N, 2), not {c.shape}. "
                         "For a wider code, plot two of its columns, e.g. codes[:, :2].")
    y = np.asarray(labels).astype(np.int64).ravel()
    if len(y) != len(c):
        raise ValueError(f"plot_codes got {len(c)} codes but {len(y)} labels.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.8, 5.6))
    classes = np.unique(y)
    cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
    for k in classes:
        mask = y == k
        name = str(class_names[k]) if class_names is not None else str(k)
        ax.scatter(c[mask, 0], c[mask, 1], s=s, alpha=alpha, color=cmap(int(k) % cmap.N), label=name,
                   edgecolors="none")
    ax.set_xlabel("code unit 1")
    ax.set_ylabel("code unit 2")
    ax.set_title(title if title is not None else "The 2-D code of each image, coloured by its class")
    legend = ax.legend(title="digit" if class_names is None else "class", loc="center left",
                       bbox_to_anchor=(1.01, 0.5), fontsize=9, markerscale=1.6, frameon=False)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
    ax.grid(True, alpha=0.3)
    return ax


def plot_decoded_grid(decode, xlim, ylim, n=10, ax=None, title=None, cmap="gray_r", gap=1):
    """Decode every point of an ``n × n`` grid over the 2-D code plane and tile the images.

    Parameters
    ----------
    decode : callable mapping codes (m, 2) to images (m, h, w) or flat square images (m, h·w)
    xlim, ylim : pairs of floats, the part of the code plane to cover
    gap : int
        pixels of (light blue) space between neighbouring tiles, so that each image stands apart.

    The tile at the top left decodes ``(xlim[0], ylim[1])``, as in a scatter plot of the codes:
    the picture lines up with ``plot_codes`` of the same plane. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    xs = np.linspace(xlim[0], xlim[1], n)
    ys = np.linspace(ylim[1], ylim[0], n)           # top row = largest code unit 2
    grid = np.array([[x, y] for y in ys for x in xs])
    images = _as_images(decode(grid), "decode(codes)")
    h, w = images.shape[1:]
    gap = int(gap)
    canvas = np.full((n * (h + gap) - gap, n * (w + gap) - gap), np.nan)
    for r in range(n):
        for c in range(n):
            canvas[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = images[r * n + c]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 7))
    dx = (xlim[1] - xlim[0]) / max(n - 1, 1) / 2     # each tile is centred on its code
    dy = (ylim[1] - ylim[0]) / max(n - 1, 1) / 2
    ax.imshow(canvas, cmap=plt.get_cmap(cmap).with_extremes(bad="#dce6f2"),
              vmin=min(0.0, float(np.nanmin(canvas))), vmax=max(1.0, float(np.nanmax(canvas))),
              extent=(xlim[0] - dx, xlim[1] + dx, ylim[0] - dy, ylim[1] + dy), aspect="auto",
              interpolation="nearest")
    ax.set_xlabel("code unit 1")
    ax.set_ylabel("code unit 2")
    ax.set_title(title if title is not None else f"Decoded images over a {n}×{n} grid of codes")
    return ax
