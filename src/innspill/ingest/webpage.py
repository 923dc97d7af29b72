"""Read a web page saved from a browser: a post with its comments.

WordPress pages (classic themes: ``ol.commentlist``/``ol.comment-list`` with
``li.comment``, ``.comment-author .fn``, ``.comment-content`` or the older
``.comment-body``, ``time``; block themes: ``.wp-block-comment-template``,
``.wp-block-comment-author-name``, ``.wp-block-comment-content``) are read by
their classes; replies are nested lists, so threading comes from nesting.
Other pages fall back to heuristics: the comments are the largest run of
repeated, similar blocks (same tag and classes) that look like comments, and
the post is the block with the most paragraph text outside them
(readability-style). Parsed with lxml's HTML parser (no network, no regex).
"""

from __future__ import annotations

import re

from lxml import etree, html

from ..contract import Comment
from ..errors import warning
from . import ReadOptions, Thread
from .encoding import bom_encoding, check_codec, detect
from .markup import element_to_text
from .questions import find_in_post

WP_ITEMS = ("comment", "pingback", "trackback")
AUTHOR = ("fn", "wp-block-comment-author-name", "comment-author")
DATE = ("comment-metadata", "commentmetadata", "wp-block-comment-date", "comment-date")
CONTENT = ("comment-content", "wp-block-comment-content")
CHROME = ("reply", "comment-reply-link", "wp-block-comment-reply-link", "comment-meta", "comment-metadata",
          "commentmetadata", "comment-author", "wp-block-comment-author-name", "wp-block-comment-date",
          "comment-awaiting-moderation", "wp-block-comment-edit-link", "edit-link", "says")
POST = ("entry-content", "wp-block-post-content", "post-content", "article-content", "entry")
TITLE = ("entry-title", "wp-block-post-title", "post-title")
COUNTER = ("comments-title", "wp-block-comments-title")
COMMENTISH = ("comment", "kommentar", "reply", "response", "svar", "innspill")
CONTAINER_TAGS = ("li", "div", "article", "section")


def classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _by_class(root, names) -> list:
    found = []
    for el in root.iter(etree.Element):
        if classes(el) & set(names):
            found.append(el)
    return found


def _own(item, items: set, names=None, tag: str | None = None) -> list:
    """Descendants of ``item`` with one of the classes ``names`` (or the tag), outside nested comments."""
    out = []
    walker = etree.iterwalk(item, events=("start",))
    for _, el in walker:
        if el is not item and el in items:
            walker.skip_subtree()
            continue
        if not isinstance(el.tag, str) or el is item:
            continue
        if (names and classes(el) & set(names)) or (tag and el.tag == tag):
            out.append(el)
    return out


def decode_page(data: bytes, path: str, encoding: str) -> tuple[bytes, str, str]:
    """UTF-8 bytes of the page, the encoding it was in, and how that was decided."""
    if encoding != "auto":
        check_codec(encoding)
        return data.decode(encoding, errors="replace").encode("utf-8"), encoding, "option"
    bom = bom_encoding(data)
    if bom:
        return data.decode(bom, errors="replace").lstrip("\ufeff").encode("utf-8"), bom, "byte-order mark"
    try:
        data.decode("utf-8")
        return data, "utf-8", "valid utf-8"
    except UnicodeDecodeError:
        pass
    declared = _meta_charset(data)
    if declared:
        try:
            return data.decode(declared).encode("utf-8"), declared, "meta charset"
        except (LookupError, UnicodeDecodeError):
            pass
    name = detect(data)
    return data.decode(name, errors="replace").encode("utf-8"), name, "charset-normalizer"


def _meta_charset(data: bytes) -> str | None:
    try:
        head = html.document_fromstring(data[:4096], parser=html.HTMLParser(encoding="iso-8859-1"))
    except (etree.ParserError, ValueError):
        return None
    for meta in head.iter("meta"):
        cs = meta.get("charset")
        if not cs and (meta.get("http-equiv") or "").lower() == "content-type":
            content = meta.get("content") or ""
            cs = content.lower().split("charset=", 1)[1] if "charset=" in content.lower() else None
        if cs:
            return cs.strip().strip("'\"")
    return None


