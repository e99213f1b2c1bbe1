"""The gradient plotting helpers: they draw the numbers they are given, on log axes, with titles and labels."""


import numpy as np
import pytest
from conftest import assert_labelled

matplotlib = pytest.importorskip("matplotlib")  # conftest selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402

import backproplab as bp  # noqa: E402
from backproplab import plotting  # noqa: E402
from backproplab.layers import LSTM, SimpleRNN  # noqa: E402


def _labelled(ax):
    assert_labelled(ax, "plot")


def _diagram(ax):
    # a drawing has no axes to label, but it has a title and a caption saying which way to read it
    assert ax.get_title() and ax.get_xlabel()
    assert not ax.get_xticks().size and not ax.get_yticks().size


def test_helpers_are_found_through_the_package():
    for name in ("plot_time_step_grad_norms", "plot_layer_gradient_norms", "plot_unrolled_rnn", "plot_lstm_cell"):
        assert callable(getattr(plotting, name))


def test_time_step_norms_of_a_real_backward_pass_are_plotted_on_a_log_axis():
    x = np.random.default_rng(0).standard_normal((4, 6, 2))
    y = np.zeros((4, 1))
    model = bp.Sequential([bp.Input(shape=(6, 2)), SimpleRNN(3), bp.Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    model.compute_gradients(x, y)
    norms = model.layers[0].time_step_grad_norms
    ax = plotting.plot_time_step_grad_norms(norms)
    _labelled(ax)
    assert ax.get_yscale() == "log"
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(line.get_ydata(), norms)
    assert ax.get_legend() is None        # one unlabelled run needs no legend


def test_several_runs_with_bounds_share_colours_and_have_a_legend():
    runs = {"small U": np.array([1e-6, 1e-3, 1.0]), "large U": np.array([1e3, 10.0, 1.0])}
    bounds = {"small U": np.array([1e-4, 1e-2, 1.0])}
    ax = plotting.plot_time_step_grad_norms(runs, bounds=bounds, title="mine")
    assert ax.get_title() == "mine"
    lines = ax.get_lines()
    assert len(lines) == 3
    assert lines[2].get_linestyle() == "--" and lines[2].get_color() == lines[0].get_color()
    np.testing.assert_allclose(lines[1].get_ydata(), runs["large U"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["small U", "large U", "small U: bound"]


def test_zeros_become_gaps_on_a_log_axis_and_a_linear_axis_keeps_them():
    ax = plotting.plot_time_step_grad_norms(np.array([0.0, 1.0, 2.0]))
    assert np.isnan(ax.get_lines()[0].get_ydata()[0])
    ax = plotting.plot_time_step_grad_norms(np.array([0.0, 1.0, 2.0]), logy=False)
    assert ax.get_yscale() == "linear" and ax.get_lines()[0].get_ydata()[0] == 0.0


def test_missing_norms_give_a_message_a_learner_can_act_on():
    with pytest.raises(ValueError, match="backward"):
        plotting.plot_time_step_grad_norms(SimpleRNN(2).time_step_grad_norms)


def test_layer_norms_from_gradient_norms_in_layer_order():
    model = bp.Sequential([bp.Input(shape=(3,)), bp.Dense(4, activation="sigmoid"),
                           bp.Dense(4, activation="sigmoid"), bp.Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    model.compute_gradients(np.ones((5, 3)), np.zeros((5, 1)))
    norms = model.gradient_norms()
    ax = plotting.plot_layer_gradient_norms(norms)
    _labelled(ax)
    assert ax.get_yscale() == "log"
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [1, 2, 3]
    expected = [v for k, v in norms.items() if k.endswith(".kernel")]
    np.testing.assert_allclose(line.get_ydata(), expected)
    ax = plotting.plot_layer_gradient_norms(norms, param="bias")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [v for k, v in norms.items() if k.endswith(".bias")])


def test_layer_norms_compare_several_models():
    runs = {"a": {"d1.kernel": 1e-6, "d1.bias": 1.0, "d2.kernel": 1e-2},
            "b": {"d1.kernel": 0.5, "d2.kernel": 0.4}}
    ax = plotting.plot_layer_gradient_norms(runs)
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), [1e-6, 1e-2])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.5, 0.4])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    ax = plotting.plot_layer_gradient_norms({"dL/dz": [1e-3, 1e-2, 1e-1]}, ylabel="delta")
    np.testing.assert_allclose(ax.get_lines()[-1].get_ydata(), [1e-3, 1e-2, 1e-1])
    assert ax.get_ylabel() == "delta (log scale)"
    with pytest.raises(KeyError, match="param='bias'"):
        plotting.plot_layer_gradient_norms({"d1.weights": 1.0})


@pytest.mark.parametrize("steps", [2, 4, 7])
def test_unrolled_rnn_draws_one_state_per_step(steps):
    ax = plotting.plot_unrolled_rnn(steps=steps)
    _diagram(ax)
    texts = [t.get_text() for t in ax.texts]
    assert "$h_{1}$" in texts and "$h_{T}$" in texts and "$L$" in texts
    assert sum(t.startswith("$h_{") for t in texts) == steps
    forward_only = plotting.plot_unrolled_rnn(steps=3, show_backward=False)
    assert len(forward_only.patches) < len(plotting.plot_unrolled_rnn(steps=3).patches)
    with pytest.raises(ValueError):
        plotting.plot_unrolled_rnn(steps=1)


def test_lstm_cell_names_the_gates_in_keras_order():
    ax = plotting.plot_lstm_cell()
    _diagram(ax)
    texts = " ".join(t.get_text() for t in ax.texts)
    positions = [texts.index(g) for g in ("i=", "f=", "tilde c=", "o=")]
    assert all(p >= 0 for p in positions)
    assert "c_{t-1}" in texts and "h_t" in texts


def test_draws_into_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    assert plotting.plot_time_step_grad_norms(np.ones(3), ax=axes[1]) is axes[1]
    assert plotting.plot_layer_gradient_norms({"a.kernel": 1.0}, ax=axes[0]) is axes[0]


def test_lstm_norms_plot_alongside_cell_norms():
    x = np.random.default_rng(1).standard_normal((3, 5, 2))
    layer = LSTM(2)
    out = layer(x)
    layer.forward(x)
    layer.backward(np.ones_like(out))
    ax = plotting.plot_time_step_grad_norms({"h": layer.time_step_grad_norms, "c": layer.cell_grad_norms})
    assert len(ax.get_lines()) == 2
