"""Explicit references to questions: one grammar, its words kept as data (``lang/explicit.json``).

A *label* names one or more questions and is followed by the answer::

    [connective] [lead-in] reference separator answer

* reference: a number (``1``, ``#1``, ``Q1``, ``(1)``, ``Spm. 1``, ``Spørsmål nr. 1``,
  ``Question 1``), a range or list of numbers (``1–3``, ``1 til 3``, ``1 og 3``, ``1, 2 og 4``), an
  ordinal (``Første``, ``det første (spørsmålet)``, ``det siste``, ``the last one``), a count
  (``de to første``, ``the last two``), every question (``alle``, ``all``) or the questions not
  named elsewhere in the comment (``resten``, ``the rest``); or the question itself, quoted whole or
  by its first words (``«Bør kantina …»``);
* lead-in: ``Til``, ``Svar på``, ``Angående``, ``To``, ``Re`` …; connective: ``og``, ``and`` …;
* separator: ``:`` ``.`` ``)`` ``-`` ``–`` ``=``, or a comma or a space when a short answer
  (a yes/no, mixed or decline cue of the lexicon) follows: ``2 Ja.``, ``#1 Nei``.

Labels are read where a label can stand: at the start of the text or a line (after any bullet), after
a sentence or a clause ends, and (a bare number only) after a short answer ("1 ja 2 nei").
The weaker the label, the more it needs: a bare number in running text needs a short answer after
it (or continues a numbered run: "… 2. … 3. …"); an ordinal without article, noun or lead-in, and
``alle``/``resten``, need one too ("Første: nei", "alle: ja", not "Til alle: husk …"). "7. mai" is a
date, not answer 7.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .contract import Question
from .lang import LANGUAGES, merged
from .textutil import WORD_RE, lower

QUOTE_OPEN = "«\"“„'‘"
QUOTE_CLOSE = "»\"”“'’"
MIN_QUOTED_WORDS = 3  # a question quoted by its first words needs at least this many


@dataclass(frozen=True)
class Label:
    head: int                    # where the label begins
    start: int                   # where its answer begins
    questions: tuple[int, ...]   # indices into the questions
    kind: str                    # number | ordinal | count | all | rest | quoted
    inline: bool = True          # not a number opening a line: the answer ends with its paragraph


@cache
def _file() -> dict:
    with resources.files("innspill.lang").joinpath("explicit.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def tables(primary: str = "nb") -> dict:
    """The grammar's tables of all languages together (``primary`` first: comments mix languages)."""
    data = _file()
    order = [primary] + [c for c in LANGUAGES if c != primary] if primary in LANGUAGES else list(LANGUAGES)
    out: dict = {}
    for code in order:
        for key, val in data[code].items():
            if isinstance(val, list):
                seen = out.setdefault(key, [])
                seen.extend(v for v in val if v not in seen)
            else:
                d = out.setdefault(key, {})
                for k, v in val.items():
                    d.setdefault(k, v)
    return out


def _alt(phrases) -> str:
    """A regex alternation of ``phrases``, longest first, spaces matching any run of spaces."""
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(set(phrases), key=len, reverse=True))


def answer_cues(language: str = "nb") -> list[str]:
    """Short answers that may follow a label without punctuation ("2 Ja", "#1 Nei", "Q3 no")."""
    lex, tab = merged(language), tables(language)
    return [*lex["answer_yes"], *lex["answer_no"], *lex["answer_mixed"], *lex["declines"], *tab["yes_no"]]