def parse(data: bytes):
    parser = html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
                             huge_tree=False)
    try:
        return html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def read(data: bytes, path: str, opts: ReadOptions) -> tuple[Thread, str, str]:
    utf8, enc, how = decode_page(data, path, opts.encoding)
    root = parse(utf8)
    if root is None:
        return Thread(post="", questions=[], comments=[], source={}), enc, how
    for bad in root.iter("script", "style", "noscript", "template"):
        bad.text = ""
    wp_items = [el for el in root.iter("li", "div", "article") if _is_wp_item(el)]
    if wp_items:
        layout = "wordpress-block" if _by_class(root, ("wp-block-comment-template",)) else "wordpress-classic"
        reader = _WordPress(root, wp_items)
    else:
        layout = "generic"
        reader = _Generic(root)
    comments, linkbacks = reader.comments()
    warnings: list[dict] = []
    post = reader.post_text()
    counted = _counter(root)
    if counted is not None and counted != len(comments) + linkbacks:
        warnings.append(warning("W101", f"the page says {counted} comments; "
                                        f"{len(comments) + linkbacks} were found in it", path))
    notes = {"html_layout": layout, "comment_elements": len(comments) + linkbacks, "pingbacks": linkbacks}
    thread = Thread(post=post, questions=find_in_post(post), comments=comments, source={},
                    warnings=warnings, notes=notes)
    return thread, enc, how


def _is_wp_item(el) -> bool:
    cls = classes(el)
    if not cls & set(WP_ITEMS):
        return False
    ident = el.get("id") or ""
    return any(c.startswith("depth-") for c in cls) or ident.startswith(("comment-", "li-comment-"))


def _counter(root) -> int | None:
    for el in _by_class(root, COUNTER):
        m = re.search(r"\d+", el.text_content())
        if m:
            return int(m.group())
    return None


def _parent_id(el, items: set, ids: dict) -> str | None:
    parent = next((a for a in el.iterancestors() if a in items), None)
    return ids.get(parent) if parent is not None else None


def _source_id(el) -> str | None:
    ident = el.get("id") or ""
    digits = ident.rsplit("-", 1)[-1]
    return digits if digits.isdigit() else (ident or None)


class _WordPress:
    def __init__(self, root, items: list):
        self.root = root
        self.items = items
        self.item_set = set(items)

    def comments(self) -> tuple[list[Comment], int]:
        out: list[Comment] = []
        ids: dict = {}
        linkbacks = 0
        for el in self.items:
            if classes(el) & {"pingback", "trackback"} and "comment" not in classes(el):
                linkbacks += 1
                continue
            out.append(self.comment(el, len(out) + 1, ids))
            ids[el] = out[-1].id
        return out, linkbacks

    def comment(self, el, pos: int, ids: dict) -> Comment:
        own = self.own
        author_el = next(iter(own(el, ("fn",)) + own(el, AUTHOR) + own(el, None, "cite")), None)
        author = _author(author_el)
        time_el = next(iter(own(el, None, "time")), None)
        date_el = next(iter(own(el, DATE)), None)
        posted = (time_el.get("datetime") or time_el.text_content()) if time_el is not None else \
            (" ".join(date_el.text_content().split()) if date_el is not None else None)
        body = next(iter(own(el, CONTENT) + own(el, ("comment-body",))), el)
        exclude = set(own(el, CHROME)) | {i for i in self.items if i is not el} | set(own(el, ("children",)))
        text = element_to_text(body, exclude=exclude)
        held = bool(own(el, ("comment-awaiting-moderation",)))
        status = "held" if held else ("kept" if text else "empty")
        return Comment(id=f"c{pos}", position=pos, original=text, author=author, posted_at=posted or None,
                       parent_id=_parent_id(el, self.item_set, ids), status=status,
                       line=el.sourceline, source_id=_source_id(el))

    def own(self, el, names, tag=None) -> list:
        return _own(el, self.item_set, names, tag)

    def post_text(self) -> str:
        title = next(iter(_by_class(self.root, TITLE) + list(self.root.iter("h1"))), None)
        body = next((el for el in _by_class(self.root, POST) if not self._in_comments(el)), None)
        parts = [" ".join(title.text_content().split()) if title is not None else ""]
        if body is not None:
            parts.append(element_to_text(body, exclude=self.item_set))
        return "\n\n".join(p for p in parts if p).strip()

    def _in_comments(self, el) -> bool:
        return any(a in self.item_set for a in el.iterancestors())


