"""Comment pages copied as text whose comments are not numbered: read by their headers.

A header names the author and, mostly, the date:

* WordPress: ``Kari Nordmann sier:`` / ``says:`` / ``skriver:`` / ``seier:`` over a date line
  (``7. mai 2026 kl. 11:01``, ``May 7, 2026 at 11:01 am``), a name over a date line, or one line
  ``NAME on DATE said:`` / ``NAME den DATE sa:``; an avatar's alt text just above it (``Avatar
  for Kari``, ``Kari Nordmanns avatar``, or the name itself) is not part of the comment before;
* Disqus: ``NAME • 2 years ago`` on one line or two;
* forums: ``Innlegg av NAME » DATE`` / ``Post by NAME » DATE``; a quote of someone else inside
  a post (``Ola skrev: ↑``) is a line of that post, never a header;

and Facebook's comments end with a footer ``Liker · Svar · 2 t`` that holds the date, the
author being the block's first line. The date leaves the text (``posted_at``); ``Svar`` /
``Reply`` links, vote and share lines after a comment are page chrome, counted as ignored.
Indented headers (WordPress replies) reply to the nearest header less indented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..contract import Comment

_MON = r"(?:jan|feb|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|des|dec)[a-zæøå]*\.?"
_WEEKDAY = (r"(?:(?:(?:man|tirs|ons|tors|fre|lør|søn|tys|laur|sun)dag|mån|tys|tor|lau|laur|mon|tue|wed|thu|fri|sat|sun)"
            r"[a-z]*\.?,?\s+)?")
_DAY = (rf"(?:\d{{1,2}}\.?\s*{_MON},?\s+\d{{4}}|{_MON}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
        r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|i\s*går|i\s*dag|yesterday|today)")
_TIME = r"(?:\s*(?:,|at|kl\.?|klokka|klokken|@|-)?\s*\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?"
_UNITS = (r"(?:år|måned(?:er)?|månad(?:er)?|uker?|veker?|dag(?:er|ar)?|timer?|timar|minutt(?:er|ar)?|sekund(?:er|ar)?"
          r"|years?|months?|weeks?|days?|hours?|minutes?|mins?|seconds?)")
_RELATIVE = (rf"(?:(?:for\s+)?(?:\d+|en|ei|et|ein|eit|an?|one)\s+{_UNITS}\s+(?:siden|sidan|ago)"
             r"|just now|akkurat nå|nettopp|no nettopp)")
DATE_RE = re.compile(rf"^(?:{_WEEKDAY}{_DAY}{_TIME}|{_RELATIVE})$", re.IGNORECASE)
COMPACT_TIME_RE = re.compile(r"^\d{1,3}\s*(?:t|d|u|v|å|min|m|h|w|y|sek|s)$", re.IGNORECASE)
_EDGES = re.compile(r"^[\s•·»↑|–-]+|[\s•·]+$|\s*\(?(?:rediger|redigert|edit|edited)\)?\s*$", re.IGNORECASE)

VERB_RE = re.compile(r"^(?P<name>[^\n]{1,60}?)\s+(?P<verb>says|said|wrote|sier|skriver|skrev|skreiv|seier|skriv)"
                     r"\s*:?\s*(?P<arrow>↑.*)?$", re.IGNORECASE)
PAST = ("said", "wrote", "skrev", "skreiv")
ONE_LINE_RE = re.compile(r"^(?P<name>[^\n]{1,60}?)\s+(?:on|den|,)\s+(?P<date>.+?)\s+(?:said|sa|sa følgende|skreiv|skrev|wrote)"
                         r"\s*:?$", re.IGNORECASE)
FORUM_RE = re.compile(r"^(?:innlegg av|innlegg frå|post by|posted by|skrevet av|skrive av)\s+(?P<name>.+?)\s+»\s*"
                      r"(?P<date>.+)$", re.IGNORECASE)
BULLET_SPLIT_RE = re.compile(r"\s+[•·]\s+")
AVATAR_RE = re.compile(r"^(?:avatar(?: photo| image| bilde)?|\[avatar\]|avatar (?:for|of|til|av) .{1,60}|.{1,60}?(?:'s|s)? avatar"
                       r"|profilbil(?:de|ete)t? (?:av|til|for) .{1,60}|brukeravatar|user avatar|brukarbilete)$",
                       re.IGNORECASE)
BADGE_RE = re.compile(r"^(?:toppfan|top fan|forfatter|author|toppbidragsyter|top contributor|moderator|admin)$",
                      re.IGNORECASE)
REPLIES_RE = re.compile(r"^(?:vis|view|se|sjå)\s+(?:\d+|alle|all|flere|fleire|more|previous|tidligere)?\s*"
                        r"(?:more\s+|fleire\s+|flere\s+)?(?:svar|replies|reply|kommentarer|kommentarar|comments)\b.*$"
                        r"|^.{1,60} (?:svarte|replied)\b.*$", re.IGNORECASE)
SORT_RE = re.compile(r"^(?:sort by|sorter etter|sortér etter|sorter|mest relevante|most relevant|nyeste|newest|eldste"
                     r"|oldest|join the discussion|bli med i diskusjonen|add a comment|legg til en kommentar|skriv ein"
                     r" kommentar|log in|logg inn|login)\b.*$", re.IGNORECASE)
_CHROME_WORDS = {"reply", "share", "svar", "del", "like", "liker", "toppen", "top", "edit", "rediger", "report",
                 "rapporter", "permalink", "lenke", "link", "↓", "›", "△", "▽", "flag", "lik"}
_FB_WORDS = {"like", "liker", "lik", "reply", "svar", "del", "share", "edited", "redigert", "rediger", "edit",
             "see translation", "se oversettelse", "sjå omsetjing", "hide", "skjul"}
END_RE = re.compile(
    r"^(comments are closed|kommentarfeltet er stengt|kommentering er stengt|kommentarer er stengt|"
    r"leave a (reply|comment)|legg igjen en kommentar|skriv en kommentar|skriv ein kommentar|post a comment|"
    r"din e-postadresse|your email address|also on|også på|powered by|drevet av|facebook comments plugin|"
    r"facebook-kommentartillegg|previous post|next post|forrige innlegg|neste innlegg|cancel reply|avbryt svar|"
    r"subscribe|abonner|©|copyright)",
    re.IGNORECASE)


def clean_date(text: str) -> str:
    return _EDGES.sub("", text.strip()).strip()


def is_date(line: str) -> bool:
    """The whole line is a date or time: ``7. mai 2026 kl. 11:01``, ``May 7, 2026 at 11:01 am``,
    ``07.05.2026``, ``• 2 years ago``, ``for 3 dager siden`` (not ``7. mai passer meg``)."""
    t = clean_date(line)
    return bool(t) and len(t) <= 60 and bool(DATE_RE.match(t))


def _name_like(t: str) -> bool:
    """A line that can be a person's name: short, a letter in it, not a sentence or a date."""
    if not t or len(t) > 60 or len(t.split()) > 6 or not any(ch.isalpha() for ch in t):
        return False
    if t[-1] in ".!?:;," and not re.search(r"\b\w\.$", t):  # "Erik T." is a name, "Helt enig." is not
        return False
    return not (is_date(t) or _chrome(t) or END_RE.match(t) or SORT_RE.match(t) or REPLIES_RE.match(t))