class ExplicitGrammar:
    def __init__(self, questions: list[Question], language: str = "nb"):
        self.questions = questions
        self.n = len(questions)
        self.numbers = {q.number: i for i, q in enumerate(questions)}
        t = self.t = tables(language)
        # a short answer, perhaps after an intensifier or a courtesy word ("Takk, men nei")
        lead = _alt(w.lower() for w in t["intensifiers"] + t["courtesy"])
        ans = (rf"(?:(?:{lead})[\s,]+(?:(?:{_alt(t['concessions'])})\s+)?)?"
               rf"(?:{_alt(c.lower() for c in answer_cues(language))})")
        self.answer_re = re.compile(rf"(?:{ans})(?!\w)", re.IGNORECASE)
        firstlast = [w for w, v in t["ordinals"].items() if v in (1, -1) and not w[0].isdigit()]
        nouns = _alt(t["nouns"])
        num = r"\d{1,2}(?!\d)"
        self.label_re = re.compile(rf"""
            (?P<conn>(?:{_alt(t["connectives"])})\s+)?
            (?P<lead>(?:{_alt(t["lead_ins"])})\s+)?
            (?:
               (?P<count>(?:{_alt(t["count_articles"])})\s+
                  (?:(?P<cn>{_alt(t["counts"])})\s+(?P<cs>{_alt(firstlast)})
                    |(?P<cs2>{_alt(firstlast)})\s+(?P<cn2>{_alt(t["counts"])}))
                  (?:\s+(?:{nouns}|ones))?)
             | (?P<all>{_alt(t["all"])})
             | (?P<rest>{_alt(t["rest"])})
             | (?P<ord>(?P<oart>(?:{_alt(t["articles"])})\s+)?(?P<ow>{_alt(t["ordinals"])})
                  (?P<onoun>\s+\(?(?:{nouns}|one)\)?)?)
             | \((?P<pn>{num})\)
             | (?P<npre>(?:{nouns})[ \t]*(?:(?:{_alt(t["number_words"])})[ \t]*)?|\#[ \t]?)?
               (?P<n1>{num})
               (?:(?P<range>\s*[-–—]\s*|\s+(?:{_alt(t["ranges"])})\s+)(?P<n2>{num})
                 |(?P<list>(?:\s*(?:,|&|\+|/|\s(?:{_alt(t["joins"])}))\s*{num})+))?
            )
            (?P<sep>\s*[:=)](?![\d/])\s*
                   |\.(?=\s)\s*
                   |\s*[-–—]+(?!\s*\d)\s*
                   |\s*,\s*(?=(?:{ans})(?!\w))
                   |\s+(?=(?:{ans})(?!\w)))
            """, re.IGNORECASE | re.VERBOSE)
        self.month_re = re.compile(rf"(?:{_alt(t['months'])})(?!\w)", re.IGNORECASE)
        self.q_words = [[w for w in WORD_RE.findall(lower(q.text))] for q in questions]

    # ----- where a label may stand -------------------------------------------
    def boundaries(self, text: str) -> dict[int, str]:
        """Positions where a label may begin, and what precedes them: ``line`` (start of the text
        or a line, after any bullet), ``sent`` (a sentence or a colon ends), ``clause`` (a comma or
        a semicolon), ``answer`` (a short answer: "1 ja 2 nei")."""
        out: dict[int, str] = {}
        for m in re.finditer(r"(?:^|\n)[ \t]*(?:[-*•·–][ \t]+)?", text):
            out.setdefault(m.end(), "line")
        for m in re.finditer(r"[.!?:…][\"”»’')]*[ \t]+", text):
            out.setdefault(m.end(), "sent")
        for m in re.finditer(r"[,;][ \t]+", text):
            out.setdefault(m.end(), "clause")
        for m in self.answer_re.finditer(text):
            if m.start() == 0 or not (text[m.start() - 1].isalnum()):
                w = re.compile(r"[ \t]+").match(text, m.end())
                if w:
                    out.setdefault(w.end(), "answer")
        return out

    def answer_at(self, text: str, pos: int) -> bool:
        m = self.answer_re.match(text, pos)
        return m is not None and (pos == 0 or not text[pos - 1].isalnum())

    # ----- labels --------------------------------------------------------------
    def find(self, text: str) -> list[Label]:
        """The labels of ``text`` in order, each question's answer starting after its label."""
        bounds = self.boundaries(text)
        labels: list[Label] = []
        tokens = [(m.start(), m.end(), m.group(0)) for m in WORD_RE.finditer(lower(text))]
        starts = [s for s, _, _ in tokens]
        last_num = None
        skip_to = 0
        pending_rest: list[int] = []  # labels for "the others", resolved at the end
        for pos in sorted(bounds):
            if pos < skip_to or pos >= len(text):
                continue
            kind = bounds[pos]
            quoted = self._quoted(text, pos, tokens, starts) if kind != "answer" or _opens(text, pos) else None
            if quoted is not None:
                q, end = quoted
                if labels and labels[-1].start == pos and labels[-1].questions == (q,):
                    labels[-1] = Label(labels[-1].head, end, (q,), labels[-1].kind, labels[-1].inline)  # "2. «Bør …?» Nei."
                else:
                    labels.append(Label(pos, end, (q,), "quoted"))
                skip_to = end
                continue
            m = self.label_re.match(text, pos)
            if m is None:
                continue
            got = self._accept(m, kind, text, last_num)
            if got is None:
                continue
            qs, lkind = got
            if lkind == "number" and len(qs) == 1:
                last_num = self.questions[qs[0]].number
            if lkind in ("rest", "all"):
                pending_rest.append(len(labels))
            labels.append(Label(pos, m.end(), qs, lkind, inline=not (kind == "line" and lkind == "number")))
            skip_to = m.end()
        if pending_rest:
            named = {q for i, lab in enumerate(labels) if i not in pending_rest for q in lab.questions}
            others = tuple(q for q in range(self.n) if q not in named)
            for i in pending_rest:
                labels[i] = Label(labels[i].head, labels[i].start, others, labels[i].kind, labels[i].inline)
            labels = [lab for lab in labels if lab.questions]
        return labels

    def _accept(self, m: re.Match, kind: str, text: str, last_num: int | None):
        """(question indices, label kind) when the match stands as a label here, else None."""
        sep = m.group("sep")
        punct = bool(sep.strip()) and sep.strip() != ","
        follows = self.answer_at(text, m.end())
        led = bool(m.group("lead") or m.group("conn"))
        if kind == "answer" and not ((m.group("n1") or m.group("pn")) and not m.group("lead")) \
                and not _opens(text, m.start()):
            return None  # after "ja ": the next number ("1 ja 2 nei"), or a label that opens a sentence ("Ja Til 3:")
        if m.group("count"):
            k = self.t["counts"][lower(m.group("cn") or m.group("cn2"))]
            side = self.t["ordinals"][lower(m.group("cs") or m.group("cs2"))]
            if k > self.n or not (punct or follows):
                return None
            return (tuple(range(k)) if side > 0 else tuple(range(self.n - k, self.n))), "count"
        if m.group("all") or m.group("rest"):
            if not (punct and follows):
                return None
            return (tuple(range(self.n)), "all" if m.group("all") else "rest")
        if m.group("ord"):
            val = self.t["ordinals"].get(" ".join(lower(m.group("ow")).split()))
            if val is None or "." in sep:
                return None
            strong = bool(m.group("oart") or m.group("onoun") or led)
            if not (follows or strong and punct):
                return None
            idx = val - 1 if val > 0 else self.n + val
            return ((idx,), "ordinal") if 0 <= idx < self.n else None
        nums = self._numbers(m)
        if nums is None:
            return None
        strong = bool(m.group("npre") or m.group("pn") or m.group("lead"))
        if m.group("npre") and m.group("npre").strip().startswith("#") or m.group("pn"):
            strong = True
        dot = sep.strip() == "."
        if dot and self.month_re.match(text, m.end()):
            return None  # "7. mai 2026"
        if strong or len(nums) > 1:
            ok = follows or punct
        elif kind == "line":
            ok = punct or follows
        elif kind == "sent":
            ok = follows or punct and not dot and sep.strip() != "-" or \
                dot and last_num is not None and self.questions[nums[0]].number == last_num + 1
        else:  # after a comma or a short answer: only with a short answer after it
            ok = follows
        return (tuple(nums), "number") if ok else None

    def _numbers(self, m: re.Match) -> list[int] | None:
        """Question indices a number reference names ("1", "1–3", "1 og 3"); None if one is no question's."""
        if m.group("pn"):
            vals = [int(m.group("pn"))]
        else:
            first = int(m.group("n1"))
            if m.group("n2"):
                last = int(m.group("n2"))
                if last <= first:
                    return None
                vals = list(range(first, last + 1))
            elif m.group("list"):
                vals = [first] + [int(x) for x in re.findall(r"\d{1,2}", m.group("list"))]
            else:
                vals = [first]
        if any(v not in self.numbers for v in vals):
            return None
        return [self.numbers[v] for v in vals]

    def _quoted(self, text: str, pos: int, tokens, starts) -> tuple[int, int] | None:
        """(question index, answer start) when ``text`` at ``pos`` repeats a question: whole, or its
        first words (at least three) followed by an ellipsis or a closing quote."""
        p = pos
        opened = p < len(text) and text[p] in QUOTE_OPEN
        if opened:
            p += 1
        i = bisect.bisect_left(starts, p)
        if i >= len(tokens) or tokens[i][0] != p:
            return None
        best = None
        for q, qw in enumerate(self.q_words):
            if not qw:
                continue  # a question with no words ("?") cannot be quoted
            k = 0
            while k < len(qw) and i + k < len(tokens) and tokens[i + k][2] == qw[k]:
                if k and text[tokens[i + k - 1][1]:tokens[i + k][0]].count("\n"):
                    break
                k += 1
            if k < min(MIN_QUOTED_WORDS, len(qw)):
                continue
            end = tokens[i + k - 1][1]
            tail = re.compile(r"[ \t]*(?:…|\.\.\.)?[?.!]*[ \t]*").match(text, end)
            after = tail.end()
            closed = after < len(text) and text[after] in QUOTE_CLOSE
            if k < len(qw) and not (closed or "…" in tail.group(0) or "..." in tail.group(0)):
                continue  # first words only: marked as a quote ("«Bør kantina …»")
            if opened and not closed:
                continue
            if closed:
                after += 1
            sep = re.compile(r"[ \t]*(?:[:=–—-]|\?)?\s*").match(text, after)
            if best is None or k > best[2]:
                best = (q, sep.end(), k)
        return (best[0], best[1]) if best else None


def _opens(text: str, pos: int) -> bool:
    """``text[pos]`` can only open a sentence or a label: a capital letter, "#" or a quote."""
    return pos < len(text) and (text[pos].isupper() or text[pos] in "#" + QUOTE_OPEN)
