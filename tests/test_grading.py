"""The grading system: release markup, learner checks, and the grader against planted submissions.

The planted submissions are made here, in tmp_path, from solutions/ex04_dense_backward.ipynb
(q1 = 1 point, q2 = 3, q3 = 2), one per fault the grader must survive, each with its expected score.
"""
import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from backproplab.grading import markup, release
from backproplab.grading.core import CheckFailed, compare, from_plain, to_plain

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EX04 = SOLUTIONS / "ex04_dense_backward.ipynb"


# ------------------------------------------------------------------------------ release markup
def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    for i, c in enumerate(nb.cells):
        c.id = f"c{i}"
    return nb


def _meta(gid, **kw):
    m = {"grade": False, "grade_id": gid, "locked": False, "schema_version": 3, "solution": False, "task": False}
    m.update(kw)
    return {"nbgrader": m}


def _toy_solution():
    return _nb(
        nbformat.v4.new_code_cell("from backproplab.grading.checks import ex04_dense_backward as check"),
        nbformat.v4.new_code_cell(
            "def f(x):\n    y = 2 * x\n    ### BEGIN SOLUTION\n    secret_line = y + 1\n    return secret_line\n"
            "    ### END SOLUTION", metadata=_meta("a1", solution=True)),
        nbformat.v4.new_code_cell(
            "value = None\n### BEGIN SOLUTION\nvalue = 42\n### END SOLUTION", metadata=_meta("a2", solution=True)),
        nbformat.v4.new_code_cell("print(f(1))"),
        nbformat.v4.new_code_cell(
            "check.q1(f)\n### BEGIN HIDDEN TESTS\ncheck.q1(f, cases=[{'seed': 9}])\n### END HIDDEN TESTS",
            metadata=_meta("t1", grade=True, locked=True, points=2)),
        nbformat.v4.new_markdown_cell("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION",
                                      metadata=_meta("m1", solution=True)),
    )


def test_release_replaces_solutions_keeps_indentation_and_strips_hidden_tests():
    nb = _toy_solution()
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="3\n")]
    nb.cells[3].execution_count = 4
    out = release.release_notebook(nb, "toy")
    src = [c.source for c in out.cells]
    assert src[1] == ("def f(x):\n    y = 2 * x\n    # YOUR CODE HERE\n"
                      '    raise NotImplementedError("Exercise: replace this line with your answer")')
    assert "secret_line" not in json.dumps(out)
    assert src[2].startswith("value = None\n# YOUR CODE HERE\nraise NotImplementedError")
    assert src[4] == "check.q1(f)"
    assert src[5] == "Why?\nYOUR ANSWER HERE"
    assert out.cells[3].outputs == [] and out.cells[3].execution_count is None
    tags = [c.metadata.get("tags", []) for c in out.cells]
    # a top-level stub raises; a stub inside a def does not; a cell using f raises; a test cell raises
    assert tags == [[], [], ["raises-exception"], ["raises-exception"], ["raises-exception"], []]
    assert out.cells[4].metadata["nbgrader"]["points"] == 2  # nbgrader metadata kept
    assert out.metadata["backproplab"]["exercise"] == "toy"
    assert nb.cells[1].source.count("BEGIN SOLUTION") == 1  # the input is left alone


def test_release_is_deterministic_and_a_solution_cell_without_markers_is_replaced_whole():
    nb = _toy_solution()
    nb.cells.insert(1, nbformat.v4.new_code_cell("answer = 7", metadata=_meta("a0", solution=True)))
    nb.cells[1].id = "c-extra"
    one = release.notebook_bytes(release.release_notebook(nb, "toy"))
    two = release.notebook_bytes(release.release_notebook(copy.deepcopy(nb), "toy"))
    assert one == two and one.endswith(b"\n")
    assert b"answer = 7" not in one


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_markers_are_refused(source, message):
    nb = _toy_solution()
    nb.cells[2].source = source
    with pytest.raises(markup.MarkupError, match=message):
        release.release_notebook(nb, "toy")


