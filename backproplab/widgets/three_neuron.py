"""The three-neuron stepper: the seed article's network, one phase of backpropagation per click.

::

    from backproplab.widgets import three_neuron_stepper
    st = three_neuron_stepper()      # shows the forward pass of the first example
    st.next_phase()                  # the backward pass: every gradient (what the button does)
    st.next_phase()                  # the update w ← w − η·∂E/∂w
    st.log                           # every phase so far, with its numbers

The numbers come from ``backproplab.scalar.ThreeNeuronNet`` (``forward``, ``backward``, and the
update of ``step``), the drawing from ``backproplab.plotting.graph.draw_three_neuron_net``.
"""
import html

from ._base import Playground

__all__ = ["three_neuron_stepper", "ThreeNeuronStepper", "PHASES"]

PHASES = ("forward", "backward", "update")

QUESTION = ("Before each click, predict: which numbers will appear next, and in which order are they "
            "computed? After the update, does the error on this example go down? Raise the learning rate "
            "until one update makes the error larger: what happened?")


def _f(v):
    return f"{v:.4g}"


def _plain_text_option(draw):
    """``{'plain_text': True}`` when the graph helper offers labels without mathtext.

    Mathtext labels (``$\\partial E/\\partial w_{11}$``) are re-parsed for every new number, which is
    about half of a redraw of this figure; plain Unicode labels (∂E/∂w₁₁) draw in half the time."""
    import inspect

    return {"plain_text": True} if "plain_text" in inspect.signature(draw).parameters else {}


