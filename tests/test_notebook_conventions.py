"""Structural conventions of the lecture notebooks (their execution is checked by nbval).

Each notebook: opens with its goals and prerequisites, closes with check-your-understanding
questions, was executed top to bottom in one fresh kernel (execution counts 1, 2, 3, ... in
order), carries no error output, and has outputs committed so it reads well before it is run.
"""
import json
import re

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_goals_first_and_questions_last(path):
    cells = _load(path)["cells"]
    first = _text(cells[0]).lower()
    assert cells[0]["cell_type"] == "markdown" and "goal" in first and "prerequisite" in first, \
        f"{path.name}: the first cell should state the goals and prerequisites"
    tail = " ".join(_text(c).lower() for c in cells[-4:] if c["cell_type"] == "markdown")
    assert "check your understanding" in tail, f"{path.name}: end with 'check your understanding' questions"
    assert "summary" in tail, f"{path.name}: end with a summary"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_in_order_in_one_fresh_kernel(path):
    nb = _load(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and _text(c).strip()]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: re-run with `python3 tasks.py execute`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_error_output_and_figures_present(path):
    nb = _load(path)
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    stderr = [o for o in outputs if o.get("name") == "stderr" and "Warning" in "".join(o.get("text", ""))]
    assert not stderr, f"{path.name}: a warning was committed: {stderr[0]['text']}"
    if any("plt." in _text(c) or "plotting." in _text(c) for c in nb["cells"] if c["cell_type"] == "code"):
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: plots but no figure output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_derivation_is_followed_by_a_check(path):
    """A markdown cell with a display equation is followed by a code cell before the next one."""
    cells = _load(path)["cells"]
    display = re.compile(r"\$\$|\\begin\{(align|equation)")
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and display.search(_text(cell)):
            for later in cells[i + 1:]:
                if later["cell_type"] == "code":
                    break
                assert not display.search(_text(later)), \
                    f"{path.name}, cell {i}: a formula with no code cell to check it before the next formula"
            else:
                raise AssertionError(f"{path.name}, cell {i}: a formula with no code cell after it")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_links_to_other_notebooks_resolve(path):
    for cell in _load(path)["cells"]:
        if cell["cell_type"] == "markdown":
            for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", _text(cell)):
                assert (path.parent / target).exists(), f"{path.name} links to a missing {target}"