def test_spec_reads_check_calls_and_hidden_cases():
    nb = _toy_solution()
    (spec,) = markup.parse_spec(nb)
    assert (spec.grade_id, spec.points, spec.anchor) == ("t1", 2, "a2")
    assert [(c.qname, c.answer_source, c.cases, c.hidden) for c in spec.calls] == [
        ("q1", "f", None, False), ("q1", "f", [{"seed": 9}], True)]
    nb.cells[4].source = "assert f(1) == 3"
    with pytest.raises(markup.MarkupError, match="at least one check"):
        markup.parse_spec(nb)
    nb.cells[4].source = "check.q1(f, cases=make_cases())"
    with pytest.raises(markup.MarkupError, match="literal"):
        markup.parse_spec(nb)


# ------------------------------------------------------------------------------ learner checks
def test_plain_data_round_trip():
    value = (np.arange(6.0).reshape(2, 3), 1.5, [np.float32(2), None], {"a": "b"}, {"x", "y"})
    back = from_plain(json.loads(json.dumps(to_plain(value))))
    assert np.array_equal(back[0], value[0]) and back[1] == 1.5 and back[2][0] == 2.0 and back[2][1] is None
    assert back[3] == {"a": "b"} and back[4] == {"x", "y"}


def test_compare_names_the_likely_mistake_without_giving_values():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(4, 3))
    cases = {
        "wrong sign": -e, "times too large": 5 * e, "times too small": e / 5, "transposed": e.T,
        "factor of 2": 2 * e, "batch axis": np.stack([e] * 5), "NaN": np.where(e > 0, np.nan, e),
        "forgot the activation": e * 0.3 + 1,
    }
    for expected_words, answer in cases.items():
        message = compare(answer, e, name="dW", batch=5,
                          mistakes=[("you forgot the activation's derivative.", e * 0.3 + 1)])
        key = "activation" if expected_words == "forgot the activation" else expected_words
        assert message and key in message, (expected_words, message)
        for v in e.ravel():
            assert f"{v:.3f}" not in message and f"{v:.2f}" not in message
    assert compare(e + 1e-12, e, name="dW") is None
    assert "None" in compare(None, e, name="dW")


def test_check_in_the_notebook_prints_or_raises_and_stubs_raise_not_implemented(capsys):
    from backproplab.grading.checks import ex04_dense_backward as check

    check.q2(lambda x, W, b, dout: (dout @ W.T, x.T @ dout, dout.sum(axis=0)))
    assert "\u2714 q2 (dense_backward)" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="transposed"):
        check.q2(lambda x, W, b, dout: (dout @ W.T, dout.T @ x, dout.sum(axis=0)))
    with pytest.raises(CheckFailed, match="activation's derivative"):
        check.q3(lambda x, W, b, dout: (dout @ W.T, x.T @ dout, dout.sum(axis=0)))

    def stub(*args):
        raise NotImplementedError("Exercise")

    with pytest.raises(NotImplementedError):
        check.q1(stub)
    assert isinstance(CheckFailed("x"), AssertionError)  # nbgrader counts it as a failed test


def test_optimizer_references_match_the_library_over_several_steps():
    from backproplab import optimizers
    from backproplab.grading.checks import ex06_optimizers as ex

    rng = np.random.default_rng(1)
    for make, step in [
        (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9),
         lambda w, g, s, t: ex._sgd(w, g, s[0], 0.1, 0.9)),
        (lambda: optimizers.RMSprop(learning_rate=0.01),
         lambda w, g, s, t: ex._rms(w, g, s[0], 0.01, 0.9, 1e-7)),
        (lambda: optimizers.Adam(learning_rate=0.01),
         lambda w, g, s, t: ex._adam(w, g, s[0], s[1], t, 0.01, 0.9, 0.999, 1e-7)),
    ]:
        w_lib = rng.normal(size=5)
        w, state, opt = w_lib.copy(), [np.zeros(5), np.zeros(5)], make()
        for t in range(1, 5):
            g = rng.normal(size=5) * (1e-4 if t % 2 else 1.0)
            opt.step([w_lib], [g])
            w, *new = step(w, g, state, t)
            state = new + state[len(new):]
        np.testing.assert_allclose(w, w_lib, rtol=1e-12, atol=1e-14)


