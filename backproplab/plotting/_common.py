"""Small pieces the plotting modules share (private: the package's name finder skips ``_`` modules)."""
import numpy as np

VALUE_COLOR = "#1f3b73"      # forward values: dark blue
GRAD_COLOR = "#b2182b"       # gradients: dark red
NODE_FACE = "#eef3fb"


def new_axes(ax, figsize, layout=None):
    """``ax`` itself, or the Axes of a new figure of ``figsize`` (and matplotlib ``layout``)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout=layout)
    return ax


def unflatten_square(images, name):
    """(n, h·w) square images → (n, h, w); any other shape is returned as it is."""
    images = np.asarray(images)
    if images.ndim != 2:
        return images
    side = int(round(np.sqrt(images.shape[1])))
    if side * side != images.shape[1]:
        raise ValueError(f"{name}: flat images of {images.shape[1]} pixels are not square; reshape them to "
                         "(n, height, width) first.")
    return images.reshape(len(images), side, side)
