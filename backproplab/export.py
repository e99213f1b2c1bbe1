"""``backproplab export``: the lecture notebooks as one static HTML site, to hand out.

::

    backproplab export                      # notebooks/*.ipynb -> _site/index.html + one page each
    backproplab export --out handout 03_three_neuron_network
    backproplab export --execute            # re-run first, widgets drawn as static figures

What the site is:

- one page per notebook, in nbconvert's JupyterLab look (``HTMLExporter``, template ``lab``), with
  its committed outputs; a contents page (``index.html``) listing the notebooks in teaching order,
  each under the title of its first heading; previous / contents / next links on every page;
- self-contained: figures are embedded as ``data:`` URIs (outputs and Markdown images alike), the
  styles are inlined, and no page loads anything from the network (nbconvert's require.js,
  MathJax, Mermaid and widget-manager ``<script>`` tags from CDNs are left out);
- maths rendered without a network and without JavaScript: every ``$...$``, ``$$...$$``,
  ``\\(...\\)``, ``\\[...\\]`` and ``\\begin{env}...\\end{env}`` is converted to MathML on the
  machine that exports (``latex2mathml``, pure Python). Browsers draw MathML themselves
  (Chromium 109+, Firefox, Safari), so the pages also work from a USB stick or a file share;
- widgets (sliders, buttons) cannot move on a static page: each widget is replaced by a note and
  by what it showed when the notebook was saved (the figure of its ``Output`` widget, its
  question and the values of its controls), taken from the widget state that Jupyter stores in
  the notebook. With ``--execute`` the notebooks are first re-run with
  ``BACKPROPLAB_STATIC_WIDGETS=1``, so each playground draws its own static figure instead.

Slides: ``--slides`` also writes ``<name>.slides.html`` with nbconvert's reveal.js exporter, a
slide per heading. reveal.js is JavaScript that nbconvert loads from a CDN; it is not on PyPI, so
for slides that work offline pass ``--reveal DIR`` with a local copy of reveal.js 4 or 5 (for
example the ``reveal.js`` folder that ``npm install reveal.js`` makes): it is copied into the
site. Without ``--reveal``, ``--slides`` refuses rather than writing slides that need a network.
"""
import argparse
import html
import os
import re
import shutil
import sys
from pathlib import Path

