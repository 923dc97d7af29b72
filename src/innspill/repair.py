"""Repair broken text: mojibake, lost bytes, lost quote marks; every change recorded.

Rules, in order (each is named in the ``repairs`` it records):

* ``lost-dash``, ``lost-quote-open``, ``lost-quote-close``, ``lost-letter``,
  ``lost-letter-guess``, ``lost-byte-drop``: what was left when bytes were lost
  on the way (``â??``, ``â?``, ``â€?``, U+FFFD, ``Ã?``). The replacement is
  chosen by context: between spaces a dash, before a word an opening quote,
  after a word a closing quote, inside a word the letter that makes a word
  seen elsewhere in the thread.
* ``ftfy:<steps>``: what ftfy (with curly quotes kept) fixes on a line.
* ``mojibake-cp1252``: UTF-8 read as Windows-1252 that ftfy left because the
  line held other damage (``SÃ¥`` → ``Så``).

``original`` is never touched; each repair has the offset into ``original``
where the changed stretch begins.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

from .contract import Comment, Repair
from .lang import merged
from .textutil import WORD_RE, lower

FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_latin_ligatures=False,
                                   fix_character_width=False, explain=True)
LOST_RE = re.compile(r"â€[?\ufffd]|â[?\ufffd][?\ufffd]?|â€(?=[\s.,;:!?]|$)|Ã[?\ufffd]|\ufffd+")
IN_WORD_Q_RE = re.compile(r"(?<=[^\W\d_])\?(?=[^\W\d_]|[\s,.;:!)]|$)")
CP1252_TAIL = ("\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
               "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122")
MOJIBAKE_RE = re.compile(f"(?:[ÂÃ][{CP1252_TAIL}]|[âÅÆ][{CP1252_TAIL}][{CP1252_TAIL}])+")
LETTERS = "åøæÅØÆéèüöäÉ"
OPENERS = "([{«“‘\"'"
SUSPECT = re.compile("[ÂÃâ\ufffd]|\\?[^\\W\\d_]")


def word_counts(texts) -> Counter:
    """Counts of the undamaged words of ``texts`` (what a :class:`Vocabulary` learns from)."""
    counts: Counter = Counter()
    for text in texts:
        low = lower(text)
        for m in WORD_RE.finditer(low):
            w = m.group(0)
            # "m?" may be "må" with a lost byte: a short word before '?' is not evidence
            if SUSPECT.search(w) or (len(w) <= 3 and low[m.end():m.end() + 1] in ("?", "\ufffd")):
                continue
            counts[w] += 1
    return counts


class Vocabulary:
    """Word counts of a thread's undamaged text, to choose a lost letter."""

    def __init__(self, texts=()):
        self.counts: Counter = Counter()
        for w in merged()["stopwords"]:
            self.counts[w] += 1
        for t in texts:
            self.add(t)

    def add(self, text: str) -> None:
        self.counts.update(word_counts([text]))

    @classmethod
    def from_counts(cls, counts: Counter) -> Vocabulary:
        """A vocabulary from word counts summed elsewhere (the distributed runner)."""
        vocab = cls()
        vocab.counts.update(counts)
        return vocab

    def best_letter(self, before: str, after: str) -> tuple[str | None, int]:
        """The letter that makes ``before + ? + after`` the commonest known word."""
        best, best_n = None, 0
        lb, la = lower(before), lower(after)
        for ch in LETTERS:
            n = self.counts.get(lb + ch.lower() + la, 0)
            if n > best_n:
                best, best_n = ch, n
        if best and before[-1:].isupper() and after[:1].isupper():
            best = best.upper()
        elif best and not before and after[:1].islower():
            best = best.lower()
        return best, best_n


class _Tracker:
    """Applies edits to a text while remembering where each character came from."""

    def __init__(self, original: str):
        self.original = original
        self.text = original
        self.origin: list[int] | None = None
        self.repairs: list[Repair] = []

    def apply(self, edits: list[tuple[int, int, str, str]]) -> None:
        if not edits:
            return
        if self.origin is None:
            self.origin = list(range(len(self.text) + 1))
        out, origin, pos = [], [], 0
        for s, e, rep, rule in sorted(edits):
            out.append(self.text[pos:s])
            origin.extend(self.origin[pos:s])
            start_orig = self.origin[s]
            self.repairs.append(Repair(rule=rule, offset=start_orig, before=self.text[s:e], after=rep))
            out.append(rep)
            origin.extend([start_orig] * len(rep))
            pos = e
        out.append(self.text[pos:])
        origin.extend(self.origin[pos:])
        self.text = "".join(out)
        self.origin = origin


