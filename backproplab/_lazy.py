"""One mechanism for the ``plotting`` and ``widgets`` packages: find a public name in any module."""
import importlib
import pkgutil


def attach(package_name, path, what):
    """Return ``(__getattr__, __dir__)`` for a package whose modules each list names in ``__all__``.

    ``backproplab.plotting.plot_history`` then finds ``plot_history`` in whichever module of the
    package defines it, importing that module (and matplotlib) only on first use.
    """
    modules = sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_"))

    def _all(mod):
        return getattr(importlib.import_module(f"{package_name}.{mod}"), "__all__", ())

    def __getattr__(name):
        for mod in modules:
            if name in _all(mod):
                return getattr(importlib.import_module(f"{package_name}.{mod}"), name)
        raise AttributeError(f"{package_name} has no {what} {name!r}")

    def __dir__():
        return sorted([n for mod in modules for n in _all(mod)] + modules)

    return __getattr__, __dir__
