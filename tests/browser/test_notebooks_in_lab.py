"""Each lecture notebook with a widget, in JupyterLab in Chromium, as a learner uses it:
open it, Run All from the menu, see no error and every plot, then play with every widget demo
and see its drawing change. Notebooks are discovered, not listed: any numbered notebook whose
code uses ``backproplab.widgets`` or ipywidgets is tested, and each playground it calls is
exercised. Screenshots: ``<SCREENSHOT_DIR>/<notebook>__<step>.png``."""
import re
import time

import nbformat
import pytest

from ._lab import NOTEBOOKS, PLAYGROUNDS, WIDGET_NOTEBOOKS, lecture_notebooks, playgrounds_in, uses_widgets

pytestmark = pytest.mark.browser

WIDGET_NBS = [p for p in lecture_notebooks() if uses_widgets(p)]
DEMOS = {name: [p for p in WIDGET_NBS if name in playgrounds_in(p)] for name in PLAYGROUNDS}


def _ids(paths):
    return [p.stem for p in paths]


# ---------------------------------------------------------------------------- the notebooks
def test_every_playground_has_a_notebook():
    """The course shows every playground somewhere, and the widget chapters really have widgets."""
    stems = {p.stem: p for p in lecture_notebooks()}
    lacking = [s for s in WIDGET_NOTEBOOKS if s in stems and not uses_widgets(stems[s])]
    assert not lacking, (f"{lacking} should show widget playgrounds but none of their code cells uses "
                         "backproplab.widgets or ipywidgets")
    missing = [name for name, nbs in DEMOS.items() if not nbs]
    assert not missing, (f"no lecture notebook in {NOTEBOOKS} calls {missing} "
                         f"(widget notebooks found: {_ids(WIDGET_NBS) or 'none'})")


def _cells_with_pictures(path):
    """Indices of the cells whose committed outputs include a picture outside any widget."""
    nb = nbformat.read(path, as_version=4)
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any(k.startswith("image/") for o in c.get("outputs", []) for k in o.get("data", {}))]


@pytest.mark.parametrize("path", WIDGET_NBS, ids=_ids(WIDGET_NBS))
def test_run_all(opened, path):
    run = opened(path.name)
    nb = run.nb
    assert not run.errors(), f"{path.name}: error output after Run All:\n" + "\n---\n".join(run.errors())
    if run.stderr:
        print(f"{path.name}: stderr (warnings) after Run All:", *run.stderr, sep="\n")
    prompts = nb.code_prompts().all_inner_texts()
    unrun = [i for i, t in enumerate(prompts) if not re.match(r"^\[\d+\]:$", t)]
    assert not unrun, f"{path.name}: code cells {unrun} did not run (prompts {prompts})"
    # every figure the committed notebook shows is drawn again, and decodes
    for index in _cells_with_pictures(path):
        imgs = nb.cell(index).locator(".jp-OutputArea-output img")
        assert imgs.count() > 0, f"{path.name}: cell {index} showed a figure when committed but none now"
        assert imgs.first.evaluate("i => i.complete && i.naturalWidth > 0"), f"cell {index}: image not decoded"
    shown = nb.panel.locator(".jp-OutputArea-output img")
    assert shown.count() > 0, f"{path.name}: no figure at all after Run All"
    assert all(shown.evaluate_all("l => l.map(i => i.complete && i.naturalWidth > 0)"))
    # every widget rendered as a widget (not its text fallback, not an error box)
    texts = "\n".join(nb.panel.locator(".jp-OutputArea-output").all_inner_texts())
    for bad in ("Error displaying widget", "Loading widget...", "interactive(children=", "VBox(children="):
        assert bad not in texts, f"{path.name}: a widget did not render: {bad!r} in the outputs"
    assert nb.widget_views().count() > 0, f"{path.name}: uses widgets but no widget is shown"
    nb.widget_views().first.scroll_into_view_if_needed()
    nb.screenshot("03_first_widget")
    print(f"{path.name}: Run All in {run.seconds:.1f} s, {run.n_code} code cells, "
          f"{shown.count()} figures, timings {nb.timings}")


# ---------------------------------------------------------------------------- the demos
def _demo(opened, path, name):
    """The notebook page (after Run All) and the root widget of the cell that calls ``name``."""
    run = opened(path.name)
    assert not run.errors(), f"{path.name}: Run All failed, so the {name} demo cannot be tried"
    src = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(src.cells)
                 if c.cell_type == "code" and re.search(rf"\b{name}\s*\(", c.source))
    cell = run.nb.cell(index)
    root = cell.locator(".jp-OutputArea-output > .jupyter-widgets").first
    assert root.count() == 1, (f"{path.name}: the cell calling {name}() (cell {index}) shows no widget; "
                               f"its output reads: {cell.locator('.jp-OutputArea').inner_text()[:500]!r}")
    root.scroll_into_view_if_needed()
    return run.nb, root


def _label(locator):
    return " ".join(locator.locator(".widget-label, label").all_inner_texts()).strip()


