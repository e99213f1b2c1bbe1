"""Gradient norms on log axes, and drawings of the networks they travel through.

``plot_time_step_grad_norms(runs, bounds=None)``
    ``‖∂L/∂h_t‖`` against the time step ``t`` (what a recurrent layer keeps in
    ``time_step_grad_norms`` after ``backward``), one line per run, on a log axis, so that a
    gradient shrinking or growing by a constant factor per step shows as a straight line.
    ``bounds`` adds dashed lines (same colours) such as the bound ``‖U‖^(T−t)``.
``plot_layer_gradient_norms(runs, param="kernel")``
    ``‖∂L/∂W‖`` of every layer, from ``model.gradient_norms()`` after ``compute_gradients``,
    input layer on the left, on a log axis.
``plot_unrolled_rnn(steps=4)``
    a recurrent layer unrolled in time: inputs ``x_t``, states ``h_t``, the shared weights
    ``W`` and ``U`` on every step, the loss at the end, and (in red) the paths by which the
    gradient flows back.
``plot_lstm_cell()``
    one LSTM step: the cell-state line ``c_{t−1} → × f → + i⊙c̃ → c_t`` along the top, the four
    gates below it.

Every function takes an optional ``ax``, sets a title and axis labels, and returns the Axes.
matplotlib is imported when a function is called, not when this module is imported.
"""

from ._common import GRAD_COLOR, NODE_FACE, VALUE_COLOR, new_axes

__all__ = ["plot_time_step_grad_norms", "plot_layer_gradient_norms", "plot_unrolled_rnn", "plot_lstm_cell"]

WEIGHT_COLOR = "#5a5a5a"


def _runs(runs, what):
    """``{label: values}`` from one array (label None), a dict, or a list of arrays."""
    import numpy as np

    if isinstance(runs, dict):
        items = list(runs.items())
    elif isinstance(runs, (list, tuple)) and runs and np.ndim(runs[0]) >= 1:
        items = [(f"run {i + 1}", r) for i, r in enumerate(runs)]
    else:
        items = [(None, runs)]
    if not items:
        raise ValueError(f"{what} got nothing to plot: pass an array of norms or a dict of them.")
    out = []
    for label, values in items:
        if values is None:
            raise ValueError(f"{what}: the norms for {label!r} are None. Call the layer's backward (or "
                             "model.compute_gradients) first; a SimpleRNN whose activation is fused with the "
                             "loss keeps no per-step norms.")
        out.append((label, np.asarray(values, dtype=float).ravel()))
    return out


def _positive(values):
    """Zeros cannot be drawn on a log axis: show them as gaps."""
    import numpy as np

    v = np.array(values, dtype=float)
    v[~(v > 0)] = np.nan
    return v


