"""The widget playgrounds (backproplab.widgets) and the surface/sweep plotting helpers behind them.

Without a Jupyter front end: each playground builds, a programmatic slider move or button click
redraws with new numbers and a new picture, the static fallback works, and what is drawn is what
the library computes (``SGD``/``Adam``... rules written out here, ``ThreeNeuronNet``'s values and
gradients in the right phase order). One test runs a real kernel to see that a slider move sends a
new PNG into the ``Output`` widget (``plt.show()`` under the inline backend).
"""
import hashlib
import io
import os
import subprocess
import sys
import textwrap


import numpy as np
import pytest

pytest.importorskip("ipywidgets")
matplotlib = pytest.importorskip("matplotlib")  # conftest selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402

from backproplab import widgets  # noqa: E402
from backproplab.optimizers import SGD, Adam, RMSprop  # noqa: E402
from backproplab.plotting import surfaces as S  # noqa: E402
from backproplab.plotting import sweeps  # noqa: E402
from backproplab.scalar import ThreeNeuronNet  # noqa: E402
from backproplab.widgets._base import front_end_available  # noqa: E402


def png_digest(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return hashlib.sha256(buf.getvalue()).hexdigest()


def direct_children(widget):
    return [type(c).__name__ for c in widget.widget.children]


def central_gradient(f, w, eps=1e-6):
    w = np.asarray(w, dtype=np.float64)
    g = np.zeros(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = eps
        g[i] = (f(w + e) - f(w - e)) / (2 * eps)
    return g


# ------------------------------------------------------------------------------ lazy imports
def test_importing_the_library_loads_no_plotting_or_widgets():
    code = textwrap.dedent("""
        import sys
        import backproplab, backproplab.plotting.surfaces, backproplab.plotting.sweeps
        import backproplab.widgets.learning_rate, backproplab.widgets.race, backproplab.widgets.three_neuron
        heavy = [m for m in ("matplotlib", "ipywidgets", "IPython") if m in sys.modules]
        print(heavy)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_playgrounds_are_found_through_the_package():
    for name in ("learning_rate_explorer", "three_neuron_stepper", "optimizer_race"):
        assert callable(getattr(widgets, name))


def test_no_kernel_means_static_unless_asked(monkeypatch):
    assert not front_end_available()              # pytest is not a Jupyter kernel
    pg = widgets.learning_rate_explorer()
    assert pg.static and pg.widget is None and pg.figure is not None
    monkeypatch.setenv("BACKPROPLAB_STATIC_WIDGETS", "1")
    assert not front_end_available()


# ------------------------------------------------------------------------------ learning rate
def test_learning_rate_explorer_builds_and_redraws_on_a_slider_move():
    pg = widgets.learning_rate_explorer(static=False)
    assert direct_children(pg)[0] == "HTML" and "Question" in pg.widget.children[0].value
    assert "FloatLogSlider" in direct_children(pg) and direct_children(pg)[-1] == "Output"
    slider = pg.controls["learning_rate"]
    assert (slider.value, slider.min, slider.max, slider.step, slider.readout_format) == (0.01, -4, 0, 0.1, ".4f")
    assert pg.renders == 1
    before_losses, before_png = pg.data["losses"].copy(), png_digest(pg.figure)

    slider.value = 0.1
    assert pg.renders == 2 and pg.data["learning_rate"] == 0.1
    assert pg.data["losses"][-1] < before_losses[-1]
    assert png_digest(pg.figure) != before_png
    # the drawn loss curve is the data
    line = pg.figure.axes[1].lines[0]
    np.testing.assert_allclose(line.get_ydata(), pg.data["losses"])


def test_learning_rate_explorer_runs_plain_gradient_descent():
    surface = S.ravine(10)
    pg = widgets.learning_rate_explorer(surface, learning_rate=0.05, steps=5, static=False)
    w = surface.start.copy()
    for k in range(6):
        np.testing.assert_allclose(pg.data["points"][k], w, rtol=1e-12)
        w = w - 0.05 * surface.gradient(w)


def test_learning_rate_explorer_shows_divergence():
    pg = widgets.learning_rate_explorer(static=False)
    pg.controls["learning_rate"].value = 1.0          # above 2/λ_max ≈ 0.43 for the default line fit
    assert pg.data["diverged"]
    assert "diverged" in pg.figure._suptitle.get_text()


def test_learning_rate_explorer_static_figure():
    pg = widgets.learning_rate_explorer(static=True)
    assert pg.widget is None and pg.controls == {}
    assert pg.data["learning_rates"] == [0.01, 0.1, 0.4, 1.0]
    ax_path, ax_loss = pg.figure.axes
    assert len(ax_loss.get_legend().get_texts()) == 5   # four rates and the floor
    assert ax_path.get_title() and ax_loss.get_xlabel() == "step"


def test_static_display_in_plain_python_prints_the_question(capsys):
    pg = widgets.optimizer_race(static=True)
    pg.show_static()
    assert "Question:" in capsys.readouterr().out


# ------------------------------------------------------------------------------ three neurons
def test_stepper_phases_follow_the_library_in_order():
    net = ThreeNeuronNet(w11=0.5, w12=-0.3, w21=0.8, w22=0.2)
    st = widgets.three_neuron_stepper(net, x1=1.0, y=0.0, learning_rate=0.5, static=False)
    assert [b.description for b in st.buttons.values()] == ["Next phase ▶", "Reset"]
    ref = net.copy()
    phases = []
    for step in range(1, 3):
        # forward: the library's forward values and error
        assert (st.phase, st.log[-1]["step"]) == ("forward", step)
        assert st.log[-1]["values"] == ref.forward(1.0).as_dict()
        assert st.log[-1]["error"] == ref.error(1.0, 0.0)
        phases.append(st.phase)
        st.buttons["next"].click()
        # backward: every gradient, from net.backward
        assert st.phase == "backward"
        assert st.log[-1]["gradients"] == ref.backward(1.0, 0.0)
        phases.append(st.phase)
        st.buttons["next"].click()
        # update: w ← w − η ∂E/∂w, as ThreeNeuronNet.step does it
        assert st.phase == "update"
        g = ref.gradients(1.0, 0.0)
        expected = {n: ref.weights[n] - 0.5 * g[n] for n in g}
        assert st.log[-1]["weights_after"] == pytest.approx(expected, rel=1e-15)
        ref.step(1.0, 0.0, 0.5)
        assert st.net.weights == ref.weights
        assert st.log[-1]["error_after"] < st.log[-1]["error_before"]
        phases.append(st.phase)
        st.buttons["next"].click()
    assert phases == ["forward", "backward", "update"] * 2
    assert st.renders == 7                          # the first drawing and one per click


def test_stepper_drawing_changes_with_each_phase_and_reset_restores():
    st = widgets.three_neuron_stepper(static=False)
    seen = {png_digest(st.figure)}
    texts = {st.explanation.value}
    n_texts = [len(st.figure.axes[0].texts)]
    for _ in range(3):
        st.next_phase()
        st.refresh()
        seen.add(png_digest(st.figure))
        texts.add(st.explanation.value)
        n_texts.append(len(st.figure.axes[0].texts))
    assert len(seen) == 4 and len(texts) == 4
    # the forward pass shows values only; the backward pass adds the gradients; the update the new weights
    assert n_texts[0] < n_texts[1] < n_texts[2] and n_texts[3] == n_texts[0]
    st.buttons["reset"].click()
    assert st.phase == "forward" and st.log[-1]["step"] == 1 and len(st.log) == 1
    assert st.net.weights == st.initial_weights


def test_stepper_learning_rate_slider_redoes_the_update_shown():
    st = widgets.three_neuron_stepper(static=False)
    st.next_phase()
    st.next_phase()
    before = st.log[-1]["weights"]
    g = st.log[-1]["gradients"]
    st.controls["learning_rate"].value = 2.0
    assert st.log[-1]["learning_rate"] == 2.0
    assert st.log[-1]["weights_after"] == pytest.approx({n: before[n] - 2.0 * g[n] for n in g})
    assert st.net.weights == pytest.approx(st.log[-1]["weights_after"])
    assert "2" in st.explanation.value


def test_stepper_static_prints_the_arithmetic(capsys):
    st = widgets.three_neuron_stepper(static=True)
    assert st.widget is None and st.figure is not None
    printed = capsys.readouterr().out
    for phase in ("forward of step 1", "E = ½(y − o1)²", "backward of step 1", "∂E/∂w11 = ∂E/∂z_h1 · x1",
                  "update of step 1", "w11 ← w11 − η·∂E/∂w11"):
        assert phase in printed
    assert "∂E/∂" in st.figure.axes[0].get_title()          # the drawing shows the gradients too


# ------------------------------------------------------------------------------ optimizer race
def first_step_by_hand(name, w, g, lr, alr, mu):
    """One step of each rule, written out from Keras 3's definitions (state starts at zero)."""
    if name == "SGD":
        return w - lr * g
    if name == "momentum":
        return w + (-lr * g)
    if name == "Nesterov":
        m = -lr * g
        return w + mu * m - lr * g
    if name == "RMSprop":
        v = 0.1 * g * g
        return w - alr * g / np.sqrt(v + 1e-7)
    m, v = 0.1 * g, 0.001 * g * g
    alpha = alr * np.sqrt(1 - 0.999) / (1 - 0.9)
    return w - alpha * m / (np.sqrt(v) + 1e-7)


def test_race_builds_with_every_optimizer_and_their_first_steps_are_keras_rules():
    race = widgets.optimizer_race(static=False)
    names = direct_children(race)
    assert names[0] == "HTML" and names[-1] == "Output" and names.count("FloatLogSlider") == 2
    assert list(race.data) == ["SGD", "momentum", "Nesterov", "RMSprop", "Adam"]
    surface = race.surfaces["ravine"][0]
    w0, g0 = surface.start, surface.gradient(surface.start)
    v = race.values()
    for name, path in race.data.items():
        np.testing.assert_allclose(path.points[0], w0)
        expected = first_step_by_hand(name, w0, g0, v["learning_rate"], v["adaptive_learning_rate"], v["momentum"])
        np.testing.assert_allclose(path.points[1], expected, rtol=1e-12, err_msg=name)


def test_race_controls_change_the_drawing():
    race = widgets.optimizer_race(static=False)
    png0, renders = png_digest(race.figure), race.renders
    race.controls["use_SGD"].value = False
    assert "SGD" not in race.data and race.renders == renders + 1
    png1 = png_digest(race.figure)
    race.controls["learning_rate"].value = 0.02
    assert race.data["momentum"].label.startswith("momentum (lr 0.02")
    png2 = png_digest(race.figure)
    assert len({png0, png1, png2}) == 3


def test_race_surface_choice_brings_its_settings_in_one_redraw():
    race = widgets.optimizer_race(static=False)
    renders = race.renders
    race.controls["surface"].value = "Rosenbrock banana"
    assert race.renders == renders + 1
    suggested = race.surfaces["Rosenbrock banana"][1]
    assert race.values()["learning_rate"] == pytest.approx(suggested["learning_rate"])
    assert len(race.data["Adam"].points) == suggested["steps"] + 1
    assert "Rosenbrock" in race.figure.axes[0].get_title()


def test_race_rotation_matters_to_adaptive_methods_only():
    """The turned ravine is the same problem for SGD and momentum (rotation-invariant rules) but
    not for RMSprop and Adam (per-coordinate rules): the claim the widget's question leads to."""
    race = widgets.optimizer_race(static=True)
    _, straight = race.run("ravine", 0.01, 0.1, 0.9, 100)
    _, turned = race.run("turned ravine", 0.01, 0.1, 0.9, 100)
    for name in ("SGD", "momentum", "Nesterov"):
        np.testing.assert_allclose(turned[name].losses, straight[name].losses, rtol=1e-8, atol=1e-12)
    for name in ("RMSprop", "Adam"):
        assert not np.allclose(turned[name].losses, straight[name].losses, rtol=1e-3)


def test_race_with_no_racer_ticked_still_draws():
    race = widgets.optimizer_race(static=False, optimizers=())
    assert race.data == {} and "tick at least one" in race.figure._suptitle.get_text()


# ------------------------------------------------------------------------------ surfaces
@pytest.mark.parametrize("surface", [S.ravine(20), S.ravine(50, angle=30), S.rosenbrock(),
                                     S.quadratic_surface([[3.0, 1.0], [1.0, 2.0]], minimum=(1.0, -1.0))],
                         ids=lambda s: s.name)
def test_surface_gradients_match_central_differences(surface):
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = np.array([rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)])
        np.testing.assert_allclose(surface.gradient(w), central_gradient(surface, w), rtol=1e-6, atol=1e-6)
    if surface.minimum is not None:
        np.testing.assert_allclose(surface.gradient(surface.minimum), 0.0, atol=1e-12)


def test_line_fit_surface_is_the_mse_of_a_dense_layer(float64):
    from backproplab import Dense, Input, Sequential

    rng = np.random.default_rng(1)
    x = rng.uniform(0, 2, 30)
    y = 2 * x - 1 + 0.3 * rng.standard_normal(30)
    surface = S.line_fit_surface(x, y)
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    for w in ([0.5, 0.2], [-1.0, 3.0], surface.minimum):
        model.set_weights([np.array([[w[0]]]), np.array([w[1]])])
        loss, (gk, gb) = model.compute_gradients(x.reshape(-1, 1), y.reshape(-1, 1))
        assert surface(w) == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(surface.gradient(w), [gk[0, 0], gb[0]], rtol=1e-10, atol=1e-12)


def test_gradient_descent_on_a_quadratic_diverges_exactly_above_two_over_lambda_max():
    surface = S.ravine(20)
    edge = 2 / 20
    assert not S.descent_path(surface, SGD(learning_rate=0.99 * edge), steps=400).diverged
    assert S.descent_path(surface, SGD(learning_rate=1.01 * edge), steps=2000).diverged


def test_descent_path_accepts_names_and_stops_when_diverging():
    p = S.descent_path(S.ravine(), "adam", steps=3)
    assert p.label == "Adam, lr=0.001" and p.points.shape == (4, 2) and not p.diverged
    p = S.descent_path(S.ravine(), SGD(learning_rate=1.0), steps=500)
    assert p.diverged and len(p.points) < 501 and np.all(np.isfinite(p.points))


def test_surface_plots_are_labelled():
    surface = S.ravine()
    paths = [S.descent_path(surface, SGD(0.05)), S.descent_path(surface, RMSprop(0.1)),
             S.descent_path(surface, Adam(0.1))]
    ax = S.plot_descent_paths(surface, paths)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == [p.label for p in paths]
    ax = S.plot_path_losses(paths)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    ax = S.plot_descent_path(surface, paths[0])
    assert len(ax.images) == 1 and ax.get_title().startswith("Loss surface")


# ------------------------------------------------------------------------------ sweeps
def test_sweep_marks_divergence_from_a_divergence_error():
    from backproplab import History
    from backproplab.errors import DivergenceError

    def train(lr):
        if lr > 1:
            err = DivergenceError("boom")
            err.history = History()
            err.history.append(0, {"loss": 5.0})
            raise err
        return [1.0, 1.0 / (1 + lr)]

    curves = sweeps.sweep_learning_rates(train, [0.1, 0.5, 2.0])
    np.testing.assert_allclose(curves[2.0], [5.0, np.inf])
    lrs, last = sweeps.final_losses(curves)
    np.testing.assert_allclose(lrs, [0.1, 0.5, 2.0])
    np.testing.assert_allclose(last, [1 / 1.1, 1 / 1.5, np.inf])
    ax = sweeps.plot_learning_rate_sweep(curves, None, threshold=1.0, threshold_label="2/λ")
    assert ax.get_xscale() == "log" and ax.get_xlabel().startswith("learning rate")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "diverged (loss → ∞)" in labels and "2/λ" in labels
    ax = sweeps.plot_curves_by_learning_rate(curves)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr = 0.1", "lr = 0.5", "lr = 2 (diverged)"]
    ax = sweeps.plot_labelled_curves({"a": [3, 2, 1], "b": ([0, 10], [3, 1])}, xlabel="updates")
    assert ax.get_xlabel() == "updates" and ax.get_title()


# ------------------------------------------------------------------------------ a real kernel
@pytest.mark.notebooks
def test_a_slider_move_sends_a_new_png_into_the_output_widget_in_a_kernel():
    """In a Jupyter kernel (inline backend) the redraw must land INSIDE the Output widget: a
    clear_output and a new image/png display, sent while the widget captures output."""
    jupyter_client = pytest.importorskip("jupyter_client")
    from jupyter_client.manager import start_new_kernel

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # as in JupyterLab: inline backend
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    try:
        def run(code):
            msg_id = kc.execute(code)
            msgs = []
            while True:
                msg = kc.get_iopub_msg(timeout=120)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                msgs.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return msgs

        setup = run("import matplotlib\nfrom backproplab.widgets import learning_rate_explorer\n"
                    "pg = learning_rate_explorer()\nprint(pg.static, type(pg.widget).__name__, matplotlib.get_backend())")
        errors = [m["content"] for m in setup if m["msg_type"] == "error"]
        assert not errors, errors
        printed = "".join(m["content"].get("text", "") for m in setup if m["msg_type"] == "stream")
        assert "False VBox" in printed and "inline" in printed
        moved = run("pg.controls['learning_rate'].value = 0.1\nprint(pg.renders)")
        kinds = [m["msg_type"] for m in moved]
        assert "clear_output" in kinds
        pngs = [m for m in moved if m["msg_type"] == "display_data" and "image/png" in m["content"]["data"]]
        assert len(pngs) == 1
        assert "2" in "".join(m["content"].get("text", "") for m in moved if m["msg_type"] == "stream")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_widget_figures_print_in_one_pass_at_their_own_size():
    """The inline backend asks for bbox_inches='tight' (a second layout pass); a playground's
    figure is laid out to fit, so its canvas prints the whole figure in one pass instead."""
    from backproplab.widgets._base import one_pass_png

    fig = widgets.learning_rate_explorer(static=True).figure
    one_pass_png(fig)
    buf = io.BytesIO()
    fig.canvas.print_figure(buf, format="png", bbox_inches="tight")
    from PIL import Image

    width, height = Image.open(io.BytesIO(buf.getvalue())).size
    assert (width, height) == tuple(int(round(v)) for v in fig.get_size_inches() * fig.dpi)