__all__ = ["export_site", "latex_to_mathml", "notebook_title", "add_subparser", "main"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# ---------------------------------------------------------------------------------------- maths
# Environments latex2mathml lacks, mapped to ones it has with the same layout.
_ENV_ALIASES = {"aligned": "align*", "alignedat": "align*", "align": "align*", "eqnarray": "align*",
                "eqnarray*": "align*", "equation": None, "equation*": None, "gathered": "gather*",
                "gather": "gather*"}
_MACRO_ALIASES = [(r"\bm{", r"\boldsymbol{"), (r"\intercal", r"\top"), (r"\lvert", "|"), (r"\rvert", "|"),
                  (r"\lVert", r"\|"), (r"\rVert", r"\|"), (r"\coloneqq", ":="), (r"\eqqcolon", "=:"),
                  (r"\hline", ""), (r"\displaystyle", r"\displaystyle ")]
# operator names latex2mathml does not know: written as \operatorname{...}
_OPERATORS = ("arg", "sgn", "sign", "diag", "tr", "rank", "Var", "Cov", "erf", "softmax", "relu")


class MathProblems(list):
    """The formulas that did not convert cleanly, as (where, latex, why) triples."""


def _normalise(latex):
    latex = re.sub(r"\\(label|tag)\{[^{}]*\}", "", latex)
    latex = latex.replace(r"\nonumber", "").replace(r"\notag", "")
    for old, new in _MACRO_ALIASES:
        latex = latex.replace(old, new)
    latex = re.sub(r"\\(?:big|Big|bigg|Bigg)[lrm]?\s*(?=\\[lr]angle\b)", "", latex)  # size of ⟨ ⟩ dropped
    latex = re.sub(r"\\(%s)(?![A-Za-z])" % "|".join(_OPERATORS), r"\\operatorname{\1}", latex)

    def env(m):
        name, arg = m.group(2), m.group(3) or ""
        target = _ENV_ALIASES.get(name, name)
        if target is None:  # equation: just its body
            return arg
        if name == "alignedat":  # its column count goes
            arg = ""
        return f"\\{m.group(1)}{{{target}}}{arg}"

    latex = re.sub(r"\\(begin|end)\{([a-zA-Z]+\*?)\}(\{[^{}]*\})?", env, latex)
    return latex.strip()


def latex_to_mathml(latex, display=False, problems=None, where=""):
    """MathML for a LaTeX formula (without its ``$`` delimiters), rendered by the browser itself.

    A formula latex2mathml cannot convert, or converts leaving a TeX command behind, is shown as
    its source in ``<code class="bpl-math-unrendered">`` and recorded in ``problems``.
    """
    from latex2mathml.converter import convert

    source = _normalise(latex)
    why = None
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes a visible, reported fallback
        mathml, why = None, f"{type(exc).__name__}: {exc}"
    if mathml is not None:
        leftover = re.findall(r">(\\[A-Za-z]+)<", mathml)
        if leftover:
            mathml, why = None, f"unsupported command(s) {sorted(set(leftover))}"
        else:
            mathml = mathml.replace("<math ", f"<math data-latex=\"{html.escape(latex.strip())}\" ", 1)
    if mathml is None:
        if problems is not None:
            problems.append((where, latex, why))
        tag = "pre" if display else "code"
        return f'<{tag} class="bpl-math-unrendered" title="{html.escape(why)}">{html.escape(latex)}</{tag}>'
    return mathml


def _math_renderer_class():
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class MathMLRenderer(IPythonRenderer):
        """nbconvert's Markdown renderer, with maths turned into MathML instead of kept for MathJax."""

        problems = None
        where = ""

        def block_math(self, body):
            return latex_to_mathml(body, True, self.problems, self.where)

        def inline_math(self, body):
            return latex_to_mathml(body, False, self.problems, self.where)

        def latex_environment(self, name, body):
            return latex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", True, self.problems, self.where)

        def multiline_math(self, text):
            text = text.strip()
            for left, right in (("$$", "$$"), ("\\[", "\\]")):
                if text.startswith(left) and text.endswith(right):
                    text = text[len(left):-len(right)]
            return latex_to_mathml(text, True, self.problems, self.where)

    return MathMLRenderer


def markdown_to_html(source, problems=None, where="", **renderer_kw):
    """Markdown with maths to HTML with MathML (nbconvert's parser, so the same syntax as Jupyter)."""
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    renderer = _math_renderer_class()(escape=False, **renderer_kw)
    renderer.problems, renderer.where = problems, where
    return MarkdownWithMath(renderer=renderer).render(source)


# ---------------------------------------------------------------------------------------- titles
def notebook_title(nb, fallback=""):
    """The text of the notebook's first Markdown heading (Markdown and ``$`` stripped)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if m:
                return _plain(m.group(1))
    return fallback


def _plain(markdown):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)     # links
    text = re.sub(r"[*_`]+", "", text)
    return text.strip()


def _title_html(title, problems):
    out = markdown_to_html(title, problems, "title").strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", out, flags=re.S)


# ---------------------------------------------------------------------------------------- widgets
def _widget_snapshot(model_id, state, seen=None):
    """(control values, HTML texts, outputs) that the widget ``model_id`` showed when saved."""
    seen = set() if seen is None else seen
    controls, texts, outputs = [], [], []
    if model_id in seen or model_id not in state:
        return controls, texts, outputs
    seen.add(model_id)
    model = state[model_id]
    name, st = model.get("model_name", ""), model.get("state", {})
    if name == "OutputModel":
        outputs.extend(st.get("outputs", []))
    elif name in ("HTMLModel", "HTMLMathModel") and st.get("value"):
        texts.append(st["value"])
    elif name == "LabelModel" and st.get("value"):
        texts.append(html.escape(str(st["value"])))
    elif "value" in st and st.get("description") and name != "ButtonModel":
        value = st["value"]
        if "_options_labels" in st and isinstance(value, int) and name.endswith("DropdownModel"):
            labels = st["_options_labels"]
            value = labels[value] if 0 <= value < len(labels) else value
        elif "_options_labels" in st and "index" in st and isinstance(st["index"], int):
            labels = st["_options_labels"]
            value = labels[st["index"]] if 0 <= st["index"] < len(labels) else value
        controls.append(f"{st['description']} = {value}")
    for child in st.get("children", []) or []:
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            c, t, o = _widget_snapshot(child[len("IPY_MODEL_"):], state, seen)
            controls += c
            texts += t
            outputs += o
    return controls, texts, outputs


def replace_widgets(nb):
    """Replace each widget view by a note plus what the widget showed when the notebook was saved.

    Returns the number of widgets replaced. Drops the notebook's widget state (its only use in a
    page is for the widget manager JavaScript that would come from a CDN).
    """
    import nbformat

    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        new = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                new.append(out)
                continue
            count += 1
            model_id = data[WIDGET_VIEW].get("model_id", "")
            controls, texts, outputs = _widget_snapshot(model_id, state)
            note = "<b>Interactive widget.</b> Open this notebook in JupyterLab to use it; "
            if model_id in state:
                note += "below is what it showed when the notebook was saved"
                if controls:
                    note += " (" + html.escape("; ".join(controls)) + ")"
                note += "."
            else:
                note += "the notebook was saved without the widget's state, so there is nothing to show here."
            body = "".join(f"<div>{t}</div>" for t in texts)
            new.append(nbformat.v4.new_output("display_data", data={
                "text/html": f'<div class="bpl-widget-note">{note}{body}</div>'}))
            new.extend(nbformat.from_dict(o) for o in outputs)
        cell.outputs = new
    nb.metadata.pop("widgets", None)
    return count


# ---------------------------------------------------------------------------------------- pages
_EXTRA_CSS = """
<style>
.bpl-nav { display: flex; gap: 1.5em; justify-content: space-between; max-width: 1200px;
           margin: 0 auto; padding: 8px 16px; font: 14px/1.4 system-ui, sans-serif; }
