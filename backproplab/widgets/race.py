"""The optimizer race: SGD, momentum, Nesterov, RMSprop and Adam on one loss surface.

::

    from backproplab.widgets import optimizer_race
    race = optimizer_race()                 # the widget (last line of a cell shows it)
    race.controls["surface"].value = "Rosenbrock banana"
    race.controls["learning_rate"].value = 0.002
    race.data["Adam"].losses[-1]            # the numbers behind the picture

Every path is computed with the library's own optimizers (``backproplab.optimizers``, Keras 3's
rules), one ``opt.step([w], [∇L(w)])`` per step, from the same start.
"""
import numpy as np

from ._base import Playground, lean_axes

__all__ = ["optimizer_race", "OptimizerRace", "race_surfaces"]

OPTIMIZERS = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")
COLORS = {"SGD": "C0", "momentum": "C1", "Nesterov": "C2", "RMSprop": "C3", "Adam": "C4"}

QUESTION = ("On the ravine, which optimizers reach the minimum first, and why does plain SGD crawl along "
            "the valley floor? Now choose the turned ravine: it is the same valley rotated by 30°. Which "
            "optimizers do not care about the rotation, and which do, and why?")


def race_surfaces():
    """The surfaces of the race, each with the learning rates and steps that suit it:
    ``{name: (surface, {'learning_rate': ..., 'adaptive_learning_rate': ..., 'steps': ...})}``."""
    from ..plotting.surfaces import ravine, rosenbrock

    return {
        "ravine": (ravine(50), {"learning_rate": 0.01, "adaptive_learning_rate": 0.1, "steps": 100}),
        "turned ravine": (ravine(50, angle=30), {"learning_rate": 0.01, "adaptive_learning_rate": 0.1,
                                                  "steps": 100}),
        "Rosenbrock banana": (rosenbrock(), {"learning_rate": 0.001, "adaptive_learning_rate": 0.1,
                                             "steps": 300}),
    }


def make_optimizer(name, learning_rate, adaptive_learning_rate, momentum):
    """A fresh ``backproplab.optimizers`` object for one racer (Keras 3 rules and defaults otherwise)."""
    from ..optimizers import SGD, Adam, RMSprop

    if name == "SGD":
        return SGD(learning_rate=learning_rate)
    if name == "momentum":
        return SGD(learning_rate=learning_rate, momentum=momentum)
    if name == "Nesterov":
        return SGD(learning_rate=learning_rate, momentum=momentum, nesterov=True)
    if name == "RMSprop":
        return RMSprop(learning_rate=adaptive_learning_rate)
    if name == "Adam":
        return Adam(learning_rate=adaptive_learning_rate)
    raise ValueError(f"Unknown racer {name!r}; choose from {', '.join(OPTIMIZERS)}.")


