"""Driving one notebook in JupyterLab the way a person does, and reading what the page shows."""
import re
import time

from playwright.sync_api import expect

NUMBERED = re.compile(r"^\[\d+\]:$")
IDLE = re.compile(r"^(?!No Kernel).+ \| Idle$")

# What the plot area of a widget shows, as one string: every picture's source, every SVG and
# canvas. Text (slider readouts, labels) is left out, so a change here is a change of the drawing.
_DRAWING_JS = """el => {
  const parts = [];
  for (const n of el.querySelectorAll('img, svg, canvas')) {
    if (n.closest('button, .widget-button, .widget-toggle-buttons')) continue;  // icons
    if (n.tagName === 'IMG') parts.push('img:' + n.getAttribute('src'));
    else if (n.tagName === 'CANVAS') { try { parts.push('canvas:' + n.toDataURL()); } catch (e) {} }
    else if (!n.parentElement.closest('svg')) parts.push('svg:' + n.outerHTML);
  }
  return parts.join('\\n');
}"""
_DRAWING_READY_JS = """el => [...el.querySelectorAll('img')]
  .filter(i => !i.closest('button')).every(i => i.complete && i.naturalWidth > 0)"""


class NotebookPage:
    """One notebook open in its own browser page (tab), with timings of what was done."""

    def __init__(self, page, lab, name, shots):
        self.page, self.lab, self.name, self.shots = page, lab, name, shots
        self.stem = name.rsplit(".", 1)[0]
        self.timings = {}
        self.panel = page.locator("#jp-main-dock-panel .jp-NotebookPanel")
        # Not the toolbar's execution indicator: it reads "idle" before any kernel exists.
        self.kernel_status = page.locator(
            "#jp-main-statusbar .jp-StatusBar-TextItem[title^='Change kernel']")

    # ------------------------------------------------------------------ actions
    def open(self):
        return self.goto().wait_open()

    def goto(self):
        """Load the notebook's URL (returns once the page has loaded; the kernel still starts)."""
        self._t_open = time.monotonic()
        self.page.goto(self.lab.notebook_url(self.name))
        return self

    def wait_open(self):
        expect(self.panel).to_have_count(1, timeout=60_000)
        expect(self.kernel_status).to_have_text(IDLE, timeout=90_000)
        # collapse the file browser, so the screenshots show the notebook
        tab = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']")
        if "lm-mod-current" in (tab.get_attribute("class") or ""):
            tab.click()
        self.timings["open -> kernel idle"] = time.monotonic() - self._t_open
        return self

    def run_all(self, timeout=150_000):
        return self.click_run_all().wait_run_all(timeout)

    def click_run_all(self):
        """Run > Run All Cells from the menu, as a person does."""
        self._t_run = time.monotonic()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        return self

    def wait_run_all(self, timeout=150_000):
        """Wait until the last cell is numbered or an error shows; return the number of code cells."""
        prompts = self.code_prompts()
        n_code = prompts.count()
        # Run All stops at an error, leaving later prompts "[ ]:" forever: wait for either
        errors = self.error_outputs()
        expect(prompts.last.filter(has_text=NUMBERED).or_(errors).first).to_be_visible(timeout=timeout)
        if errors.count() == 0:
            expect(prompts).to_have_text([NUMBERED] * n_code, timeout=timeout)
            expect(self.kernel_status).to_have_text(IDLE, timeout=timeout)
        self.timings["run all -> last cell done"] = time.monotonic() - self._t_run
        return n_code

    # ------------------------------------------------------------------ what the page shows
    def cells(self):
        return self.panel.locator(".jp-Notebook .jp-Cell")

    def cell(self, index):
        return self.cells().nth(index)

    def code_prompts(self):
        return self.panel.locator(".jp-CodeCell .jp-InputArea .jp-InputPrompt")

    def error_outputs(self):
        """Tracebacks render with the stderr mime type (as do warnings: see :meth:`stderr_texts`)."""
        return self.panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")

    def stderr_texts(self, skip_cells=()):
        """Texts of the stderr/traceback outputs, leaving out cells in ``skip_cells`` (indices)."""
        per_cell = self.cells().evaluate_all("""cells => cells.map(c => [...c.querySelectorAll(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")].map(e => e.innerText))""")
        return [t for i, texts in enumerate(per_cell) if i not in skip_cells for t in texts]

    def static_images(self):
        """Pictures in cell outputs that are not inside a widget."""
        return self.panel.locator(".jp-Cell-outputArea > .jp-OutputArea-child .jp-RenderedImage img")

    def widget_views(self):
        return self.panel.locator(".jp-OutputArea-output .jupyter-widgets.widget-container, "
                                  ".jp-OutputArea-output .jupyter-widgets")

    def screenshot(self, tag, locator=None, full_page=False):
        path = self.shots / f"{self.stem}__{tag}.png"
        if locator is not None:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path), full_page=full_page)
        return path


def drawing(locator):
    return locator.evaluate(_DRAWING_JS)


def wait_for_new_drawing(locator, old, timeout=30.0, settle=1.0, what="the plot"):
    """Wait until the drawing under ``locator`` differs from ``old`` and stays the same for
    ``settle`` seconds with every picture decoded; return it."""
    deadline = time.monotonic() + timeout
    now = drawing(locator)
    while now == old:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not change within {timeout:.0f} s")
        time.sleep(0.1)
        now = drawing(locator)
    stable_since = time.monotonic()
    while time.monotonic() - stable_since < settle or not locator.evaluate(_DRAWING_READY_JS):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} changed but never settled within {timeout:.0f} s")
        time.sleep(0.1)
        latest = drawing(locator)
        if latest != now:
            now, stable_since = latest, time.monotonic()
    return now
