"""Read the markup of a solution notebook: answers, hidden tests, and the graded questions.

A solution notebook (``solutions/exNN_topic.ipynb``) uses nbgrader's conventions, so that an
instructor who runs nbgrader can drop it into a course as it is:

* an **answer cell** has ``"nbgrader": {"solution": true, "grade": false, "locked": false, ...}``
  and its answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (lines of their own);
* a **test cell** has ``"nbgrader": {"grade": true, "solution": false, "locked": true,
  "points": P, "grade_id": "exNN_qK", ...}``; it calls the public check, and the calls on hidden
  inputs sit between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

The **spec** of a question is its test cell. Every top-level call there of the form::

    check.q2(dense_backward)                                   # the public case(s)
    check.q2(dense_backward, cases=[{"seed": 11, "n": 1}])     # inside the hidden block

where ``check`` was bound by ``from backproplab.grading.checks import exNN_topic as check``,
says: "probe the answer expression ``dense_backward`` with question ``q2`` of that module, on
these cases". ``cases`` must be a literal (a list of dicts of numbers and strings). The question
earns its points when every such call in its test cell passes. Nothing else in a test cell is
read by the grader (nbgrader runs the cell as it is, which gives the same result).
"""
import ast
import re

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", 'raise NotImplementedError("Exercise: replace this line with your answer")')
MARKDOWN_STUB = "YOUR ANSWER HERE"
CHECKS_MODULE = "backproplab.grading.checks"
RAISES_TAG = "raises-exception"


class MarkupError(ValueError):
    """A solution notebook's markers or metadata are inconsistent."""


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test_cell(cell):
    return cell.get("cell_type") == "code" and bool(nbgrader_meta(cell).get("grade"))


def is_answer_cell(cell):
    return bool(nbgrader_meta(cell).get("solution"))


def _regions(lines, begin, end, where):
    """Yield (start, stop) line indices of the regions between begin/end markers (inclusive)."""
    start = None
    for i, line in enumerate(lines):
        if begin in line:
            if start is not None:
                raise MarkupError(f"{where}: '{begin}' inside another one (line {i + 1})")
            start = i
        elif end in line:
            if start is None:
                raise MarkupError(f"{where}: '{end}' without '{begin}' (line {i + 1})")
            yield start, i
            start = None
    if start is not None:
        raise MarkupError(f"{where}: '{begin}' is never closed")


def strip_solution(source, cell_type, where="cell"):
    """Replace each solution region with the stub, at the marker's indentation.

    Returns ``(new_source, n_regions)``.
    """
    lines = source.split("\n")
    regions = list(_regions(lines, BEGIN_SOLUTION, END_SOLUTION, where))
    if not regions:
        return source, 0
    out, prev = [], 0
    for start, stop in regions:
        out.extend(lines[prev:start])
        indent = re.match(r"\s*", lines[start]).group(0)
        stub = CODE_STUB if cell_type == "code" else (MARKDOWN_STUB,)
        out.extend(indent + s for s in stub)
        prev = stop + 1
    out.extend(lines[prev:])
    return "\n".join(out), len(regions)


def strip_hidden(source, where="cell"):
    """Remove each hidden-test region, markers included. Returns ``(new_source, n_regions)``."""
    lines = source.split("\n")
    regions = list(_regions(lines, BEGIN_HIDDEN, END_HIDDEN, where))
    if not regions:
        return source, 0
    keep = [True] * len(lines)
    for start, stop in regions:
        for i in range(start, stop + 1):
            keep[i] = False
    new = [line for line, k in zip(lines, keep) if k]
    while new and not new[-1].strip():
        new.pop()
    return "\n".join(new), len(regions)


