"""Real-browser tests: JupyterLab and the course driven by Playwright in Debian's Chromium.

Run them with ``python3 tasks.py test tests/browser`` (or ``-m browser`` for every browser test,
including tests/test_export.py's). One JupyterLab server and one Chromium serve the whole
session; every notebook whose code shows widgets is opened in its own page, run with Run All from
the menu, and each playground it calls is played with.

Environment:
  CHROMIUM=/path         the browser (default /usr/bin/chromium; never ``playwright install``)
  CI=true                a missing Chromium or Playwright fails the tests instead of skipping them
  SCREENSHOT_DIR=/path   where screenshots go (default screenshots/ at the repository root)
  BACKPROPLAB_NOTEBOOKS  another folder of notebooks to test (default notebooks/)
  BACKPROPLAB_SLOW=1     also follow the README from a truly fresh virtual environment
"""
