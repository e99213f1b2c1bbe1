"""Loss surfaces of two parameters, the paths optimizers take on them, and their pictures.

A neural network's loss depends on thousands of weights; a loss of just two parameters can be
drawn as contour lines, and the path of gradient descent drawn on top. This module gives:

``LossSurface``
    a loss ``L(w)`` of ``w = (w1, w2)`` with its gradient, vectorised so that it can be evaluated
    on a grid. Three are ready-made:

    ``quadratic_surface(hessian, minimum)``   ``L(w) = ½ (w − w*)ᵀ H (w − w*)``
    ``ravine(steepness=20)``                  a long narrow valley: ``½ (w1² + steepness · w2²)``
    ``rosenbrock(a=1, b=100)``                the curved "banana" valley ``(a − w1)² + b (w2 − w1²)²``
    ``line_fit_surface(x, y)``                the mean squared error of the line ``ŷ = w·x + b``
                                              on data ``(x, y)``: a quadratic in ``(w, b)``

``descent_path(surface, optimizer, start, steps)``
    run a ``backproplab.optimizers`` optimizer (the library's own update rules) on the surface
    and return every point visited and its loss.

``plot_loss_surface``, ``plot_descent_path``, ``plot_descent_paths``, ``plot_path_losses``
    contour plots with paths, and loss-against-step curves. Each returns its ``Axes``.

The surfaces and ``descent_path`` are plain NumPy; matplotlib is imported only inside the
plotting functions.
"""
from typing import NamedTuple

import numpy as np

from ._common import new_axes

__all__ = ["LossSurface", "quadratic_surface", "ravine", "rosenbrock", "line_fit_surface", "DescentPath",
           "descent_path", "plot_loss_surface", "plot_descent_path", "plot_descent_paths", "plot_path_losses",
           "log_axis"]

# stop a path once it leaves this far beyond the plotted window: it has diverged
_DIVERGED_FACTOR = 1e3


class LossSurface:
    """A loss of two parameters with its gradient.

    Parameters
    ----------
    loss : callable ``loss(w1, w2) -> L``
        vectorised: ``w1`` and ``w2`` may be arrays of the same shape (a grid).
    gradient : callable ``gradient(w1, w2) -> (dL/dw1, dL/dw2)``
    xlim, ylim : pair of floats
        the window drawn by ``plot_loss_surface``.
    minimum : pair of floats, optional
        where the minimum is (drawn as a star).
    start : pair of floats, optional
        a good place to start descending from (the default of ``descent_path``).
    name : str
        used in titles.
    labels : pair of str
        axis labels for the two parameters (plain text is drawn fastest; mathtext works too).
    level_spacing : ``'quadratic'`` or ``'log'``
        how contour levels are spaced above the minimum: ``'quadratic'`` gives evenly spaced
        ellipses on a quadratic bowl; ``'log'`` suits steep-walled valleys such as Rosenbrock's.
    """

    def __init__(self, loss, gradient, xlim, ylim, minimum=None, start=None, name="loss surface",
                 labels=("w₁", "w₂"), level_spacing="log"):
        self._loss, self._gradient = loss, gradient
        self.xlim, self.ylim = tuple(map(float, xlim)), tuple(map(float, ylim))
        self.minimum = None if minimum is None else np.asarray(minimum, dtype=np.float64)
        self.start = None if start is None else np.asarray(start, dtype=np.float64)
        self.name = name
        self.labels = tuple(labels)
        if level_spacing not in ("quadratic", "log"):
            raise ValueError(f"level_spacing should be 'quadratic' or 'log', got {level_spacing!r}.")
        self.level_spacing = level_spacing
        self._grid_cache = {}

    def __call__(self, w):
        """``L(w)`` for ``w`` of shape ``(2,)``, or of shape ``(..., 2)`` for many points at once."""
        w = np.asarray(w, dtype=np.float64)
        return self._loss(w[..., 0], w[..., 1])

    def gradient(self, w):
        """``∇L(w)``, an array of the same shape as ``w`` (``(2,)`` or ``(..., 2)``)."""
        w = np.asarray(w, dtype=np.float64)
        g1, g2 = self._gradient(w[..., 0], w[..., 1])
        return np.stack(np.broadcast_arrays(g1, g2), axis=-1)

    def grid(self, n=121):
        """``(W1, W2, L)``: the loss on an ``n × n`` grid over the window (computed once, cached)."""
        if n not in self._grid_cache:
            w1 = np.linspace(*self.xlim, n)
            w2 = np.linspace(*self.ylim, n)
            W1, W2 = np.meshgrid(w1, w2)
            self._grid_cache[n] = (W1, W2, self._loss(W1, W2))
        return self._grid_cache[n]

    def __repr__(self):
        return f"LossSurface({self.name!r})"


