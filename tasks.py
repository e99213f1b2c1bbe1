#!/usr/bin/env python3
"""One command for each job, on any machine with Python 3.10+ (no make, no conda needed).

    python3 tasks.py course     set up .venv (first time only) and open the course in JupyterLab
    python3 tasks.py test       set up .venv with the test tools and run the whole test suite
    python3 tasks.py execute    re-execute every lecture notebook in place (refresh committed outputs)
    python3 tasks.py release    regenerate exercises/ from solutions/

The virtual environment lives in .venv beside this file (BACKPROPLAB_VENV overrides the place).
Extra arguments after `test` go to pytest, e.g. `python3 tasks.py test tests/test_losses.py -x`.
"""
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BACKPROPLAB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
FIRST_NOTEBOOK = "notebooks/01_welcome.ipynb"


def run(*cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def ensure_venv(extras=""):
    if sys.version_info < (3, 10):
        sys.exit(f"backproplab needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as exc:  # Debian/Ubuntu ship venv without ensurepip
            sys.exit(f"Could not create {VENV}: {exc}\nOn Debian or Ubuntu install it first: "
                     "sudo apt-get install python3-venv")
    target = f".{extras}" if extras else "."
    stamp = VENV / f".installed{extras or '[course]'}"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target) != 0:
        sys.exit("Installing the packages failed; see the messages above.")
    stamp.touch()


def course(args):
    ensure_venv()
    # root the file browser at the course folder, so notebooks/, exercises/ and solutions/ all show
    return run(BIN / "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", FIRST_NOTEBOOK, *args)


def _notebook_env():
    """The environment notebooks run in, for the tests and for refreshing committed outputs alike."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("MPLBACKEND", None)  # notebook kernels must keep the inline backend, as in JupyterLab
    # one BLAS thread per process: the suite runs a worker per core, and oversubscribed BLAS
    # threads made some notebooks several times slower (it also fixes the summation order)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


def test(args):
    ensure_venv("[test]")
    env = _notebook_env()
    if not any(a == "-n" or a.startswith("-n") or a.startswith("--numprocesses") for a in args):
        # one worker per core; a file's tests stay together (notebook cells run in order)
        args = ["-n", "auto", "--dist", "loadfile", *args]
    rc = run(PY, "-m", "pytest", *args, env=env)
    if rc == 5:
        print("pytest collected no tests (exit code 5): check the paths you gave.")
    return rc


def execute(args):
    ensure_venv()
    notebooks = args or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    failed = []
    for nb in notebooks:
        rc = run(BIN / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                 "--ExecutePreprocessor.timeout=600", nb, env=_notebook_env())
        if rc:
            failed.append(nb)
        else:
            _strip_timing(ROOT / nb)
    if failed:
        print("These notebooks raised errors and were left as they were:", *failed, sep="\n  ")
    return 1 if failed else 0


def _strip_timing(path):
    """Drop nbclient's per-cell timestamps: they change on every run and only add noise to diffs."""
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def release(args):
    ensure_venv()
    return run(BIN / "backproplab", "release", *args)


COMMANDS = {"course": course, "test": test, "execute": execute, "release": release}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
