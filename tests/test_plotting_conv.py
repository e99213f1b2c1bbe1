"""The plotting helpers of the conv module (CNN and autoencoder pictures): they draw, label, and
return what they drew on."""


import numpy as np
import pytest
from conftest import assert_labelled

matplotlib = pytest.importorskip("matplotlib")  # conftest selects the Agg backend
import matplotlib.pyplot as plt  # noqa: E402

from backproplab import plotting  # noqa: E402


def _labelled(ax):
    assert_labelled(ax, "panel")


def _colorbar_label(fig):
    """The label of the figure's colour bar (the Axes that are not image panels)."""
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert labels, "the figure should have a colour bar"
    return labels[0]


def test_helpers_are_found_through_the_package():
    for name in ("plot_conv_matrix", "plot_filters", "plot_feature_maps", "plot_reconstructions", "plot_codes",
                 "plot_decoded_grid"):
        assert callable(getattr(plotting, name))


def test_plot_conv_matrix_titles_counts_and_leaves_zeros_white():
    w = np.zeros((4, 6))
    for r in range(4):
        w[r, r:r + 3] = [1.0, -2.0, 0.5]
    ax = plotting.plot_conv_matrix(w)
    _labelled(ax)
    assert "12 of 24" in ax.get_title()
    shown = ax.images[0].get_array()
    assert np.ma.is_masked(shown) and shown.mask.sum() == 12
    assert ax.images[0].get_clim() == (-2.0, 2.0)  # centred on zero
    assert "weight" in _colorbar_label(ax.figure)
    with pytest.raises(ValueError, match="2-D"):
        plotting.plot_conv_matrix(np.zeros(3))


def test_plot_filters_one_panel_per_filter_on_a_shared_scale():
    kernel = np.random.default_rng(0).standard_normal((3, 3, 1, 5))
    fig = plotting.plot_filters(kernel, ncols=3)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 5
    assert [ax.get_title() for ax in panels] == [f"filter {i}" for i in range(5)]
    limits = {ax.images[0].get_clim() for ax in panels}
    assert len(limits) == 1 and list(limits)[0][0] == -list(limits)[0][1]
    assert fig._suptitle.get_text()
    assert _colorbar_label(fig) == "weight"
    fig3 = plotting.plot_filters(kernel[:, :, 0, :], title="three axes")
    assert fig3._suptitle.get_text() == "three axes"
    with pytest.raises(ValueError, match="kernel"):
        plotting.plot_filters(np.zeros((3, 3)))


def test_plot_feature_maps_input_first_then_each_map():
    image = np.random.default_rng(1).random((8, 8, 1))
    maps = np.random.default_rng(2).random((1, 8, 8, 4))
    fig = plotting.plot_feature_maps(image, maps, title="maps")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 5
    assert panels[0].get_title() == "input"
    assert [ax.get_title() for ax in panels[1:]] == [f"map {i}" for i in range(4)]
    assert fig._suptitle.get_text() == "maps"
    assert _colorbar_label(fig) == "activation"
    with pytest.raises(ValueError, match="maps"):
        plotting.plot_feature_maps(image, np.zeros((8, 8)))


def test_plot_reconstructions_rows_labels_and_flat_images():
    originals = np.random.default_rng(3).random((6, 64))           # flat 8×8 images
    recon_a, recon_b = originals * 0.5, originals[::-1]
    fig = plotting.plot_reconstructions(originals, [recon_a, recon_b], row_labels=["original", "a", "b"],
                                        labels=[0, 1, 2, 3, 4, 5])
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 18 and panels[0].images[0].get_array().shape == (8, 8)
    assert [ax.get_ylabel() for ax in panels[::6]] == ["original", "a", "b"]
    assert [ax.get_title() for ax in panels[:6]] == ["0", "1", "2", "3", "4", "5"]
    assert fig._suptitle.get_text()
    one = plotting.plot_reconstructions(originals, recon_a)
    assert [ax.get_ylabel() for ax in one.axes[::6]] == ["original", "reconstruction"]
    with pytest.raises(ValueError, match="row_labels"):
        plotting.plot_reconstructions(originals, recon_a, row_labels=["only one"])
    with pytest.raises(ValueError, match="shape"):
        plotting.plot_reconstructions(originals, recon_a[:3])


def test_plot_codes_one_legend_entry_per_class():
    rng = np.random.default_rng(4)
    codes = rng.standard_normal((60, 2))
    labels = np.repeat(np.arange(3), 20)
    ax = plotting.plot_codes(codes, labels)
    _labelled(ax)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["0", "1", "2"]
    assert legend.get_title().get_text() == "digit"
    assert sum(len(c.get_offsets()) for c in ax.collections) == 60
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.plot_codes(rng.standard_normal((5, 3)), np.zeros(5))


def test_plot_decoded_grid_tiles_the_plane_top_row_is_the_largest_code():
    def decode(codes):
        # image brightness = second code unit, so the top row (largest code unit 2) is brightest
        return np.repeat(codes[:, 1:2], 16, axis=1)

    ax = plotting.plot_decoded_grid(decode, (-1, 1), (0, 1), n=5)
    _labelled(ax)
    canvas = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert canvas.shape == (24, 24)                   # 5 tiles of 4 pixels and 4 gaps of 1 per side
    assert canvas[0, 0] == 1.0 and canvas[-1, 0] == 0.0
    assert np.isnan(canvas[4]).all() and np.isnan(canvas[:, 4]).all()   # the gaps between tiles
    ax2 = plotting.plot_decoded_grid(decode, (-1, 1), (0, 1), n=5, gap=0, title="no gaps")
    assert ax2.images[0].get_array().shape == (20, 20) and ax2.get_title() == "no gaps"
