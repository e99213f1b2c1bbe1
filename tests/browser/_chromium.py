"""Chromium for the browser tests: where it is, how it is launched, where screenshots go.

Shared by ``tests/browser/`` and ``tests/test_export.py``. Environment:

- ``CHROMIUM``        the browser executable (default ``/usr/bin/chromium``, Debian's package);
- ``CI``              when set (CI=true), a missing Chromium or Playwright FAILS instead of skipping;
- ``SCREENSHOT_DIR``  where screenshots go (default ``screenshots/`` at the repository root,
                      git-ignored).
"""
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Playwright gives every launch() a fresh temporary profile (it refuses --user-data-dir).


def screenshot_dir():
    path = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason):
    """Skip with ``reason`` on a developer's machine; fail under CI, where the browser must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so the browser tests must run: .ci/run installs chromium)",
                    pytrace=False)
    pytest.skip(reason)


def chromium_executable():
    """The Chromium to drive, or skip/fail (see :func:`missing`) with the reason."""
    name = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    path = shutil.which(name) if not os.path.isabs(name) else (name if os.access(name, os.X_OK) else None)
    if not path:
        missing(f"Chromium not found at {name!r} (install Debian's `chromium` package, or set CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("the Python package `playwright` is not installed (pip install -e '.[test]')")
    return path


class Chromium:
    """One Playwright driver and one headless Chromium, started on first use."""

    def __init__(self):
        self._pw = self.browser = None

    def start(self):
        from playwright.sync_api import sync_playwright

        exe = chromium_executable()
        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        except Exception:
            self._pw.stop()
            raise
        return self.browser

    def new_page(self, width=1400, height=1000):
        context = self.browser.new_context(viewport={"width": width, "height": height})
        return context.new_page()

    def stop(self):
        if self.browser is not None:
            self.browser.close()
        if self._pw is not None:
            self._pw.stop()
        self._pw = self.browser = None


# Playwright's sync API runs one driver per thread: every test of a session shares this browser.
_SHARED = {"browser": None, "users": 0}


def acquire():
    """The session's shared Chromium (started on first use); pair each call with :func:`release`."""
    if _SHARED["browser"] is None:
        chromium_executable()
        browser = Chromium()
        browser.start()
        _SHARED["browser"] = browser
    _SHARED["users"] += 1
    return _SHARED["browser"]


def release():
    _SHARED["users"] -= 1
    if _SHARED["users"] <= 0 and _SHARED["browser"] is not None:
        _SHARED["browser"].stop()
        _SHARED["browser"], _SHARED["users"] = None, 0
