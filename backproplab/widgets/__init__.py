"""Interactive playgrounds (ipywidgets, imported only when this package is used).

Every public function of every module in this package is reachable here:
``backproplab.widgets.learning_rate_explorer(...)`` finds ``learning_rate_explorer`` in whichever module defines it.
Each playground degrades to a static figure when no front end is attached, and asks the
learner a question.
"""
import importlib
import pkgutil

_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def __getattr__(name):
    for mod in _MODULES:
        module = importlib.import_module(f"{__name__}.{mod}")
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"backproplab.widgets has no playground {name!r}")


def __dir__():
    names = []
    for mod in _MODULES:
        names += list(getattr(importlib.import_module(f"{__name__}.{mod}"), "__all__", ()))
    return sorted(names + _MODULES)
