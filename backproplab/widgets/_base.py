"""What every playground shares: front-end detection, the redraw loop, the static fallback.

A playground is a small object holding

``widget``    the ``ipywidgets.VBox`` shown in the notebook (``None`` in static mode): the question,
              the controls and an ``Output`` widget with the figure;
``controls``  a dict of the controls by name (``pg.controls['learning_rate'].value = 0.1`` redraws);
``question``  the question asked of the learner;
``figure``    the matplotlib Figure drawn last (kept after it is shown, so tests can inspect it);
``data``      the numbers drawn last (arrays), for tests and for the curious;
``renders``   how many times the figure has been drawn, and ``render_seconds``, how long each took
              (figure built, PNG encoded and shown: the kernel's share of a slider move).

Displaying the object (last line of a cell) displays the widget, or in static mode the figure and
the question. Static mode is chosen with ``static=True``, by the environment variable
``BACKPROPLAB_STATIC_WIDGETS=1`` (for exporting notebooks to static pages), or automatically when
no Jupyter kernel is running (plain ``python``), where widgets cannot be shown.
"""
import os
import time


def front_end_available():
    """True inside a Jupyter kernel, where widgets can be shown; False in plain Python or when
    ``BACKPROPLAB_STATIC_WIDGETS`` is set to anything but ``0``/empty."""
    if os.environ.get("BACKPROPLAB_STATIC_WIDGETS", "0") not in ("", "0"):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


_ONE_PASS_CANVAS = None


def one_pass_png(fig):
    """Let ``fig`` be printed as a PNG in one drawing pass, and return it.

    Jupyter's inline backend prints every shown figure with ``bbox_inches='tight'``, which lays the
    whole figure out once more just to find its edges: about a third of a redraw. A playground's
    figure is laid out by hand to fit its canvas, so its canvas ignores ``'tight'`` (and uses fast
    PNG compression). ``plt.show()`` still shows it exactly as before, inside the widget.
    """
    global _ONE_PASS_CANVAS
    if _ONE_PASS_CANVAS is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        class OnePassCanvas(FigureCanvasAgg):
            def print_figure(self, *args, **kwargs):
                kwargs["bbox_inches"] = None
                if kwargs.get("format") in (None, "png"):
                    kwargs.setdefault("pil_kwargs", {"compress_level": 1})
                return super().print_figure(*args, **kwargs)

        _ONE_PASS_CANVAS = OnePassCanvas
    _ONE_PASS_CANVAS(fig)
    return fig


def _inline_backend():
    import matplotlib

    return "inline" in matplotlib.get_backend().lower()


def _show(fig):
    """Show ``fig`` where the current output goes (an ``Output`` widget inside a redraw).

    ``plt.show()`` is what puts the figure INTO the widget's output area under Jupyter's inline
    backend (without it the figure would appear below the cell and never update). In a kernel with
    another backend (``MPLBACKEND=Agg``, say) the figure is sent as a PNG image instead; where
    nothing can be shown (plain Python, tests) the figure is just closed.
    """
    import matplotlib.pyplot as plt

    if _inline_backend():
        plt.show()
    elif front_end_available():
        import io

        from IPython.display import Image, display

        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        display(Image(data=buf.getvalue(), format="png"))
    plt.close(fig)


def lean_axes(*axes, nbins=6):
    """Fewer tick labels on the linear axes of a widget figure: every label is text to lay out
    and render twice per redraw (the inline backend's tight bounding box), and text is most of
    a redraw's cost."""
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "linear":
                axis.set_major_locator(MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]))


class Playground:
    """Base class of the playgrounds: subclasses define ``_render(**values) -> Figure``."""

    title = ""

    def __init__(self, question, static=None):
        self.question = question
        self.static = (not front_end_available()) if static is None else bool(static)
        self.widget = None
        self.output = None
        self.controls = {}
        self.figure = None
        self.data = {}
        self.renders = 0
        self.render_seconds = []
        self.defaults = {}          # control values used when there are no controls (static mode)
        self._suspended = False     # True while several controls are changed together

    # ---------------------------------------------------------------- drawing
    def _render(self, **values):
        raise NotImplementedError

    def draw(self, **values):
        """Build the figure for these control values, show it, remember it; returns the Figure."""
        t0 = time.perf_counter()
        fig = self._render(**values)
        self.figure = fig
        if self.static:
            self.renders += 1
            self.render_seconds.append(time.perf_counter() - t0)
            return fig
        _show(one_pass_png(fig))
        self.renders += 1
        self.render_seconds.append(time.perf_counter() - t0)
        return fig

    def values(self):
        """The current value of every control, as the keyword arguments of ``_render``."""
        if not self.controls:
            return dict(self.defaults)
        return {name: w.value for name, w in self.controls.items() if hasattr(w, "value")}

    # ---------------------------------------------------------------- widgets
    def _question_html(self):
        import html

        import ipywidgets as w

        return w.HTML(f"<div style='max-width:62em;line-height:1.4'><b>{html.escape(self.title)}</b><br>"
                      f"<b>Question:</b> {html.escape(self.question)}</div>")

    def _build(self, rows):
        """Stack the question, ``rows`` (the controls; sliders directly in the VBox so that a
        browser test finds them) and an ``Output`` widget; redraw on every control change."""
        import ipywidgets as w

        self.output = w.Output()
        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
        self.widget = w.VBox([self._question_html(), *rows, self.output])
        self.refresh()
        return self.widget

    def _on_change(self, change):
        if not self._suspended:
            self.refresh()

    def refresh(self):
        """Redraw the figure inside the ``Output`` widget: what moving a slider does.

        This is ``ipywidgets.interactive_output``'s loop: flush figures the cell already made,
        then, with the output routed into the widget, clear it (``wait=True``: no flicker), draw,
        and ``plt.show()`` the new figure there.
        """
        from ipywidgets.widgets.interaction import show_inline_matplotlib_plots

        show_inline_matplotlib_plots()
        with self.output:
            if front_end_available():
                from IPython.display import clear_output

                clear_output(wait=True)
            self.draw(**self.values())

    # ---------------------------------------------------------------- display
    def _ipython_display_(self):
        from IPython.display import display

        if self.widget is not None:
            display(self.widget)
        else:
            self.show_static()

    def show_static(self):
        """Show the static figure and the question (used when widgets cannot be shown)."""
        import matplotlib.pyplot as plt

        if self.figure is None:
            self.figure = self._render_static()
        try:
            from IPython.display import Markdown, display
            from IPython import get_ipython

            if get_ipython() is not None:
                display(self.figure)
                display(Markdown(f"**Question:** {self.question}"))
                plt.close(self.figure)
                return
        except ImportError:
            pass
        print(f"Question: {self.question}")

    def _render_static(self):
        return self._render(**self.values())

    def __repr__(self):
        mode = "static" if self.static else "interactive"
        return f"<{type(self).__name__} ({mode}); question: {self.question!r}>"
