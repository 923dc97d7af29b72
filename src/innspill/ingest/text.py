"""Read a comment thread copied as plain text from a blog page.

Shape (the seed's): the post with its numbered questions, a comment counter
line ("26 thoughts on …", "12 kommentarer"), then numbered comments whose
bodies are indented, then page chrome ("Comments are closed", author box,
newsletter). Chrome is never a comment; lines that are neither post nor
comment are counted in ``source.ignored_lines``.
"""

from __future__ import annotations

import re

from ..contract import Comment
from ..errors import warning
from . import Thread
from .layouts import AVATAR_RE, clean_date, is_date, read_headed
from .questions import find_in_post

_COUNTED = (r"thoughts?|comments?|responses?|replies|reactions?|kommentarer|kommentarar|kommentar|svar|tanker|tankar|"
            r"innspill|innspel|merknader|merknadar|reaksjoner|reaksjonar")
COUNTER_RE = re.compile(
    rf"^\s*(?:(?P<n>\d+)\s+(?:{_COUNTED})\b(?:\s+(?:on|to|til|på|om)\b.*)?"
    rf"|(?:{_COUNTED})\s*(?:\((?P<m>\d+)\))?\s*:?)\s*$",
    re.IGNORECASE)
ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<num>\d{1,7})\.\s+(?P<body>.*)$")
CHROME_RE = re.compile(
    r"^\s*(comments are closed|kommentarfeltet er stengt|kommentering er stengt|kommentarer er stengt|"
    r"leave a (reply|comment)|legg igjen en kommentar|skriv en kommentar|skriv ein kommentar|legg att ein kommentar|"
    r"post a comment|"
    r"more about me|les mer om meg|subscribe|abonner|sign up|meld deg på|bli med\b|"
    r"share this|del dette|like this|liker dette|related|relaterte|powered by|drevet av|"
    r"previous post|next post|forrige innlegg|neste innlegg|cancel reply|avbryt svar|"
    r"log in to reply|logg inn for å svare|©|copyright)",
    re.IGNORECASE)
INLINE_CHROME_RE = re.compile(r"^\s*(reply|svar|reply ↓|svar ↓|like|liker|report|rapporter)\s*$",
                              re.IGNORECASE)
AUTHOR_RE = re.compile(r"^(?P<name>[^\n]{1,60}?)\s+(?:says|said|wrote|sier|skriver|skreiv|skrev|seier|skriv)\s*:?\s*$",
                       re.IGNORECASE)


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _find_comment_start(lines: list[str]) -> tuple[int, int, int | None]:
    """End of the post, index of the first comment line, and the counter's number (if any)."""
    for i, line in enumerate(lines):
        m = COUNTER_RE.match(line)
        if m and len(line.strip()) < 200:
            n = m.group("n") or m.group("m")
            n = int(n) if n else None
            return i, i + 1, n
    # no counter: numbered lists that restart at 1; the last one holding a
    # non-question item starts the comments
    starts = [i for i, line in enumerate(lines) if (m := ITEM_RE.match(line)) and m.group("num") == "1"
              and not is_date(line)]
    for i in reversed(starts):
        if i == starts[0]:
            break
        return i, i, None
    if starts and not lines[starts[0]].rstrip().endswith("?"):
        return starts[0], starts[0], None
    return len(lines), len(lines), None


def read(content: str, path: str) -> Thread:
    lines = content.split("\n")
    post_end, start, counted = _find_comment_start(lines)
    numbered = _numbered_first(lines, start)
    headed = None
    if not numbered or counted is None:
        headed = read_headed(lines, post_end, start, counted is not None)
        if headed is not None and numbered and headed[1] > start:
            headed = None  # no counter line: the numbered list comes first, its items are the comments
    if headed is not None:
        post_end, start, comments, ignored, warnings = headed
    else:
        comments, ignored, warnings = _read_comments(lines, start, path)
    post = "\n".join(lines[:post_end]).strip()
    questions = find_in_post(post)
    notes = {"ignored_lines": ignored}
    author = _post_author(lines, start)
    if author:
        notes["post_author"] = author
    if counted is not None and counted != len(comments):
        warnings.append(warning("W101", f"the page says {counted} comments; {len(comments)} were listed in the text",
                                f"{path}, line {start}"))
    return Thread(post=post, questions=questions, comments=comments, source={}, warnings=warnings,
                  notes=notes)


