"""A theme's name, copied from its answers (the themes stage, :mod:`.themes`): the candidate
phrases of an answer (runs of 2-6 words within one clause, first and last a content word that is
not a yes/no cue), the fallback name of a theme whose answers hold none ("«Nei» uten
begrunnelse"), and the names to show once a comment a name was copied from has been withdrawn.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from .lang import LANGUAGES, lexicon

NAME_WORDS = (2, 6)  # a theme's name: a phrase of this many words from its answers
NAME_FALLBACK = {"nb": "«{}» uten begrunnelse", "nn": "«{}» utan grunngjeving", "en": "“{}” with no reason given"}

_RUN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*(?: [^\W_]+(?:[-'’][^\W_]+)*)*")  # words with single spaces between
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@cache
def answer_cues() -> tuple[frozenset, tuple]:
    """The yes/no/mixed cues of every language (``answer_yes``, ``answer_no``, ``answer_mixed`` in
    ``lang/*.json``): single words ("nei", "absolutt", "klart") and phrases ("uten tvil", "ja og nei")."""
    single, multi = set(), set()
    for code in LANGUAGES:
        lex = lexicon(code)
        for key in ("answer_yes", "answer_no", "answer_mixed"):
            for cue in lex.get(key, []):
                cue = cue.lower().replace("’", "'")
                (multi if " " in cue or "," in cue else single).add(cue)
    return frozenset(single), tuple(sorted(multi, key=lambda c: (-len(c), c)))


def name_word(word: str, stop: frozenset) -> bool:
    """A word a theme's name may start or end with: letters, not a stop word, not a yes/no cue."""
    w = word.lower().replace("’", "'")
    return (bool(_LETTERS.fullmatch(word)) and "'" not in w and len(w) >= 2 and w not in stop
            and w not in answer_cues()[0])


def only_cues(phrase: str, stop: frozenset) -> bool:
    """True when nothing but yes/no cues and stop words is left of ``phrase`` ("nei, absolutt", "uten tvil")."""
    low = " " + " ".join(_WORD.findall(phrase.lower().replace("’", "'"))) + " "
    for cue in answer_cues()[1]:
        low = low.replace(" " + " ".join(_WORD.findall(cue)) + " ", " ")
    return not any(name_word(w, stop) for w in low.split())


def phrase_spans(text: str, start: int, end: int, stop: frozenset, avoid=()) -> list[tuple[int, int, list[str], int]]:
    """Candidate names inside ``text[start:end]``: (start, end, words, whole) of every run of 2-6 words within
    one clause (no punctuation between them), first and last a :func:`name_word`, not overlapping ``avoid``.
    ``whole``: 2 for a whole clause ("Billig lunsj er hyggelig"), 1 for a run that cuts no word group, with a
    clause boundary or a stop word on each side ("full pris"), 0 for one that does ("betaler gjerne full"
    of "betaler gjerne full pris")."""
    out = []
    lo, hi = NAME_WORDS
    for run in _RUN.finditer(text, start, end):
        toks = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text, run.start(), run.end())]
        edge = [name_word(w, stop) for _, _, w in toks]
        free = [w.lower() in stop for _, _, w in toks]  # a stop word beside a run does not cut it
        for i in range(len(toks)):
            if not edge[i]:
                continue
            for j in range(i + lo - 1, min(len(toks), i + hi)):
                if not edge[j]:
                    continue
                s, e = toks[i][0], toks[j][1]
                if any(a < e and s < b for a, b in avoid):
                    continue
                whole = 2 if i == 0 and j == len(toks) - 1 else int((i == 0 or free[i - 1])
                                                                     and (j == len(toks) - 1 or free[j + 1]))
                out.append((s, e, [w for _, _, w in toks[i:j + 1]], whole))
    return out


def heading(phrase: str) -> str:
    """A phrase as a heading: its first letter upper-cased when its first word is all lower case."""
    first = phrase.split(" ", 1)[0]
    return phrase[:1].upper() + phrase[1:] if first.islower() else phrase


def fallback_name(texts: list[str], language: str) -> str:
    """The name of a theme whose answers hold no phrase to name it by ("Ja.", "Nei, absolutt."): the first
    word its answers most often start with, quoted ("«Nei» uten begrunnelse")."""
    first = [m.group(0) for m in (_WORD.search(t) for t in texts) if m] or ["…"]
    counts = Counter(w.lower() for w in first)
    best = min(first, key=lambda w: (-counts[w.lower()], first.index(w)))
    return NAME_FALLBACK.get(language, NAME_FALLBACK["nb"]).format(heading(best))


def shown_labels(data: dict) -> dict[str, str]:
    """Theme id -> the name to show, for the analysis dict ``data``: each theme's ``label``, unless the words
    it was copied from (``label_ref``) have left their comment since (a participant withdrew it and its text
    was scrubbed); then the theme's ``terms`` that its remaining answers still use, joined by ", "."""
    texts = {c.get("id"): c.get("text") or "" for c in data.get("comments", [])}
    answers = None
    out = {}
    for t in data.get("themes", []) or []:
        ref, label = t.get("label_ref"), t.get("label") or ""
        if not ref or texts.get(ref.get("comment_id"), "")[ref.get("start", 0):ref.get("end", 0)].lower() == label.lower():
            out[t.get("id")] = label
            continue
        if answers is None:
            answers = {f"{a.get('comment_id')}:{a.get('question_id')}": (a.get("text") or "").lower()
                       for a in data.get("answers", [])}
        own = " ".join(answers.get(aid, "") for aid in t.get("answer_ids", []))
        out[t.get("id")] = ", ".join(w for w in t.get("terms", []) if w.lower() in own)
    return out

