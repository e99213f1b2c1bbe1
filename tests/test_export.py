"""`backproplab export`: the lecture notes as a static, offline HTML site.

The fast tests build small notebooks in tmp_path; the browser test exports the real notebooks/
and looks at the contents page and the pages in Chromium (title, figures decoded, no LaTeX left
as source, nothing requested from a network)."""
import base64
import io
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from backproplab import export

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
# a resource the page would LOAD from a network (links a reader may click are fine)
NETWORK_RESOURCE = re.compile(r"""(?:\bsrc\s*=\s*["']?|<link\b[^>]*\bhref\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)"""
                              r"""(?:https?:)?//""", re.I)


def _png():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _notebook(title, extra_cells=(), widget_state=None):
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell(f"# {title}\n\nGoal: the gradient $\\frac{{\\partial E}}{{\\partial w}}$ and "
                             "$$\\begin{aligned} \\delta &= \\sigma'(z)\\,(o - y) \\\\ w &\\leftarrow w - \\eta\\,"
                             "\\delta x \\end{aligned}$$"),
        v4.new_code_cell("plot()", execution_count=1, outputs=[
            v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"})]),
        *extra_cells])
    if widget_state is not None:
        nb.metadata["widgets"] = {export.WIDGET_STATE: {"state": widget_state, "version_major": 2,
                                                        "version_minor": 0}}
    return nb


def _widget_notebook():
    v4 = nbformat.v4
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_q", "IPY_MODEL_s", "IPY_MODEL_o"]}},
        "q": {"model_name": "HTMLModel", "state": {"value": "<b>Question:</b> where does the loss fall fastest?"}},
        "s": {"model_name": "FloatLogSliderModel", "state": {"value": 0.01, "description": "learning rate"}},
        "o": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "display_data", "data": {"image/png": _png(), "text/plain": "<Figure>"},
             "metadata": {}}]}},
    }
    cell = v4.new_code_cell("learning_rate_explorer()", execution_count=2, outputs=[v4.new_output(
        "display_data", data={export.WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
                              "text/plain": "VBox(children=(HTML(value='...'),))"})])
    latex = v4.new_code_cell("Math(...)", execution_count=3, outputs=[v4.new_output(
        "display_data", data={"text/latex": "$\\displaystyle \\sum_{i=1}^{N} x_i^2$", "text/plain": "<Math>"})])
    return _notebook("02 · Playground", [cell, latex], state)


# --------------------------------------------------------------------------------- maths
@pytest.mark.parametrize("latex", [
    r"\frac{\partial E}{\partial w_1} = \frac{\partial E}{\partial o}\,\sigma'(z)\,x",
    r"\begin{aligned} a &= b \\ c &= d \end{aligned}",
    r"\mathbf{W}^\top \odot \nabla_w L, \quad \eta \in \mathbb{R}",
    r"\sum_{i=1}^{N} \left(y_i - \hat y_i\right)^2 \text{ over } \tfrac{1}{2}\lVert x \rVert^2",
    r"\begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}",
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} \approx \dfrac{a}{b} \cdots",
    r"\bm{\delta}^{(l)} = \operatorname{relu}'(z)",
    r"\Big\lVert \frac{\partial L}{\partial h} \Big\rVert \le \lVert U \rVert_2^{\,k}",
    r"k^* = \arg\max_j x_j, \quad \big\langle a, b \big\rangle, \quad \sgn(x)",
])
def test_course_formulas_become_mathml(latex):
    problems = []
    out = export.latex_to_mathml(latex, display=True, problems=problems)
    assert out.startswith("<math") and 'display="block"' in out, out
    assert not problems
    assert not re.search(r">\\[A-Za-z]+<", out), "a TeX command was left in the MathML"


def test_a_formula_that_cannot_convert_is_shown_and_reported():
    problems = []
    out = export.latex_to_mathml(r"\notacommand{x} + 1", problems=problems, where="nb")
    assert "bpl-math-unrendered" in out and r"\notacommand" in out
    assert problems and problems[0][0] == "nb"