def _author(el) -> str | None:
    if el is None:
        return None
    name = " ".join(el.text_content().split())
    for says in (" says:", " sier:", " seier:", " skriver:", " wrote:"):
        if name.lower().endswith(says):
            name = name[: -len(says)]
    return name.strip() or None


def _signature(el) -> tuple:
    cls = tuple(sorted(c for c in classes(el) if not any(ch.isdigit() for ch in c)
                       and c not in ("even", "odd", "alt", "parent", "first", "last")))
    return el.tag, cls


class _Generic:
    """Comments as the largest group of similar repeated blocks; the post as the densest text block."""

    def __init__(self, root):
        self.root = root
        self.members: list = []
        sig = self._best_signature()
        if sig is not None:
            self.members = [el for el in root.iter(sig[0]) if _signature(el) == sig]
        self.member_set = set(self.members)

    def _best_signature(self):
        best, best_score = None, 0.0
        for parent in self.root.iter(etree.Element):
            groups: dict[tuple, list] = {}
            for child in parent:
                if isinstance(child.tag, str) and child.tag in CONTAINER_TAGS:
                    groups.setdefault(_signature(child), []).append(child)
            for sig, members in groups.items():
                if len(members) < 2:
                    continue
                score = self._score(parent, sig, members)
                if score > best_score:
                    best, best_score = sig, score
        return best

    def _score(self, parent, sig, members) -> float:
        lengths = [len(" ".join(m.text_content().split())) for m in members]
        if min(lengths) < 3 or sum(lengths) / len(lengths) < 15:
            return 0.0
        names = " ".join(sig[1]) + " " + (parent.get("class") or "") + " " + (parent.get("id") or "")
        names += " " + " ".join((m.get("id") or "") for m in members[:3])
        bonus = 3.0 if any(w in names.lower() for w in COMMENTISH) else 1.0
        if not sig[1] and bonus == 1.0:
            bonus = 0.3  # bare repeated <div>s or <li>s: menus and lists, seldom comments
        if any(a.tag in ("nav", "header", "footer") for a in parent.iterancestors()) and bonus < 3.0:
            return 0.0
        return len(members) * bonus

    def comments(self) -> tuple[list[Comment], int]:
        out: list[Comment] = []
        ids: dict = {}
        for el in self.members:
            own = lambda names, tag=None, el=el: _own(el, self.member_set, names, tag)  # noqa: E731
            author_el = next(iter(own(None, "cite")), None)
            if author_el is None:
                author_el = next((e for e in el.iterdescendants() if isinstance(e.tag, str)
                                  and any(w in (e.get("class") or "").lower() for w in ("author", "name", "user"))
                                  and not self._nested(el, e)), None)
            time_el = next(iter(own(None, "time")), None)
            exclude = {m for m in self.members if m is not el}
            for e in el.iterdescendants():
                cls = (e.get("class") or "").lower()
                if isinstance(e.tag, str) and any(w in cls for w in ("reply", "actions", "meta", "avatar")):
                    exclude.add(e)
            if author_el is not None:
                exclude.add(author_el)
            if time_el is not None:
                exclude.add(time_el)
            text = element_to_text(el, exclude=exclude)
            pos = len(out) + 1
            out.append(Comment(
                id=f"c{pos}", position=pos, original=text, author=_author(author_el),
                posted_at=(time_el.get("datetime") or time_el.text_content().strip()) if time_el is not None else None,
                parent_id=_parent_id(el, self.member_set, ids),
                status="kept" if text else "empty", line=el.sourceline, source_id=_source_id(el)))
            ids[el] = out[-1].id
        return out, 0

    def _nested(self, item, el) -> bool:
        for a in el.iterancestors():
            if a is item:
                return False
            if a in self.member_set:
                return True
        return False

    def post_text(self) -> str:
        scores: dict = {}
        for p in self.root.iter("p"):
            if any(a in self.member_set for a in p.iterancestors()) or p in self.member_set:
                continue
            parent = p.getparent()
            if parent is not None:
                scores[parent] = scores.get(parent, 0) + len(p.text_content())
        title = next(iter(self.root.iter("h1")), None)
        parts = [" ".join(title.text_content().split()) if title is not None else ""]
        if scores:
            best = max(scores, key=lambda el: scores[el])
            text = element_to_text(best, exclude=self.member_set)
            if parts[0] and text.startswith(parts[0]):
                parts = []
            parts.append(text)
        return "\n\n".join(p for p in parts if p).strip()
