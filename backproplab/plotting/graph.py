"""Drawings of small networks and computational graphs, with every value and gradient written on them.

``draw_three_neuron_net(net, x1, y)``
    the seed article's network ``x1 → (h1, h2) → o1 → E``: each neuron shows its pre-activation
    and its output (forward pass), each weight its value, and, in red, the gradient ``∂E/∂·`` of
    every neuron output and every weight (backward pass).
``draw_value_graph(root)``
    the computational graph below a ``backproplab.scalar.Value``: one box per value with its
    label, ``data`` and ``grad``, one circle per operation, arrows in the forward direction.

matplotlib is imported when a function is called, not when this module is imported.
"""

from ._common import GRAD_COLOR, NODE_FACE, VALUE_COLOR, new_axes

__all__ = ["draw_three_neuron_net", "draw_value_graph"]

OP_FACE = "#fff4d6"


def _fmt(v):
    return f"{v:.4g}"


def _legend(ax, show_gradients):
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=NODE_FACE, edgecolor=VALUE_COLOR, label="forward pass: values")]
    if show_gradients:
        handles.append(Patch(facecolor="white", edgecolor=GRAD_COLOR, label="backward pass: gradients ∂E/∂(·)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2, fontsize=10,
              frameon=False)


def draw_three_neuron_net(net, x1, y, ax=None, show_gradients=True, title=None):
    """Draw the seed's three-neuron network for one example, values and (optionally) gradients.

    Parameters
    ----------
    net : backproplab.scalar.ThreeNeuronNet
    x1, y : float
        the input and the TARGET output of one training example.
    ax : matplotlib Axes, optional
        where to draw; a new 12 × 6.4 inch figure when omitted.
    show_gradients : bool, default True
        also write, in red, ``∂E/∂(·)`` for every neuron (its output and its pre-activation ``z``)
        and every weight (from ``net.backward``).
    title : str, optional
        defaults to a title stating the example and the error.

    Returns the Axes.
    """
    import numpy as np
    from matplotlib.patches import Circle, FancyArrowPatch

    f = net.forward(x1)
    g = net.backward(x1, y)
    err = net.error(x1, y)
    ax = new_axes(ax, (12, 6.4))

    pos = {"x1": (0.0, 0.0), "h1": (3.4, 1.5), "h2": (3.4, -1.5), "o1": (6.8, 0.0), "E": (9.6, 0.0)}
    r = 0.66
    shrink = r * 72 * 0.62                 # points; close enough for the default figure size

    def arrow(a, b, **kw):
        style = dict(arrowstyle="-|>", mutation_scale=16, shrinkA=shrink, shrinkB=shrink, color="0.35",
                     lw=1.6, zorder=1)
        style.update(kw)
        ax.add_patch(FancyArrowPatch(a, b, **style))

    value_box = dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.9)
    grad_box = dict(boxstyle="round,pad=0.25", fc="white", ec=GRAD_COLOR, lw=0.8)

    # weights: value label just outside the edge, gradient label further out
    for a, b, w in [("x1", "h1", "w11"), ("x1", "h2", "w12"), ("h1", "o1", "w21"), ("h2", "o1", "w22")]:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        arrow((xa, ya), (xb, yb))
        d = np.array([xb - xa, yb - ya])
        n = np.array([-d[1], d[0]]) / np.hypot(*d)
        if (n[1] > 0) != ((ya + yb) / 2 > 0):  # point away from the middle of the figure
            n = -n
        mid = np.array([(xa + xb) / 2, (ya + yb) / 2])
        sub = w[1:]
        p = mid + 0.42 * n
        ax.text(p[0], p[1], f"$w_{{{sub}}}$ = {_fmt(getattr(net, w))}", ha="center", va="center",
                color=VALUE_COLOR, fontsize=11, zorder=3, bbox=value_box)
        if show_gradients:
            p = mid + 0.98 * n
            ax.text(p[0], p[1], rf"$\partial E/\partial w_{{{sub}}}$ = {_fmt(g[w])}", ha="center",
                    va="center", color=GRAD_COLOR, fontsize=10.5, zorder=3, bbox=grad_box)

    arrow(pos["o1"], pos["E"])
    ax.text((pos["o1"][0] + pos["E"][0]) / 2, 0.22, r"$E=\frac{1}{2}(y-o_1)^2$", ha="center", va="bottom",
            fontsize=11, color="0.2")
    target = (pos["E"][0], -2.3)
    arrow(target, pos["E"], shrinkA=10, lw=1.2, ls="--")
    ax.text(target[0], target[1] - 0.12, f"target $y$ = {_fmt(float(y))}", ha="center", va="top",
            fontsize=11, color=VALUE_COLOR)

    inside = {
        "x1": ["$x_1$", f"{_fmt(f.x1)}"],
        "h1": ["$h_1$", f"$z$ = {_fmt(f.z_h1)}", f"$h_1$ = {_fmt(f.h1)}"],
        "h2": ["$h_2$", f"$z$ = {_fmt(f.z_h2)}", f"$h_2$ = {_fmt(f.h2)}"],
        "o1": ["$o_1$", f"$z$ = {_fmt(f.z_o1)}", f"$o_1$ = {_fmt(f.o1)}"],
        "E": ["$E$", f"{_fmt(err)}"],
    }
    node_grads = {
        "h1": (rf"$\partial E/\partial h_1$ = {_fmt(g['h1'])}" "\n"
               rf"$\partial E/\partial z_{{h_1}}$ = {_fmt(g['z_h1'])}", (3.4, 2.75)),
        "h2": (rf"$\partial E/\partial h_2$ = {_fmt(g['h2'])}" "\n"
               rf"$\partial E/\partial z_{{h_2}}$ = {_fmt(g['z_h2'])}", (3.4, -2.75)),
        "o1": (rf"$\partial E/\partial o_1$ = {_fmt(g['o1'])}" "\n"
               rf"$\partial E/\partial z_{{o_1}}$ = {_fmt(g['z_o1'])}", (7.9, -1.5)),
        "E": (r"$\partial E/\partial E$ = 1", (11.05, 0.0)),
    }
    for name, (cx, cy) in pos.items():
        ax.add_patch(Circle((cx, cy), r, fc=NODE_FACE, ec=VALUE_COLOR, lw=1.8, zorder=2))
        head, *lines = inside[name]
        ax.text(cx, cy + 0.24, head, ha="center", va="center", fontsize=15, color=VALUE_COLOR, zorder=4)
        ax.text(cx, cy - 0.2, "\n".join(lines), ha="center", va="center", fontsize=8.5,
                color=VALUE_COLOR, zorder=4, linespacing=1.15)
        if show_gradients and name in node_grads:
            text, (tx, ty) = node_grads[name]
            ax.text(tx, ty, text, ha="center", va="center", color=GRAD_COLOR, fontsize=10.5, zorder=4,
                    bbox=grad_box, linespacing=1.4)

    for x, text in [(0.0, "input"), (3.4, "hidden layer: 2 neurons"), (6.8, "output neuron"),
                    (9.6, "error")]:
        ax.text(x, 3.55, text, ha="center", va="center", fontsize=10.5, color="0.3", style="italic")

    ax.set_xlim(-1.2, 12.0)
    ax.set_ylim(-3.3, 3.85)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("forward pass: values, left to right"
                  + ("   |   backward pass: gradients, right to left" if show_gradients else ""), fontsize=10.5)
    if title is None:
        title = (f"Three-neuron network on one example ($x_1$ = {_fmt(f.x1)}, target $y$ = {_fmt(float(y))}):"
                 f" error $E$ = {_fmt(err)}")
    ax.set_title(title, fontsize=12.5)
    _legend(ax, show_gradients)
    return ax


