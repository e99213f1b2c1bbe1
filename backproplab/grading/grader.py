"""Grade submissions: run each in a fresh kernel, collect answers as plain data, judge them here.

For one submission the grader

1. reads the file (never writes it: its SHA-256 is taken before and after);
2. finds its exercise (``--exercise``, else the notebook's ``backproplab.exercise`` metadata, else
   the file name, else the nbgrader grade_ids) and reads the questions from the SOLUTION notebook
   (``markup.parse_spec``), never from the submission;
3. builds a notebook to run: a first cell of its own, then the submission's code cells in order,
   except its test cells, whose place is taken by one generated probe cell per check call of the
   instructor's test cell (public and hidden). A deleted test cell's probes go right after its
   answer cell (or at the end); an edited one is ignored and noted;
4. runs it in a fresh kernel with a per-cell and a per-notebook time limit, going on after
   errors; a cell still running at its limit is interrupted; a dead kernel ends the run;
5. reads the probes' records (plain JSON data) and judges every check call in this process with
   the checks' ``judge`` (float64 reference, named mistakes). A question earns its points when
   every call of its test cell passes (all or nothing, as in nbgrader).
"""
import csv
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from .core import get_question
from .markup import MarkupError, nbgrader_meta, parse_spec

from . import DEFAULT_CELL_TIMEOUT, DEFAULT_NOTEBOOK_TIMEOUT
MAX_NOTES = 12


class Solution:
    """A solution notebook with its parsed questions."""

    def __init__(self, path):
        self.path = Path(path)
        self.stem = self.path.stem
        self.nb = nbformat.read(self.path, as_version=4)
        self.specs = parse_spec(self.nb, where=self.stem)
        self.max_points = sum(s.points for s in self.specs)
        self.grade_ids = {s.grade_id for s in self.specs}


def load_solutions(folder):
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no solutions folder at {folder}")
    return {s.stem: s for s in (Solution(p) for p in sorted(folder.glob("*.ipynb")))}


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class QuestionResult:
    def __init__(self, grade_id, max_points, score, messages):
        self.grade_id, self.max_points, self.score, self.messages = grade_id, max_points, score, messages


class SubmissionResult:
    """One row of the grade table. ``status``: 'graded', or 'invalid' when it could not be run."""

    def __init__(self, path, exercise=None, status="graded", questions=(), notes=(), seconds=0.0,
                 max_points=None):
        self.path, self.exercise, self.status = str(path), exercise, status
        self.questions = list(questions)
        self.notes = list(notes)
        self.seconds = seconds
        self.max_points = max_points

    @property
    def total(self):
        return sum(q.score for q in self.questions)

    def scores(self):
        return {q.grade_id: q.score for q in self.questions}

    def reason(self):
        return "; ".join(self.notes)


def _preamble(records_path, exercise):
    return ("from backproplab.grading import _record as _bpl_record_module_\n"
            f"_bpl_record_module_.start({str(records_path)!r}, {exercise!r})\n"
            "del _bpl_record_module_")


def _probe_source(index, call):
    return (f"__import__('backproplab.grading._record', fromlist=['record']).record(\n"
            f"    {index}, {call.exercise!r}, {call.qname!r}, lambda: ({call.answer_source}), {call.cases!r})")


def _same_code(a, b):
    norm = lambda s: "\n".join(line.rstrip() for line in s.strip().splitlines())  # noqa: E731
    return norm(a) == norm(b)