class OptimizerRace(Playground):
    """See ``optimizer_race``."""

    title = "Optimizer race: the same start, the same number of steps, five update rules"

    def __init__(self, surface="ravine", optimizers=OPTIMIZERS, learning_rate=None, adaptive_learning_rate=None,
                 momentum=0.9, steps=None, surfaces=None, static=None, question=None):
        super().__init__(question or QUESTION, static=static)
        self.surfaces = dict(surfaces) if surfaces is not None else race_surfaces()
        for name, entry in list(self.surfaces.items()):
            if not isinstance(entry, tuple):        # a bare LossSurface: generic settings
                self.surfaces[name] = (entry, {"learning_rate": 0.01, "adaptive_learning_rate": 0.1, "steps": 100})
        if not isinstance(surface, str):            # a LossSurface given directly
            self.surfaces = {surface.name: (surface, {"learning_rate": 0.01, "adaptive_learning_rate": 0.1,
                                                      "steps": 100}), **self.surfaces}
            surface = surface.name
        if surface not in self.surfaces:
            raise ValueError(f"Unknown surface {surface!r}; choose from {', '.join(self.surfaces)}.")
        unknown = [o for o in optimizers if o not in OPTIMIZERS]
        if unknown:
            raise ValueError(f"Unknown optimizer(s) {unknown}; choose from {', '.join(OPTIMIZERS)}.")
        suggested = self.surfaces[surface][1]
        self.defaults = {
            "surface": surface,
            "learning_rate": float(learning_rate if learning_rate is not None else suggested["learning_rate"]),
            "adaptive_learning_rate": float(adaptive_learning_rate if adaptive_learning_rate is not None
                                            else suggested["adaptive_learning_rate"]),
            "momentum": float(momentum),
            "steps": int(steps if steps is not None else suggested["steps"]),
            **{f"use_{o}": o in optimizers for o in OPTIMIZERS},
        }
        if self.static:
            self.figure = self._render(**self.defaults)
            return
        import ipywidgets as w

        d = self.defaults
        wide = {"description_width": "initial"}
        self.controls = {
            "surface": w.Dropdown(options=list(self.surfaces), value=surface, description="loss surface",
                                  style=wide),
            "learning_rate": w.FloatLogSlider(value=d["learning_rate"], base=10, min=-4, max=0, step=0.1,
                                              readout_format=".4f", continuous_update=False, style=wide,
                                              description="learning rate of SGD, momentum, Nesterov",
                                              layout=w.Layout(width="40em")),
            "adaptive_learning_rate": w.FloatLogSlider(value=d["adaptive_learning_rate"], base=10, min=-3, max=0,
                                                       step=0.1, readout_format=".4f", continuous_update=False,
                                                       description="learning rate of RMSprop, Adam", style=wide,
                                                       layout=w.Layout(width="40em")),
            "momentum": w.FloatSlider(value=d["momentum"], min=0.0, max=0.99, step=0.01, continuous_update=False,
                                      description="momentum μ (momentum, Nesterov)", style=wide,
                                      layout=w.Layout(width="40em")),
            "steps": w.IntSlider(value=d["steps"], min=10, max=500, step=10, continuous_update=False,
                                 description="steps", style=wide, layout=w.Layout(width="40em")),
        }
        boxes = {f"use_{o}": w.Checkbox(value=d[f"use_{o}"], description=o, indent=False,
                                        layout=w.Layout(width="8em")) for o in OPTIMIZERS}
        self.controls.update(boxes)
        self.controls["surface"].observe(self._surface_changed, names="value")
        self._build([w.HBox([self.controls["surface"]]), w.HBox(list(boxes.values())),
                     self.controls["learning_rate"], self.controls["adaptive_learning_rate"],
                     self.controls["momentum"], self.controls["steps"]])

    def _surface_changed(self, change):
        """A new surface brings its own suggested learning rates and steps: set them, redraw once."""
        suggested = self.surfaces[change["new"]][1]
        self._suspended = True
        try:
            for k, v in suggested.items():
                self.controls[k].value = v
        finally:
            self._suspended = False
        self.refresh()

    def _on_change(self, change):
        if change["owner"] is self.controls.get("surface"):
            return                                  # handled (once) by _surface_changed
        super()._on_change(change)

    # the race ------------------------------------------------------------------------------------
    def run(self, surface, learning_rate, adaptive_learning_rate, momentum, steps, **use):
        """``{optimizer name: DescentPath}`` for the racers switched on."""
        from ..plotting.surfaces import descent_path

        surf = self.surfaces[surface][0]
        racers = [o for o in OPTIMIZERS if use.get(f"use_{o}", True)]
        paths = {}
        for name in racers:
            opt = make_optimizer(name, learning_rate, adaptive_learning_rate, momentum)
            lr = adaptive_learning_rate if name in ("RMSprop", "Adam") else learning_rate
            label = f"{name} (lr {lr:.3g}" + (f", μ {momentum:g})" if name in ("momentum", "Nesterov") else ")")
            paths[name] = descent_path(surf, opt, steps=steps, label=label)
        return surf, paths

    def _render(self, surface, learning_rate, adaptive_learning_rate, momentum, steps, **use):
        import matplotlib.pyplot as plt

        from ..plotting.surfaces import plot_descent_paths, plot_path_losses

        surf, paths = self.run(surface, learning_rate, adaptive_learning_rate, momentum, steps, **use)
        self.data = paths
        fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=80, gridspec_kw={"width_ratios": [1.15, 1]})
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.85, wspace=0.2)
        colors = [COLORS[n] for n in paths]
        if paths:
            plot_descent_paths(surf, {p.label: p for p in paths.values()}, ax=ax_path, colors=colors,
                               legend_loc=None, markers=steps <= 150,
                               title=f"Paths on the {surface}")
            plot_path_losses({p.label: p for p in paths.values()}, ax=ax_loss, colors=colors,
                             title="Loss after each step", legend_loc="lower left")
            first = max(float(p.losses[0]) for p in paths.values())
            lowest = min(float(np.nanmin(p.losses)) for p in paths.values())
            ax_loss.set_ylim(max(lowest, first * 1e-12) / 2, first * 100)
            ax_loss.set_xlim(0, steps)
            finished = {n: p for n, p in paths.items() if not p.diverged}
            if finished:
                best = min(finished, key=lambda n: finished[n].losses[-1])
                verdict = f"lowest loss after {steps} steps: {best} ({finished[best].losses[-1]:.2g})"
            else:
                verdict = "every racer diverged: lower the learning rates"
            gone = [n for n, p in paths.items() if p.diverged]
            if gone:
                verdict += f"; diverged: {', '.join(gone)}"
        else:
            from ..plotting.surfaces import plot_loss_surface

            plot_loss_surface(surf, ax=ax_path)
            ax_loss.set_axis_off()
            verdict = "tick at least one optimizer"
        lean_axes(ax_path, ax_loss)
        fig.suptitle(verdict, fontsize=11.5)
        return fig


