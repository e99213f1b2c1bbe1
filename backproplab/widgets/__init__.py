"""Interactive playgrounds (ipywidgets, imported only when this package is used).

Every public function of every module in this package is reachable here:
``backproplab.widgets.learning_rate_explorer(...)`` finds ``learning_rate_explorer`` in whichever module defines it.
Each playground degrades to a static figure when no front end is attached, and asks the
learner a question.
"""
from .._lazy import attach

__getattr__, __dir__ = attach(__name__, __path__, "playground")