def _chrome(t: str) -> bool:
    """A line of links after a comment: ``Svar``, ``Reply ↓``, ``• Reply • Share ›``, ``5 △ ▽``, ``Toppen``."""
    low = t.lower().strip()
    if not low or low.isdigit():
        return False
    rest = re.sub(r"[\d•·△▽›↓↑|]", " ", low)
    return all(w in _CHROME_WORDS for w in rest.split()) and bool(rest.split() or re.search(r"[△▽›]", low))


def _fb_footer(t: str) -> str | None:
    """The time in a Facebook footer (``Liker · Svar · 2 t``, ``Like · Reply · 1w · Edited``), else None."""
    parts = [p.strip() for p in re.split(r"\s*[·•]\s*", t.strip()) if p.strip()]
    if len(parts) < 2:
        return None
    times = [p for p in parts if COMPACT_TIME_RE.match(p) or DATE_RE.match(p)]
    words = [p.lower() for p in parts if p not in times]
    if len(times) != 1 or not words or not all(w in _FB_WORDS for w in words):
        return None
    if not any(w in ("svar", "reply", "like", "liker", "lik") for w in words):
        return None
    return times[0]


@dataclass
class Head:
    line: int  # index of the header's first line
    span: int  # lines it takes (name and date)
    author: str
    date: str | None
    indent: int


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _next_nonblank(lines: list[str], i: int, most: int = 2) -> int | None:
    j, blanks = i, 0
    while j < len(lines) and not lines[j].strip():
        blanks += 1
        j += 1
        if blanks >= most:
            return None
    return j if j < len(lines) else None


