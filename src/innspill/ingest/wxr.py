"""Read a WordPress export (WXR, ``.xml``), streaming.

Each ``<item>`` is a post; its ``content:encoded`` gives the questions and each
``<wp:comment>`` becomes a comment with author, date, parent (threading) and
status: ``1`` → kept, ``0`` (awaiting moderation) → held, ``spam`` → spam,
``trash``/``post-trashed`` → trash; any other value → rejected with a reason.
Pingbacks and trackbacks are counted (``source.pingbacks``/``trackbacks``),
not read as comments: ``source.comment_elements`` = comments + pingbacks +
trackbacks. Comment content is HTML: ``original`` is its plain text with
paragraph breaks, ``markup`` the content as stored when the two differ.

A file with several commented posts gives one thread per post, unless
``--post ID|slug`` picks one (the others' comments are then only counted).
"""

from __future__ import annotations

from ..contract import Comment
from ..errors import InnspillError, warning
from . import ReadOptions, Thread
from .markup import fragment_to_text
from .questions import find_in_post
from .xmlsafe import local, namespace, release, stream_into

WP_NS = "http://wordpress.org/export/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
STATUS = {"1": "kept", "approve": "kept", "approved": "kept", "0": "held", "hold": "held",
          "spam": "spam", "trash": "trash", "post-trashed": "trash"}
LINKBACKS = ("pingback", "trackback")
POST_FIELDS = {"title", "link", "post_id", "post_name", "post_type", "status", "encoded"}
NO_DATE = ("", "0000-00-00 00:00:00")


class _Post:
    def __init__(self, element, line: int):
        self.element = element
        self.line = line
        self.fields: dict[str, str] = {}
        self.comments: list[Comment] = []
        self.elements = 0
        self.linkbacks = {k: 0 for k in LINKBACKS}
        self.chosen = True

    @property
    def post_id(self) -> str:
        return self.fields.get("post_id", "").strip()

    @property
    def slug(self) -> str:
        return self.fields.get("post_name", "").strip()


class _Reader:
    def __init__(self, path: str, opts: ReadOptions):
        self.path, self.opts = path, opts
        self.current: _Post | None = None
        self.done: list[_Post] = []
        self.fallback: _Post | None = None  # the first post without comments, kept in case no post has any
        self.items = 0
        self.listing: list[str] = []  # posts with comments, for the message when --post matches none
        self.read = 0
        self.warnings: list[dict] = []
        self.facts: dict = {}

    def feed(self, event: str, el) -> None:
        name = local(el)
        if event == "start":
            if name == "item" and not namespace(el):
                self.current = _Post(el, el.sourceline or 0)
            return
        post = self.current
        if post is None or name == "channel":
            return
        parent = el.getparent()
        if name == "comment" and namespace(el).startswith(WP_NS) and parent is post.element:
            self.comment(post, el)
            release(el)
        elif name == "item" and el is post.element:
            self.end_item()
            release(el)
        elif name in POST_FIELDS and parent is post.element:
            if name != "encoded" or namespace(el) == CONTENT_NS:
                post.fields[name] = el.text or ""
                if name in ("post_id", "post_name") and self.opts.post is not None:
                    post.chosen = self.opts.post in (post.post_id, post.slug)

    def comment(self, post: _Post, el) -> None:
        post.elements += 1
        self.read += 1
        f = {local(child): child.text or "" for child in el if local(child) != "commentmeta"}
        kind = f.get("comment_type", "").strip().lower()
        if kind in LINKBACKS:
            post.linkbacks[kind] += 1
            return
        if not post.chosen:
            return
        content = f.get("comment_content", "")
        text = fragment_to_text(content)
        approved = f.get("comment_approved", "1").strip().lower()
        status, reason = STATUS.get(approved), None
        if status is None:
            status, reason = "rejected", f"unknown WordPress comment status {approved!r}"
        elif status == "kept" and not text.strip():
            status = "empty"
        pos = len(post.comments) + 1
        parent = f.get("comment_parent", "0").strip()
        post.comments.append(Comment(
            id=f"c{pos}", position=pos, original=text, author=f.get("comment_author", "").strip() or None,
            posted_at=_date(f), parent_id=None if parent in ("", "0") else parent, status=status,
            reason=reason, line=el.sourceline, source_id=f.get("comment_id", "").strip() or None,
            markup=content if content.strip() != text else None))

    def end_item(self) -> None:
        post, self.current = self.current, None
        if post is None:
            return
        self.items += 1
        if post.elements:
            self.listing.append(f"{post.post_id} ({post.slug or '-'})")
        if post.comments or (self.opts.post is not None and post.chosen):
            self.done.append(post)
        elif self.fallback is None and post.fields.get("post_type", "post") in ("post", "page"):
            self.fallback = post
        else:
            post.fields.pop("encoded", None)

    def threads(self) -> list[Thread]:
        if self.opts.post is not None and not self.done:
            raise InnspillError("E112", f"no post {self.opts.post!r} in the file", path=self.path,
                                hint="posts with comments: " + (", ".join(self.listing[:10]) or "none"))
        posts = self.done or ([self.fallback] if self.fallback is not None else [])
        if not posts:  # no post at all: one empty thread, so the caller says what is missing
            return [Thread(post="", questions=[], comments=[], source={}, warnings=list(self.warnings),
                           notes={"posts_in_file": self.items, "encoding": self.facts.get("encoding")})]
        return [self.thread(p) for p in posts]

    def thread(self, post: _Post) -> Thread:
        title = (post.fields.get("title") or "").strip()
        body = fragment_to_text(post.fields.get("encoded", ""))
        text = f"{title}\n\n{body}".strip()
        warnings = list(self.warnings) + link_parents(post.comments, self.path)
        notes = {"post_id": post.post_id or None, "post_slug": post.slug or None, "post_title": title or None,
                 "encoding": self.facts.get("encoding"), "posts_in_file": self.items,
                 "comment_elements": post.elements,
                 "pingbacks": post.linkbacks["pingback"], "trackbacks": post.linkbacks["trackback"]}
        return Thread(post=text, questions=find_in_post(text), comments=post.comments, source={},
                      warnings=warnings, notes=notes)


def _date(f: dict) -> str | None:
    gmt = f.get("comment_date_gmt", "").strip()
    if gmt not in NO_DATE:
        return gmt.replace(" ", "T") + "Z"
    local_date = f.get("comment_date", "").strip()
    return None if local_date in NO_DATE else local_date


def link_parents(comments: list[Comment], path: str) -> list[dict]:
    """Map parents from the source's comment ids to ours; a missing parent is a warning (W104)."""
    ids = {c.source_id: c.id for c in comments if c.source_id}
    warnings = []
    for c in comments:
        if c.parent_id is None:
            continue
        mapped = ids.get(c.parent_id)
        if mapped is None:
            warnings.append(warning("W104", f"comment {c.source_id} replies to {c.parent_id}, "
                                            "which is not a comment in the file; read as top level",
                                    f"{path}, line {c.line}"))
        c.parent_id = mapped
    return warnings


def read(path: str, opts: ReadOptions) -> list[Thread]:
    reader = _Reader(path, opts)
    stream_into(reader, path, opts, after_break=reader.end_item)
    return reader.threads()
