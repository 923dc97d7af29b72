"""Find the questions in a post, read a questions file, and tell yes/no from open questions."""

from __future__ import annotations

import re

from ..contract import Question
from ..errors import InnspillError
from ..lang import merged
from ..textutil import lower, sentences, words

ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?:(?:spørsmål|spm\.?|question|q)\s*)?(?P<num>\d{1,3})\s*[.):]\s+(?P<body>\S.*)$",
                     re.IGNORECASE)
BULLET_RE = re.compile(r"^[ \t]*[-*•–]\s+(?P<body>\S.*)$")


def classify(text: str) -> str:
    """``yesno`` when the question, after any lead-in, starts with a verb; else ``open``.

    The lead-in ("Og hva med oss selv – kan vi ...?") is skipped by looking at
    every clause separated by a dash, colon or semicolon: the clause that ends
    in the question mark decides.
    """
    lex = merged()
    open_starters = set(lex["open_starters"])
    verbs = set(lex["yesno_starters"])
    prefixes = sorted(lex["question_prefixes"], key=len, reverse=True)
    clauses = [c for c in re.split(r"\s[–—-]\s|[:;]\s", text) if words(c)]
    if not clauses:
        return "open"
    # the clause that holds the (last) question mark is the question proper
    qclauses = [c for c in clauses if "?" in c] or clauses
    verdicts = []
    for clause in qclauses:
        low = lower(clause).strip(" \t\"“”«»'")
        for p in prefixes:
            if low.startswith(p + " "):
                low = low[len(p) + 1:]
                break
        ws = words(low)
        if not ws:
            continue
        if ws[0] in open_starters or " ".join(ws[:2]) in open_starters:
            verdicts.append("open")
        elif ws[0] in verbs:
            verdicts.append("yesno")
        else:
            verdicts.append("open")
    if not verdicts:
        return "open"
    # a lead-in "hva med X –" is open by itself; any yes/no clause makes it yes/no
    return "yesno" if "yesno" in verdicts[-1:] or verdicts.count("yesno") > verdicts.count("open") else "open"


def make_questions(texts: list[tuple[int, str]]) -> list[Question]:
    out = []
    for i, (number, text) in enumerate(texts, start=1):
        text = " ".join(text.split())
        out.append(Question(id=f"q{i}", number=number or i, text=text, kind=classify(text)))
    return out


def _numbered_runs(lines: list[str]) -> list[list[tuple[int, int, str]]]:
    """Runs of numbered items (line index, number, text); a run restarts at 1."""
    runs: list[list[tuple[int, int, str]]] = []
    for i, line in enumerate(lines):
        m = ITEM_RE.match(line)
        if not m:
            continue
        num = int(m.group("num"))
        body = m.group("body").strip()
        # a wrapped item: indented continuation lines that are not items
        j = i + 1
        while j < len(lines) and lines[j].strip() and not ITEM_RE.match(lines[j]) \
                and lines[j].startswith((" ", "\t")) and len(m.group("indent")) > 0:
            body += " " + lines[j].strip()
            j += 1
        if runs and num == runs[-1][-1][1] + 1 and i - runs[-1][-1][0] <= 4:
            runs[-1].append((i, num, body))
        else:
            runs.append([(i, num, body)])
    return runs


def find_in_post(post: str) -> list[Question]:
    """Questions of a post: a numbered list of questions, else sentences ending in '?'."""
    lines = post.split("\n")
    runs = [r for r in _numbered_runs(lines) if any("?" in t for _, _, t in r)]
    if runs:
        best = max(runs, key=lambda r: (sum("?" in t for _, _, t in r), len(r)))
        return make_questions([(n, t) for _, n, t in best])
    bullets = [m.group("body") for line in lines if (m := BULLET_RE.match(line)) and "?" in line]
    if bullets:
        return make_questions([(0, b) for b in bullets])
    found = []
    for s, e in sentences(post):
        sent = post[s:e].strip()
        if sent.endswith("?") and len(words(sent)) >= 3:
            found.append((0, sent))
    return make_questions(found)


def read_questions_file(path: str, max_bytes: int) -> list[Question]:
    from . import decode, load_bytes

    text = decode(load_bytes(path, max_bytes), path)
    items = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = ITEM_RE.match(line)
        number = int(m.group("num")) if m else 0
        body = m.group("body") if m else line
        if not words(body):  # one word is a question ("KORRUPT"): the topic put to the readers
            raise InnspillError("E201", f"a question must have at least one word: {line!r}",
                                path=path, line=lineno)
        items.append((number, body))
    if not items:
        raise InnspillError("E201", "the questions file holds no questions", path=path,
                            hint="write one question a line")
    return make_questions(items)


LEAD_CHARS = 400


def post_as_question(post: str, title: str | None) -> Question | None:
    """The post itself as its one question, for a post that asks nothing by number: its title
    (else its first sentence) as the text, kind ``open``, and its lead (the first paragraph
    after the title, up to a few sentences; "" when there is none) as ``context``, which only
    such a question has. None when the post has no words."""
    title = " ".join((title or "").split())
    body = post.strip()
    if title and body.startswith(title):
        body = body[len(title):].strip()
    elif title and body.split("\n", 1)[0].strip() == title:
        body = body.split("\n", 1)[1].strip() if "\n" in body else ""
    if not words(title):
        spans = sentences(body)
        if not spans:
            return None
        s, e = spans[0]
        title, body = " ".join(body[s:e].split()), body[e:].strip()
    if not words(title):
        return None
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if words(p)]
    lead = paragraphs[0] if paragraphs else ""
    if len(lead) > LEAD_CHARS:
        cut = [e for _, e in sentences(lead) if e <= LEAD_CHARS]
        lead = lead[:cut[-1]] if cut else lead[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"
    return Question(id="q1", number=1, text=title, kind="open", context=lead)
