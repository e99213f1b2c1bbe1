"""Checks for the graded exercises, one module per exercise notebook.

In a notebook::

    from backproplab.grading.checks import ex04_dense_backward as check
    check.q2(dense_backward)          # ✔, or the likely mistake

Every question compares with the library's reference computed in float64 and, on a wrong
answer, says what the mistake probably is, never what the right numbers are.
"""
