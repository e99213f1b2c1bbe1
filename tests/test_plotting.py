"""The plotting helpers of the history and classify modules: they draw, label, and return what they drew on."""


import numpy as np
import pytest
from conftest import assert_labelled

matplotlib = pytest.importorskip("matplotlib")  # conftest selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402

import backproplab as bp  # noqa: E402
from backproplab import plotting  # noqa: E402
from backproplab.plotting.classify import confusion_matrix  # noqa: E402


def _fake_history(n=5, offset=0.0):
    h = bp.History()
    for e in range(n):
        h.append(e, {"loss": 1.0 / (e + 1) + offset, "accuracy": 0.5 + 0.1 * e,
                     "val_loss": 1.2 / (e + 1) + offset, "val_accuracy": 0.45 + 0.1 * e})
    return h


def _labelled(ax):
    assert_labelled(ax, "panel")


# ---------------------------------------------------------------- plot_history

def test_helpers_are_found_through_the_package():
    for name in ("plot_history", "plot_decision_boundary", "plot_confusion_matrix", "plot_images",
                 "confusion_matrix"):
        assert callable(getattr(plotting, name))


def test_plot_history_one_run_two_metrics():
    axes = plotting.plot_history(_fake_history())
    assert len(axes) == 2
    for ax, metric in zip(axes, ("loss", "accuracy")):
        _labelled(ax)
        assert metric in ax.get_title().lower() and ax.get_ylabel() == metric
        assert ax.get_xlabel() == "epoch"
        lines = ax.get_lines()
        assert len(lines) == 2  # training and validation
        assert list(lines[0].get_xdata()) == [1, 2, 3, 4, 5]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["training", "validation"]
        assert lines[1].get_linestyle() == "--"


def test_plot_history_single_metric_returns_one_axes_with_the_values():
    h = _fake_history()
    ax = plotting.plot_history(h, metrics="loss")
    assert isinstance(ax, plt.Axes)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), h.history["loss"])
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), h.history["val_loss"])


def test_plot_history_overlays_several_runs_with_labels_and_distinct_markers():
    axes = plotting.plot_history([_fake_history(), _fake_history(offset=0.1)], labels=["numpy", "keras"],
                                 title="two runs")
    ax = axes[0]
    assert len(ax.get_lines()) == 4
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["numpy, training", "numpy, validation", "keras, training", "keras, validation"]
    markers = {line.get_marker() for line in ax.get_lines()}
    assert len(markers) == 2  # the second run stays visible when its curves coincide with the first
    assert ax.figure._suptitle.get_text() == "two runs"


def test_plot_history_accepts_plain_dicts_without_validation_and_given_axes():
    fig, ax = plt.subplots()
    out = plotting.plot_history({"loss": [3.0, 2.0, 1.5]}, axes=ax, logy=True, title="by hand")
    assert out is ax and ax.get_yscale() == "log"
    assert ax.get_title() == "by hand"
    assert len(ax.get_lines()) == 1
    _labelled(ax)


def test_plot_history_accepts_anything_with_a_history_dict():
    class KerasLike:
        history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}

    ax = plotting.plot_history(KerasLike())
    assert len(ax.get_lines()) == 2


def test_plot_history_names_missing_metric():
    with pytest.raises(KeyError, match="compile"):
        plotting.plot_history({"loss": [1.0]}, metrics=["accuracy"])
    with pytest.raises(ValueError, match="labels"):
        plotting.plot_history([_fake_history(), _fake_history()], labels=["only one"])
    with pytest.raises(TypeError, match="History"):
        plotting.plot_history(42)


# ---------------------------------------------------------------- classify

def test_plot_decision_boundary_binary_from_a_model():
    x, y = bp.datasets.xor(40, noise=0.1)
    model = bp.Sequential([bp.Input(shape=(2,)), bp.Dense(4, activation="tanh"),
                           bp.Dense(1, activation="sigmoid")], seed=0)
    ax = plotting.plot_decision_boundary(model, x, y, resolution=30)
    _labelled(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1"]
    assert "boundary" in ax.get_title().lower()


def test_plot_decision_boundary_multiclass_from_a_function_and_one_hot_labels():
    x, y = bp.datasets.blobs(60, classes=3)
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])

    def nearest_centre(points):
        return -((points[:, None, :] - centres[None]) ** 2).sum(axis=-1)

    ax = plotting.plot_decision_boundary(nearest_centre, x, bp.datasets.to_categorical(y), resolution=25,
                                         class_names=["a", "b", "c"], title="nearest centre")
    assert ax.get_title() == "nearest centre"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_plot_decision_boundary_rejects_3d_inputs():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.plot_decision_boundary(lambda z: z[:, :1], np.zeros((4, 3)), np.zeros(4))


def test_confusion_matrix_counts_and_accepts_probabilities():
    y_true = np.array([0, 1, 2, 2, 1])
    probs = np.eye(3)[[0, 2, 2, 1, 1]] * 0.8 + 0.05
    cm = confusion_matrix(y_true, probs)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [0, 1, 1]])
    assert cm.sum() == len(y_true)


def test_plot_confusion_matrix_labels_and_annotations():
    y_true = np.array([0, 1, 2, 2, 1, 0])
    y_pred = np.array([0, 1, 1, 2, 1, 0])
    ax = plotting.plot_confusion_matrix(y_true, y_pred)
    _labelled(ax)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["2", "2", "1", "1"])
    assert "0.833" in ax.get_title()  # 5 of 6 right
    ax2 = plotting.plot_confusion_matrix(y_true, y_pred, normalize=True, class_names=["x", "y", "z"])
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["x", "y", "z"]
    assert "0.50" in [t.get_text() for t in ax2.texts]


def test_plot_images_titles_and_marks_wrong_predictions():
    images = np.arange(5 * 64, dtype=float).reshape(5, 64)  # flat 8×8 images
    fig = plotting.plot_images(images, labels=[1, 2, 3, 4, 5], predictions=[1, 2, 0, 4, 5], ncols=3)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5 and shown[0].images[0].get_array().shape == (8, 8)
    assert shown[2].get_title() == "3 → 0"
    assert shown[2].title.get_color() != shown[0].title.get_color()
    assert "wrong" in fig._suptitle.get_text()


def test_plot_images_rejects_non_square_flat_images():
    with pytest.raises(ValueError, match="square"):
        plotting.plot_images(np.zeros((2, 10)))