def _layout(root):
    """Columns and rows for a left-to-right drawing of the graph below ``root``.

    Column: the longest path from the node to ``root`` (so every arrow points right and a
    constant sits right next to where it is used). Row: leaves take consecutive rows in the order
    a depth-first walk from ``root`` meets them; every other node sits at the mean row of its inputs.
    """
    order = root.topological_order()
    if len(order) > 150:
        raise ValueError(f"This graph has {len(order)} nodes; draw_value_graph is meant for small graphs "
                         "(up to about 40 nodes) that fit on a page.")
    depth = {id(root): 0}
    for node in reversed(order):                     # every node comes after all of its users
        for child in node._prev:
            depth[id(child)] = max(depth.get(id(child), 0), depth[id(node)] + 1)
    last = max(depth.values())
    column = {key: last - d for key, d in depth.items()}
    row = {}
    next_row = [0.0]

    def place(node):
        if id(node) in row:
            return row[id(node)]
        if not node._prev:
            row[id(node)] = next_row[0]
            next_row[0] += 1.0
        else:
            rows = [place(child) for child in node._prev]
            row[id(node)] = sum(rows) / len(rows)
        return row[id(node)]

    place(root)
    # a node shared by two branches can pull two boxes of one column together: push them apart
    for col in set(column.values()):
        ids = sorted((key for key in column if column[key] == col), key=lambda k: row[k])
        for a, b in zip(ids, ids[1:]):
            if row[b] - row[a] < 1.0:
                row[b] = row[a] + 1.0
    return order, column, row


