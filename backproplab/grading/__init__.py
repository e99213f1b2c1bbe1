"""Graded exercises: make student copies, give learners feedback, grade submissions.

``backproplab.grading.checks``
    one module per exercise (``ex04_dense_backward``...) whose questions a learner calls after
    each answer: ``check.q2(dense_backward)`` prints ✔ or names the likely mistake (wrong sign,
    missing 1/N, transposed, wrong shape, forgotten activation derivative) without printing the
    expected values.
``backproplab.grading.release``
    ``exercises/X.ipynb`` from ``solutions/X.ipynb`` (``backproplab release``).
``backproplab.grading.grader``
    runs submissions in fresh kernels and judges their answers in its own process
    (``backproplab grade``).
``backproplab.grading.markup``
    how a solution notebook marks answers, hidden tests and graded questions (nbgrader's markup).

Importing this package loads nothing heavier than NumPy; nbformat and nbclient load on use.
"""
from .core import CheckFailed, Verdict

DEFAULT_CELL_TIMEOUT = 30  # seconds a submission's cell may run before it is interrupted
DEFAULT_NOTEBOOK_TIMEOUT = 180  # seconds for a whole submission

__all__ = ["CheckFailed", "Verdict", "DEFAULT_CELL_TIMEOUT", "DEFAULT_NOTEBOOK_TIMEOUT"]
