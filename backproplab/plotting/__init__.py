"""Plotting helpers for the notebooks (matplotlib, imported only when this package is used).

Every public function of every module in this package is reachable here:
``backproplab.plotting.plot_history(...)`` finds ``plot_history`` in whichever module defines it.
Each helper returns the matplotlib ``Axes`` (or ``Figure``) it drew on, and always sets a
title and axis labels.
"""
from .._lazy import attach

__getattr__, __dir__ = attach(__name__, __path__, "helper")