def test_reference_gradients_agree_with_central_differences():
    from backproplab.gradcheck import numerical_gradient
    from backproplab.grading.checks import ex04_dense_backward as ex04
    from backproplab.grading.checks import ex08_gradient_checker as ex08

    args = ex08._inputs(np.random.default_rng(3))
    f, x = args["f"], args["x"]
    np.testing.assert_allclose(f.gradient(x), numerical_gradient(lambda: f(x), x), rtol=1e-6, atol=1e-8)
    inputs = ex04._inputs(np.random.default_rng(4))
    x, W, b, dout = inputs.values()
    dx, dW, db = ex04._backward(x, W, b, dout, "sigmoid")
    loss = lambda: float(np.sum(1 / (1 + np.exp(-(x @ W + b))) * dout))  # noqa: E731
    np.testing.assert_allclose(dW, numerical_gradient(loss, W), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------------------ planted submissions
def _replace(nb, grade_id, old, new):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            assert old in cell.source, (grade_id, old)
            cell.source = cell.source.replace(old, new)
            return nb
    raise KeyError(grade_id)


def _prepend(nb, grade_id, code):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = code + "\n" + cell.source
            return nb
    raise KeyError(grade_id)


WRONG_DW = ("dW = x.T @ dout\n", "dW = x.T @ dout / len(x)\n")
TESTS = ("ex04_q1", "ex04_q2", "ex04_q3")


def _planted():
    """name -> (notebook or raw bytes, expected total out of 6, expected status)."""
    sol = nbformat.read(EX04, as_version=4)
    fresh = lambda: copy.deepcopy(sol)  # noqa: E731
    planted = {"correct": (fresh(), 6, "graded")}
    planted["wrong_answer"] = (_replace(fresh(), "ex04_q3_answer", "dz = dout * a * (1 - a)", "dz = dout"), 4, "graded")
    planted["wrong_sign"] = (_replace(fresh(), "ex04_q2_answer", "dx = dout @ W.T", "dx = -(dout @ W.T)"), 1, "graded")
    planted["crash"] = (_prepend(fresh(), "ex04_q2_answer", "np.linalg.inv(np.zeros((2, 2)))"), 1, "graded")
    planted["infinite_loop"] = (_prepend(fresh(), "ex04_q2_answer", "while True:\n    pass"), 1, "graded")
    planted["sys_exit"] = (_prepend(fresh(), "ex04_q3_answer", "import sys\nsys.exit(1)"), 4, "graded")
    planted["os_exit"] = (_prepend(fresh(), "ex04_q3_answer", "import os\nos._exit(0)"), 4, "graded")
    nb = _replace(fresh(), "ex04_q2_answer", *WRONG_DW)
    planted["tamper_allclose"] = (_prepend(nb, "ex04_q2_answer", (
        "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
        "np.array_equal = lambda *a, **k: True\nimport builtins\nbuiltins.AssertionError = Warning")), 1, "graded")
    nb = _replace(fresh(), "ex04_q2_answer", *WRONG_DW)
    planted["tamper_checks"] = (_prepend(nb, "ex04_q2_answer", (
        "import backproplab.grading.core as core\ncore.compare = lambda *a, **k: None\n"
        "core.close = lambda *a, **k: True\n"
        "core.FunctionQuestion.judge = lambda self, data, cases=None: core.Verdict(True, 'ok', 1, 1)\n"
        "check.q1 = check.q2 = check.q3 = lambda *a, **k: print('\u2714 correct')")), 1, "graded")
    planted["tamper_checks_correct"] = (_prepend(fresh(), "ex04_q2_answer", (
        "check.q1 = check.q2 = check.q3 = None\nimport backproplab.grading.checks.ex04_dense_backward as m\n"
        "m.q1 = m.q2 = m.q3 = None")), 6, "graded")
    nb = fresh()
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in TESTS]
    planted["deleted_tests"] = (nb, 6, "graded")
    nb = _replace(fresh(), "ex04_q2_answer", *WRONG_DW)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in TESTS:
            cell.source = "print('\u2714 all correct')"
    planted["edited_tests"] = (nb, 1, "graded")
    nb = _replace(fresh(), "ex04_q2_answer", *WRONG_DW)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    nb.metadata.pop("backproplab", None)
    planted["metadata_stripped_ex04_dense_backward"] = (nb, 1, "graded")
    planted["invalid_json"] = (b'{"cells": [ {"cell_type": "code", "source": "x = 1"', 0, "invalid")
    planted["not_a_notebook"] = (b'{"hello": "world"}', 0, "invalid")
    return planted