def _numbered_first(lines: list[str], start: int) -> bool:
    """The comments are a numbered list: the first line after the counter that is neither blank
    nor an avatar's alt text is ``1. …`` (not a date such as ``7. mai 2026``)."""
    for line in lines[start:]:
        if not line.strip() or AVATAR_RE.match(line.strip()):
            continue
        return bool(ITEM_RE.match(line)) and not is_date(line)
    return False


AUTHOR_BOX_RE = re.compile(r"^\s*(?:[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?\s){1,2}[A-ZÆØÅ][a-zæøåéü]+\s*$")


def _post_author(lines: list[str], start: int) -> str | None:
    """The post author's name from the author box after the comments (a line of 2-3 capitalised words)."""
    closed = next((i for i in range(start, len(lines)) if re.match(r"^\s*(comments are closed|kommentarfeltet er "
                                                                     r"stengt|kommentering er stengt)", lines[i],
                                                                     re.IGNORECASE)), None)
    if closed is None:
        return None
    for line in lines[closed + 1:closed + 6]:
        if AUTHOR_BOX_RE.match(line):
            return line.strip()
    return None


def _read_comments(lines: list[str], start: int, path: str):
    comments: list[Comment] = []
    warnings: list[dict] = []
    ignored = 0
    level = None
    body_indented = None
    current: list[tuple[int, str]] = []
    header_line = 0
    expected = 1
    authored = False

    def flush():
        nonlocal current
        if current:
            comments.append(_make_comment(current, len(comments) + 1, header_line, level or 0))
        current = []

    i = start
    ended = False
    while i < len(lines) and not ended:
        line = lines[i]
        m = ITEM_RE.match(line)
        if m and is_date(line):
            m = None  # "7. mai 2026 kl. 11:01" is a date, not comment number 7
        if m and authored and not AUTHOR_RE.match(m.group("body").strip()):
            m = None  # comments that begin with "Kari sier:": "2. Nei." is a line of a comment
        if m and (level is None or (_indent(line) == level and int(m.group("num")) >= expected)):
            if level is None:
                level = _indent(line)
                authored = bool(AUTHOR_RE.match(m.group("body").strip()))
            num = int(m.group("num"))
            if num != expected:
                warnings.append(warning("W102", f"comment number {num} where {expected} was expected",
                                        f"{path}, line {i + 1}"))
            flush()
            header_line = i + 1
            expected = num + 1
            current = [(i + 1, m.group("body"))]
        elif level is None:
            if line.strip():
                ignored += 1
        elif not line.strip():
            if current:
                current.append((i + 1, ""))
        elif _indent(line) > level:
            body_indented = True if body_indented is None else body_indented
            current.append((i + 1, line))
        elif CHROME_RE.match(line) or body_indented:
            flush()
            ended = True
            ignored += sum(1 for rest in lines[i:] if rest.strip())
        else:
            body_indented = False
            current.append((i + 1, line))
        i += 1
    flush()
    return comments, ignored, warnings


def _make_comment(raw: list[tuple[int, str]], position: int, line_no: int, level: int) -> Comment:
    first = raw[0][1].strip()
    rest = [text for _, text in raw[1:]]
    body = [ln for ln in rest if not INLINE_CHROME_RE.match(ln)]
    nonblank = [ln for ln in body if ln.strip()]
    cut = min((_indent(ln) for ln in nonblank), default=0)
    body = [ln.expandtabs(4)[cut:].rstrip() for ln in body]
    author = posted_at = None
    if AVATAR_RE.match(first) or (body and (m := AUTHOR_RE.match(body[0].strip())) and m.group("name") == first):
        first = body.pop(0).strip() if body else ""  # an avatar's alt text above "Kari sier:"
    if AUTHOR_RE.match(first) and body:
        author = AUTHOR_RE.match(first).group("name").strip()
        first = ""
        while body and not body[0].strip():
            body.pop(0)
        if body and is_date(body[0]):
            posted_at = clean_date(body.pop(0))
    text_lines = ([first] if first else []) + body
    text = "\n".join(text_lines).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    c = Comment(id=f"c{position}", position=position, original=text, author=author,
                posted_at=posted_at, line=line_no)
    if not text.strip():
        c.status = "empty"
    return c
