"""backproplab: learn backpropagation with a small NumPy library you can read in an evening.

``import backproplab`` loads NumPy and the maths only; plotting, widgets, datasets and grading
load on first use (``backproplab.plotting`` ...), so importing stays fast.
"""
import importlib

from ._config import floatx, set_floatx
from . import activations, errors, gradcheck, initializers, layers, losses, metrics, optimizers
from .layers import Activation, Dense, Flatten, Reshape
from .model import History, Input, Sequential
from .optimizers import SGD, Adam, RMSprop

__version__ = "0.1.0"

_LAZY_SUBMODULES = {"activations", "initializers", "losses", "metrics", "layers", "optimizers", "gradcheck",
                    "errors", "model", "scalar", "datasets", "plotting", "widgets", "grading", "cli"}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'backproplab' has no attribute {name!r}")


__all__ = ["floatx", "set_floatx", "__version__", "Sequential", "Input", "History", "Dense", "Activation",
           "Flatten", "Reshape", "SGD", "RMSprop", "Adam"]