def draw_value_graph(root, ax=None, title=None, show_gradients=True):
    """Draw the computational graph that produced ``root`` (a ``backproplab.scalar.Value``).

    Every Value is a box showing its ``label`` (if any), ``data`` and ``grad``; every operation is a
    circle between its inputs and its result. Call ``root.backward()`` first to see gradients.
    Returns the Axes.
    """
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    order, level, ypos = _layout(root)
    dx, row_gap = 3.0, 1.25                           # units between columns (the operation sits between) and rows
    box_w, box_h = 1.8, 0.95
    centre = {id(n): (level[id(n)] * dx, -row_gap * ypos[id(n)]) for n in order}
    xs = [c[0] for c in centre.values()]
    ys = [c[1] for c in centre.values()]
    xlim = (min(xs) - box_w / 2 - 0.2, max(xs) + box_w / 2 + 0.2)
    ylim = (min(ys) - box_h / 2 - 0.25, max(ys) + box_h / 2 + 0.25)
    if ax is None:
        import matplotlib.pyplot as plt

        inch = 0.72                                   # inches per unit: the text fits the boxes at this scale
        w, h = inch * (xlim[1] - xlim[0]), inch * (ylim[1] - ylim[0])
        left, right, bottom, top = 0.2, 0.2, 1.0, 0.55
        fig = plt.figure(figsize=(max(w + left + right, 6.0), h + bottom + top))
        fw, fh = fig.get_size_inches()
        ax = fig.add_axes([(fw - w) / 2 / fw, bottom / fh, w / fw, h / fh])

    for node in order:
        cx, cy = centre[id(node)]
        if node._prev:
            ox, oy = cx - dx / 2 + 0.05, cy
            ax.add_patch(Circle((ox, oy), 0.3, fc=OP_FACE, ec="0.3", lw=1.2, zorder=3))
            ax.text(ox, oy, node._op, ha="center", va="center", fontsize=10 if len(node._op) < 3 else 8,
                    zorder=4)
            ax.add_patch(FancyArrowPatch((ox + 0.3, oy), (cx - box_w / 2, cy), arrowstyle="-|>",
                                         mutation_scale=12, color="0.35", lw=1.2, shrinkA=0, shrinkB=0,
                                         zorder=2))
            for child in node._prev:
                chx, chy = centre[id(child)]
                ax.add_patch(FancyArrowPatch((chx + box_w / 2, chy), (ox - 0.3, oy), arrowstyle="-|>",
                                             mutation_scale=12, color="0.35", lw=1.2, shrinkA=0, shrinkB=1,
                                             zorder=2))
        ax.add_patch(FancyBboxPatch((cx - box_w / 2, cy - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.02,rounding_size=0.08", fc=NODE_FACE,
                                    ec=VALUE_COLOR, lw=1.4, zorder=3))
        lines = [(node.label, dict(fontsize=11, fontweight="bold", color=VALUE_COLOR))] if node.label else []
        lines.append((f"data {_fmt(node.data)}", dict(fontsize=9, color=VALUE_COLOR)))
        if show_gradients:
            lines.append((f"grad {_fmt(node.grad)}", dict(fontsize=9, color=GRAD_COLOR)))
        step = 0.27
        top_y = cy + step * (len(lines) - 1) / 2
        for i, (text, style) in enumerate(lines):
            ax.text(cx, top_y - i * step, text, ha="center", va="center", zorder=4, **style)

    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("arrows: the forward pass, inputs on the left, output on the right"
                  + ("; grad = ∂(output)/∂(this value)" if show_gradients else ""), fontsize=9.5)
    if title is None:
        name = root.label or "the output"
        title = f"Computational graph of {name}" + (" with gradients" if show_gradients else "")
    ax.set_title(title)
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=NODE_FACE, edgecolor=VALUE_COLOR,
                     label="value (data, grad)" if show_gradients else "value (data)"),
               Patch(facecolor=OP_FACE, edgecolor="0.3", label="operation")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8.5,
              frameon=False)
    return ax
