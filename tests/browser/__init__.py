"""Real-browser tests: JupyterLab and the exported lecture notes driven by Playwright in Chromium."""