# --------------------------------------------------------------------------------- pieces
def test_title_is_the_first_heading():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_markdown_cell("Intro\n\n## 03 · The **three**-neuron `net`")])
    assert export.notebook_title(nb) == "03 · The three-neuron net"
    assert export.notebook_title(nbformat.v4.new_notebook(), "fallback") == "fallback"


def test_widgets_become_their_saved_snapshot():
    nb = _widget_notebook()
    assert export.replace_widgets(nb) == 1
    outputs = nb.cells[2].outputs
    assert export.WIDGET_VIEW not in str(outputs) and "widgets" not in nb.metadata
    assert "Interactive widget" in outputs[0].data["text/html"]
    assert "learning rate = 0.01" in outputs[0].data["text/html"]
    assert "where does the loss fall fastest" in outputs[0].data["text/html"]
    assert "image/png" in outputs[1].data


def test_site_is_self_contained(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    nbformat.write(_notebook("01 · Welcome"), src / "01_welcome.ipynb")
    nbformat.write(_widget_notebook(), src / "02_playground.ipynb")
    out = tmp_path / "site"
    assert export.main(["--notebooks", str(src), "--out", str(out), "--strict"]) == 0
    index = (out / "index.html").read_text()
    assert index.index("01_welcome.html") < index.index("02_playground.html")
    assert "01 · Welcome" in index and "02 · Playground" in index
    for page in ("01_welcome.html", "02_playground.html"):
        text = (out / page).read_text()
        assert not NETWORK_RESOURCE.search(text), NETWORK_RESOURCE.search(text).group(0)
        assert "<script src" not in text
        assert "<math" in text and "data:image/png;base64," in text
        assert not re.search(r"(?<![\w$])\$[^$<>]+\$", re.sub(r"<math.*?</math>", "", text, flags=re.S)
                             .split('<div class="jp-Cell-inputWrapper"')[0])
    page2 = (out / "02_playground.html").read_text()
    assert "Interactive widget" in page2 and "application/vnd.jupyter.widget-view" not in page2
    assert page2.count("src=\"data:image/png;base64,") == 2  # the static plot and the widget's snapshot
    assert '<a href="01_welcome.html">' in page2 and '<a href="index.html">Contents</a>' in page2


def test_execute_draws_playgrounds_as_static_figures(tmp_path):
    """--execute re-runs the notebook with BACKPROPLAB_STATIC_WIDGETS=1: the playground draws its
    own static figure and question instead of a widget (this starts one Jupyter kernel)."""
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# 06 · Static"),
                                v4.new_code_cell("from backproplab.widgets import learning_rate_explorer\n"
                                                 "learning_rate_explorer(steps=5)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "nbs"
    src.mkdir()
    nbformat.write(nb, src / "06_static.ipynb")
    assert export.main(["--notebooks", str(src), "--out", str(tmp_path / "site"), "--execute"]) == 0
    page = (tmp_path / "site" / "06_static.html").read_text()
    assert "Interactive widget" not in page and "widget-view" not in page
    assert page.count('src="data:image/png;base64,') == 1 and "Question:" in page
    assert nbformat.read(src / "06_static.ipynb", as_version=4).cells[1].outputs == []  # source untouched


def test_cli_usage_errors(tmp_path, capsys):
    assert export.main(["--notebooks", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert export.main(["--slides", "--notebooks", str(tmp_path)]) == 2
    assert "reveal.js" in capsys.readouterr().err


def _fake_reveal(folder):
    """A stand-in for reveal.js (the real one is an npm package): records that it was initialised."""
    (folder / "dist" / "theme").mkdir(parents=True)
    (folder / "plugin" / "notes").mkdir(parents=True)
    (folder / "dist" / "reveal.js").write_text(
        "window.Reveal = {initialize: o => { document.body.dataset.revealed = JSON.stringify(o); }};")
    (folder / "dist" / "reveal.css").write_text(".reveal {}")
    (folder / "dist" / "reveal.js.map").write_text("{}")
    (folder / "dist" / "theme" / "white.css").write_text(".reveal { color: #222; }")
    (folder / "plugin" / "notes" / "notes.js").write_text("window.RevealNotes = {id: 'notes'};")
    return folder


def test_offline_slides(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    nb = _notebook("01 · Welcome", [nbformat.v4.new_markdown_cell("## Second part\n\nMore $x^2$."),
                                    nbformat.v4.new_code_cell("1 + 1")])
    nbformat.write(nb, src / "01_welcome.ipynb")
    reveal = _fake_reveal(tmp_path / "reveal-copy")
    out = tmp_path / "site"
    assert export.main(["--notebooks", str(src), "--out", str(out), "--slides", "--reveal", str(reveal)]) == 0
    slides = (out / "01_welcome.slides.html").read_text()
    assert not NETWORK_RESOURCE.search(slides), NETWORK_RESOURCE.search(slides).group(0)
    assert 'src="reveal.js/dist/reveal.js"' in slides and "Reveal.initialize" in slides
    assert slides.count("<section") >= 2  # one slide per heading
    assert "<math" in slides
    assert (out / "reveal.js" / "dist" / "reveal.js").exists()
    assert not (out / "reveal.js" / "dist" / "reveal.js.map").exists()
    assert 'href="01_welcome.slides.html"' in (out / "index.html").read_text()


def test_registered_in_the_cli():
    from backproplab import cli

    args = cli.build_parser().parse_args(["export", "--out", "x"])
    assert args.func is export.run and args.out == "x"


# --------------------------------------------------------------------------------- in Chromium
@pytest.fixture(scope="session")
def chromium(request):
    """The session's one Chromium, shared with tests/browser (Playwright allows one per thread)."""
    from browser import _chromium

    _chromium.chromium_executable()  # skip (fail under CI) when there is no browser
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\n[export] screenshots: {_chromium.screenshot_dir()}")
    browser = _chromium.acquire()
    yield browser
    _chromium.release()


_VISIBLE_PROSE_JS = r"""root => {
  // text a reader sees in prose: everything but code, preformatted text and rendered maths
  const out = [];
  const walk = n => {
    if (n.nodeType === Node.TEXT_NODE) { out.push(n.textContent); return; }
    if (n.nodeType !== Node.ELEMENT_NODE) return;
    if (['CODE', 'PRE', 'MATH', 'SCRIPT', 'STYLE'].includes(n.tagName) &&
        !n.classList.contains('bpl-math-unrendered')) return;
    for (const c of n.childNodes) walk(c);
  };
  walk(root);
  return out.join(' ');
}"""
RAW_LATEX = re.compile(r"\$[^$\n]{1,200}\$|\\(?:frac|partial|sigma|sum|begin|end|mathbf|cdot|nabla|eta|"
                       r"left|right|text|delta|alpha|hat|sqrt|leftarrow)\b")


@pytest.mark.browser
@pytest.mark.skipif(not os.environ.get("REVEAL_JS"), reason="set REVEAL_JS to a local reveal.js folder "
                    "(e.g. node_modules/reveal.js) to render the slides with the real reveal.js")
def test_slides_with_real_revealjs_in_chromium(tmp_path, chromium):
    from browser import _chromium

    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))[:2]
    report = export.export_site(notebooks, tmp_path / "site", slides=True, reveal=os.environ["REVEAL_JS"],
                                log=lambda *a: None)
    page = chromium.new_page(1280, 800)
    try:
        errors, requested = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requested.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto((tmp_path / "site" / report["pages"][-1]["slides"]).as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        assert page.evaluate("Reveal.getTotalSlides()") > 1
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => Reveal.getIndices().h === 1")
        page.screenshot(path=str(_chromium.screenshot_dir() / "export__slides.png"))
        assert not errors and not requested, (errors, requested)
    finally:
        page.context.close()


@pytest.mark.browser
def test_exported_site_in_chromium(tmp_path, chromium):
    from browser import _chromium

    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        pytest.fail(f"no lecture notebooks in {NOTEBOOKS}")
    t0 = time.monotonic()
    report = export.export_site(notebooks, tmp_path / "site", log=lambda *a: None)
    t_export = time.monotonic() - t0
    assert not report["problems"], "formulas left unconverted:\n" + "\n".join(map(str, report["problems"]))
    site = tmp_path / "site"
    for page in [site / "index.html", *(site / p["file"] for p in report["pages"])]:
        hit = NETWORK_RESOURCE.search(page.read_text())
        assert not hit, f"{page.name} loads {hit.group(0)!r}... from a network"

    shots = _chromium.screenshot_dir()
    page = chromium.new_page(1200, 900)
    try:
        requested = []

        def only_local(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                requested.append(route.request.url)
                route.abort()

        page.route("**/*", only_local)
        page.goto((site / "index.html").as_uri())
        assert page.title().startswith("backproplab")
        links = page.locator("ol.contents li > a")
        titles = links.all_inner_texts()
        assert len(titles) == len(notebooks), titles
        for title, nb_path in zip(titles, notebooks):
            assert title == export.notebook_title(nbformat.read(nb_path, as_version=4)), (title, nb_path.name)
        assert not RAW_LATEX.search(page.inner_text("body"))
        page.screenshot(path=str(shots / "export__index.png"))

        # every page, reached through the contents page's links
        with_widgets = [p for p in report["pages"] if p["widgets"]]
        for i, info in enumerate(report["pages"]):
            page.goto((site / "index.html").as_uri())
            page.locator("ol.contents li > a").nth(i).click()
            page.wait_for_load_state("load")
            assert page.url.endswith(info["file"])
            assert page.title() == info["title"]
            assert page.locator("h1").first.inner_text().startswith(info["title"].split(" ")[0])
            imgs = page.locator("img")
            widths = imgs.evaluate_all("l => l.map(i => i.complete ? i.naturalWidth : 0)")
            assert all(w > 0 for w in widths), f"{info['file']}: undecoded figure(s): {widths}"
            source = nbformat.read(info["source"], as_version=4)
            n_pictures = sum(1 for c in source.cells if c.cell_type == "code" for o in c.get("outputs", [])
                             if any(k.startswith("image/") for k in o.get("data", {})))
            assert len(widths) >= n_pictures, f"{info['file']}: {len(widths)} images for {n_pictures} figures"
            unrendered = page.locator(".bpl-math-unrendered").all_inner_texts()
            assert not unrendered, f"{info['file']}: LaTeX left as source: {unrendered}"
            prose = " ".join(page.locator(".jp-MarkdownCell, .jp-RenderedLatex").evaluate_all(
                f"l => l.map({_VISIBLE_PROSE_JS})"))
            raw = RAW_LATEX.search(prose)
            assert not raw, f"{info['file']}: raw LaTeX visible: ...{prose[max(0, raw.start() - 60):raw.end() + 60]}..."
            md = "\n".join(c.source for c in source.cells if c.cell_type == "markdown")
            if "$" in md:
                assert page.locator("math").count() > 0, f"{info['file']}: maths in the notebook, none on the page"
                assert page.locator("math").first.evaluate("m => m.getBoundingClientRect().width") > 0
            if info["widgets"]:  # a widget's saved snapshot: the note, the question, the figure
                notes = page.locator(".bpl-widget-note")
                assert notes.count() == info["widgets"], f"{info['file']}: {notes.count()} widget notes"
                if info is with_widgets[0]:
                    notes.first.scroll_into_view_if_needed()
                    page.screenshot(path=str(shots / f"export__{Path(info['file']).stem}__widget.png"))
            if i == 0:
                page.screenshot(path=str(shots / f"export__{Path(info['file']).stem}.png"))
        assert not requested, f"pages asked the network for {requested}"
    finally:
        page.context.close()
    print(f"export of {len(notebooks)} notebooks: {t_export:.1f} s; screenshots in {shots}")


def test_links_between_notebooks_point_at_the_pages(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    nb = _notebook("01 · Welcome")
    nb.cells.append(nbformat.v4.new_markdown_cell("Next: [the chain rule](02_chain_rule.ipynb#top) and "
                                                  "[elsewhere](https://example.org/x.ipynb)."))
    nbformat.write(nb, src / "01_welcome.ipynb")
    nbformat.write(_notebook("02 · Chain rule"), src / "02_chain_rule.ipynb")
    export.export_site(sorted(src.glob("*.ipynb")), tmp_path / "site", log=lambda *a: None)
    page = (tmp_path / "site" / "01_welcome.html").read_text()
    assert 'href="02_chain_rule.html#top"' in page and 'href="02_chain_rule.ipynb' not in page
    assert 'href="https://example.org/x.ipynb"' in page  # other sites' links are left alone
