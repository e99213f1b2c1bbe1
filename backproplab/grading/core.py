"""The machinery behind every check: probe an answer, hand it over as plain data, judge it.

A check is split in two halves on purpose:

``probe(answer, cases)``
    runs where the answer lives (the learner's kernel): calls the learner's function on the
    test inputs, or takes the learner's value, and turns the result into plain data (JSON-able
    lists, numbers and strings). Nothing is judged here.
``judge(data, cases)``
    compares that plain data with the reference, which it computes itself in float64 from the
    same case parameters, and names the likely mistake. It needs nothing from the learner's
    kernel, so the grader runs it in its own process, where a submission that redefined
    ``numpy.allclose``, ``assert`` or the checks cannot reach.

In a notebook, calling a check (``check.q2(dense_backward)``) does both halves at once: it prints
``✔ ...`` for a right answer, and raises ``CheckFailed`` (an ``AssertionError``, so nbgrader
counts it as a failed test) naming the likely mistake for a wrong one, without printing the
expected values. An answer that is still a stub raises ``NotImplementedError``.
"""
import math

import numpy as np

# Default tolerances: answers are compared with the float64 reference by
# |answer − expected| ≤ ATOL + RTOL·|expected|, elementwise.
RTOL = 1e-5
ATOL = 1e-9
# A learner's answer "matches a mistake" when it is this close to what the mistake would give.
MISTAKE_RTOL = 1e-4

MAX_VALUES = 100_000  # larger answers are not handed over (and are judged wrong)


class CheckFailed(AssertionError):
    """A check found a wrong answer. Shown in Jupyter as its message alone, without a traceback."""

    def _render_traceback_(self):  # IPython calls this instead of printing the traceback
        return ["\u2718 " + line if i == 0 else "  " + line for i, line in enumerate(str(self).splitlines())]


class Verdict:
    """The outcome of judging one question: ``ok``, how many cases passed, and what went wrong."""

    def __init__(self, ok, message, passed=0, total=0):
        self.ok, self.message, self.passed, self.total = bool(ok), message, passed, total

    def __repr__(self):
        return f"Verdict(ok={self.ok}, passed={self.passed}/{self.total}, message={self.message!r})"