def plot_time_step_grad_norms(runs, bounds=None, ax=None, title=None, logy=True, markers=True):
    """Plot ``‖∂L/∂h_t‖`` against the time step ``t`` for one or several runs.

    Parameters
    ----------
    runs : array of shape (T,), or dict ``{label: array}``, or list of arrays
        per-step gradient norms, e.g. ``layer.time_step_grad_norms`` after a backward pass.
        Step ``t`` is drawn at ``t = 1 … T``.
    bounds : dict ``{label: array}``, optional
        a second curve per run, drawn dashed in the run's colour (for example an upper bound
        ``‖U‖^(T−t)·‖∂L/∂h_T‖``); labels that are not in ``runs`` get their own colours.
    ax : matplotlib Axes, optional
    title : str, optional
    logy : bool, default True
        a logarithmic y axis: constant factors per step become straight lines.
    markers : bool, default True

    Returns the Axes.
    """
    import numpy as np

    data = _runs(runs, "plot_time_step_grad_norms")
    ax = new_axes(ax, (7.0, 4.2))
    colors = {}
    for i, (label, norms) in enumerate(data):
        steps = np.arange(1, len(norms) + 1)
        line, = ax.plot(steps, _positive(norms) if logy else norms, marker="o" if markers else None,
                        markersize=3.5, lw=1.8, color=f"C{i % 10}", label=label)
        colors[label] = line.get_color()
    for j, (label, values) in enumerate(_runs(bounds, "plot_time_step_grad_norms (bounds)") if bounds else []):
        color = colors.get(label, f"C{(len(data) + j) % 10}")
        steps = np.arange(1, len(values) + 1)
        name = "bound" if label is None else f"{label}: bound"
        ax.plot(steps, _positive(values) if logy else values, ls="--", lw=1.2, color=color, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("time step $t$ (the loss is computed after the last step)")
    ax.set_ylabel(r"$\|\partial L/\partial h_t\|$" + (" (log scale)" if logy else ""))
    ax.set_title(title or "Gradient reaching each time step")
    ax.grid(True, which="major", alpha=0.3)
    if any(label is not None for label, _ in data) or bounds:
        ax.legend(fontsize=9)
    return ax


def _layer_values(norms, param):
    """``[(layer name, norm)]`` for the entries ``'layer.param'`` of a ``gradient_norms()`` dict."""
    suffix = "." + param
    picked = [(k[: -len(suffix)], float(v)) for k, v in norms.items() if k.endswith(suffix)]
    if not picked:
        names = ", ".join(list(norms)[:6])
        raise KeyError(f"No gradient norm ends in {suffix!r} (got {names}). Pass param='bias', or the dict "
                       "returned by model.gradient_norms().")
    return picked


def plot_layer_gradient_norms(runs, param="kernel", ax=None, title=None, logy=True, ylabel=None):
    """Plot the gradient norm of every layer's ``param`` (default the kernel), input side first.

    Parameters
    ----------
    runs : dict ``{'layer.param': norm}`` (what ``model.gradient_norms()`` returns), or a dict
        ``{label: such a dict}`` to compare several models, or ``{label: [norm of layer 1, ...]}``
        for any other per-layer quantity (such as ``‖∂L/∂z‖`` of each layer).
    param : str, default ``'kernel'``
        which parameter of each layer to show (for the dicts from ``gradient_norms()``).
    ax, title, logy : as in ``plot_time_step_grad_norms``.
    ylabel : str, optional
        the y label; by default it names the gradient of ``param``.

    Returns the Axes. The x axis numbers the layers 1, 2, ... from the input.
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    if not isinstance(runs, dict) or not runs:
        raise TypeError("plot_layer_gradient_norms expects model.gradient_norms() (a dict), or a dict of those.")
    first = next(iter(runs.values()))
    if isinstance(first, dict):
        data = [(label, _layer_values(norms, param)) for label, norms in runs.items()]
    elif np.ndim(first) == 1:
        data = [(label, [(str(i + 1), float(v)) for i, v in enumerate(values)]) for label, values in runs.items()]
    else:
        data = [(None, _layer_values(runs, param))]
    ax = new_axes(ax, (7.0, 4.2))
    for i, (label, values) in enumerate(data):
        layers = np.arange(1, len(values) + 1)
        norms = np.array([v for _, v in values])
        ax.plot(layers, _positive(norms) if logy else norms, marker="o", lw=1.8, markersize=5,
                color=f"C{i % 10}", label=label)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer (1 = next to the input, last = next to the loss)")
    if ylabel is None:
        ylabel = rf"$\|\partial L/\partial W\|$ of the {param}"
    ax.set_ylabel(ylabel + (" (log scale)" if logy else ""))
    ax.set_title(title or f"Gradient norm of each layer's {param}")
    ax.grid(True, which="major", alpha=0.3)
    if data[0][0] is not None:
        ax.legend(fontsize=9)
    return ax


def _box(ax, xy, text, face=NODE_FACE, edge=VALUE_COLOR, fontsize=13, width=0.9, height=0.62):
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04,rounding_size=0.12", fc=face, ec=edge, lw=1.6, zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=edge, zorder=3)


def _arrow(ax, a, b, color="0.35", lw=1.5, ls="-", shrink=17, rad=0.0, zorder=1):
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, shrinkA=shrink, shrinkB=shrink,
                                 color=color, lw=lw, ls=ls, zorder=zorder,
                                 connectionstyle=f"arc3,rad={rad}"))


def _finish_diagram(ax, title, xlabel):
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, fontsize=12.5)
    ax.set_xlabel(xlabel, fontsize=10.5)


def plot_unrolled_rnn(steps=4, ax=None, title=None, show_backward=True):
    """Draw a recurrent layer unrolled over ``steps`` time steps, with the loss after the last one.

    Forward (grey, values in blue boxes): ``x_t → h_t`` through ``W``, ``h_{t−1} → h_t`` through
    ``U``, ``h_0 = 0``. Backward (red, when ``show_backward``): ``∂L/∂h_T`` from the loss, and
    ``∂L/∂h_{t−1} = (∂L/∂h_t ⊙ tanh'(z_t)) Uᵀ`` along the chain of states.

    Returns the Axes.
    """
    from matplotlib.lines import Line2D

    if not isinstance(steps, int) or steps < 2:
        raise ValueError(f"plot_unrolled_rnn(steps) draws at least 2 steps, got {steps!r}.")
    ax = new_axes(ax, (2.3 * steps + 3.2, 4.6))
    dx = 2.3
    y_x, y_h = 0.0, 1.9
    hw, hh = 0.45, 0.31                    # half the width and height of a box: arrows run edge to edge
    _box(ax, (0.0, y_h), "$h_0 = 0$", face="white", edge="0.45", fontsize=11, width=1.1)
    for t in range(1, steps + 1):
        x = t * dx
        label = "T" if t == steps else str(t)
        _box(ax, (x, y_x), f"$x_{{{label}}}$")
        _box(ax, (x, y_h), f"$h_{{{label}}}$")
        _arrow(ax, (x, y_x + hh), (x, y_h - hh), shrink=1)
        ax.text(x + 0.1, (y_x + y_h) / 2, "$W$", fontsize=11, color=WEIGHT_COLOR, ha="left", va="center")
        left = (t - 1) * dx + (0.55 if t == 1 else hw)      # the edge of h_{t-1}'s box (h_0's is wider)
        _arrow(ax, (left, y_h), (x - hw, y_h), shrink=1)
        ax.text(x - dx / 2, y_h + 0.14, "$U$", fontsize=11, color=WEIGHT_COLOR, ha="center", va="bottom")
        if show_backward:
            _arrow(ax, (x - 0.1, y_h - hh), (left - 0.1, y_h - hh), color=GRAD_COLOR, lw=1.3, ls="--",
                   rad=-0.45, shrink=1)
        if t == steps - 1 and steps > 4:
            ax.text(x + dx / 2, y_x, "…", fontsize=16, ha="center", va="center", color="0.4")
    xl = steps * dx + 1.9
    _box(ax, (xl, y_h), "$L$", face="#fde8e8", edge=GRAD_COLOR, width=0.75)
    ax.text(xl, y_h + 0.5, "loss on the output\n(e.g. Dense on $h_T$)", ha="center", va="bottom", fontsize=9,
            color="0.3")
    _arrow(ax, (steps * dx + hw, y_h), (xl - 0.375, y_h), shrink=1)
    if show_backward:
        _arrow(ax, (xl - 0.1, y_h - hh), (steps * dx + hw - 0.1, y_h - hh), color=GRAD_COLOR, lw=1.3, ls="--",
               rad=-0.45, shrink=1)
        ax.text(dx * (steps + 1) / 2, y_x - 0.75,
                r"each step back: $\times\,\mathrm{diag}(\tanh'(z_t))\,U^\top$", ha="center", va="center",
                fontsize=10.5, color=GRAD_COLOR,
                bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=GRAD_COLOR, lw=0.8))
    ax.text(dx * (steps + 1) / 2, y_h + 0.95, r"$h_t = \tanh(x_t W + h_{t-1} U + b)$: the same $W$, $U$, $b$ at "
            "every step", ha="center", va="center", fontsize=10.5, color=VALUE_COLOR)
    ax.set_xlim(-0.8, xl + 0.9)
    ax.set_ylim(y_x - (1.15 if show_backward else 0.6), y_h + 1.35)
    handles = [Line2D([], [], color="0.35", lw=1.5, label="forward: values"),
               Line2D([], [], color=GRAD_COLOR, lw=1.3, ls="--", label=r"backward: $\partial L/\partial h_t$")]
    if not show_backward:
        handles = handles[:1]
    ax.legend(handles=handles, loc="lower right", fontsize=9, frameon=False)
    _finish_diagram(ax, title or f"A recurrent layer unrolled over {steps} time steps",
                    "time, left to right" + ("   |   backpropagation through time, right to left"
                                             if show_backward else ""))
    return ax


def plot_lstm_cell(ax=None, title=None):
    """Draw one LSTM step (Keras' cell): the gates ``i, f, c̃, o`` computed from ``[x_t, h_{t−1}]``,
    the cell-state line ``c_t = f ⊙ c_{t−1} + i ⊙ c̃`` along the top (the gradient's fast lane,
    in red) and ``h_t = o ⊙ tanh(c_t)``. Returns the Axes."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    ax = new_axes(ax, (10.0, 5.4))
    y_c, y_op, y_g, y_in = 3.2, 1.9, 0.5, -0.9

    def op(xy, text, face="white"):
        ax.add_patch(Circle(xy, 0.3, fc=face, ec=VALUE_COLOR, lw=1.5, zorder=2))
        ax.text(xy[0], xy[1], text, ha="center", va="center", fontsize=14, color=VALUE_COLOR, zorder=3)

    # the cell-state line
    x_mul, x_add, x_tanh = 2.6, 5.0, 7.4
    ax.text(-0.3, y_c, "$c_{t-1}$", ha="right", va="center", fontsize=14, color=VALUE_COLOR)
    ax.text(9.9, y_c, "$c_t$", ha="left", va="center", fontsize=14, color=VALUE_COLOR)
    _arrow(ax, (-0.2, y_c), (x_mul, y_c), color=GRAD_COLOR, lw=2.6, shrink=13)
    _arrow(ax, (x_mul, y_c), (x_add, y_c), color=GRAD_COLOR, lw=2.6, shrink=13)
    _arrow(ax, (x_add, y_c), (9.8, y_c), color=GRAD_COLOR, lw=2.6, shrink=13)
    op((x_mul, y_c), r"$\times$")
    op((x_add, y_c), "$+$")

    gates = [("f", r"$f=\sigma$", x_mul), ("i", r"$i=\sigma$", 4.2), ("g", r"$\tilde c=\tanh$", 5.8),
             ("o", r"$o=\sigma$", 8.2)]
    for key, text, gx in gates:
        _box(ax, (gx, y_g), text, fontsize=11.5, width=1.25, height=0.6)
        _arrow(ax, (gx, y_in), (gx, y_g), shrink=12)
    # input row
    ax.plot([1.6, 8.2], [y_in, y_in], color="0.35", lw=1.5, zorder=1)
    ax.text(1.4, y_in, r"$[x_t,\ h_{t-1}]$", ha="right", va="center", fontsize=13, color=VALUE_COLOR)
    # gates into the cell line
    _arrow(ax, (x_mul, y_g), (x_mul, y_c), shrink=14)
    op((x_add, y_op), r"$\times$")
    _arrow(ax, (4.2, y_g), (x_add, y_op), shrink=14)
    _arrow(ax, (5.8, y_g), (x_add, y_op), shrink=14)
    _arrow(ax, (x_add, y_op), (x_add, y_c), shrink=13)
    # output: h_t = o ⊙ tanh(c_t)
    _box(ax, (x_tanh, y_op + 0.1), r"$\tanh$", fontsize=11.5, width=0.85, height=0.5)
    _arrow(ax, (x_tanh, y_c), (x_tanh, y_op + 0.1), shrink=10)
    op((8.9, y_op), r"$\times$")
    _arrow(ax, (x_tanh, y_op + 0.1), (8.9, y_op), shrink=13)
    _arrow(ax, (8.2, y_g), (8.9, y_op), shrink=14)
    _arrow(ax, (8.9, y_op), (10.3, y_op), shrink=13)
    ax.text(10.4, y_op, "$h_t$", ha="left", va="center", fontsize=14, color=VALUE_COLOR)

    ax.text(x_add, y_c + 0.55, r"$c_t = f\odot c_{t-1} + i\odot\tilde c$:   $\partial c_t/\partial c_{t-1} = f$"
            " (no weight matrix, no squashing)", ha="center", va="bottom", fontsize=10.5, color=GRAD_COLOR)
    ax.text(10.0, y_op - 0.4, r"$h_t = o\odot\tanh(c_t)$", ha="center", va="top", fontsize=10, color="0.3")
    ax.set_xlim(-1.3, 11.2)
    ax.set_ylim(y_in - 0.6, y_c + 1.9)
    handles = [Line2D([], [], color=GRAD_COLOR, lw=2.6, label="cell state: the gradient's fast lane"),
               Line2D([], [], color="0.35", lw=1.5, label="gates and hidden state")]
    ax.legend(handles=handles, loc="upper right", fontsize=9, frameon=False)
    _finish_diagram(ax, title or "One LSTM step (gates in Keras' order i, f, c̃, o)",
                    "each gate: an activation of $x_t W_k + h_{t-1} U_k + b_k$, with its own weights")
    return ax
