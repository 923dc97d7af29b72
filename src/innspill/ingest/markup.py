"""Turn HTML (a comment's content, a post, part of a saved page) into plain text.

Paragraphs and other blocks become blank-line-separated paragraphs, ``<br>`` a
line break, list items lines (``1. …`` in an ordered list, so numbered
questions in a post are found as such, ``- …`` otherwise). Scripts, styles and
forms are skipped. The walk is iterative, so deep nesting cannot overflow.
"""

from __future__ import annotations

import re

from lxml import etree, html

PARAGRAPH = {"p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "section",
             "article", "header", "footer", "figure", "figcaption", "hr", "dl", "ol", "ul", "main",
             "aside", "nav", "form", "fieldset", "address", "details", "summary"}
LINE = {"br", "li", "tr", "dt", "dd", "caption"}
SKIP = {"script", "style", "noscript", "template", "svg", "head", "title", "button", "select", "textarea",
        "iframe", "object", "input"}
_SPACE = re.compile(r"[ \t\f\v\u00a0\u200b]+")
_BREAK = re.compile(r" *\n *")
_MARK = {1: "\n", 2: "\n\n"}


def _parser():
    return html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False,
                           default_doctype=False)


def fragment_to_text(markup: str, keep_newlines: bool = True) -> str:
    """Plain text of an HTML fragment. ``keep_newlines``: line breaks typed in the source count
    (WordPress stores comments that way); else whitespace in the source is layout only."""
    if "<" not in markup and "&" not in markup:
        plain = markup.replace("\r\n", "\n").replace("\r", "\n").strip()
        return plain if keep_newlines else tidy(plain, False)
    try:
        root = html.fragment_fromstring(markup, create_parent="div", parser=_parser())
    except (etree.ParserError, ValueError):
        return tidy(markup, keep_newlines)
    return element_to_text(root, keep_newlines)


def element_to_text(root, keep_newlines: bool = False, exclude: set | None = None) -> str:
    """Plain text of an element, leaving out the elements in ``exclude`` (and what is inside them)."""
    out: list = []  # strings, and ints for breaks: 1 = line, 2 = paragraph
    numbers: list[int | None] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        skipped = tag in SKIP or (exclude is not None and el in exclude)
        if event == "start":
            if skipped or not tag:
                walker.skip_subtree()
                continue
            _open(tag, el, out, numbers)
            if el.text:
                out.append(el.text)
        else:
            if tag and not skipped:
                _close(tag, out, numbers)
            if el.tail and el is not root:
                out.append(el.tail)
    return _join(out, keep_newlines)


def _open(tag: str, el, out: list, numbers: list) -> None:
    if tag in PARAGRAPH:
        out.append(2)
    if tag == "ol":
        numbers.append(_start(el))
    elif tag == "ul":
        numbers.append(None)
    elif tag == "li":
        out.append(1)
        if numbers and numbers[-1] is not None:
            out.append(f"{numbers[-1]}. ")
            numbers[-1] += 1
        elif numbers:
            out.append("- ")
    elif tag in LINE and tag != "br":
        out.append(1)
    elif tag in ("td", "th"):
        out.append(" ")


def _close(tag: str, out: list, numbers: list) -> None:
    if tag in ("ol", "ul") and numbers:
        numbers.pop()
    if tag in PARAGRAPH:
        out.append(2)
    elif tag in LINE:
        out.append(1)


def _start(el) -> int:
    try:
        return int(el.get("start", "1"))
    except ValueError:
        return 1


def _join(out: list, keep_newlines: bool) -> str:
    parts: list[str] = []
    pending = 0
    for item in out:
        if isinstance(item, int):
            pending = max(pending, item)
            continue
        if not keep_newlines:
            item = _SPACE.sub(" ", item.replace("\n", " ").replace("\r", " "))
        if not item or (pending and not item.strip()):
            continue
        if pending and parts:
            parts.append(_MARK[pending])
        pending = 0
        parts.append(item)
    return tidy("".join(parts), True)


def tidy(text: str, keep_newlines: bool = True) -> str:
    """Spaces collapsed, line ends stripped, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not keep_newlines:
        text = text.replace("\n", " ")
    text = _SPACE.sub(" ", text)
    text = _BREAK.sub("\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
