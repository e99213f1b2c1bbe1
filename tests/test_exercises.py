"""The exercises: solutions/ run clean under nbval and score full marks; exercises/ are exactly what
`backproplab release` makes of them, leak nothing, raise only NotImplementedError, and score zero."""
import ast
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from backproplab.grading import markup, release

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
STEMS = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))

pytestmark = pytest.mark.notebooks


def test_there_are_at_least_eight_exercises_with_two_to_five_questions_each():
    assert len(STEMS) >= 8
    for stem in STEMS:
        nb = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
        specs = markup.parse_spec(nb, where=stem)
        assert 2 <= len(specs) <= 5, stem
        assert all(s.grade_id.startswith(stem.split("_")[0] + "_") for s in specs), stem
        assert any(c.hidden for s in specs for c in s.calls), f"{stem} has no hidden tests"
        assert nb.cells[0].cell_type == "markdown" and "Goals" in nb.cells[0].source


def test_exercises_are_up_to_date_with_the_solutions():
    """Regenerate every student copy in memory and compare bytes: any drift fails."""
    for stem in STEMS:
        fresh = release.release_file(SOLUTIONS / f"{stem}.ipynb")
        on_disk = (EXERCISES / f"{stem}.ipynb").read_bytes()
        assert fresh == on_disk, f"exercises/{stem}.ipynb is out of date: run `backproplab release`"
    assert sorted(p.stem for p in EXERCISES.glob("*.ipynb")) == STEMS, "an exercise without a solution"


def _regions(source, begin, end):
    lines = source.split("\n")
    inside, out = False, []
    for line in lines:
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            out.append(line.strip())
    return out


def test_no_solution_line_or_hidden_test_leaks_into_a_student_copy():
    for stem in STEMS:
        sol = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
        ex = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
        secret, public = set(), set()
        for cell in sol.cells:
            s = _regions(cell.source, markup.BEGIN_SOLUTION, markup.END_SOLUTION)
            h = _regions(cell.source, markup.BEGIN_HIDDEN, markup.END_HIDDEN)
            secret.update(s + h)
            stripped, _ = markup.strip_hidden(markup.strip_solution(cell.source, cell.cell_type)[0])
            public.update(line.strip() for line in stripped.split("\n"))
        secret = {line for line in secret if line and line not in public}
        assert secret, stem
        student_lines = {line.strip() for cell in ex.cells for line in cell.source.split("\n")}
        leaked = secret & student_lines
        assert not leaked, f"{stem} leaks {sorted(leaked)[:3]}"
        text = nbformat.writes(ex)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        for cell in ex.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
                assert "cases=" not in cell.source  # hidden test inputs stay in solutions/


def test_solutions_pass_nbval(tmp_path):
    """Every solution runs top to bottom and reproduces its stored outputs (strict nbval).
    Two pytest processes share the notebooks, as a learner's JupyterLab would run them (inline plots)."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    procs = []
    for part in (STEMS[0::2], STEMS[1::2]):
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
               "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
               "--rootdir", str(tmp_path), *[str(SOLUTIONS / f"{s}.ipynb") for s in part]]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      cwd=tmp_path, env=env))
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, out[-5000:]


def _run_student_copy(stem):
    from nbclient import NotebookClient

    for attempt in range(3):
        nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
        with tempfile.TemporaryDirectory() as cwd:
            try:
                NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=False,
                               resources={"metadata": {"path": cwd}}).execute()
                return nb
            except RuntimeError as exc:  # "Kernel died before replying": a port race, not the notebook
                if "before replying" not in str(exc) or attempt == 2:
                    raise


@pytest.fixture(scope="module")
def executed_student_copies():
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(STEMS, pool.map(_run_student_copy, STEMS)))


@pytest.mark.parametrize("stem", STEMS)
def test_student_copy_raises_only_not_implemented_and_every_tagged_cell_does(stem, executed_student_copies):
    """nbclient stops on any error in an untagged cell; each tagged cell must really raise
    NotImplementedError (the tag alone would let anything through)."""
    nb = executed_student_copies[stem]
    tagged = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            tagged += 1
            assert [e.ename for e in errors] == ["NotImplementedError"], (stem, i, cell.source)
        else:
            assert not errors, (stem, i)
    assert tagged >= 2


def test_every_stub_raises_not_implemented_error_when_called():
    """Each stub sits where the solution was, so calling the stubbed function (or running the
    stubbed top-level code) raises NotImplementedError."""
    for stem in STEMS:
        ex = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
        stubs = 0
        for cell in ex.cells:
            if cell.cell_type != "code" or "raise NotImplementedError" not in cell.source:
                continue
            stubs += 1
            tree = ast.parse(cell.source)
            for node in ast.walk(tree):
                if isinstance(node, ast.Raise):
                    assert isinstance(node.exc, ast.Call) and node.exc.func.id == "NotImplementedError"
        nb_sol = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
        assert stubs == sum(markup.BEGIN_SOLUTION in c.source for c in nb_sol.cells), stem


def test_every_solution_scores_full_marks_and_every_unsolved_exercise_zero():
    from backproplab.grading.grader import Grader

    grader = Grader(SOLUTIONS, cell_timeout=20, notebook_timeout=120)
    results = grader.grade_many([d / f"{stem}.ipynb" for stem in STEMS for d in (SOLUTIONS, EXERCISES)], jobs=3)
    for stem, solved, unsolved in zip(STEMS, results[0::2], results[1::2]):
        assert (solved.status, solved.total) == ("graded", solved.max_points), (stem, solved.notes,
                                                                                [q.messages for q in solved.questions])
        assert (unsolved.status, unsolved.exercise, unsolved.total) == ("graded", stem, 0), stem
        assert all(q.score == 0 for q in unsolved.questions)