@pytest.mark.parametrize("path", DEMOS["learning_rate_explorer"], ids=_ids(DEMOS["learning_rate_explorer"]))
def test_learning_rate_slider(opened, path):
    """Move the learning-rate slider by keyboard and by drag; the plot changes each time."""
    from ._ui import drawing, wait_for_new_drawing

    nb, root = _demo(opened, path, "learning_rate_explorer")
    sliders = root.locator(".widget-slider")
    assert sliders.count() > 0, "no slider in the learning-rate explorer"
    chosen = [i for i in range(sliders.count())
              if re.search(r"learn|rate|\blr\b|η|eta", _label(sliders.nth(i)), re.I)]
    slider = sliders.nth(chosen[0] if chosen else 0)
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout")
    before = drawing(root)
    assert before, "the learning-rate explorer shows no plot"
    value0 = readout.inner_text()
    nb.screenshot("lr_0_before", root)

    t0 = time.monotonic()
    handle.focus()
    for _ in range(3):
        nb.page.keyboard.press("ArrowRight")
    after_keys = wait_for_new_drawing(root, before, what="plot after 3 x ArrowRight on the slider")
    value1 = readout.inner_text()
    t_keys = time.monotonic() - t0
    assert value1 != value0, f"readout still {value0!r} after the arrow keys"
    nb.screenshot("lr_1_after_keys", root)

    box = handle.bounding_box()
    track = slider.locator(".noUi-base").bounding_box()
    frac = (box["x"] + box["width"] / 2 - track["x"]) / track["width"]
    target = 0.9 if frac < 0.8 else 0.25  # 0.9 of a log slider: a large rate, a very different path
    y = box["y"] + box["height"] / 2
    t0 = time.monotonic()
    nb.page.mouse.move(box["x"] + box["width"] / 2, y)
    nb.page.mouse.down()
    nb.page.mouse.move(track["x"] + target * track["width"], y, steps=10)
    nb.page.mouse.up()
    after_drag = wait_for_new_drawing(root, after_keys, what="plot after dragging the slider")
    value2 = readout.inner_text()
    t_drag = time.monotonic() - t0
    assert value2 != value1, f"readout still {value1!r} after the drag"
    nb.screenshot("lr_2_after_drag", root)
    assert len({before, after_keys, after_drag}) == 3
    print(f"{path.name}: learning rate {value0} -> {value1} (keys, plot settled in {t_keys:.1f} s) "
          f"-> {value2} (drag to {target:.0%}, {t_drag:.1f} s)")


_STEP = re.compile(r"forward|backward|update|step|next|run", re.I)
_NOT_STEP = re.compile(r"reset|restart|prev|undo|clear", re.I)


@pytest.mark.parametrize("path", DEMOS["three_neuron_stepper"], ids=_ids(DEMOS["three_neuron_stepper"]))
def test_three_neuron_stepper(opened, path):
    """Step the three-neuron network forward with its buttons; the drawing changes at every step."""
    from ._ui import drawing, wait_for_new_drawing

    nb, root = _demo(opened, path, "three_neuron_stepper")
    buttons = root.locator("button")
    labels = buttons.all_inner_texts()
    steppers = [i for i, t in enumerate(labels) if _STEP.search(t) and not _NOT_STEP.search(t)]
    assert steppers, f"no step button in the three-neuron playground (buttons: {labels})"
    now = drawing(root)
    assert now, "the three-neuron playground shows no drawing"
    nb.screenshot("stepper_0", root)
    clicked = []
    for k in range(3):  # e.g. forward, backward, update; or three presses of a single "step"
        enabled = [i for i in steppers if buttons.nth(i).is_enabled()]
        assert enabled, f"every step button is disabled after {clicked}"
        i = enabled[k % len(enabled)] if len(enabled) > 1 else enabled[0]
        t0 = time.monotonic()
        buttons.nth(i).click()
        now = wait_for_new_drawing(root, now, what=f"drawing after clicking {labels[i]!r}")
        clicked.append(f"{labels[i].strip()} ({time.monotonic() - t0:.1f} s)")
        nb.screenshot(f"stepper_{k + 1}", root)
    print(f"{path.name}: clicked {', '.join(clicked)}; the drawing changed every time")


@pytest.mark.parametrize("path", DEMOS["optimizer_race"], ids=_ids(DEMOS["optimizer_race"]))
def test_optimizer_race(opened, path):
    """Change a setting of the optimizer race (an optimizer choice or a learning rate); the plot changes."""
    from ._ui import drawing, wait_for_new_drawing

    nb, root = _demo(opened, path, "optimizer_race")
    before = drawing(root)
    assert before, "the optimizer race shows no plot"
    nb.screenshot("race_0", root)
    t0 = time.monotonic()
    selects = root.locator("select")
    checkboxes = root.locator("input[type=checkbox]")
    toggles = root.locator(".widget-toggle-buttons button:not(.mod-active)")
    if selects.count():
        select = selects.first
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.multiple ? [...s.selectedOptions].map(o => o.text) : [s.value]")
        other = next(o for o in options if o not in current)
        if select.evaluate("s => s.multiple"):
            select.select_option(label=current + [other])
        else:
            select.select_option(label=other)
        what = f"chose {other!r} in a list of {options}"
    elif checkboxes.count():
        checkboxes.first.click()
        what = "clicked a checkbox"
    elif toggles.count():
        what = f"chose {toggles.first.inner_text()!r}"
        toggles.first.click()
    else:
        handle = root.locator(".noUi-handle").first
        handle.focus()
        nb.page.keyboard.press("ArrowRight")
        what = "moved a slider"
    try:
        after = wait_for_new_drawing(root, before, timeout=8, what=f"plot after: {what}")
    except AssertionError:
        go = root.locator("button").filter(has_text=re.compile(r"run|race|start|go|play", re.I))
        if not go.count():
            raise
        go.first.click()
        what += f", then clicked {go.first.inner_text()!r}"
        after = wait_for_new_drawing(root, before, what=f"plot after: {what}")
    nb.screenshot("race_1_after", root)
    assert after != before
    print(f"{path.name}: {what}; plot changed and settled in {time.monotonic() - t0:.1f} s")