def head_at(lines: list[str], i: int, forum: bool) -> Head | None:
    t = lines[i].strip()
    if not t or len(t) > 160:
        return None
    ind = _indent(lines[i])
    m = FORUM_RE.match(t)
    if m and is_date(m.group("date")):
        return Head(i, 1, m.group("name").strip(), clean_date(m.group("date")), ind)
    m = ONE_LINE_RE.match(t)
    if m and is_date(m.group("date")):
        return Head(i, 1, m.group("name").strip(), clean_date(m.group("date")), ind)
    parts = BULLET_SPLIT_RE.split(t, maxsplit=1)
    if len(parts) == 2 and _name_like(parts[0]) and is_date(parts[1]):
        return Head(i, 1, parts[0].strip(), clean_date(parts[1]), ind)
    m = VERB_RE.match(t)
    if m and not AVATAR_RE.match(t):
        if m.group("arrow") or (forum and m.group("verb").lower() in PAST):
            return None  # a quote of someone else inside a post
        j = _next_nonblank(lines, i + 1)
        if j is not None and is_date(lines[j]):
            return Head(i, j - i + 1, m.group("name").strip(), clean_date(lines[j]), ind)
        return Head(i, 1, m.group("name").strip(), None, ind)
    if _name_like(t) and not AVATAR_RE.match(t) and not BADGE_RE.match(t):
        j = _next_nonblank(lines, i + 1)
        if j is not None and is_date(lines[j]) and not ITEM_LIKE_RE.match(t):
            return Head(i, j - i + 1, t, clean_date(lines[j]), ind)
    return None


ITEM_LIKE_RE = re.compile(r"^\d+[.)]")


def _find_heads(lines: list[str], start: int) -> list[Head]:
    forum = any(FORUM_RE.match(ln.strip()) for ln in lines[start:])
    heads, i = [], start
    while i < len(lines):
        h = head_at(lines, i, forum)
        if h is not None:
            heads.append(h)
            i += h.span
        else:
            i += 1
    return heads


def _lead_in(lines: list[str], head: Head, floor: int) -> int:
    """First line of a header's block: the avatar's alt text, a forum's ``Re: title`` line and
    blank lines just above it belong to it, not to the comment before."""
    i = head.line
    while i - 1 >= floor:
        t = lines[i - 1].strip()
        if not t or AVATAR_RE.match(t) or t == head.author or BADGE_RE.match(t) or t.lower().startswith("re:"):
            i -= 1
        else:
            break
    return i


def _text(raw: list[str]) -> str:
    while raw and (not raw[-1].strip() or _chrome(raw[-1].strip()) or REPLIES_RE.match(raw[-1].strip())):
        raw = raw[:-1]
    while raw and not raw[0].strip():
        raw = raw[1:]
    cut = min((_indent(ln) for ln in raw if ln.strip()), default=0)
    text = "\n".join(ln.expandtabs(4)[cut:].rstrip() for ln in raw).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


QUESTION_LINE_RE = re.compile(r"^[ \t]*\d{1,3}\s*[.)]\s+\S.*\?\s*$")


def _question_run(lines: list[str], begin: int, end: int) -> int | None:
    """The line after the first run of numbered questions ("1. …?") in ``lines[begin:end]``."""
    for i in range(begin, end):
        if QUESTION_LINE_RE.match(lines[i]):
            j = i
            while j + 1 < end and (QUESTION_LINE_RE.match(lines[j + 1]) or not lines[j + 1].strip()
                                   and j + 2 < end and QUESTION_LINE_RE.match(lines[j + 2])):
                j += 1
            return j + 1
    return None


