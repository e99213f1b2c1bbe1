import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Draw off-screen in this process only. Not through MPLBACKEND: notebook kernels started by nbval
# inherit the environment and must keep Jupyter's inline backend, as a learner's do.
import matplotlib  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _restore_floatx():
    """Tests may switch to float64; put the package default back afterwards."""
    import backproplab

    before = backproplab.floatx()
    yield
    backproplab.set_floatx(before)


@pytest.fixture
def float64():
    import backproplab

    backproplab.set_floatx("float64")
    yield


@pytest.fixture(autouse=True)
def _close_figures():
    """Every test starts without figures left over from the one before."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def assert_labelled(ax, what="plot"):
    """A plot a learner sees has a title and both axes labelled."""
    assert ax.get_title(), f"every {what} needs a title"
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need labels"