# ---------------------------------------------------------------------------------- plain data
def to_plain(value, _depth=0):
    """Turn an answer into JSON-able data: arrays become ``{"__array__": [...], "shape": [...]}``."""
    if _depth > 20:
        return {"__object__": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) or (hasattr(value, "__array__") and not isinstance(value, type)):
        try:
            arr = np.asarray(value)
        except Exception:  # noqa: BLE001 - an object pretending to be an array
            return {"__object__": type(value).__name__}
        if arr.size > MAX_VALUES:
            return {"__object__": f"array with {arr.size} values (too large)"}
        if arr.dtype.kind in "biuf":
            return {"__array__": arr.astype(np.float64).ravel().tolist(), "shape": list(arr.shape),
                    "dtype": arr.dtype.name}
        if arr.dtype.kind == "c":
            return {"__object__": f"complex array of shape {arr.shape}"}
        return {"__object__": f"array of dtype {arr.dtype}"}
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_VALUES:
            return {"__object__": f"{type(value).__name__} of length {len(value)} (too long)"}
        return {"__seq__": [to_plain(v, _depth + 1) for v in value], "type": type(value).__name__}
    if isinstance(value, dict):
        return {"__dict__": [[str(k), to_plain(v, _depth + 1)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"__set__": sorted(str(v) for v in value)}
    return {"__object__": type(value).__name__}


def from_plain(data):
    """The inverse of ``to_plain`` (arrays come back as float64 arrays)."""
    if isinstance(data, dict):
        if "__array__" in data:
            return np.asarray(data["__array__"], dtype=np.float64).reshape(data["shape"])
        if "__seq__" in data:
            items = [from_plain(v) for v in data["__seq__"]]
            return tuple(items) if data.get("type") == "tuple" else items
        if "__dict__" in data:
            return {k: from_plain(v) for k, v in data["__dict__"]}
        if "__set__" in data:
            return set(data["__set__"])
        if "__object__" in data:
            return _Opaque(data["__object__"])
        if "__error__" in data:
            return _Raised(data["__error__"])
    return data


class _Opaque:
    """Something the learner returned that cannot be handed over as numbers."""

    def __init__(self, description):
        self.description = description


class _Raised:
    """The learner's code raised instead of returning."""

    def __init__(self, description):
        self.description = description


def describe(value):
    """A short description of a returned value for messages (never its numbers)."""
    if value is None:
        return "None"
    if isinstance(value, _Opaque):
        return f"a {value.description}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} values"
    return f"a {type(value).__name__}"


# ---------------------------------------------------------------------------------- comparison
def _as_float_array(value):
    if isinstance(value, (_Opaque, _Raised, str, dict, set)) or value is None:
        return None
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr


def close(a, b, rtol=RTOL, atol=ATOL):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _worst_relative_error(a, e):
    with np.errstate(all="ignore"):
        scale = np.maximum(np.abs(e), np.max(np.abs(e)) if e.size else 1.0) + 1e-300
        return float(np.max(np.abs(a - e) / scale)) if e.size else 0.0


def compare(answer, expected, *, name, batch=None, mistakes=(), rtol=RTOL, atol=ATOL):
    """``None`` when ``answer`` matches the float64 ``expected``; otherwise a message naming the
    likely mistake. ``mistakes`` is a list of ``(message, wrong_value)``: what the answer would be
    after a typical slip. ``batch`` is the batch size N, to recognise a missing or extra 1/N."""
    if isinstance(answer, _Raised):
        return f"{name}: your code raised {answer.description}"
    if answer is None:
        return f"{name} is None: did you forget a `return` (or to assign the answer)?"
    e = np.asarray(expected, dtype=np.float64)
    a = _as_float_array(answer)
    if a is None:
        return f"{name} should be {'a number' if e.ndim == 0 else 'a NumPy array'}, but it is {describe(answer)}."
    if a.size == 1 and e.size == 1:
        a, e = a.reshape(()), e.reshape(())
    if not np.all(np.isfinite(a)):
        return (f"{name} contains NaN or infinite values: an overflow? Look for exp() of a large number "
                "or a division by something that can be zero, and use the numerically stable form.")
    if a.shape != e.shape:
        if a.ndim == 2 and a.shape == e.shape[::-1]:
            return (f"{name} has shape {a.shape} but should have shape {e.shape}: it looks transposed. "
                    "Check the order of the factors in the matrix product (and which one needs .T).")
        if a.ndim == e.ndim + 1 and a.shape[1:] == e.shape:
            return (f"{name} has shape {a.shape} but should have shape {e.shape}: it keeps the batch axis. "
                    "Did you forget to sum over the batch (axis=0)?")
        if a.size == e.size:
            return f"{name} has shape {a.shape} but should have shape {e.shape} (the right number of values, arranged differently)."
        return f"{name} has shape {a.shape} but should have shape {e.shape}."
    if close(a, e, rtol, atol):
        return None
    for message, wrong in mistakes:
        w = np.asarray(wrong, dtype=np.float64)
        if w.shape == a.shape and not close(w, e, rtol, atol) and close(a, w, MISTAKE_RTOL, atol):
            return f"{name}: {message}"
    generic = [
        ("has the wrong sign: check the order of a subtraction (o − y or y − o, p − y or y − p) "
         "and whether you add or subtract.", -e),
    ]
    if batch and batch > 1:
        generic += [
            (f"is {batch} times too large, and {batch} is the batch size N: a missing 1/N?", e * batch),
            (f"is {batch} times too small, and {batch} is the batch size N: an extra 1/N (dividing "
             "where the formula sums, or dividing twice)?", e / batch),
        ]
    generic += [("is off by a factor of 2.", 2 * e), ("is off by a factor of 2 (half of what it should be).", e / 2)]
    if e.ndim == 2 and e.shape[0] == e.shape[1] and e.shape[0] > 1:
        generic.append(("looks transposed: check the order of the factors in the matrix product.", e.T))
    for message, wrong in generic:
        if not close(wrong, e, rtol, atol) and close(a, wrong, MISTAKE_RTOL, atol):
            return f"{name} {message}"
    with np.errstate(all="ignore"):
        nz = np.abs(e) > 1e-12
        if e.size > 1 and nz.sum() > 1 and np.all(np.abs(a[~nz]) <= 1e-9):
            ratio = a[nz] / e[nz]
            if np.all(np.abs(ratio - ratio[0]) <= 1e-6 * np.abs(ratio[0])) and abs(ratio[0]) > 0:
                return (f"{name} points the right way but is off by a constant factor: look for a "
                        "missing or extra constant (a 2, a ½, a learning rate, an N).")
    return f"{name} does not match the reference (largest relative error ≈ {_worst_relative_error(a, e):.1e})."


# ---------------------------------------------------------------------------------- questions
class Question:
    """One graded question. Subclasses define ``probe`` and ``judge``.

    ``exercise`` and ``qname`` are filled in by ``register`` (the grader finds a question by them).
    """

    exercise = None
    qname = None
    answer_name = "your answer"

    def label(self):
        return f"{self.qname} ({self.answer_name})" if self.qname else self.answer_name

    def probe(self, answer, cases=None, learner=True):
        raise NotImplementedError

    def judge(self, data, cases=None):
        raise NotImplementedError

    def __call__(self, answer, cases=None):
        """Check an answer in the notebook: print ✔ or raise ``CheckFailed`` with a hint."""
        data = self.probe(answer, cases, learner=True)
        verdict = self.judge(data, cases)
        if not verdict.ok:
            raise CheckFailed(f"{self.label()}: {verdict.message}") from None
        print(f"\u2714 {self.label()}: {verdict.message}")
        return None


def _not_written(name, exc):
    return NotImplementedError(
        f"{name} is not written yet ({exc}). Replace the `raise NotImplementedError(...)` line with "
        "your code, run that cell, then run this check again.")


class FunctionQuestion(Question):
    """The answer is a function; it is called on generated test inputs.

    make_inputs(rng, **params) -> dict of named arguments, passed positionally in that order.
    reference(*args) -> the expected output (a number, an array, or a tuple of them), float64.
    outputs: names of the returned values (for a tuple), or None for a single value.
    public: the list of case parameter dicts used when a check is called without ``cases``.
    mistakes(*args) -> list of (message, wrong_output) pairs (wrong_output shaped like the output).
    batch(*args) -> the batch size N (to recognise a missing 1/N), or None.
    """

    def __init__(self, answer_name, make_inputs, reference, *, public, outputs=None, mistakes=None,
                 batch=None, rtol=RTOL, atol=ATOL, extra_check=None):
        self.answer_name = answer_name
        self.make_inputs = make_inputs
        self.reference = reference
        self.public = list(public)
        self.outputs = outputs
        self.mistakes = mistakes
        self.batch = batch
        self.rtol, self.atol = rtol, atol
        self.extra_check = extra_check

    def inputs(self, case):
        params = dict(case)
        seed = params.pop("seed", 0)
        return self.make_inputs(np.random.default_rng(seed), **params)

    def probe(self, answer, cases=None, learner=True):
        cases = self.public if cases is None else cases
        if answer is None:
            if learner:
                raise NotImplementedError(f"{self.answer_name} is still None: write your answer, run its cell, "
                                          "then run this check again.")
            return {"not_callable": "None"}
        if not callable(answer):
            return {"not_callable": type(answer).__name__}
        results = []
        for case in cases:
            args = self.inputs(case)
            call_args = [v.copy() if isinstance(v, np.ndarray) else v for v in args.values()]
            watched = [(k, v, a) for (k, v), a in zip(args.items(), call_args) if isinstance(v, np.ndarray)]
            try:
                out = answer(*call_args)
            except NotImplementedError as exc:
                if learner:
                    raise _not_written(self.answer_name, exc) from None
                results.append({"__error__": f"NotImplementedError (the stub was not replaced)"})
                continue
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - the learner's code may raise anything
                results.append({"__error__": f"{type(exc).__name__}: {str(exc)[:200]}"})
                continue
            mutated = [k for k, before, after in watched
                       if after.shape != before.shape or not np.array_equal(after, before, equal_nan=True)]
            results.append({"out": to_plain(out), "mutated": mutated})
        return {"results": results}

    def judge(self, data, cases=None):
        cases = self.public if cases is None else cases
        if "not_callable" in data:
            what = data["not_callable"]
            return Verdict(False, f"{self.answer_name} should be a function, but it is {'None' if what == 'None' else 'a ' + what}.",
                           0, len(cases))
        results = data.get("results", [])
        if len(results) != len(cases):
            return Verdict(False, f"only {len(results)} of {len(cases)} test cases produced an answer.", 0, len(cases))
        passed, first = 0, None
        for case, result in zip(cases, results):
            message = self._judge_case(case, result)
            if message is None:
                passed += 1
            elif first is None:
                first = message
        n = len(cases)
        if passed == n:
            return Verdict(True, f"correct on {n} test case{'s' if n != 1 else ''}.", passed, n)
        tail = f" (failed {n - passed} of {n} test case{'s' if n != 1 else ''})" if n > 1 else ""
        return Verdict(False, first + tail, passed, n)

    def _judge_case(self, case, result):
        if "__error__" in result:
            return f"{self.answer_name} raised {result['__error__']}"
        args = list(self.inputs(case).values())
        if result.get("mutated"):
            names = ", ".join(result["mutated"])
            return (f"{self.answer_name} changed its input {names} in place. Work on a copy "
                    "(or restore every entry you change) so the caller's arrays stay as they were.")
        answer = from_plain(result.get("out"))
        expected = self.reference(*args)
        batch = self.batch(*args) if self.batch else None
        mistakes = self.mistakes(*args) if self.mistakes else []
        if self.extra_check is not None:
            try:
                message = self.extra_check(answer, *args)
            except Exception:  # noqa: BLE001 - an answer of an unexpected type: compare() will say so
                message = None
            if message:
                return message
        if self.outputs is None:
            message = compare(answer, expected, name=self.answer_name, batch=batch,
                              mistakes=mistakes, rtol=self.rtol, atol=self.atol)
        else:
            k = len(self.outputs)
            if not isinstance(answer, (tuple, list)) or len(answer) != k:
                return (f"{self.answer_name} should return {k} values ({', '.join(self.outputs)}), "
                        f"but it returned {describe(answer)}.")
            message = None
            for i, name in enumerate(self.outputs):
                component_mistakes = [(msg, wrong[i]) for msg, wrong in mistakes if wrong[i] is not None]
                message = compare(answer[i], expected[i], name=name, batch=batch, mistakes=component_mistakes,
                                  rtol=self.rtol, atol=self.atol)
                if message is not None:
                    break
        return message


class ChoiceQuestion(Question):
    """The answer is a value chosen from a list (a string, a set of strings or a dict of them).

    expected: the right answer. options: the allowed strings. hints: {wrong item: message}.
    """

    def __init__(self, answer_name, expected, options, hints=None, what="option"):
        self.answer_name = answer_name
        self.expected = expected
        self.options = list(options)
        self.hints = hints or {}
        self.what = what

    def probe(self, answer, cases=None, learner=True):
        if answer is None and learner:
            raise NotImplementedError(f"{self.answer_name} is still None: write your answer, run its cell, "
                                      "then run this check again.")
        return {"value": to_plain(answer)}

    def _unknown(self, item):
        return (f"{item!r} is not one of the {self.what}s; choose from "
                + ", ".join(repr(o) for o in self.options) + ".")

    def judge(self, data, cases=None):
        answer = from_plain(data.get("value"))
        exp = self.expected
        if answer is None:
            return Verdict(False, f"{self.answer_name} is None: no answer given.", 0, 1)
        if isinstance(exp, str):
            if not isinstance(answer, str):
                return Verdict(False, f"{self.answer_name} should be a string, one of "
                               + ", ".join(repr(o) for o in self.options) + ".", 0, 1)
            answer = answer.strip()
            if answer not in self.options:
                return Verdict(False, self._unknown(answer), 0, 1)
            if answer == exp:
                return Verdict(True, "correct.", 1, 1)
            return Verdict(False, self.hints.get(answer, "not this one; look again."), 0, 1)
        if isinstance(exp, (set, frozenset)):
            if isinstance(answer, (list, tuple)):
                answer = set(answer)
            if not isinstance(answer, set) or not all(isinstance(a, str) for a in answer):
                return Verdict(False, f"{self.answer_name} should be a set of strings such as "
                               f"{{{self.options[0]!r}}}.", 0, 1)
            answer = {a.strip() for a in answer}
            for item in sorted(answer):
                if item not in self.options:
                    return Verdict(False, self._unknown(item), 0, 1)
            extra = sorted(answer - exp)
            if extra:
                return Verdict(False, self.hints.get(extra[0], f"{extra[0]!r} does not belong in the set."), 0, 1)
            missing = len(exp - answer)
            if missing:
                return Verdict(False, f"right so far, but {missing} more {self.what}"
                               f"{'s belong' if missing > 1 else ' belongs'} in the set.", 0, 1)
            return Verdict(True, "correct.", 1, 1)
        if isinstance(exp, dict):
            if not isinstance(answer, dict):
                return Verdict(False, f"{self.answer_name} should be a dict like "
                               f"{{{next(iter(exp))!r}: {self.options[0]!r}, ...}}.", 0, 1)
            answer = {str(k).strip(): (v.strip() if isinstance(v, str) else v) for k, v in answer.items()}
            if set(answer) != set(exp):
                return Verdict(False, f"{self.answer_name} should have exactly the keys "
                               + ", ".join(repr(k) for k in sorted(exp)) + ".", 0, 1)
            wrong = []
            for key in sorted(exp):
                if answer[key] not in self.options:
                    return Verdict(False, f"{key!r}: " + self._unknown(answer[key]), 0, 1)
                if answer[key] != exp[key]:
                    wrong.append(key)
            if not wrong:
                return Verdict(True, f"correct ({len(exp)} of {len(exp)}).", 1, 1)
            first = wrong[0]
            hint = self.hints.get((first, answer[first]), self.hints.get(answer[first], "look at it again."))
            return Verdict(False, f"{len(wrong)} of {len(exp)} wrong; {first!r} is not "
                           f"{answer[first]!r}: {hint}", 0, 1)
        raise TypeError(f"unsupported expected answer type {type(exp).__name__}")


class PropertyQuestion(Question):
    """The answer is a value with a property to satisfy (for example a counterexample).

    test(value) -> None when the property holds, else a message (it must not reveal an answer).
    """

    def __init__(self, answer_name, test, success="correct."):
        self.answer_name = answer_name
        self.test = test
        self.success = success

    def probe(self, answer, cases=None, learner=True):
        if answer is None and learner:
            raise NotImplementedError(f"{self.answer_name} is still None: write your answer, run its cell, "
                                      "then run this check again.")
        return {"value": to_plain(answer)}

    def judge(self, data, cases=None):
        value = from_plain(data.get("value"))
        if value is None:
            return Verdict(False, f"{self.answer_name} is None: no answer given.", 0, 1)
        try:
            message = self.test(value)
        except Exception as exc:  # noqa: BLE001 - a malformed answer
            message = f"{self.answer_name} could not be used ({type(exc).__name__}: {exc})."
        return Verdict(message is None, self.success if message is None else message, int(message is None), 1)


def register(module_globals, exercise):
    """Name every ``Question`` defined in an exercise module (``q1``... become their ``qname``)."""
    for key, value in list(module_globals.items()):
        if isinstance(value, Question):
            value.exercise, value.qname = exercise, key
    return exercise


def get_question(exercise, qname):
    """The question object ``qname`` of ``backproplab.grading.checks.<exercise>``."""
    import importlib

    if not exercise.replace("_", "").isalnum():
        raise LookupError(f"bad exercise name {exercise!r}")
    module = importlib.import_module(f"backproplab.grading.checks.{exercise}")
    question = getattr(module, qname, None)
    if not isinstance(question, Question):
        raise LookupError(f"{exercise} has no question {qname!r}")
    return question


def is_finite_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