def _after_byline(lines: list[str]) -> int:
    """Without a counter line, where comments can begin: 0, unless the first header is the post's
    byline ("Kari Nordmann" / "7. mai 2026" among the page's first lines, under its title) and the
    post's numbered questions follow it before any other header; then the line after those
    questions, so the byline and the questions stay in the post."""
    heads = _find_heads(lines, 0)
    if not heads:
        return 0
    top = [i for i, ln in enumerate(lines) if ln.strip()][:4]
    if heads[0].line not in top:
        return 0
    after = _question_run(lines, heads[0].line + heads[0].span, heads[1].line if len(heads) > 1 else len(lines))
    return after if after is not None else 0


def read_headed(lines: list[str], post_end: int, start: int, counted: bool):
    """Comments by their headers: (end of the post, first comment line, comments, ignored lines,
    warnings), or None when the page has no headers (a numbered list, or nothing). With a counter
    line the comments start after it (``start``); without, at the first header."""
    search = start if counted else _after_byline(lines)
    heads = _find_heads(lines, search)
    if not heads:
        return _read_footed(lines, post_end, search, counted)
    first = _lead_in(lines, heads[0], search)
    post_end = post_end if counted else first
    ignored = sum(1 for ln in lines[search:first] if ln.strip()) if counted else 0
    comments: list[Comment] = []
    stack: list[tuple[int, str]] = []  # (indent, comment id) of the open headers, for replies
    for k, h in enumerate(heads):
        body_start = h.line + h.span
        if k + 1 < len(heads):
            end = _lead_in(lines, heads[k + 1], body_start)
        else:
            end = next((j for j in range(body_start, len(lines)) if END_RE.match(lines[j].strip())
                        and len(lines[j].strip()) <= 80 and _indent(lines[j]) <= h.indent), len(lines))
        text = _text(lines[body_start:end])
        kept = sum(1 for ln in text.split("\n") if ln.strip())
        ignored += sum(1 for ln in lines[h.line + h.span:end] if ln.strip()) - kept
        ignored += sum(1 for ln in lines[end:heads[k + 1].line] if ln.strip()) if k + 1 < len(heads) else \
            sum(1 for ln in lines[end:] if ln.strip())
        while stack and stack[-1][0] >= h.indent:
            stack.pop()
        pos = len(comments) + 1
        c = Comment(id=f"c{pos}", position=pos, original=text, author=h.author, posted_at=h.date,
                    parent_id=stack[-1][1] if stack else None, line=h.line + 1)
        if not text.strip():
            c.status = "empty"
        comments.append(c)
        stack.append((h.indent, c.id))
    return post_end, first, comments, ignored, []


def _read_footed(lines: list[str], post_end: int, search: int, counted: bool):
    """Facebook: each comment is a block that ends in a footer with its time; the block's first
    line (after badges) is the author."""
    footers = [(i, t) for i in range(search, len(lines)) if (t := _fb_footer(lines[i]))]
    if not footers:
        return None
    comments: list[Comment] = []
    ignored = 0
    prev = search
    first = None
    for i, when in footers:
        block = lines[prev:i]
        lead = 0
        while lead < len(block) and (not block[lead].strip() or BADGE_RE.match(block[lead].strip())
                                     or block[lead].strip().isdigit() or REPLIES_RE.match(block[lead].strip())
                                     or SORT_RE.match(block[lead].strip()) or AVATAR_RE.match(block[lead].strip())):
            ignored += 1 if block[lead].strip() else 0
            lead += 1
        if not counted and first is None:  # no counter: the block is the last paragraph before the footer
            top = max((j for j in range(len(block)) if not block[j].strip()), default=-1) + 1
            lead = max(lead, top)
            while lead < len(block) and BADGE_RE.match(block[lead].strip()):
                lead += 1
        if lead >= len(block):
            prev = i + 1
            continue
        if first is None:
            first = prev + lead
        author = block[lead].strip()
        text = _text(block[lead + 1:])
        pos = len(comments) + 1
        c = Comment(id=f"c{pos}", position=pos, original=text, author=author, posted_at=when, line=prev + lead + 1)
        if not text.strip():
            c.status = "empty"
        comments.append(c)
        prev = i + 1
    ignored += len(footers) + sum(1 for ln in lines[prev:] if ln.strip())
    if first is None:
        return None
    return (post_end if counted else first), first, comments, ignored, []
