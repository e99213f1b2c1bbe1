"""The learning-rate explorer: one slider, the path of gradient descent and its loss curve.

::

    from backproplab.widgets import learning_rate_explorer
    pg = learning_rate_explorer()          # shows the widget when it is the cell's last line
    pg                                     # (or display(pg.widget))
    pg.controls["learning_rate"].value = 0.3   # redraws, as moving the slider does

Moving the logarithmic slider reruns plain gradient descent, ``w ← w − lr·∇L(w)`` (the library's
``SGD``), on a loss of two parameters and redraws its path on the contours and its loss per step.
"""
import numpy as np

from ._base import Playground, lean_axes

__all__ = ["learning_rate_explorer", "LearningRateExplorer"]

QUESTION = ("Move the slider from 0.0001 up to 1. Where does the loss fall fastest? Find the largest "
            "learning rate for which the loss still goes down: what does the path do just below it, "
            "and what happens just above it? Is a very small learning rate ever wrong, or only slow?")


def _default_surface():
    """The line-fitting problem of notebook 06: 50 points near y = 2x − 1, x in [0, 2]."""
    from ..plotting.surfaces import line_fit_surface

    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 2.0, 50)
    y = 2.0 * x - 1.0 + 0.3 * rng.standard_normal(50)
    return line_fit_surface(x, y)


class LearningRateExplorer(Playground):
    """See ``learning_rate_explorer``."""

    title = "Learning-rate explorer: plain gradient descent, w ← w − lr · ∇L(w)"

    def __init__(self, surface=None, learning_rate=0.01, steps=40, start=None, static=None, question=None,
                 min_exponent=-4.0, max_exponent=0.0, static_learning_rates=None):
        super().__init__(question or QUESTION, static=static)
        self.surface = surface if surface is not None else _default_surface()
        self.steps = int(steps)
        self.start = start
        self.defaults = {"learning_rate": float(learning_rate)}
        lo, hi = 10.0 ** min_exponent, 10.0 ** max_exponent
        self.static_learning_rates = static_learning_rates or sorted(
            {min(max(learning_rate * k, lo), hi) for k in (1, 10, 40, 100)})
        if self.static:
            self.figure = self._render_static()
            return
        import ipywidgets as w

        slider = w.FloatLogSlider(value=learning_rate, base=10, min=min_exponent, max=max_exponent, step=0.1,
                                  description="learning rate", readout_format=".4f", continuous_update=True,
                                  style={"description_width": "initial"},
                                  layout=w.Layout(width="32em"))
        self.controls = {"learning_rate": slider}
        self._build([slider])

    # the figure ----------------------------------------------------------------------------------
    def _run(self, learning_rate):
        from ..optimizers import SGD
        from ..plotting.surfaces import descent_path

        return descent_path(self.surface, SGD(learning_rate=learning_rate), start=self.start, steps=self.steps,
                            label=f"lr = {learning_rate:.4g}")

    def _figure(self):
        import matplotlib.pyplot as plt

        fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=80,
                                               gridspec_kw={"width_ratios": [1.1, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.84, wspace=0.22)
        return fig, ax_path, ax_loss

    def _render(self, learning_rate):
        from ..plotting.surfaces import plot_descent_path

        path = self._run(learning_rate)
        self.data = {"learning_rate": float(learning_rate), "points": path.points, "losses": path.losses,
                     "diverged": path.diverged}
        fig, ax_path, ax_loss = self._figure()
        plot_descent_path(self.surface, path, ax=ax_path, color="C3", legend=False, draw_surface=True,
                          title="Path of gradient descent on the loss contours")
        self._loss_panel(ax_loss, {path.label: path}, colors=["C3"])
        lean_axes(ax_path, ax_loss)
        fig.suptitle(self._verdict(path, learning_rate), fontsize=11.5)
        return fig

    def _render_static(self):
        from ..plotting.surfaces import plot_descent_paths

        paths = {f"lr = {lr:.4g}": self._run(lr) for lr in self.static_learning_rates}
        self.data = {"learning_rates": list(self.static_learning_rates),
                     "losses": [p.losses for p in paths.values()]}
        fig, ax_path, ax_loss = self._figure()
        colors = [f"C{i}" for i in range(len(paths))]
        plot_descent_paths(self.surface, paths, ax=ax_path, colors=colors, legend_loc="upper right",
                           title="Paths of gradient descent on the loss contours")
        self._loss_panel(ax_loss, paths, colors)
        fig.suptitle(f"Gradient descent for {len(paths)} learning rates, {self.steps} steps each "
                     "(static picture: the interactive slider needs Jupyter)", fontsize=11.5)
        return fig

    def _loss_panel(self, ax, paths, colors):
        from ..plotting.surfaces import log_axis

        floor = float(self.surface(self.surface.minimum)) if self.surface.minimum is not None else None
        first = max(float(p.losses[0]) for p in paths.values())
        cap = 1e4 * first
        for (label, p), color in zip(paths.items(), colors):
            y = p.losses
            over = np.flatnonzero(~(y <= cap))
            y = y[:over[0] + 1] if over.size else y       # a diverging curve stops where it leaves the plot
            y = np.minimum(y, cap)
            ax.plot(np.arange(len(y)), y, "-", color=color, lw=1.8, label=label)
            if over.size or p.diverged or y[-1] > y[0]:
                ax.plot(len(y) - 1, y[-1], "X", color=color, markersize=9, markeredgecolor="k")
        if floor is not None and floor > 0:
            ax.axhline(floor, color="0.3", ls="--", lw=1, label=f"lowest possible loss {floor:.3g}")
        log_axis(ax, "y")
        ax.set_xlim(0, self.steps * 1.03)
        ax.set_xlabel("step")
        ax.set_ylabel("loss (log scale)")
        ax.set_title("Loss after each step")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="best", fontsize=8, framealpha=0.9)

    def _verdict(self, path, learning_rate):
        start, end = float(path.losses[0]), float(path.losses[-1])
        if path.diverged or not np.isfinite(end):
            return f"learning rate {learning_rate:.4g}: diverged after {len(path.losses) - 1} steps"
        return (f"learning rate {learning_rate:.4g}: loss {start:.3g} → {end:.3g} after {len(path.losses) - 1} "
                "steps")