class Grader:
    """Grade notebooks against the solutions in ``solutions``.

    cell_timeout: seconds a single cell may run before it is interrupted.
    notebook_timeout: seconds for the whole submission; after that the kernel is stopped.
    """

    def __init__(self, solutions="solutions", cell_timeout=DEFAULT_CELL_TIMEOUT,
                 notebook_timeout=DEFAULT_NOTEBOOK_TIMEOUT, kernel_name="python3", exercise=None):
        self.solutions = load_solutions(solutions) if not isinstance(solutions, dict) else solutions
        self.cell_timeout = float(cell_timeout)
        self.notebook_timeout = float(notebook_timeout)
        self.kernel_name = kernel_name
        self.exercise = exercise
        if exercise is not None and exercise not in self.solutions:
            raise LookupError(f"no solution notebook for exercise {exercise!r}; known: "
                              + ", ".join(sorted(self.solutions)))

    # ------------------------------------------------------------------ which exercise
    def identify(self, path, nb):
        if self.exercise:
            return self.exercise
        meta = (nb.get("metadata", {}) if nb is not None else {}).get("backproplab", {}) or {}
        if isinstance(meta, dict) and meta.get("exercise") in self.solutions:
            return meta["exercise"]
        name = Path(path).name
        matches = [stem for stem in self.solutions if stem in name]
        if matches:
            return max(matches, key=len)
        if nb is not None:
            ids = {nbgrader_meta(c).get("grade_id") for c in nb.get("cells", [])}
            best = max(self.solutions.values(), key=lambda s: len(s.grade_ids & ids), default=None)
            if best is not None and best.grade_ids & ids:
                return best.stem
        return None

    # ------------------------------------------------------------------ one submission
    def grade(self, path):
        start = time.monotonic()
        path = Path(path)
        result = self._grade(path)
        result.seconds = round(time.monotonic() - start, 2)
        return result

    def grade_many(self, paths, jobs=1, on_result=None):
        """Grade several submissions, ``jobs`` at a time (each in its own kernel); results in order."""
        paths = list(paths)
        if jobs <= 1 or len(paths) <= 1:
            results = []
            for p in paths:
                results.append(self.grade(p))
                if on_result:
                    on_result(results[-1])
            return results
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(self.grade, p) for p in paths]
            results = []
            for f in futures:
                results.append(f.result())
                if on_result:
                    on_result(results[-1])
        return results

    def _grade(self, path):
        if not path.is_file():
            return SubmissionResult(path, status="invalid", notes=[f"file not found: {path}"])
        before = sha256(path)
        raw = path.read_bytes()
        nb, problem = _read_notebook(raw)
        exercise = self.identify(path, nb)
        if nb is None:
            sol = self.solutions.get(exercise)
            return SubmissionResult(path, exercise, "invalid", _zero(sol), [f"not a valid notebook: {problem}"],
                                    max_points=sol.max_points if sol else None)
        if exercise is None:
            return SubmissionResult(path, None, "invalid", [], [
                "cannot tell which exercise this is (no backproplab metadata, no known name, no known "
                "grade_id); pass --exercise NAME"])
        sol = self.solutions[exercise]
        notes = [f"notebook format problem (graded anyway): {problem}"] if problem else []
        questions, run_notes = self._run_and_judge(nb, sol)
        notes += run_notes
        if sha256(path) != before:
            notes.append("the submission file changed on disk while it was graded (by its own code?); "
                         "the grader itself never writes it")
        return SubmissionResult(path, exercise, "graded", questions, notes[:MAX_NOTES], max_points=sol.max_points)

    def _plan(self, nb, sol):
        """The cells to run: [(source, origin)], and notes about edited or deleted test cells."""
        specs = {s.grade_id: s for s in sol.specs}
        by_anchor = {}
        for s in sol.specs:
            by_anchor.setdefault(s.anchor, []).append(s)
        plan, notes, placed, probe_index = [], [], set(), 0
        calls = {}

        def place(spec):
            nonlocal probe_index
            placed.add(spec.grade_id)
            for k, call in enumerate(spec.calls):
                calls[probe_index] = (spec, call)
                plan.append((_probe_source(probe_index, call), ("probe", spec.grade_id, probe_index)))
                probe_index += 1

        present = {nbgrader_meta(c).get("grade_id") for c in nb.cells if c.get("cell_type") == "code"}
        for i, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            gid = nbgrader_meta(cell).get("grade_id")
            if gid in specs:
                if gid in placed:
                    continue
                if not _same_code(cell.source, specs[gid].public_source) and \
                        not _same_code(cell.source, sol.nb.cells[specs[gid].cell_index].source):
                    notes.append(f"test cell {gid} was edited; the instructor's tests were used instead")
                place(specs[gid])
                continue
            plan.append((cell.source, ("cell", i, gid)))
            for spec in by_anchor.get(gid, []) if gid else []:
                if spec.grade_id not in present and spec.grade_id not in placed:
                    notes.append(f"test cell {spec.grade_id} was deleted; its tests ran after the answer cell")
                    place(spec)
        for spec in sol.specs:
            if spec.grade_id not in placed:
                notes.append(f"test cell {spec.grade_id} was deleted; its tests ran at the end")
                place(spec)
        return plan, calls, notes

    def _run_and_judge(self, nb, sol):
        plan, calls, notes = self._plan(nb, sol)
        workdir = Path(tempfile.mkdtemp(prefix="backproplab-grade-"))
        try:
            records_path = workdir / "records.jsonl"
            records_path.touch()
            cells = [(_preamble(records_path, sol.stem), ("preamble",))] + plan
            errors, stop = self._execute(cells, workdir)
            records = _read_records(records_path)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        for origin, message in errors:
            if origin[0] == "cell":
                notes.append(f"cell {origin[1]} of the submission: {message}")
            elif origin[0] == "preamble":
                notes.append(f"the grader could not start its recorder: {message}")
        if stop:
            notes.append(stop)
        probe_errors = {origin[2]: message for origin, message in errors if origin[0] == "probe"}
        questions = []
        for spec in sol.specs:
            messages, ok = [], True
            for index, (s, call) in calls.items():
                if s is not spec:
                    continue
                which = "hidden test" if call.hidden else "check"
                verdict_ok, message = _judge_call(call, records.get(index), probe_errors.get(index), stop)
                if not verdict_ok:
                    ok = False
                    messages.append(f"{which}: {message}")
                else:
                    messages.append(f"{which}: \u2714 {message}")
            questions.append(QuestionResult(spec.grade_id, spec.points, spec.points if ok else 0, messages))
        return questions, notes

    def _execute(self, cells, workdir):
        """Run the cells in a fresh kernel. Returns ([(origin, error message)], stop reason or None)."""
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": self.kernel_name, "display_name": self.kernel_name, "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(source) for source, _ in cells]
        origins = [origin for _, origin in cells]
        errors, current = [], {"index": None}

        def on_error(cell, cell_index, execute_reply):
            content = execute_reply.get("content", {}) if execute_reply else {}
            ename, evalue = content.get("ename", "Error"), str(content.get("evalue", ""))
            if ename == "KeyboardInterrupt" or ename == "CellTimeout":
                message = f"stopped after {self.cell_timeout:g} s (time limit per cell; an endless loop?)"
            else:
                message = f"raised {ename}: {evalue[:200]}"
            errors.append((origins[cell_index], message))

        env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
        import subprocess

        # A kernel can die before it answers (another process took its port between jupyter_client
        # choosing it and the kernel binding it: rare, likelier with --jobs). That says nothing
        # about the submission, so start again, up to three times, before giving up.
        for attempt in range(3):
            client = NotebookClient(
                nb, timeout=int(max(1, self.cell_timeout)), kernel_name=self.kernel_name, allow_errors=True,
                interrupt_on_timeout=True, record_timing=False, shutdown_kernel="immediate",
                error_on_timeout={"ename": "CellTimeout", "evalue": "time limit", "traceback": []},
                resources={"metadata": {"path": str(workdir)}})
            client.on_cell_error = on_error
            started = False
            try:
                with client.setup_kernel(env=env, cwd=str(workdir), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL):
                    started = True
                    stop = self._run_cells(client, nb, origins, errors, current)
                break
            except RuntimeError:
                if started or attempt == 2:
                    raise
                time.sleep(0.5 * (attempt + 1))
        return errors, stop

    def _run_cells(self, client, nb, origins, errors, current):
        """Run every cell within the per-cell and per-notebook limits; returns the stop reason or None."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        deadline = time.monotonic() + self.notebook_timeout
        for index, cell in enumerate(nb.cells):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return f"stopped: the whole notebook hit its time limit of {self.notebook_timeout:g} s"
            client.timeout = int(max(1, min(self.cell_timeout, remaining)))
            current["index"] = index
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                where = origins[index]
                at = f"cell {where[1]} of the submission" if where[0] == "cell" else "a check"
                return f"the kernel died while running {at} (os._exit, a crash, or memory); nothing after it ran"
            except CellTimeoutError:
                errors.append((origins[index], f"stopped after {client.timeout} s (time limit)"))
        return None


def _zero(sol):
    if sol is None:
        return []
    return [QuestionResult(s.grade_id, s.points, 0, ["not graded"]) for s in sol.specs]


def _read_notebook(raw):
    """(notebook or None, problem or None). Lenient: a schema problem alone does not stop grading."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"not JSON ({str(exc)[:120]})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "no list of cells"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds
        return None, f"{type(exc).__name__}: {str(exc)[:120]}"
    for cell in nb.cells:
        if not isinstance(cell.get("source", ""), str) or "cell_type" not in cell:
            return None, "a cell without cell_type or source"
    try:
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001
        return nb, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    return nb, None


