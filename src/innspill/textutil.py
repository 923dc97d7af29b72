"""Small text helpers shared by the stages: sentences, words, stems, cue matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
ABBREVIATIONS = {
    "f.eks", "feks", "bl.a", "bla", "etc", "osv", "ca", "dvs", "mht", "ifm", "iht", "ihht", "evt",
    "nr", "kl", "jf", "mv", "m.fl", "o.l", "e.g", "i.e", "mr", "mrs", "ms", "dr", "vs",
    "st", "pr", "pga", "tlf", "inkl", "ekskl", "bl", "f", "ev", "hhv", "m.m", "s", "jr", "sr",
}
_BOUNDARY_RE = re.compile(r"([.!?…]+[\"”»’)]*)(\s+|(?=[A-ZÆØÅ][a-zæøå]))|\n+")


def lower(text: str) -> str:
    """Lower-case without changing the length (so offsets stay valid); a typographic apostrophe
    becomes a plain one, so "isn’t" matches the cue "isn't"."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low.replace("’", "'")


def normalise(text: str) -> str:
    """Normal form for comparing texts: NFKC, case-folded, words only, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(WORD_RE.findall(text))


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text[start:end]``, whitespace trimmed, offsets absolute."""
    end = len(text) if end is None else end
    spans = []
    pos = start
    for m in _BOUNDARY_RE.finditer(text, start, end):
        if m.group(1):
            before = text[pos:m.start(1)]
            last = before.rsplit(None, 1)[-1].lower().rstrip(".") if before.strip() else ""
            if m.group(1) == "." and (last in ABBREVIATIONS or (last.isdigit() and len(last) <= 2)
                                      or len(last) == 1):
                continue
            cut = m.end(1)
        else:
            cut = m.start()
        _add_span(text, pos, cut, spans)
        pos = m.end()
    _add_span(text, pos, end, spans)
    return spans


def _add_span(text: str, s: int, e: int, spans: list) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Paragraph spans split at blank lines, offsets absolute."""
    end = len(text) if end is None else end
    spans = []
    pos = start
    for m in re.finditer(r"\n[ \t]*\n", text[start:end]):
        _add_span(text, pos, start + m.start(), spans)
        pos = start + m.end()
    _add_span(text, pos, end, spans)
    return spans


def words(text: str) -> list[str]:
    return WORD_RE.findall(lower(text))


@lru_cache(maxsize=8)
def _stemmer(lang: str):
    name = "english" if lang == "en" else "norwegian"
    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str = "nb") -> str:
    return _stemmer(lang).stemWord(word)


def content_stems(text: str, stopwords: frozenset, lang: str = "nb") -> list[str]:
    """Stems of the content words of ``text`` (stop words and short words dropped)."""
    out = []
    for w in words(text):
        if w in stopwords or len(w) < 3 or w.isdigit():
            continue
        out.append(stem(w, lang))
    return out


class CueMatcher:
    """Finds cue phrases from a list in text, on word boundaries, longest first."""

    def __init__(self, phrases):
        phrases = sorted({p.lower() for p in phrases if p}, key=len, reverse=True)
        self.empty = not phrases
        body = "|".join(re.escape(p) for p in phrases) or "(?!x)x"
        self.regex = re.compile(r"(?<![\w])(?:" + body + r")(?![\w])")

    def find(self, text: str, start: int = 0, end: int | None = None):
        """Yield (start, end, phrase) of each match in ``text[start:end]``."""
        low = lower(text)
        end = len(text) if end is None else end
        for m in self.regex.finditer(low, start, end):
            yield m.start(), m.end(), m.group(0)

    def first(self, text: str, start: int = 0, end: int | None = None):
        return next(self.find(text, start, end), None)

    def search(self, text: str) -> bool:
        return self.regex.search(lower(text)) is not None


def stem_hits(q_stems, text: str, stopwords: frozenset, lang: str = "nb") -> set[str]:
    """Which of ``q_stems`` occur in ``text``: as a stem, or inside a compound word (5+ letters)."""
    ws = [w for w in words(text) if w not in stopwords and len(w) >= 3]
    parts = set()
    for w in ws:
        parts.add(stem(w, lang))
        if "-" in w:
            parts.update(stem(p, lang) for p in w.split("-") if len(p) >= 3)
    return {st for st in q_stems if st in parts or (len(st) >= 5 and any(st in w for w in ws))}