def _word_around(text: str, s: int, e: int) -> tuple[str, str]:
    i = s
    while i > 0 and (text[i - 1].isalpha()):
        i -= 1
    j = e
    while j < len(text) and text[j].isalpha():
        j += 1
    return text[i:s], text[e:j]


def _lost_bytes(text: str, vocab: Vocabulary) -> list[tuple[int, int, str, str]]:
    edits = []
    for m in LOST_RE.finditer(text):
        s, e = m.span()
        prev = text[s - 1] if s > 0 else " "
        nxt = text[e] if e < len(text) else " "
        if prev.isalpha() and nxt.isalpha():
            before, after = _word_around(text, s, e)
            letter, _ = vocab.best_letter(before, after)
            if letter:
                edits.append((s, e, letter, "lost-letter"))
            else:
                edits.append((s, e, "å" if not before[-1:].isupper() else "Å", "lost-letter-guess"))
        elif prev.isspace() and nxt.isspace():
            edits.append((s, e, "–", "lost-dash"))
        elif (prev.isspace() or prev in OPENERS) and (nxt.isalnum() or nxt in "…."):
            edits.append((s, e, "“", "lost-quote-open"))
        elif (prev.isalnum() or prev in ".!?,…)") and (nxt.isspace() or nxt in ".,;:!?)"):
            edits.append((s, e, "”", "lost-quote-close"))
        elif prev.isspace() or nxt.isspace():
            edits.append((s, e, "–" if prev.isspace() and nxt.isspace() else "", "lost-byte-drop"))
        else:
            edits.append((s, e, "", "lost-byte-drop"))
    for m in IN_WORD_Q_RE.finditer(text):
        before, after = _word_around(text, m.start(), m.end())
        letter, n = vocab.best_letter(before, after)
        bare_known = vocab.counts.get(lower(before + after), 0) > 0
        if letter and n >= 2 and not bare_known:
            edits.append((m.start(), m.end(), letter, "lost-letter"))
    return edits


def _ftfy(text: str) -> list[tuple[int, int, str, str]]:
    edits = []
    pos = 0
    for line in text.split("\n"):
        if line and not line.isascii():
            fixed, steps = ftfy.fix_and_explain(line, config=FTFY_CONFIG)
            if fixed != line:
                rule = "ftfy:" + "/".join(f"{a}-{b}" for a, b in (steps or [])) if steps else "ftfy"
                sm = difflib.SequenceMatcher(None, line, fixed, autojunk=False)
                for op, i1, i2, j1, j2 in sm.get_opcodes():
                    if op != "equal":
                        edits.append((pos + i1, pos + i2, fixed[j1:j2], rule))
        pos += len(line) + 1
    return edits


def _mojibake(text: str) -> list[tuple[int, int, str, str]]:
    edits = []
    for m in MOJIBAKE_RE.finditer(text):
        try:
            fixed = m.group(0).encode("sloppy-windows-1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        edits.append((m.start(), m.end(), fixed, "mojibake-cp1252"))
    return edits


def repair_text(original: str, vocab: Vocabulary | None = None) -> tuple[str, list[Repair]]:
    """Repair one text; returns the new text and the repairs made."""
    if original.isascii() and "?" not in original:
        return original, []
    vocab = vocab or Vocabulary([original])
    t = _Tracker(original)
    t.apply(_lost_bytes(t.text, vocab))
    t.apply(_ftfy(t.text))
    t.apply(_mojibake(t.text))
    return t.text, t.repairs


def repair_comments(comments: list[Comment], extra_texts=(), vocab: Vocabulary | None = None) -> Vocabulary:
    """Repair every comment in place (``text`` and ``repairs``); ``original`` stays as read.
    The vocabulary that chooses lost letters is the whole thread's (given, or learnt here)."""
    if vocab is None:
        vocab = Vocabulary([c.original for c in comments])
        for t in extra_texts:
            vocab.add(t)
    seen: dict[str, tuple[str, str, list[Repair]]] = {}
    for c in comments:
        # a text read many times (a form letter, a comment posted twice) is repaired once, and
        # its copies share the strings: memory grows with the distinct texts, not the copies
        hit = seen.get(c.original)
        if hit is None:
            hit = seen[c.original] = (c.original, *repair_text(c.original, vocab))
        c.original, c.text, c.repairs = hit[0], hit[1], list(hit[2])
        if "Ã" in c.text or "\ufffd" in c.text or "â?" in c.text:
            c.flags.append("unrepaired-encoding")
    return vocab
