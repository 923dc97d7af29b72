"""Render the brief model to HTML (and PDF from the same HTML) and Markdown with Jinja2 templates."""

from __future__ import annotations

import re
from functools import cache

import jinja2

from ..contract import STANCES
from ..errors import InnspillError
from . import guidetext as G
from .charts import stance_svg
from .i18n import Text

_MD_LINK = re.compile(r"(\]\s*)([(\[:])")


def md_safe(value):
    """A value as Markdown text, never markup: a backslash before ``\\`` and ``<`` (no raw
    HTML such as ``<script>``, no ``<javascript:...>`` autolink) and between ``]`` and ``(``, ``[``
    or ``:`` (no ``[text](javascript:...)`` link, reference or link definition). ``[name]`` stays
    as it is. Used for every value the Markdown brief prints (comments, quotes, names)."""
    if not isinstance(value, str):
        return value
    value = value.replace("\\", "\\\\").replace("<", "\\<")
    return _MD_LINK.sub(lambda m: m.group(1) + "\\" + m.group(2), value)


@cache
def _env(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("innspill.report", "templates"),
                             autoescape=autoescape, extensions=["jinja2.ext.i18n"],
                             trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, finalize=None if autoescape else md_safe)
    return env


def _context(brief: dict, T: Text) -> dict:
    numbers = {q["id"]: q["number"] for q in brief["questions"]}
    live = {s["id"]: s for s in (brief.get("live") or {}).get("statements", [])}
    mn = brief["guide"]["min_answers"]
    return {
        "b": brief, "T": T, "stances": STANCES, "numbers": numbers, "live": live,
        "guide": G.guide(brief, T), "heading": G.heading(brief, T), "doc_title": G.title(brief, T),
        "about": brief.get("consultation"), "copies": G.copies(brief, T), "campaigns": G.campaigns(brief, T),
        "campaign_groups": [d for d in brief["duplicates"] if d["kind"] == "campaign"],
        "qcamp": lambda q: G.question_campaigns(brief, q, T), "cs": lambda n, x: G.count_share(T, n, x),
        "few": G.few(T, mn), "live_counts": lambda s: G.live_counts(T, s), "live_source": lambda s: G.live_source(T, s),
        "live_tags": lambda s: G.live_tags(T, s, mn),
        "live_summary": G.live_summary(brief, T) if brief.get("live") else [],
        "placeholders": ", ".join(T.placeholders().values()),
        "kinds": {q["id"]: q["kind"] for q in brief["questions"]},
        "answered_line": lambda q: G.answered_line(T, q),
    }


def _render(name: str, brief: dict, T: Text, autoescape: bool, **extra) -> str:
    env = _env(autoescape)
    env.install_gettext_callables(T.t.gettext, T.t.ngettext, newstyle=True)
    env.filters["category"] = T.category
    env.filters["qnum"] = lambda qid: next((str(q["number"]) for q in brief["questions"] if q["id"] == qid), qid)
    return env.get_template(name).render(**_context(brief, T), **extra)


def charts_svg(brief: dict, T: Text) -> dict:
    out = {}
    for q in brief["questions"]:
        labels = {s: T.stance(s, q["kind"]) for s in STANCES}
        title, alt = G.chart_texts(T, q)
        out[q["id"]] = stance_svg(q["counts"], labels, title, alt, f"chart-{q['id']}", T.pct)
    return out


def to_html(brief: dict, lang: str) -> str:
    T = Text(lang)
    return _render("brief.html.j2", brief, T, True, charts=charts_svg(brief, T))


def to_markdown(brief: dict, lang: str) -> str:
    return _render("brief.md.j2", brief, Text(lang), False)


def to_pdf(brief: dict, lang: str) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise InnspillError("E302", f"PDF output needs WeasyPrint and the Pango library ({exc})",
                            hint="pip install 'innspill[pdf]' and, on Debian, apt-get install libpango-1.0-0 "
                                 "libpangoft2-1.0-0; or write --format html and print it to PDF") from None

    def no_fetch(url, *args, **kwargs):  # the HTML is self-contained; never reach another host
        raise ValueError(f"innspill does not fetch {url}")

    html = to_html(brief, lang)
    return weasyprint.HTML(string=html, url_fetcher=no_fetch).write_pdf()
