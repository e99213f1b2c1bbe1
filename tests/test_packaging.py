"""The pip route (pyproject.toml) and the conda route (environment.yml) name the same packages,
and `import backproplab` stays light."""
import re
import subprocess
import sys
import tomllib

from conftest import ROOT


def _name(req):
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_name(r): r for r in data["dependencies"] + data["optional-dependencies"]["test"]}


def _environment():
    pkgs = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        m = re.match(r"^\s{2}- ([A-Za-z0-9_.\-]+)(.*)$", line)
        if m and m.group(1) not in ("pip", "python"):
            pkgs[_name(m.group(1))] = (m.group(1) + m.group(2)).strip()
    return pkgs


def test_same_packages_in_both_routes():
    py, env = _pyproject(), _environment()
    assert set(py) == set(env), f"only in pyproject: {set(py) - set(env)}; only in environment.yml: {set(env) - set(py)}"


def test_same_version_bounds():
    py, env = _pyproject(), _environment()
    for name in py:
        assert py[name].replace(" ", "") == env[name].replace(" ", ""), name


def test_python_floor_matches():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert data["requires-python"] == ">=3.10"
    assert "python>=3.10" in (ROOT / "environment.yml").read_text()


def test_import_is_light():
    code = ("import sys, time; t = time.perf_counter(); import backproplab; dt = time.perf_counter() - t; "
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'nbformat', 'nbclient', 'IPython') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_parsing_helpers_see_real_entries():
    # guard against a parser that silently finds nothing (which would make the tests above vacuous)
    assert {"numpy", "matplotlib", "ipywidgets", "jupyterlab", "pytest", "nbval"} <= set(_environment())