class ThreeNeuronStepper(Playground):
    """See ``three_neuron_stepper``."""

    title = "Backpropagation, one phase at a time: forward pass → backward pass → update"

    def __init__(self, net=None, x1=1.0, y=0.0, learning_rate=0.5, static=None, question=None):
        from ..scalar import ThreeNeuronNet

        super().__init__(question or QUESTION, static=static)
        if net is None:
            net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
        self.initial_weights = dict(net.weights)
        self.net = net.copy()
        self.x1, self.y = float(x1), float(y)
        self.defaults = {"learning_rate": float(learning_rate)}
        self.buttons = {}
        self.explanation = None
        self._start()
        if self.static:
            self.figure = self._render_static()
            return
        import ipywidgets as w

        slider = w.FloatLogSlider(value=learning_rate, base=10, min=-2, max=1, step=0.05,
                                  description="learning rate η", readout_format=".3f", continuous_update=False,
                                  style={"description_width": "initial"}, layout=w.Layout(width="30em"))
        self.controls = {"learning_rate": slider}
        self.buttons = {"next": w.Button(description="Next phase ▶", button_style="primary",
                                         tooltip="forward pass → backward pass → update → forward pass ..."),
                        "reset": w.Button(description="Reset", tooltip="back to the first weights")}
        self.buttons["next"].on_click(lambda _: self._click(self.next_phase))
        self.buttons["reset"].on_click(lambda _: self._click(self.reset))
        self.explanation = w.HTML()
        self._build([w.HBox([self.buttons["next"], self.buttons["reset"]]), slider])
        self.widget.children = (*self.widget.children[:-1], self.explanation, self.widget.children[-1])

    # the state machine ---------------------------------------------------------------------------
    @property
    def phase(self):
        """``'forward'``, ``'backward'`` or ``'update'``: the phase shown now."""
        return PHASES[self.phase_index]

    def _start(self):
        self.net.set_weights(self.initial_weights)
        self.step_count = 0
        self.phase_index = 0
        self.log = []
        self.errors = []
        self._record()

    def reset(self):
        """Back to the first weights and the forward pass of step 1."""
        self._start()

    def next_phase(self):
        """Go on to the next phase (after an update, the forward pass of the next step)."""
        if self.phase == "update":
            self.step_count += 1
        self.phase_index = (self.phase_index + 1) % len(PHASES)
        self._record()

    def _learning_rate(self):
        c = self.controls.get("learning_rate")
        return float(c.value) if c is not None else self.defaults["learning_rate"]

    def _record(self):
        """Compute the numbers of the phase just entered, with the library, and log them."""
        net, x1, y = self.net, self.x1, self.y
        entry = {"step": self.step_count + 1, "phase": self.phase, "weights": dict(net.weights)}
        if self.phase == "forward":
            entry["values"] = net.forward(x1).as_dict()
            entry["error"] = net.error(x1, y)
            self.errors.append(entry["error"])
        elif self.phase == "backward":
            entry["gradients"] = net.backward(x1, y)
        else:
            self._apply_update(entry, self._learning_rate())
        self.log.append(entry)

    def _apply_update(self, entry, learning_rate):
        """The gradient-descent update of ``ThreeNeuronNet.step``, from the weights before it."""
        net = self.net
        before = entry["weights"]
        net.set_weights(before)
        entry["learning_rate"] = learning_rate
        entry["gradients"] = net.gradients(self.x1, self.y)
        entry["error_before"] = net.step(self.x1, self.y, learning_rate)   # updates net's weights
        entry["weights_after"] = dict(net.weights)
        entry["error_after"] = net.error(self.x1, self.y)

    def _on_change(self, change):
        # a new learning rate redoes the update being shown (from the same weights before it)
        if self.phase == "update" and self.log:
            self._apply_update(self.log[-1], float(change["new"]))
        super()._on_change(change)

    def _click(self, action):
        action()
        self.refresh()

    # the drawing ---------------------------------------------------------------------------------
    def _render(self, learning_rate):
        import matplotlib.pyplot as plt

        from ..plotting.graph import draw_three_neuron_net
        from ..scalar import ThreeNeuronNet

        entry = self.log[-1]
        shown = ThreeNeuronNet(**entry["weights"])
        fig, ax = plt.subplots(figsize=(12, 6.4), dpi=80)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.1, top=0.92)
        k = entry["step"]
        titles = {
            "forward": f"Step {k}, phase 1 of 3 — forward pass: values flow left to right (error E = "
                       f"{_f(entry.get('error', 0.0))})",
            "backward": f"Step {k}, phase 2 of 3 — backward pass: gradients ∂E/∂(·) flow right to left",
            "update": f"Step {k}, phase 3 of 3 — update: w ← w − η·∂E/∂w with η = {_f(learning_rate)}; "
                      f"E {_f(entry.get('error_before', 0.0))} → {_f(entry.get('error_after', 0.0))}",
        }
        draw_three_neuron_net(shown, self.x1, self.y, ax=ax, show_gradients=self.phase != "forward",
                              title=titles[self.phase], **_plain_text_option(draw_three_neuron_net))
        if self.phase == "update":
            new = "\n".join(f"{n} = {_f(entry['weights'][n])} → {_f(entry['weights_after'][n])}"
                             for n in ("w11", "w12", "w21", "w22"))
            ax.text(0.995, 0.86, "new weights\n" + new, transform=ax.transAxes, ha="right", va="top",
                    fontsize=10, color="#1b7837", family="monospace",
                    bbox=dict(boxstyle="round,pad=0.4", fc="white", ec="#1b7837", lw=1))
        self.data = {"phase": self.phase, "step": k, **{key: v for key, v in entry.items() if key != "phase"}}
        if self.explanation is not None:
            self.explanation.value = self.explain()
        return fig

    def _render_static(self):
        """For a static page: the network with its values AND gradients (the backward pass), and
        the arithmetic of all three phases of the first step printed below it."""
        self.next_phase()                                   # backward
        fig = self._render(**self.defaults)
        self.next_phase()                                   # update
        print("\n\n".join(self.explain(entry, html_output=False) for entry in self.log))
        return fig

    def explain(self, entry=None, html_output=True):
        """The arithmetic of one phase (default: the one shown now), line by line: HTML for the
        widget, or plain text."""
        e = self.log[-1] if entry is None else entry
        x1, y = self.x1, self.y
        lines = []
        if e["phase"] == "forward":
            v, w = e["values"], e["weights"]
            lines = [f"z_h1 = w11·x1 = {_f(w['w11'])}·{_f(x1)} = {_f(v['z_h1'])};   h1 = σ(z_h1) = {_f(v['h1'])}",
                     f"z_h2 = w12·x1 = {_f(w['w12'])}·{_f(x1)} = {_f(v['z_h2'])};   h2 = σ(z_h2) = {_f(v['h2'])}",
                     f"z_o1 = w21·h1 + w22·h2 = {_f(w['w21'])}·{_f(v['h1'])} + {_f(w['w22'])}·{_f(v['h2'])} = "
                     f"{_f(v['z_o1'])};   o1 = σ(z_o1) = {_f(v['o1'])}",
                     f"E = ½(y − o1)² = ½({_f(y)} − {_f(v['o1'])})² = {_f(e['error'])}"]
        elif e["phase"] == "backward":
            g, w = e["gradients"], e["weights"]
            lines = [f"∂E/∂o1 = o1 − y = {_f(g['o1'])}",
                     f"∂E/∂z_o1 = ∂E/∂o1 · o1(1 − o1) = {_f(g['z_o1'])}",
                     f"∂E/∂w21 = ∂E/∂z_o1 · h1 = {_f(g['w21'])};   ∂E/∂w22 = ∂E/∂z_o1 · h2 = {_f(g['w22'])}",
                     f"∂E/∂h1 = ∂E/∂z_o1 · w21 = {_f(g['h1'])};   ∂E/∂h2 = ∂E/∂z_o1 · w22 = {_f(g['h2'])}",
                     f"∂E/∂z_h1 = ∂E/∂h1 · h1(1 − h1) = {_f(g['z_h1'])};   "
                     f"∂E/∂z_h2 = ∂E/∂h2 · h2(1 − h2) = {_f(g['z_h2'])}",
                     f"∂E/∂w11 = ∂E/∂z_h1 · x1 = {_f(g['w11'])};   ∂E/∂w12 = ∂E/∂z_h2 · x1 = {_f(g['w12'])}"]
        else:
            lr, before, after, g = e["learning_rate"], e["weights"], e["weights_after"], e["gradients"]
            lines = [f"{n} ← {n} − η·∂E/∂{n} = {_f(before[n])} − {_f(lr)}·({_f(g[n])}) = {_f(after[n])}"
                     for n in ("w11", "w12", "w21", "w22")]
            lines.append(f"error on this example: {_f(e['error_before'])} before the update, "
                         f"{_f(e['error_after'])} after")
        if not html_output:
            return f"{e['phase']} of step {e['step']}:\n" + "\n".join(lines)
        body = "<br>".join(html.escape(s) for s in lines)
        return (f"<div style='font-family:monospace;font-size:0.95em;line-height:1.5'>"
                f"<b>{html.escape(e['phase'])} pass of step {e['step']}</b><br>{body}</div>"
                if e["phase"] != "update" else
                f"<div style='font-family:monospace;font-size:0.95em;line-height:1.5'>"
                f"<b>update of step {e['step']}</b><br>{body}</div>")


def three_neuron_stepper(net=None, x1=1.0, y=0.0, learning_rate=0.5, static=None, question=None):
    """Step the seed's three-neuron network through forward pass, backward pass and update.

    Parameters
    ----------
    net : backproplab.scalar.ThreeNeuronNet, optional
        the starting network (copied; never changed). Default ``w11=0.5, w12=−0.3, w21=0.8, w22=0.2``.
    x1, y : float
        the one training example: input ``x1`` and target ``y``.
    learning_rate : float, default 0.5
        ``η`` of the update (a slider from 0.01 to 10 in the widget).
    static : bool, optional
        ``True`` draws the network with its values and gradients as a static figure (and prints the
        arithmetic of the forward pass, backward pass and update) instead of the widget; ``None``
        decides by itself.
    question : str, optional
        the question shown beside the widget.

    Returns a ``ThreeNeuronStepper``: ``.next_phase()``, ``.reset()``, ``.phase``, ``.log`` (one
    dict per phase entered: its step, phase, weights and values, gradients or update),
    ``.buttons['next']``, ``.buttons['reset']``, ``.controls['learning_rate']``, ``.figure``.
    """
    return ThreeNeuronStepper(net=net, x1=x1, y=y, learning_rate=learning_rate, static=static, question=question)