def raises_at_top_level(source):
    """True when running ``source`` executes a ``raise`` outside any function or class body."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False

    def walk(stmts):
        for node in stmts:
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for field in ("body", "orelse", "finalbody"):
                if walk(getattr(node, field, []) or []):
                    return True
            for handler in getattr(node, "handlers", []) or []:
                if walk(handler.body):
                    return True
        return False

    return walk(tree.body)


def defined_names(source):
    """Names a cell binds at top level (functions, classes, assignments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def used_names(source):
    """Names a cell reads."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


# ------------------------------------------------------------------------------ the spec
class CheckCall:
    """One call ``alias.qname(answer_expr, cases=...)`` found in a test cell."""

    def __init__(self, exercise, qname, answer_source, cases, hidden):
        self.exercise, self.qname = exercise, qname
        self.answer_source, self.cases, self.hidden = answer_source, cases, hidden

    def __repr__(self):
        return f"CheckCall({self.exercise}.{self.qname}({self.answer_source}), cases={self.cases!r}, hidden={self.hidden})"


class QuestionSpec:
    """A graded test cell: its grade_id, points, position, and the check calls it makes."""

    def __init__(self, grade_id, points, cell_index, calls, anchor, public_source):
        self.grade_id, self.points, self.cell_index = grade_id, points, cell_index
        self.calls, self.anchor, self.public_source = calls, anchor, public_source

    def __repr__(self):
        return f"QuestionSpec({self.grade_id!r}, points={self.points}, calls={len(self.calls)})"


def _check_aliases(trees):
    aliases = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == CHECKS_MODULE:
                for a in node.names:
                    aliases[a.asname or a.name] = a.name
    return aliases


def _hidden_lines(source):
    lines = source.split("\n")
    hidden = set()
    for start, stop in _regions(lines, BEGIN_HIDDEN, END_HIDDEN, "test cell"):
        hidden.update(range(start + 1, stop + 2))  # ast line numbers start at 1
    return hidden


def parse_spec(nb, where="notebook"):
    """The list of ``QuestionSpec`` of a solution notebook, in notebook order."""
    trees = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            try:
                trees[i] = ast.parse(cell.source)
            except SyntaxError as exc:
                if is_test_cell(cell):
                    raise MarkupError(f"{where}, cell {i}: test cell is not valid Python ({exc})") from None
    aliases = _check_aliases(trees.values())
    specs, anchor, seen = [], None, set()
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            anchor = meta.get("grade_id")
        if not is_test_cell(cell):
            continue
        gid = meta.get("grade_id")
        if not gid or gid in seen:
            raise MarkupError(f"{where}, cell {i}: a test cell needs a unique nbgrader grade_id (got {gid!r})")
        seen.add(gid)
        points = meta.get("points")
        if not isinstance(points, (int, float)) or points <= 0:
            raise MarkupError(f"{where}, cell {i} ({gid}): nbgrader points should be a positive number")
        hidden = _hidden_lines(cell.source)
        calls = []
        nodes = [n for n in ast.walk(trees[i]) if isinstance(n, ast.Call)]
        for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
            f = node.func
            if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in aliases):
                continue
            if len(node.args) != 1 or any(k.arg != "cases" for k in node.keywords):
                raise MarkupError(f"{where}, cell {i} ({gid}): write checks as {f.value.id}.{f.attr}(answer) "
                                  f"or {f.value.id}.{f.attr}(answer, cases=[...])")
            cases = None
            for k in node.keywords:
                try:
                    cases = ast.literal_eval(k.value)
                except ValueError:
                    raise MarkupError(f"{where}, cell {i} ({gid}): cases= must be a literal list of dicts") from None
            answer_source = ast.get_source_segment(cell.source, node.args[0])
            calls.append(CheckCall(aliases[f.value.id], f.attr, answer_source, cases, node.lineno in hidden))
        if not calls:
            raise MarkupError(f"{where}, cell {i} ({gid}): a test cell must call at least one check "
                              f"(from {CHECKS_MODULE} import <exercise> as check; check.q1(answer))")
        public_source, _ = strip_hidden(cell.source)
        specs.append(QuestionSpec(gid, points, i, calls, anchor, public_source))
    return specs