def learning_rate_explorer(surface=None, learning_rate=0.01, steps=40, start=None, static=None, question=None,
                           min_exponent=-4.0, max_exponent=0.0, static_learning_rates=None):
    """A logarithmic learning-rate slider over gradient descent on a loss of two parameters.

    Parameters
    ----------
    surface : backproplab.plotting.surfaces.LossSurface, optional
        the loss to minimise; by default notebook 06's line fit (mean squared error of ``w·x + b``
        on 50 noisy points near ``y = 2x − 1``), on which gradient descent diverges above lr ≈ 0.46.
    learning_rate : float, default 0.01
        where the slider starts. The slider runs from ``10**min_exponent`` to ``10**max_exponent``
        in steps of 0.1 in ``log10``.
    steps : int, default 40
        gradient-descent steps per redraw.
    start : pair of floats, optional
        where descent starts (default: the surface's own start).
    static : bool, optional
        ``True`` draws a static figure (four learning rates overlaid) instead of the widget;
        ``None`` decides by itself (static when no Jupyter kernel runs or when
        ``BACKPROPLAB_STATIC_WIDGETS=1``).
    question : str, optional
        the question shown beside the widget.

    Returns a ``LearningRateExplorer``: ``.widget`` (the VBox), ``.controls['learning_rate']`` (the
    slider), ``.figure`` and ``.data`` (what was drawn last), ``.question``.
    """
    return LearningRateExplorer(surface=surface, learning_rate=learning_rate, steps=steps, start=start,
                                static=static, question=question, min_exponent=min_exponent,
                                max_exponent=max_exponent, static_learning_rates=static_learning_rates)
