"""Kernel side of the grader: probe an answer and append the plain data to a records file.

The grader imports this module in the submission's kernel BEFORE any of the submission's code
runs (so the names below are bound to the real ``open`` and ``json``), then runs one generated
cell per check call of the instructor's test cells::

    _bpl_record_(7, "ex04_dense_backward", "q2", lambda: (dense_backward), [{"seed": 3, "n": 5}])

Nothing is judged here. Whatever the submission does to this kernel, the worst it can do is
hand over wrong data (or none), which the grader then judges as such in its own process.
"""
import json as _json

from .core import Question as _Question
from .core import get_question as _get_question

_open = open
_dumps = _json.dumps
_PATH = None
_QUESTIONS = {}


def start(path, exercise=None):
    """Remember where the records go, and the exercise's questions as they are before any of the
    submission's code runs (so rebinding ``check.q1`` in the notebook changes nothing here)."""
    global _PATH
    _PATH = path
    if exercise:
        import importlib

        module = importlib.import_module(f"backproplab.grading.checks.{exercise}")
        for name, value in vars(module).items():
            if isinstance(value, _Question):
                _QUESTIONS[(exercise, name)] = value


def _write(entry):
    with _open(_PATH, "a", encoding="utf-8") as f:
        f.write(_dumps(entry) + "\n")


def record(index, exercise, qname, get_answer, cases=None):
    """Probe the answer that ``get_answer()`` returns and append ``{"probe": index, "data": ...}``."""
    try:
        answer = get_answer()
    except NameError as exc:
        _write({"probe": index, "error": f"{exc} (the answer was never defined: did its cell run?)"})
        return
    except Exception as exc:  # noqa: BLE001 - the answer expression itself may raise
        _write({"probe": index, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
        return
    try:
        question = _QUESTIONS.get((exercise, qname)) or _get_question(exercise, qname)
        data = question.probe(answer, cases, learner=False)
    except KeyboardInterrupt:
        _write({"probe": index, "error": "interrupted: the check hit the time limit (an endless loop?)"})
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit from the learner's function included
        _write({"probe": index, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
        return
    _write({"probe": index, "data": data})