def quadratic_surface(hessian, minimum=(0.0, 0.0), value_at_minimum=0.0, xlim=None, ylim=None, start=None,
                      name="quadratic bowl", labels=("w₁", "w₂")):
    """``L(w) = c + ½ (w − w*)ᵀ H (w − w*)`` with a symmetric positive (semi-)definite ``H``.

    Its gradient is ``H (w − w*)``. Gradient descent with learning rate ``η`` multiplies the
    distance to ``w*`` along each eigenvector of ``H`` by ``1 − η λ`` per step, so it converges
    exactly when ``η < 2 / λ_max``.
    """
    H = np.asarray(hessian, dtype=np.float64)
    if H.shape != (2, 2) or not np.allclose(H, H.T):
        raise ValueError(f"hessian should be a symmetric 2×2 matrix, got {H!r}.")
    m = np.asarray(minimum, dtype=np.float64)
    c = float(value_at_minimum)

    def loss(w1, w2):
        d1, d2 = w1 - m[0], w2 - m[1]
        return c + 0.5 * (H[0, 0] * d1 * d1 + 2 * H[0, 1] * d1 * d2 + H[1, 1] * d2 * d2)

    def gradient(w1, w2):
        d1, d2 = w1 - m[0], w2 - m[1]
        return H[0, 0] * d1 + H[0, 1] * d2, H[1, 0] * d1 + H[1, 1] * d2

    if xlim is None or ylim is None:
        # a window that shows the ellipse through the start point (or a unit-ish one)
        half = np.abs(start - m) * 1.25 if start is not None else np.array([2.0, 2.0])
        half = np.maximum(half, 0.25 * half.max())
        xlim = xlim or (m[0] - half[0], m[0] + half[0])
        ylim = ylim or (m[1] - half[1], m[1] + half[1])
    surface = LossSurface(loss, gradient, xlim, ylim, minimum=m, start=start, name=name, labels=labels,
                          level_spacing="quadratic")
    surface.hessian = H
    return surface


def ravine(steepness=20.0, angle=0.0):
    """A long narrow valley: ``L = ½ (u² + steepness · v²)``, minimum at the origin.

    ``(u, v)`` are the coordinates ``(w1, w2)`` turned by ``angle`` degrees, so with ``angle=0``
    (the default) ``L = ½ (w1² + steepness · w2²)``. The Hessian's eigenvalues are 1 and
    ``steepness``: the valley floor is ``steepness`` times flatter than its walls, so plain gradient
    descent must use a learning rate below ``2/steepness`` and then crawls along the floor.
    A turned valley (``angle=30``) is the same problem for gradient descent and momentum, but not
    for RMSprop and Adam, which rescale each coordinate ``w1``, ``w2`` separately.
    """
    a = np.deg2rad(float(angle))
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    H = R @ np.diag([1.0, float(steepness)]) @ R.T
    H = 0.5 * (H + H.T)
    start = R @ np.array([-5.0, 1.5])
    if angle == 0:
        xlim, ylim, name = (-6.0, 2.0), (-2.0, 2.0), f"ravine ½(w₁² + {steepness:g}·w₂²)"
    else:
        corners = R @ np.array([[-6.0, 2.0, 2.0, -6.0], [-2.0, -2.0, 2.0, 2.0]])
        (x0, y0), (x1, y1) = corners.min(axis=1), corners.max(axis=1)
        xlim, ylim, name = (x0, x1), (y0, y1), f"ravine ½(u² + {steepness:g}·v²) turned {angle:g}°"
    return quadratic_surface(H, xlim=xlim, ylim=ylim, start=start, name=name)


