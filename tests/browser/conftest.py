"""Fixtures for the real-browser tests: one Chromium and one JupyterLab server per session, one
page (tab) per notebook, reused by every test of that notebook.

Environment: CHROMIUM, CI, SCREENSHOT_DIR (see ``_chromium.py``); BACKPROPLAB_NOTEBOOKS to point
the suite at another folder of notebooks (default: notebooks/).
"""
import re
import time

import nbformat
import pytest

from . import _chromium
from ._lab import NOTEBOOKS, LabServer


def _say(request, text):
    """Print past pytest's output capture, so the line shows in a normal run."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(text)
    else:
        print(text)


@pytest.fixture(scope="session")
def shots(request):
    path = _chromium.screenshot_dir()
    _say(request, f"\n[browser] screenshots: {path}")
    return path


@pytest.fixture(scope="session")
def chromium(request):
    _chromium.chromium_executable()  # skip (or fail under CI) with the reason
    t0 = time.monotonic()
    browser = _chromium.acquire()
    _say(request, f"[browser] Chromium {browser.browser.version} ready in {time.monotonic() - t0:.1f} s")
    yield browser
    _chromium.release()


@pytest.fixture(scope="session")
def lab(request, tmp_path_factory, chromium):
    server = LabServer(tmp_path_factory.mktemp("lab"), NOTEBOOKS)
    try:
        server.start()
        _say(request, f"[browser] jupyter lab ready in {server.startup_seconds:.1f} s "
                      f"(log: {server.log_path})")
        yield server
    finally:
        server.stop()


class _Opened:
    """A notebook page after Run All, and what the run showed."""

    def __init__(self, nbpage, n_code, stderr, seconds):
        self.nb, self.n_code, self.stderr, self.seconds = nbpage, n_code, stderr, seconds

    def errors(self):
        return [t for t in self.stderr if re.search(r"Traceback|Error\b|Exception\b", t)]



@pytest.fixture(scope="session")
def opened(request, lab, chromium, shots):
    """``opened(name)``: the notebook open in its own page, after Run All (done once a session).

    The first call opens every notebook that uses widgets at once, each in its own page with its
    own kernel, and runs them side by side: the kernels start and compute in parallel.
    """
    from ._lab import lecture_notebooks, uses_widgets
    from ._ui import NotebookPage

    cache, pages = {}, []
    batch = [p.name for p in lecture_notebooks(lab.folder) if uses_widgets(p)]

    def open_and_run(names):
        t0 = time.monotonic()
        todo = []
        for name in names:
            page = chromium.new_page()
            pages.append(page)
            todo.append(NotebookPage(page, lab, name, shots).goto())
        for nbpage in todo:
            nbpage.wait_open().screenshot("01_opened")
            nbpage.click_run_all()
        for nbpage in todo:
            try:
                n_code = nbpage.wait_run_all()
            finally:
                nbpage.screenshot("02_after_run_all")
            # a cell tagged raises-exception is meant to fail (and Run All goes on past it)
            nb = nbformat.read(lab.folder / nbpage.name, as_version=4)
            expected = {i for i, c in enumerate(nb.cells) if "raises-exception" in c.metadata.get("tags", [])}
            cache[nbpage.name] = _Opened(nbpage, n_code, nbpage.stderr_texts(expected), time.monotonic() - t0)
            timings = ", ".join(f"{k} {v:.1f} s" for k, v in nbpage.timings.items())
            _say(request, f"[browser] {nbpage.name}: {timings}")
        if len(names) > 1:
            _say(request, f"[browser] {len(names)} notebooks opened and run side by side in "
                          f"{time.monotonic() - t0:.1f} s")

    def get(name):
        if name not in cache:
            open_and_run([name] + [n for n in batch if n != name and n not in cache])
        return cache[name]

    yield get
    for page in pages:
        page.context.close()
