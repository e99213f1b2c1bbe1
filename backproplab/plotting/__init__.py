"""Plotting helpers for the notebooks (matplotlib, imported only when this package is used).

Every public function of every module in this package is reachable here:
``backproplab.plotting.plot_history(...)`` finds ``plot_history`` in whichever module defines it.
Each helper returns the matplotlib ``Axes`` (or ``Figure``) it drew on, and always sets a
title and axis labels.
"""
import importlib
import pkgutil

_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def __getattr__(name):
    for mod in _MODULES:
        module = importlib.import_module(f"{__name__}.{mod}")
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"backproplab.plotting has no helper {name!r}")


def __dir__():
    names = []
    for mod in _MODULES:
        names += list(getattr(importlib.import_module(f"{__name__}.{mod}"), "__all__", ()))
    return sorted(names + _MODULES)
