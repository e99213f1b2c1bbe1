"""The newcomer's path, followed from the README: its course command (`python3 tasks.py course`)
with a virtual environment that is not there yet, then the browser on what the command opens.

Two variants:

- ``test_readme_course_command_opens_welcome`` (always): the README command against a new
  virtual environment in which every dependency is already importable (a ``.pth`` file points at
  the packages of the Python running the tests), so ``tasks.py``'s ``pip install -e .`` has only
  backproplab itself to install and returns in seconds. It checks the command's whole flow:
  venv found or made, install step, ``jupyter lab notebooks/01_welcome.ipynb`` with the extra
  arguments passed through, and the welcome notebook open in the browser.
- ``test_readme_from_a_truly_fresh_venv`` (slow, opt-in: ``BACKPROPLAB_SLOW=1``): the same with
  nothing prepared at all: tasks.py creates the venv and pip installs the course from the
  package index (about a minute here with a warm pip cache; much longer with a cold one).

In both, JupyterLab runs with ``--no-browser`` and the browser opens the page JupyterLab itself
writes for the browser to open (``jpserver-file-to-run-<pid>-open.html`` in its runtime folder),
which is exactly what ``jupyter lab FILE`` hands to a newcomer's browser.
"""
import os
import re
import secrets
import shlex
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from ._lab import free_port, isolated_env, stop_server, wait_for_server

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
WELCOME = "01_welcome.ipynb"


def readme_course_command():
    """The README's first command that runs ``tasks.py course``, as an argument list."""
    readme = ROOT / "README.md"
    assert readme.exists(), "README.md is missing"
    for block in re.findall(r"```[a-z]*\n(.*?)```", readme.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            line = re.sub(r"^\s*\$\s*", "", line).strip()
            if re.search(r"\btasks\.py\s+course\b", line):
                return shlex.split(line)
    pytest.fail("README.md shows no `tasks.py course` command in a code block")


def _as_run_here(cmd):
    """The README says ``python3``; run it with the Python of this test run (3.10+ guaranteed)."""
    assert Path(cmd[0]).name.startswith("python"), f"the README's course command starts with {cmd[0]!r}"
    return [sys.executable, *cmd[1:]]


def _follow_readme(tmp_path, venv, chromium, shots, tag, setup_timeout):
    """Run the README command with the server arguments appended; open what it opens; clean up."""
    cmd = _as_run_here(readme_course_command())
    port, token = free_port(), secrets.token_hex(16)
    base = tmp_path / "jupyter"
    env = isolated_env(base)
    env["BACKPROPLAB_VENV"] = str(venv)
    env.pop("PYTHONPATH", None)
    runtime = Path(env["JUPYTER_RUNTIME_DIR"])
    args = cmd + ["--no-browser", f"--port={port}", f"--IdentityProvider.token={token}",
                  "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", "--allow-root"]
    log_path = tmp_path / "course.log"
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            try:
                wait_for_server(proc, url, token, log_path, timeout=setup_timeout)
            except RuntimeError as exc:
                pytest.fail(f"`{' '.join(cmd[1:])}` did not bring JupyterLab up: {exc}", pytrace=False)
            t_server = time.monotonic() - t0
            deadline = time.monotonic() + 20
            while not list(runtime.glob("jpserver-file-to-run-*-open.html")):
                assert time.monotonic() < deadline, \
                    f"JupyterLab did not write the page for the browser to open ({list(runtime.iterdir())})"
                time.sleep(0.2)
            open_page = next(runtime.glob("jpserver-file-to-run-*-open.html"))
            t_browser = _check_welcome_opens(open_page, chromium, shots, tag)
        finally:
            stop_server(proc, url, token)
    out = log_path.read_text()
    assert "+ " in out and "jupyter" in out and "lab" in out, out[-2000:]
    return t_server, t_browser, out


def _check_welcome_opens(open_page, chromium, shots, tag):
    from playwright.sync_api import expect

    from ._ui import IDLE

    t0 = time.monotonic()
    page = chromium.new_page()
    try:
        page.goto(open_page.as_uri())  # the file a newcomer's browser is given; it redirects to the lab
        expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/lab/tree/(notebooks/)?01_welcome\.ipynb"),
                                 timeout=30_000)
        tab = page.locator("#jp-main-dock-panel .lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
        expect(tab).to_contain_text(WELCOME, timeout=60_000)
        panel = page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(panel.locator(".jp-MarkdownCell h1").first).to_contain_text(re.compile("welcome", re.I),
                                                                          timeout=30_000)
        status = page.locator("#jp-main-statusbar .jp-StatusBar-TextItem[title^='Change kernel']")
        expect(status).to_have_text(IDLE, timeout=90_000)
        page.screenshot(path=str(shots / f"newcomer__{tag}.png"))
        return time.monotonic() - t0
    finally:
        page.context.close()


def test_readme_course_command_opens_welcome(tmp_path, chromium, shots):
    venv = tmp_path / "venv"
    t0 = time.monotonic()
    # a venv whose Python sees the packages already installed for the tests
    # (no pip of its own: the outer pip is importable through the .pth and installs into this venv)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_backproplab_test_outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # console scripts are not shared through a .pth: give the venv the two that tasks.py runs
    for name, module in (("jupyter", "jupyter_core.command"), ("jupyter-lab", "jupyterlab.labapp")):
        script = venv / "bin" / name
        script.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom {module} import main\n"
                          "sys.exit(main())\n")
        script.chmod(0o755)
    t_venv = time.monotonic() - t0
    t_server, t_browser, out = _follow_readme(tmp_path, venv, chromium, shots, "prepared_venv", setup_timeout=240)
    assert "pip" in out and "install" in out, "tasks.py did not run its install step into the new venv"
    assert (venv / ".installed[course]").exists(), "tasks.py did not record the install"
    print(f"prepared venv {t_venv:.1f} s; README command -> server up {t_server:.1f} s; "
          f"browser -> welcome notebook open, kernel idle {t_browser:.1f} s")


@pytest.mark.skipif(os.environ.get("BACKPROPLAB_SLOW", "") in ("", "0"),
                    reason="slow (a fresh venv and a full pip install, about a minute with a warm pip cache): "
                           "set BACKPROPLAB_SLOW=1")
def test_readme_from_a_truly_fresh_venv(tmp_path, chromium, shots):
    venv = tmp_path / "fresh"
    t_server, t_browser, out = _follow_readme(tmp_path, venv, chromium, shots, "fresh_venv", setup_timeout=900)
    assert "Creating a virtual environment" in out
    assert (venv / ".installed[course]").exists()
    print(f"fresh venv + pip install + server up {t_server:.1f} s; browser -> welcome open {t_browser:.1f} s")