def rosenbrock(a=1.0, b=100.0):
    """Rosenbrock's banana valley ``L = (a − w1)² + b (w2 − w1²)²``, minimum 0 at ``(a, a²)``.

    The valley floor is the curved parabola ``w2 = w1²``; finding it is easy, following it to the
    minimum is slow for gradient descent.
    """
    a, b = float(a), float(b)

    def loss(w1, w2):
        return (a - w1) ** 2 + b * (w2 - w1 * w1) ** 2

    def gradient(w1, w2):
        r = w2 - w1 * w1
        return -2.0 * (a - w1) - 4.0 * b * w1 * r, 2.0 * b * r

    return LossSurface(loss, gradient, xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minimum=(a, a * a),
                       start=(-1.5, 2.5), name=f"Rosenbrock (a={a:g}, b={b:g})")


def line_fit_surface(x, y, start=(-2.0, 3.0), name="mean squared error of the line ŷ = w·x + b"):
    """The mean squared error ``L(w, b) = mean((w·x + b − y)²)`` of a straight line on data ``(x, y)``.

    This is exactly Keras' (and backproplab's) ``'mse'`` loss of a ``Dense(1)`` layer with no
    activation on one input feature. It is a quadratic in ``(w, b)`` with Hessian
    ``H = 2 [[mean(x²), mean(x)], [mean(x), 1]]`` and its minimum at the least-squares line.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y should hold the same number (at least 2) of values, got {x.size} and {y.size}.")
    X = np.column_stack([x, np.ones_like(x)])
    H = 2.0 * X.T @ X / len(x)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    c = float(np.mean((X @ w_star - y) ** 2))
    start = np.asarray(start, dtype=np.float64)
    half = np.maximum(np.abs(start - w_star) * 1.25, 0.5)
    surface = quadratic_surface(H, minimum=w_star, value_at_minimum=c, start=start, name=name,
                                xlim=(w_star[0] - half[0], w_star[0] + half[0]),
                                ylim=(w_star[1] - half[1], w_star[1] + half[1]), labels=("w (slope)", "b (intercept)"))
    return surface


class DescentPath(NamedTuple):
    """What ``descent_path`` returns: ``points`` (steps + 1, 2) and their ``losses`` (steps + 1,).

    ``diverged`` is True when the path left the window by a factor of 1000 (or overflowed) and
    was stopped early; then ``points`` is shorter than ``steps + 1``.
    """

    points: np.ndarray
    losses: np.ndarray
    diverged: bool
    label: str


def descent_path(surface, optimizer, start=None, steps=50, label=None):
    """Minimise ``surface`` from ``start`` with ``optimizer`` for ``steps`` steps.

    ``optimizer`` is a ``backproplab.optimizers`` object (``SGD(learning_rate=0.1, momentum=0.9)``,
    ``Adam(...)``...) or a name such as ``'adam'``; a fresh optimizer should be used for each path,
    since it keeps state (velocities, moments). Each step is exactly ``optimizer.step([w], [∇L(w)])``.
    Returns a ``DescentPath``.
    """
    from .. import optimizers

    optimizer = optimizers.get(optimizer)
    if start is None:
        if surface.start is None:
            raise ValueError("This surface has no default start: pass start=(w1, w2).")
        start = surface.start
    w = np.array(start, dtype=np.float64).reshape(2)
    span = max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
    centre = np.array([sum(surface.xlim) / 2, sum(surface.ylim) / 2])
    points = [w.copy()]
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            optimizer.step([w], [surface.gradient(w)])
            if not np.all(np.isfinite(w)) or np.max(np.abs(w - centre)) > _DIVERGED_FACTOR * span:
                diverged = True
                break
            points.append(w.copy())
        points = np.array(points)
        losses = surface(points)
    if label is None:
        label = _optimizer_label(optimizer)
    return DescentPath(points, losses, diverged, label)


def _optimizer_label(opt):
    name = type(opt).__name__
    if name == "SGD":
        if opt.momentum > 0:
            name = ("Nesterov" if opt.nesterov else "momentum") + f" μ={opt.momentum:g}"
        else:
            name = "SGD"
    return f"{name}, lr={opt.learning_rate:g}"


# ------------------------------------------------------------------------------------------ plots
def _new_axes(ax):
    return new_axes(ax, (6.4, 4.8), layout="constrained")


def _levels(Z, minimum_value, n, spacing):
    """Contour levels above the minimum: evenly spaced ellipses for a quadratic, else geometric."""
    lo = float(minimum_value)
    hi = float(np.nanpercentile(Z, 98))
    span = max(hi - lo, 1e-12)
    if spacing == "quadratic":
        return lo + span * np.linspace(1.0 / n, 1.0, n) ** 2
    return lo + span * np.geomspace(1e-3, 1.0, n)


def _shading(surface, n, lv, floor):
    """An RGBA image of the surface in bands between contour levels, light at the bottom of the bowl
    and darker up the walls, like filled contours but drawn as one image: fast to draw (the widgets
    redraw the same surface many times, so it is cached) and small as a PNG (few distinct colours)."""
    key = ("shade", n, tuple(np.round(lv, 12)))
    if key not in surface._grid_cache:
        from matplotlib import colormaps

        _, _, Z = surface.grid(n)
        band = np.searchsorted(lv, Z)                       # 0 below the first level ... len(lv) above the last
        surface._grid_cache[key] = colormaps["Blues"](0.06 + 0.6 * band / len(lv))
    return surface._grid_cache[key]


def plot_loss_surface(surface, ax=None, title=None, filled=True, n=121, levels=14, colorbar=False,
                      equal_aspect=True):
    """Contour lines of ``surface`` over its window, the minimum marked with a star. Returns the Axes.

    ``filled`` shades the surface, light at the bottom and darker up the walls. With
    ``equal_aspect`` (the default) one unit is as long on both axes, so that the gradient is seen to
    cross every contour line at a right angle.
    """
    ax = _new_axes(ax)
    W1, W2, Z = surface.grid(n)
    floor = surface(surface.minimum) if surface.minimum is not None else np.nanmin(Z)
    lv = _levels(Z, floor, levels, surface.level_spacing) if np.isscalar(levels) else np.asarray(levels)
    if filled:
        ax.imshow(_shading(surface, 2 * n - 1, lv, floor), origin="lower", extent=(*surface.xlim, *surface.ylim),
                  interpolation="nearest", aspect="auto", zorder=0)
    cs = ax.contour(W1, W2, Z, levels=lv, colors="0.3", linewidths=0.6, alpha=0.7, zorder=1)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label="loss")
    if surface.minimum is not None:
        ax.plot(*surface.minimum, marker="*", markersize=15, color="gold", markeredgecolor="k", ls="none",
                label="minimum", zorder=5)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    if equal_aspect:
        ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(surface.labels[0])
    ax.set_ylabel(surface.labels[1])
    ax.set_title(title if title is not None else f"Loss surface: {surface.name}")
    return ax


def log_axis(ax, axis="y"):
    """A logarithmic axis with plain-text tick labels (0.01, 0.2, 100, 1e+06) and no minor ticks:
    as readable as matplotlib's 10ⁿ labels and several times cheaper to draw, which matters when
    a widget redraws on every slider move. Ticks at 1, 2, 5 × 10ⁿ over a short range, 1, 3 × 10ⁿ
    over two decades, powers of ten (thinned to about seven) over more. Returns the Axes."""
    from matplotlib.ticker import FuncFormatter, Locator, NullLocator

    class PlainLogLocator(Locator):
        def __call__(self):
            return self.tick_values(*self.axis.get_view_interval())

        def tick_values(self, vmin, vmax):
            lo, hi = sorted((float(vmin), float(vmax)))
            if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= 0:
                return []
            lo = lo if lo > 0 else hi * 1e-10
            d0, d1 = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
            span = np.log10(hi / lo)
            if span < 1.5:
                subs, stride = (1, 2, 5), 1
            elif span < 2.5:
                subs, stride = (1, 3), 1
            else:
                subs, stride = (1,), max(1, int(np.ceil((d1 - d0) / 7)))
            return [s * 10.0 ** d for d in range(d0 - d0 % stride, d1 + 1, stride) for s in subs]

    def fmt(v, _pos):
        if v <= 0:
            return ""
        return f"{v:g}" if 1e-3 <= v < 1e5 else f"1e{int(round(np.log10(v)))}"

    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_major_locator(PlainLogLocator())
    target.set_major_formatter(FuncFormatter(fmt))
    target.set_minor_locator(NullLocator())
    return ax


def plot_descent_path(surface, path, ax=None, label=None, color=None, title=None, draw_surface=None,
                      legend=True, markers=True):
    """Draw one path (a ``DescentPath`` or an array of points) on the contours of ``surface``.

    The surface is drawn first when ``ax`` is not given (or ``draw_surface=True``). A big circle
    marks the start and dots every step; a diverging path is drawn until it leaves the window.
    Returns the Axes.
    """
    if draw_surface is None:
        draw_surface = ax is None
    ax = _new_axes(ax)
    if draw_surface:
        plot_loss_surface(surface, ax=ax, title=title)
    elif title is not None:
        ax.set_title(title)
    if isinstance(path, DescentPath):
        points = path.points
        label = label if label is not None else path.label
    else:
        points = np.asarray(path, dtype=np.float64)
    # a diverging path is drawn up to its first point well outside the window: the line leaves the
    # plot in the direction it flew off, and no huge coordinates reach the renderer
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    mx, my = 0.5 * (x1 - x0), 0.5 * (y1 - y0)
    outside = ((points[:, 0] < x0 - mx) | (points[:, 0] > x1 + mx) | (points[:, 1] < y0 - my)
               | (points[:, 1] > y1 + my))
    left = bool(outside.any())
    shown = points[:int(np.argmax(outside)) + 1] if left else points
    line, = ax.plot(shown[:, 0], shown[:, 1], "-", color=color, lw=1.6, alpha=0.95,
                    marker="o" if markers else None, markersize=3, label=label, zorder=4)
    ax.plot(*shown[0], "o", color=line.get_color(), markersize=8, markeredgecolor="k", zorder=6)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    if legend:
        ax.legend(loc="best", fontsize=8, framealpha=0.9)
    return ax


def plot_descent_paths(surface, paths, ax=None, title=None, colors=None, legend_loc="best", markers=True):
    """Several paths on one contour plot, each labelled (by its ``label`` or by the dict key).

    ``paths`` is a list of ``DescentPath`` or a dict ``{label: DescentPath or points}``.
    ``legend_loc=None`` leaves the legend out (when another panel shows it). Returns the Axes.
    """
    ax = _new_axes(ax)
    plot_loss_surface(surface, ax=ax, title=title)
    items = paths.items() if isinstance(paths, dict) else [(None, p) for p in paths]
    for i, (label, p) in enumerate(items):
        color = colors[i] if colors is not None else f"C{i % 10}"
        plot_descent_path(surface, p, ax=ax, label=label, color=color, draw_surface=False, legend=False,
                          markers=markers)
    if legend_loc is not None:
        ax.legend(loc=legend_loc, fontsize=8, framealpha=0.9)
    return ax


def plot_path_losses(paths, ax=None, title="Loss along each path", logy=True, colors=None, legend_loc="best"):
    """Loss against step number for each path (a list of ``DescentPath`` or a dict label → path).

    Diverged paths end with a cross. On a log axis (the default) the loss above the surface's
    minimum should be positive; it is plotted as is. Returns the Axes.
    """
    ax = _new_axes(ax)
    items = paths.items() if isinstance(paths, dict) else [(None, p) for p in paths]
    for i, (label, p) in enumerate(items):
        losses = p.losses if isinstance(p, DescentPath) else np.asarray(p)
        label = label if label is not None else getattr(p, "label", None)
        color = colors[i] if colors is not None else f"C{i % 10}"
        ax.plot(np.arange(len(losses)), losses, color=color, lw=1.6, label=label)
        if getattr(p, "diverged", False):
            ax.plot(len(losses) - 1, losses[-1], "X", color=color, markersize=9, markeredgecolor="k")
    if logy:
        log_axis(ax, "y")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    if legend_loc is not None:
        ax.legend(loc=legend_loc, fontsize=8, framealpha=0.9)
    ax.grid(True, which="major", alpha=0.3)
    return ax