def _read_records(path):
    records = {}
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("probe"), int):
            records[entry["probe"]] = entry
    return records


def _judge_call(call, record, error, stop):
    if record is None:
        if error:
            return False, f"the check {error}"
        if stop:
            return False, "not reached (see the notes)"
        return False, "no answer was recorded"
    if "error" in record:
        return False, str(record["error"])[:300]
    try:
        question = get_question(call.exercise, call.qname)
        verdict = question.judge(record.get("data", {}), call.cases)
    except Exception as exc:  # noqa: BLE001 - malformed data from the kernel
        return False, f"the answer could not be judged ({type(exc).__name__}: {str(exc)[:120]})"
    return verdict.ok, verdict.message


# ---------------------------------------------------------------------------------- output
def question_columns(results, solutions):
    cols = []
    for stem in sorted({r.exercise for r in results if r.exercise}):
        cols += [s.grade_id for s in solutions[stem].specs if s.grade_id not in cols]
    return cols


def write_csv(results, solutions, out):
    cols = question_columns(results, solutions)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["submission", "exercise", "status"] + cols + ["total", "max", "seconds", "notes"])
        for r in results:
            scores = r.scores()
            w.writerow([r.path, r.exercise or "", r.status]
                       + [_num(scores[c]) if c in scores else "" for c in cols]
                       + [_num(r.total), _num(r.max_points) if r.max_points is not None else "",
                          f"{r.seconds:.1f}", r.reason()])
    return cols


def _num(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def feedback_name(path, common):
    rel = os.path.relpath(os.path.abspath(path), common) if common else Path(path).name
    safe = rel.replace(os.sep, "__").replace("/", "__")
    return safe + ".feedback.md"


def write_feedback(result, folder, name):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# Feedback on {Path(result.path).name}", ""]
    if result.exercise:
        lines.append(f"Exercise `{result.exercise}`: **{_num(result.total)} / "
                     f"{_num(result.max_points) if result.max_points is not None else '?'} points**.")
    else:
        lines.append("This submission could not be matched to an exercise.")
    lines.append("")
    for q in result.questions:
        mark = "\u2714" if q.score == q.max_points else "\u2718"
        lines.append(f"## {mark} {q.grade_id}: {_num(q.score)} / {_num(q.max_points)}")
        lines += [f"- {m}" for m in q.messages]
        lines.append("")
    if result.notes:
        lines.append("## Notes")
        lines += [f"- {n}" for n in result.notes]
        lines.append("")
    path = folder / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def expand_submissions(paths):
    """Files as given; folders become every ``*.ipynb`` below them (sorted, checkpoints skipped)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            out.append(p)
    return out
