"""The ``backproplab`` command: ``release``, ``grade`` and ``doctor``.

Each subcommand is one small ``add_<name>(subparsers)`` function that declares its arguments and
sets ``func`` to the function that runs it; ``func(args)`` returns the exit code. To add one
(say ``export``), write ``add_export`` and append it to ``SUBCOMMANDS``.

Exit codes, the same for every subcommand:

====  =======================================================================================
 0    done (for ``grade``: every submission has a row, whatever its score)
 1    ``release --check``: the exercises are out of date; ``doctor``: something is missing
 2    usage error: bad arguments, a missing solutions folder, an unknown exercise
 3    ``grade``: the table is written, but some submissions were not gradable notebooks
      (status ``invalid``); ``release``: a solution notebook's markup is inconsistent
 4    ``grade``: the Jupyter kernel could not be started; nothing was graded
====  =======================================================================================
"""
import argparse
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL, EXIT_ENVIRONMENT = 0, 1, 2, 3, 4


def _err(message):
    print(f"backproplab: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------- release
def add_release(subparsers):
    p = subparsers.add_parser(
        "release", help="generate exercises/ (student copies) from solutions/",
        description="Write exercises/X.ipynb for every solutions/X.ipynb: answers replaced by stubs that "
                    "raise NotImplementedError, hidden tests removed, outputs cleared.")
    p.add_argument("names", nargs="*", help="exercise names (file stems); default: all")
    p.add_argument("--solutions", default="solutions", help="folder of solution notebooks (default: solutions)")
    p.add_argument("--exercises", default="exercises", help="folder for the student copies (default: exercises)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if any copy is out of date")
    p.set_defaults(func=run_release)


def run_release(args):
    from .grading.markup import MarkupError
    from .grading.release import release_dir

    try:
        report = release_dir(args.solutions, args.exercises, check=args.check, names=args.names or None)
    except FileNotFoundError as exc:
        _err(f"{exc} (run this from the course folder, or pass --solutions)")
        return EXIT_USAGE
    except MarkupError as exc:
        _err(f"solution markup problem: {exc}")
        return EXIT_PARTIAL
    for path in report["written"]:
        print(f"wrote {path}")
    for path in report["stale"]:
        print(f"out of date: {path}")
    for path in report["orphans"]:
        print(f"warning: {path} has no solution notebook any more", file=sys.stderr)
    print(f"{len(report['unchanged'])} up to date, {len(report['written'])} written, "
          f"{len(report['stale'])} out of date")
    if report["stale"]:
        print("run `backproplab release` to regenerate them", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


# ---------------------------------------------------------------------------------- grade
def add_grade(subparsers):
    from .grading import DEFAULT_CELL_TIMEOUT, DEFAULT_NOTEBOOK_TIMEOUT

    p = subparsers.add_parser(
        "grade", help="grade submitted notebooks into a CSV table plus feedback files",
        description="Run each submission in a fresh kernel and judge its answers with the tests of "
                    "solutions/ (public and hidden). Folders are searched for *.ipynb.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="notebook files or folders")
    p.add_argument("--out", default="grades.csv", help="CSV file to write (default: grades.csv)")
    p.add_argument("--feedback", default=None,
                   help="folder for one feedback file per submission (default: <out stem>_feedback/ next to --out)")
    p.add_argument("--solutions", default="solutions", help="folder of solution notebooks (default: solutions)")
    p.add_argument("--exercise", default=None, help="grade every submission as this exercise (a solution stem)")
    p.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT,
                   help=f"seconds per cell before it is interrupted (default: {DEFAULT_CELL_TIMEOUT})")
    p.add_argument("--timeout", type=float, default=DEFAULT_NOTEBOOK_TIMEOUT,
                   help=f"seconds per submission (default: {DEFAULT_NOTEBOOK_TIMEOUT})")
    p.add_argument("--kernel", default="python3", help="Jupyter kernel name (default: python3)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at once, each in its own kernel (default: 1)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    p.set_defaults(func=run_grade)


def run_grade(args):
    from .grading import grader as g
    from .grading.markup import MarkupError

    if args.cell_timeout <= 0 or args.timeout <= 0:
        _err("timeouts must be positive numbers of seconds")
        return EXIT_USAGE
    try:
        grader = g.Grader(args.solutions, cell_timeout=args.cell_timeout, notebook_timeout=args.timeout,
                          kernel_name=args.kernel, exercise=args.exercise)
    except FileNotFoundError as exc:
        _err(f"{exc} (run this from the course folder, or pass --solutions)")
        return EXIT_USAGE
    except (LookupError, MarkupError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    if not grader.solutions:
        _err(f"no solution notebooks in {args.solutions}")
        return EXIT_USAGE
    problem = kernel_problem(args.kernel)
    if problem:
        _err(problem)
        return EXIT_ENVIRONMENT
    paths = g.expand_submissions(args.submissions)
    if not paths:
        _err("no notebooks found in the given paths")
        return EXIT_USAGE
    out = Path(args.out)
    feedback = Path(args.feedback) if args.feedback else out.with_name(out.stem + "_feedback")
    import os
    common = os.path.commonpath([os.path.abspath(p.parent) for p in paths])
    start = time.monotonic()

    def report(result):
        g.write_feedback(result, feedback, g.feedback_name(result.path, common))
        if not args.quiet:
            total = f"{g._num(result.total)}/{g._num(result.max_points)}" if result.max_points is not None else "-"
            note = f"  ({result.reason()})" if result.notes else ""
            print(f"{result.status:8s} {total:>7s}  {result.seconds:5.1f}s  {result.path}{note}", flush=True)

    try:
        results = grader.grade_many(paths, jobs=max(1, args.jobs), on_result=report)
    except RuntimeError as exc:  # the kernel could not start: an environment problem
        _err(f"the kernel failed: {exc}")
        return EXIT_ENVIRONMENT
    g.write_csv(results, grader.solutions, out)
    n_invalid = sum(r.status != "graded" for r in results)
    elapsed = time.monotonic() - start
    print(f"graded {len(results) - n_invalid} of {len(results)} submissions in {elapsed:.1f} s "
          f"({elapsed / max(1, len(results)):.1f} s each); table: {out}; feedback: {feedback}/")
    if n_invalid:
        _err(f"{n_invalid} submission(s) could not be graded (status 'invalid' in the table)")
        return EXIT_PARTIAL
    return EXIT_OK


def kernel_problem(name):
    """A message when the Jupyter kernel ``name`` is not installed, else None."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return "jupyter_client is not installed: pip install backproplab (it brings JupyterLab)"
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return (f"no Jupyter kernel named {name!r}: install one with "
                f"`python -m ipykernel install --user --name {name}`, or pass --kernel")
    return None


# ---------------------------------------------------------------------------------- doctor
OPTIONAL = ["pytest", "nbval", "hypothesis", "keras", "nbgrader"]


def required_packages():
    """What backproplab's own metadata requires (so this list cannot drift from pyproject.toml),
    plus the kernel that runs the notebooks."""
    import re
    from importlib import metadata

    try:
        reqs = [r for r in (metadata.requires("backproplab") or []) if "extra ==" not in r]
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        reqs = []
    names = [re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0] for r in reqs]
    return (names or ["numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbformat", "nbclient", "nbconvert"]) \
        + ["ipykernel"]


def add_doctor(subparsers):
    p = subparsers.add_parser("doctor", help="check Python, the packages and the Jupyter kernel",
                              description="Check that this environment can run the course and its grader.")
    p.add_argument("--kernel", default="python3", help="Jupyter kernel to check (default: python3)")
    p.add_argument("--run-kernel", action="store_true", help="also start the kernel and import backproplab in it")
    p.set_defaults(func=run_doctor)


def run_doctor(args):
    from importlib import metadata

    problems = []

    def line(ok, text):
        print(f"  {'ok ' if ok else 'NO '} {text}")

    print("backproplab doctor")
    ok = sys.version_info >= (3, 10)
    line(ok, f"Python {sys.version.split()[0]} (needs 3.10 or newer)")
    if not ok:
        problems.append("Python 3.10 or newer is needed")
    required = required_packages()
    for name in required + OPTIONAL:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name in required:
                line(False, f"{name} is missing: pip install {name}")
                problems.append(f"{name} missing")
            else:
                print(f"  --  {name} not installed (optional)")
            continue
        line(True, f"{name} {version}")
    problem = kernel_problem(args.kernel)
    line(problem is None, problem or f"Jupyter kernel {args.kernel!r} is installed")
    if problem:
        problems.append(problem)
    elif args.run_kernel:
        problem = _try_kernel(args.kernel)
        line(problem is None, problem or f"kernel {args.kernel!r} starts and imports backproplab")
        if problem:
            problems.append(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.")
        return EXIT_FAILED
    print("All good.")
    return EXIT_OK


def _try_kernel(name):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import backproplab; print(backproplab.__version__)")])
    try:
        NotebookClient(nb, kernel_name=name, timeout=60).execute()
    except Exception as exc:  # noqa: BLE001 - report anything
        return f"kernel {name!r} failed: {type(exc).__name__}: {str(exc).splitlines()[-1] if str(exc) else ''}"
    return None


# ---------------------------------------------------------------------------------- export
def add_export(subparsers):
    """``backproplab export``: defined in ``backproplab.export`` (the lecture notebooks as a static site)."""
    from .export import add_subparser

    add_subparser(subparsers)


# ---------------------------------------------------------------------------------- main
SUBCOMMANDS = [add_release, add_grade, add_doctor, add_export]


def build_parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="backproplab", description="Course tools: release exercises, grade submissions, check the setup.",
        epilog="Exit codes: 0 done; 1 out of date or missing; 2 usage; 3 partly done (see the message); "
               "4 no kernel.")
    parser.add_argument("--version", action="version", version=f"backproplab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
