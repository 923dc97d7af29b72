"""Read a Disqus XML export, streaming.

``<thread dsq:id>`` elements are the pages (title, link, message); ``<post>``
elements are the comments, each naming its thread and, for replies, its parent
(``<parent dsq:id>``). ``isSpam`` → spam, ``isDeleted`` → trash, ``isApproved``
false → held. The message is HTML: ``original`` is its plain text, ``markup``
the message as exported. One thread per Disqus thread with posts, unless
``--post`` picks one by its ``dsq:id`` or the last part of its link.
"""

from __future__ import annotations

from ..contract import Comment
from . import ReadOptions, Thread
from .markup import fragment_to_text
from .questions import find_in_post
from .wxr import link_parents
from .xmlsafe import local, release, stream_into


def _dsq_id(el) -> str | None:
    if el is None:
        return None
    for key, value in el.attrib.items():
        if key.rsplit("}", 1)[-1] == "id":
            return value.strip()
    return None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


class _Page:
    def __init__(self, dsq_id: str):
        self.dsq_id = dsq_id
        self.title = self.link = self.message = ""
        self.comments: list[Comment] = []


class _Reader:
    def __init__(self, path: str, opts: ReadOptions):
        self.path, self.opts = path, opts
        self.pages: dict[str, _Page] = {}
        self.read = 0
        self.warnings: list[dict] = []
        self.facts: dict = {}

    def page(self, dsq_id: str) -> _Page:
        if dsq_id not in self.pages:
            self.pages[dsq_id] = _Page(dsq_id)
        return self.pages[dsq_id]

    def feed(self, event: str, el) -> None:
        if event != "end":
            return
        parent = el.getparent()
        if parent is None or parent.getparent() is not None:
            return  # only the root's children: <category>, <thread>, <post>
        name = local(el)
        if name == "thread":
            self.thread(el)
        elif name == "post":
            self.post(el)
        release(el)

    def thread(self, el) -> None:
        page = self.page(_dsq_id(el) or f"thread-{len(self.pages) + 1}")
        f = {local(child): child for child in el}
        page.title = _text(f.get("title"))
        page.link = _text(f.get("link"))
        page.message = _text(f.get("message"))

    def post(self, el) -> None:
        self.read += 1
        f = {local(child): child for child in el}
        page = self.page(_dsq_id(f.get("thread")) or "unknown")
        content = _text(f.get("message"))
        text = fragment_to_text(content)
        status = "kept"
        if _flag(_text(f.get("isSpam"))):
            status = "spam"
        elif _flag(_text(f.get("isDeleted"))):
            status = "trash"
        elif "isApproved" in f and not _flag(_text(f.get("isApproved"))):
            status = "held"
        elif not text.strip():
            status = "empty"
        author = f.get("author")
        name = None
        if author is not None:
            sub = {local(child): _text(child).strip() for child in author}
            name = sub.get("name") or sub.get("username") or None
        pos = len(page.comments) + 1
        page.comments.append(Comment(
            id=f"c{pos}", position=pos, original=text, author=name, posted_at=_text(f.get("createdAt")).strip() or None,
            parent_id=_dsq_id(f.get("parent")), status=status, line=el.sourceline, source_id=_dsq_id(el),
            markup=content if content.strip() != text else None))

    def threads(self) -> list[Thread]:
        pages = [p for p in self.pages.values() if p.comments] or list(self.pages.values())[:1]
        if not pages:
            pages = [_Page("none")]
        return [self.make(p) for p in pages]

    def make(self, page: _Page) -> Thread:
        body = fragment_to_text(page.message)
        text = f"{page.title.strip()}\n\n{body}".strip()
        slug = page.link.rstrip("/").rsplit("/", 1)[-1] or None
        notes = {"post_id": page.dsq_id, "post_slug": slug, "post_title": page.title.strip() or None,
                 "post_link": page.link.strip() or None, "encoding": self.facts.get("encoding"),
                 "posts_in_file": len(self.pages),
                 "comment_elements": len(page.comments)}
        return Thread(post=text, questions=find_in_post(text), comments=page.comments, source={},
                      warnings=list(self.warnings) + link_parents(page.comments, self.path), notes=notes)


def _text(el) -> str:
    if el is None:
        return ""
    return "".join(el.itertext())


def read(path: str, opts: ReadOptions) -> list[Thread]:
    reader = _Reader(path, opts)
    stream_into(reader, path, opts)
    return reader.threads()