def optimizer_race(surface="ravine", optimizers=OPTIMIZERS, learning_rate=None, adaptive_learning_rate=None,
                   momentum=0.9, steps=None, surfaces=None, static=None, question=None):
    """Race SGD, momentum, Nesterov, RMSprop and Adam on a loss surface of two parameters.

    Parameters
    ----------
    surface : str or LossSurface, default ``'ravine'``
        one of ``'ravine'`` (``½(w₁² + 50 w₂²)``), ``'turned ravine'`` (the same turned by 30°),
        ``'Rosenbrock banana'``, or a ``LossSurface`` of your own (added to the menu).
    optimizers : sequence of str
        which racers start ticked (all five by default).
    learning_rate : float, optional
        the learning rate of SGD, momentum and Nesterov (default: the surface's suggestion).
    adaptive_learning_rate : float, optional
        the learning rate of RMSprop and Adam, whose steps do not scale with the gradient, so they
        need a different one (default: the surface's suggestion).
    momentum : float, default 0.9
        ``μ`` of momentum and Nesterov.
    steps : int, optional
        steps per racer (default: the surface's suggestion).
    surfaces : dict, optional
        replaces the menu: ``{name: LossSurface}`` or ``{name: (LossSurface, suggested values)}``.
    static : bool, optional
        ``True`` draws one static figure instead of the widget; ``None`` decides by itself.
    question : str, optional
        the question shown beside the widget.

    Returns an ``OptimizerRace``: ``.widget``, ``.controls`` (``'surface'``, ``'learning_rate'``,
    ``'adaptive_learning_rate'``, ``'momentum'``, ``'steps'``, ``'use_SGD'``...), ``.figure``, and
    ``.data``: ``{optimizer name: DescentPath}`` of the last race.
    """
    return OptimizerRace(surface=surface, optimizers=optimizers, learning_rate=learning_rate,
                         adaptive_learning_rate=adaptive_learning_rate, momentum=momentum, steps=steps,
                         surfaces=surfaces, static=static, question=question)