.bpl-nav a { text-decoration: none; }
.bpl-nav.bpl-top { border-bottom: 1px solid #ddd; }
.bpl-nav.bpl-bottom { border-top: 1px solid #ddd; margin-top: 2em; }
math[display="block"] { margin: 0.6em 0; overflow-x: auto; }
math { font-size: 1.1em; font-family: math, "STIX Two Math", "Latin Modern Math", "DejaVu Serif", serif; }
.bpl-math-unrendered { color: #a00; }
.bpl-widget-note { border-left: 4px solid #f0ad4e; background: #fdf6ec; padding: 6px 10px; margin: 4px 0; }
</style>
"""

# Extends nbconvert's lab template: the same look, minus every script that would load from a
# network (require.js, MathJax, Mermaid, the widget manager), plus navigation and a little CSS.
_PAGE_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}{{ resources.bpl_css }}{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.bpl_nav_top }}{%- endblock body_header -%}
{% block body_footer %}{{ resources.bpl_nav_bottom }}{{ super() }}{% endblock body_footer %}
{% block data_latex scoped %}
<div class="jp-RenderedLatex jp-OutputArea-output {{ extra_class }}" data-mime-type="text/latex">
{{ output.data['text/latex'] | markdown2html }}
</div>
{%- endblock data_latex %}
"""


def _exporter_class():
    from nbconvert.exporters import HTMLExporter
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    class SiteHTMLExporter(HTMLExporter):
        """HTMLExporter (lab template) whose Markdown maths become MathML; no network resources."""

        problems = None

        def markdown2html(self, context, source):
            cell = context.get("cell", {})
            path = context.get("resources", {}).get("metadata", {}).get("path", "")
            renderer = _math_renderer_class()(
                escape=False, attachments=cell.get("attachments", {}), embed_images=self.embed_images,
                path=path, anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links)
            renderer.problems = self.problems
            renderer.where = context.get("resources", {}).get("metadata", {}).get("name", "")
            return MarkdownWithMath(renderer=renderer).render(source)

    # keep nbconvert's @contextfilter marking, so jinja passes the context
    SiteHTMLExporter.markdown2html = _as_context_filter(SiteHTMLExporter.markdown2html)
    return SiteHTMLExporter


def _as_context_filter(fn):
    try:
        from jinja2 import pass_context
    except ImportError:  # jinja2 < 3
        from jinja2 import contextfilter as pass_context
    return pass_context(fn)


def _nav(pages, i, where):
    prev = f'<a href="{pages[i - 1]["file"]}">← {html.escape(pages[i - 1]["title"])}</a>' if i > 0 else "<span></span>"
    nxt = (f'<a href="{pages[i + 1]["file"]}">{html.escape(pages[i + 1]["title"])} →</a>'
           if i + 1 < len(pages) else "<span></span>")
    return (f'<nav class="bpl-nav bpl-{where}" aria-label="lecture notes">{prev}'
            f'<a href="index.html">Contents</a>{nxt}</nav>')


_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; color: #222; }}
h1 {{ font-size: 1.8em; margin-bottom: 0.2em; }}
ol {{ padding-left: 1.6em; }} li {{ margin: 0.5em 0; }}
li a {{ font-weight: 600; text-decoration: none; }}
.file {{ color: #777; font-size: 0.85em; margin-left: 0.5em; }}
.slides {{ font-size: 0.85em; margin-left: 0.5em; }}
footer {{ color: #777; font-size: 0.85em; margin-top: 3em; border-top: 1px solid #ddd; padding-top: 0.5em; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{intro}</p>
<ol class="contents">
{items}
</ol>
<footer>Made with <code>backproplab export</code> (backproplab {version}) from the course notebooks.
Works offline: figures are embedded and the maths is MathML, drawn by the browser.</footer>
</main>
</body>
</html>
"""


def _execute(nb, path, timeout):
    """Re-run the notebook in a fresh kernel with the playgrounds in static mode and inline figures."""
    from nbclient import NotebookClient

    wanted = {"BACKPROPLAB_STATIC_WIDGETS": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)  # the kernel inherits this process's environment
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _link_pages(body, files):
    """Point links between notebooks (``href="02_chain_rule.ipynb"``) at the exported pages."""
    return re.sub(r'href="([^"/#:]+\.ipynb)(#[^"]*)?"',
                  lambda m: f'href="{files.get(m.group(1), m.group(1))}{m.group(2) or ""}"', body)


def export_site(notebooks, out, title="backproplab: backpropagation, from the chain rule to Keras",
                execute=False, timeout=600, slides=False, reveal=None, log=print):
    """Write ``out/index.html`` and one ``<stem>.html`` per notebook (in the order given).

    Returns a dict: ``pages`` (list of dicts with ``file``, ``title``, ``source``, ``widgets``),
    ``problems`` (formulas that could not be converted: (page, latex, why)), ``index`` (path).
    """
    import jinja2
    import nbformat

    from . import __version__

    notebooks = [Path(p) for p in notebooks]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    problems = MathProblems()
    pages = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        pages.append({"source": path, "nb": nb, "file": f"{path.stem}.html",
                      "title": notebook_title(nb, path.stem.replace("_", " "))})
    exporter = _exporter_class()(template_name="lab", embed_images=True,
                                 extra_loaders=[jinja2.DictLoader({"bpl_page.html.j2": _PAGE_TEMPLATE})],
                                 template_file="bpl_page.html.j2")
    exporter.problems = problems
    for i, page in enumerate(pages):
        nb, path = page["nb"], page["source"]
        if execute:
            log(f"executing {path} ...")
            _execute(nb, path, timeout)
        page["widgets"] = replace_widgets(nb)
        nb.metadata["title"] = page["title"]
        resources = {"metadata": {"name": path.stem, "path": str(path.parent)},
                     "bpl_css": _EXTRA_CSS, "bpl_nav_top": _nav(pages, i, "top"),
                     "bpl_nav_bottom": _nav(pages, i, "bottom")}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        body = _link_pages(body, {p["source"].name: p["file"] for p in pages})
        (out / page["file"]).write_text(body, encoding="utf-8")
        if slides:
            page["slides"] = _write_slides(nb, path, out, reveal, problems)
        log(f"wrote {out / page['file']}  ({page['title']})")
    items = []
    for i, page in enumerate(pages):
        extra = f' <a class="slides" href="{page["slides"]}">(slides)</a>' if page.get("slides") else ""
        items.append(f'<li><a href="{page["file"]}">{_title_html(page["title"], problems)}</a>'
                     f'<span class="file">{html.escape(page["source"].name)}</span>{extra}</li>')
    intro = ("Lecture notes of the backproplab course, one page per notebook, in teaching order. "
             "The interactive widgets work in JupyterLab; here they show what they drew when the notebook was saved.")
    index = out / "index.html"
    index.write_text(_INDEX.format(title=html.escape(title), intro=html.escape(intro), items="\n".join(items),
                                   version=__version__), encoding="utf-8")
    log(f"wrote {index}  (contents: {len(pages)} notebook{'s' if len(pages) != 1 else ''})")
    for page in pages:
        page.pop("nb", None)
    return {"pages": pages, "problems": problems, "index": index}


# ---------------------------------------------------------------------------------------- slides
_SLIDES_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_jquery -%}{%- endblock html_head_js_jquery -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_css -%}{{ resources.bpl_css }}
<style>
/* a long slide scrolls instead of running off the screen */
.reveal .slides > section, .reveal .slides > section > section { height: 100%; overflow-y: auto; }
</style>
{%- endblock html_head_css -%}
{% block data_latex scoped %}
<div class="jp-RenderedLatex jp-OutputArea-output {{ extra_class }}" data-mime-type="text/latex">
{{ output.data['text/latex'] | markdown2html }}
</div>
{%- endblock data_latex %}
{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true, progress: true, history: true, center: false,
  transition: "{{ resources.reveal.transition }}", slideNumber: "{{ resources.reveal.number }}",
  width: {{ resources.reveal.width }}, height: {{ resources.reveal.height }},
  plugins: typeof RevealNotes === "undefined" ? [] : [RevealNotes]
});
</script>
{% endblock footer_js %}
"""


def _slide_metadata(nb):
    """A new slide at each heading of level 1 to 3, unless the notebook says where its slides are."""
    if any("slideshow" in c.metadata for c in nb.cells):
        return nb
    for cell in nb.cells:
        starts = cell.cell_type == "markdown" and re.match(r"^\s{0,3}#{1,3}\s", cell.source)
        cell.metadata["slideshow"] = {"slide_type": "slide" if starts else "-"}
    return nb


def _copy_reveal(reveal, out):
    """Copy what the slides load (reveal.js, its styles, themes and fonts, the notes plugin)."""
    target = out / "reveal.js"
    if not (target / "dist" / "reveal.js").exists():
        reveal = Path(reveal)
        shutil.copytree(reveal / "dist", target / "dist", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
        if (reveal / "plugin" / "notes").exists():
            shutil.copytree(reveal / "plugin" / "notes", target / "plugin" / "notes", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
        for name in ("LICENSE", "package.json"):
            if (reveal / name).exists():
                shutil.copy2(reveal / name, target / name)
    return "reveal.js"


def _write_slides(nb, path, out, reveal, problems):
    """``<stem>.slides.html``: reveal.js slides from the local copy ``reveal`` (None: no slides)."""
    import copy

    import jinja2
    from nbconvert.exporters import SlidesExporter

    if reveal is None:
        return None
    prefix = _copy_reveal(reveal, out)

    class OfflineSlides(SlidesExporter):
        markdown2html = _exporter_class().markdown2html

    # "white": the reveal.js theme whose fonts ship with it (others import web fonts)
    exporter = OfflineSlides(template_name="reveal", embed_images=True, reveal_url_prefix=prefix,
                             reveal_theme="white", reveal_scroll=False, reveal_number="c/t",
                             reveal_width="1280", reveal_height="800",
                             extra_loaders=[jinja2.DictLoader({"bpl_slides.html.j2": _SLIDES_TEMPLATE})],
                             template_file="bpl_slides.html.j2")
    exporter.problems = problems
    body, _ = exporter.from_notebook_node(
        _slide_metadata(copy.deepcopy(nb)),
        resources={"metadata": {"name": path.stem, "path": str(path.parent)}, "bpl_css": _EXTRA_CSS})
    name = f"{path.stem}.slides.html"
    (out / name).write_text(body, encoding="utf-8")
    return name


# ---------------------------------------------------------------------------------------- command line
def _find_notebooks(folder, names):
    folder = Path(folder)
    allnbs = sorted(folder.glob("[0-9]*.ipynb")) or sorted(folder.glob("*.ipynb"))
    if not names:
        return allnbs
    chosen = []
    for name in names:
        p = Path(name)
        if p.suffix == ".ipynb" and p.exists():
            chosen.append(p)
            continue
        matches = [q for q in allnbs if q.stem == name or q.stem.startswith(name)]
        if not matches:
            raise FileNotFoundError(f"no notebook {name!r} in {folder}")
        chosen.extend(matches)
    return chosen


def add_subparser(subparsers):
    p = subparsers.add_parser(
        "export", help="write the lecture notebooks as a static HTML site (offline maths, embedded figures)",
        description="Write the notebooks as one static HTML site: a page per notebook and a contents page. "
                    "Figures are embedded and the maths is converted to MathML, so the site needs no network.")
    p.add_argument("names", nargs="*", help="notebook files, or stems / number prefixes in --notebooks (default: all)")
    p.add_argument("--notebooks", default="notebooks", help="folder of lecture notebooks (default: notebooks)")
    p.add_argument("--out", default="_site", help="folder to write the site into (default: _site)")
    p.add_argument("--title", default="backproplab: backpropagation, from the chain rule to Keras",
                   help="title of the contents page")
    p.add_argument("--execute", action="store_true",
                   help="re-run each notebook first, with the widget playgrounds drawn as static figures")
    p.add_argument("--timeout", type=float, default=600, help="seconds per cell with --execute (default: 600)")
    p.add_argument("--slides", action="store_true", help="also write reveal.js slides (needs --reveal)")
    p.add_argument("--reveal", metavar="DIR",
                   help="a local copy of reveal.js (e.g. node_modules/reveal.js), copied into the site for offline slides")
    p.add_argument("--strict", action="store_true", help="exit 1 if any formula could not be converted")
    p.set_defaults(func=run)
    return p


def run(args):
    if args.slides and not args.reveal:
        print("backproplab: --slides needs --reveal DIR: reveal.js is not on PyPI and nbconvert would load it "
              "from a CDN, which an offline handout cannot. Get a copy with `npm install reveal.js` and pass "
              "--reveal node_modules/reveal.js.", file=sys.stderr)
        return 2
    if args.reveal and not (Path(args.reveal) / "dist" / "reveal.js").exists():
        print(f"backproplab: {args.reveal} is not a reveal.js folder (no dist/reveal.js in it)", file=sys.stderr)
        return 2
    try:
        notebooks = _find_notebooks(args.notebooks, args.names)
    except FileNotFoundError as exc:
        print(f"backproplab: {exc}", file=sys.stderr)
        return 2
    if not notebooks:
        print(f"backproplab: no notebooks in {args.notebooks}", file=sys.stderr)
        return 2
    try:
        import latex2mathml  # noqa: F401
    except ImportError:
        print("backproplab: export needs the package latex2mathml (it turns the maths into MathML, so the "
              "pages need no network): pip install latex2mathml", file=sys.stderr)
        return 4
    report = export_site(notebooks, args.out, title=args.title, execute=args.execute, timeout=args.timeout,
                         slides=args.slides, reveal=args.reveal)
    for where, latex, why in report["problems"]:
        print(f"warning: {where}: formula left as source ({why}): {latex[:80]!r}", file=sys.stderr)
    print(f"open {Path(report['index']).resolve().as_uri()}")
    return 1 if (args.strict and report["problems"]) else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="backproplab")
    sub = parser.add_subparsers(dest="command")
    add_subparser(sub)
    args = parser.parse_args(["export", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
