import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")


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
