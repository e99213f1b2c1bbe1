"""A JupyterLab server for the tests, and a notebook page driven as a person drives it.

The server runs on a free loopback port with a random token, with its own settings, workspaces,
config and runtime folders, on COPIES of the notebooks with their outputs cleared (so every
prompt number and picture seen in the browser comes from this run, and autosave cannot touch the
repository). It is shut down through its REST API, then by process group, then its leftover
kernels by pid.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(os.environ.get("BACKPROPLAB_NOTEBOOKS") or ROOT / "notebooks")

# The widget playgrounds of backproplab.widgets, and the lecture notebooks that must show them.
PLAYGROUNDS = ("learning_rate_explorer", "three_neuron_stepper", "optimizer_race")
WIDGET_NOTEBOOKS = ("06_gradient_descent_learning_rate", "07_minibatches_and_optimizers")
# code that shows widgets (a word "ipywidgets" inside a string, as in a version check, is not)
_USES_WIDGETS = re.compile(r"^\s*(?:import\s+ipywidgets|from\s+ipywidgets\b|import\s+backproplab\.widgets|"
                           r"from\s+backproplab\.widgets\b|from\s+backproplab\s+import[^\n]*\bwidgets\b)|"
                           r"\bbackproplab\.widgets\.\w+\(|\binteract(?:ive)?\(|\b(?:%s)\s*\(" % "|".join(PLAYGROUNDS),
                           re.M)


def lecture_notebooks(folder=None):
    """The numbered lecture notebooks, in teaching order."""
    return sorted((folder or NOTEBOOKS).glob("[0-9][0-9]_*.ipynb"))


def code_sources(path):
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def uses_widgets(path):
    return any(_USES_WIDGETS.search(src) for src in code_sources(path))


def playgrounds_in(path):
    """Playground names called in the notebook's code, in order of first call."""
    found = []
    for src in code_sources(path):
        for name in PLAYGROUNDS:
            if re.search(rf"\b{name}\s*\(", src) and name not in found:
                found.append(name)
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(url, token, method="GET", timeout=5):
    req = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def clear_outputs(nb):
    nb.metadata.pop("widgets", None)
    # without a kernelspec JupyterLab asks which kernel to start, in a dialog
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def lab_settings(settings_dir):
    """User settings that make a quiet, predictable JupyterLab."""
    for rel, data in {
        # no "Would you like to receive Jupyter news?" toast, no update check (no internet)
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        # attach every cell to the DOM, so the n-th .jp-Cell is the notebook's n-th cell
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }.items():
        path = Path(settings_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))


def isolated_env(base):
    base = Path(base)
    lab_settings(base / "settings")
    return dict(os.environ,
                JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
                JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
                JUPYTER_CONFIG_DIR=str(base / "config"),
                JUPYTER_RUNTIME_DIR=str(base / "runtime"),
                IPYTHONDIR=str(base / "ipython"),
                MPLBACKEND="module://matplotlib_inline.backend_inline",
                PYTHONHASHSEED="0")


def wait_for_server(proc, url, token, log_path, timeout=90):
    t0 = time.monotonic()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited rc={proc.returncode}:\n{Path(log_path).read_text()}")
        try:
            api(f"{url}/api/status", token)
            return time.monotonic() - t0
        except OSError:
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"jupyter lab not ready after {timeout} s:\n{Path(log_path).read_text()}")
            time.sleep(0.2)


def stop_server(proc, url=None, token=None):
    """Shut the server down (REST, then SIGTERM/SIGKILL to its process group), then any kernel left."""
    import psutil

    kids = []
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)  # kernels run in their own sessions
    except psutil.Error:
        pass
    try:
        if url is None or proc.poll() is not None:
            raise OSError("no REST shutdown")
        api(f"{url}/api/shutdown", token, method="POST")  # also shuts its kernels down
        proc.wait(timeout=15)
    except Exception:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            except ProcessLookupError:
                pass
    for k in kids:  # anything that outlived the server, by pid
        try:
            k.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(kids, timeout=5)


class LabServer:
    """``jupyter lab`` on a copy of the notebooks folder (outputs cleared)."""

    def __init__(self, base, notebooks=NOTEBOOKS):
        self.base = Path(base)
        self.root = self.base / "root"
        self.folder = self.root / "notebooks"
        shutil.copytree(notebooks, self.folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        for path in self.folder.rglob("*.ipynb"):
            nbformat.write(clear_outputs(nbformat.read(path, as_version=4)), path)
        self.env = isolated_env(self.base)
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.base / "server.log"
        self.proc = None

    def start(self):
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--allow-root"],  # as root it refuses to start without it
            env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.startup_seconds = wait_for_server(self.proc, self.url, self.token, self.log_path)
        return self

    def notebook_url(self, name):
        # a fresh, private workspace (?reset), so no tab of an earlier run comes back beside ours
        return (f"{self.url}/lab/workspaces/t{uuid.uuid4().hex[:8]}/tree/notebooks/{name}"
                f"?reset&token={self.token}")

    def stop(self):
        if self.proc is not None:
            stop_server(self.proc, self.url, self.token)
            self._log.close()
            self.proc = None