def make_planted(folder):
    """Write the planted submissions into ``folder``; returns {path: (expected total, expected status)}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (content, total, status) in _planted().items():
        path = folder / f"{name}.ipynb"
        path.write_bytes(content if isinstance(content, bytes) else release.notebook_bytes(content))
        out[path] = (total, status)
    return out


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded_planted(tmp_path_factory):
    from backproplab.grading.grader import Grader

    folder = tmp_path_factory.mktemp("planted")
    expected = make_planted(folder)
    before = {p: _sha(p) for p in expected}
    grader = Grader(SOLUTIONS, cell_timeout=3, notebook_timeout=40, exercise=None)
    results = {Path(r.path).stem: r for r in grader.grade_many(list(expected), jobs=3)}
    after = {p: _sha(p) for p in expected}
    return expected, results, before, after


def test_planted_submissions_get_their_honest_scores(graded_planted):
    expected, results, _, _ = graded_planted
    got = {name: (r.total, r.status) for name, r in results.items()}
    want = {p.stem: v for p, v in expected.items()}
    assert got == want


def test_the_grader_never_modifies_a_submission(graded_planted):
    _, _, before, after = graded_planted
    assert before == after


def test_planted_reasons_are_reported(graded_planted):
    _, results, _, _ = graded_planted
    notes = {name: " ".join(r.notes) + " " + " ".join(m for q in r.questions for m in q.messages)
             for name, r in results.items()}
    assert "LinAlgError" in notes["crash"]
    assert "time limit" in notes["infinite_loop"]
    assert "SystemExit" in notes["sys_exit"]
    assert "kernel died" in notes["os_exit"]
    assert "deleted" in notes["deleted_tests"]
    assert "edited" in notes["edited_tests"]
    assert "not a valid notebook" in notes["invalid_json"]
    assert "1/N" in notes["tamper_checks"] or "sum over the batch" in notes["tamper_checks"]
    assert "wrong sign" in notes["wrong_sign"]
    assert "activation's derivative" in notes["wrong_answer"]
    q = {q.grade_id: q.score for q in results["os_exit"].questions}
    assert q == {"ex04_q1": 1, "ex04_q2": 3, "ex04_q3": 0}


def test_cli_grade_writes_csv_and_feedback_and_exit_codes(tmp_path, capsys):
    from backproplab.cli import main

    expected = make_planted(tmp_path / "subs")
    keep = [p for p in expected if p.stem in ("correct", "wrong_sign", "invalid_json")]
    out = tmp_path / "out" / "grades.csv"
    args = ["grade", *map(str, keep), "--out", str(out), "--solutions", str(SOLUTIONS), "--cell-timeout", "5",
            "--jobs", "3", "-q"]
    assert main(args) == 3  # the table is written, but one file was not a notebook
    import csv

    rows = {Path(r["submission"]).stem: r for r in csv.DictReader(out.open())}
    assert rows["correct"]["total"] == "6" and rows["correct"]["max"] == "6"
    assert (rows["wrong_sign"]["ex04_q1"], rows["wrong_sign"]["ex04_q2"], rows["wrong_sign"]["total"]) == ("1", "0", "1")
    assert rows["invalid_json"]["status"] == "invalid"
    feedback = sorted((tmp_path / "out" / "grades_feedback").glob("*.md"))
    assert len(feedback) == 3
    text = (tmp_path / "out" / "grades_feedback" / "wrong_sign.ipynb.feedback.md").read_text()
    assert "wrong sign" in text and "1 / 6" in text
    capsys.readouterr()
    assert main(["grade", str(keep[0]), "--solutions", str(tmp_path / "nowhere")]) == 2
    assert "solutions" in capsys.readouterr().err
    assert main(["grade", str(keep[0]), "--solutions", str(SOLUTIONS), "--kernel", "no-such-kernel"]) == 4
    assert "kernel" in capsys.readouterr().err
    assert main(["grade", str(keep[0]), "--solutions", str(SOLUTIONS), "--exercise", "ex99_nothing"]) == 2


def test_cli_release_check_and_doctor(tmp_path, capsys):
    from backproplab.cli import main

    sol = ["--solutions", str(SOLUTIONS), "--exercises", str(tmp_path)]
    assert main(["release", "ex04_dense_backward", *sol, "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["release", "ex04_dense_backward", *sol]) == 0 and (tmp_path / "ex04_dense_backward.ipynb").exists()
    assert main(["release", "ex04_dense_backward", *sol, "--check"]) == 0
    assert main(["release", "--solutions", str(tmp_path / "nowhere")]) == 2
    assert main(["doctor"]) == 0 and "numpy" in capsys.readouterr().out
    assert main([]) == 2
    # the console script itself (declared in pyproject.toml)
    proc = subprocess.run([sys.executable, "-m", "backproplab.cli", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "backproplab" in proc.stdout


def test_a_loop_that_swallows_interrupts_is_stopped_by_the_notebook_time_limit(tmp_path):
    from backproplab.grading.grader import Grader

    nb = _prepend(nbformat.read(EX04, as_version=4), "ex04_q2_answer",
                  "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass")
    path = tmp_path / "stubborn_loop.ipynb"
    path.write_bytes(release.notebook_bytes(nb))
    result = Grader(SOLUTIONS, cell_timeout=2, notebook_timeout=8).grade(path)
    assert (result.status, result.total) == ("graded", 1)
    assert "time limit" in result.reason()
    assert result.seconds < 60  # 8 s of budget, plus the kernel start and kill on a loaded machine


# ------------------------------------------------------------------------------ planted: conv and BPTT
PLANTED_LATER = {
    # name: (solution, answer cell, old, new, expected {question: score}, words in the feedback)
    "forgot_flip": ("ex09_conv_backward", "ex09_q3_answer", "K[::-1, ::-1]", "K",
                    {"ex09_q1": 1, "ex09_q2": 2, "ex09_q3": 0, "ex09_q4": 0, "ex09_q5": 2}, "forgot to flip"),
    "truncated_bptt": ("ex10_bptt_step", "ex10_q3_answer", "for t in range(steps - 1, -1, -1):",
                       "for t in range(steps - 1, steps - 2, -1):",
                       {"ex10_q1": 1, "ex10_q2": 2, "ex10_q3": 0, "ex10_q4": 2}, "truncated BPTT"),
}


def test_planted_conv_and_bptt_mistakes_are_scored_and_named(tmp_path):
    from backproplab.grading.grader import Grader

    paths = {}
    for name, (stem, gid, old, new, _, _) in PLANTED_LATER.items():
        nb = _replace(nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4), gid, old, new)
        paths[name] = tmp_path / f"{stem}_{name}.ipynb"
        paths[name].write_bytes(release.notebook_bytes(nb))
    grader = Grader(SOLUTIONS, cell_timeout=20, notebook_timeout=120, exercise=None)
    by_path = {Path(r.path).name: r for r in grader.grade_many(list(paths.values()), jobs=1)}
    results = {name: by_path[path.name] for name, path in paths.items()}
    for name, (_, _, _, _, scores, words) in PLANTED_LATER.items():
        r = results[name]
        assert {q.grade_id: q.score for q in r.questions} == scores, name
        assert words in " ".join(m for q in r.questions for m in q.messages), name
