"""Privacy stage: personal data, sensitive content and first-person stories.

For every distinct comment it finds

* personal data: e-mail addresses, phone numbers and names (the post author's
  name, common first names, a name addressed by a greeting or set off by commas
  as in ``"synlig for deg , Thomas, hvis"``, and two capitalised words in a row);
* sensitive sentences: a term from the harassment / health / legal lexicons in
  a sentence that is about the writer or a third party (``jeg``, ``min sjef``,
  ``hun``); the category ``third-party`` is added when such a sentence names or
  points at another person;
* first-person stories: sentences with a first-person word and an experience
  marker (``fikk``, ``der jeg jobber``, ``I was``).

The cues are data (``lang/privacy.json``, ``lang/names.json``). Results go to
``comment.privacy`` (spans index ``comment.text``) and the flags
``personal-data``, ``sensitive``, ``personal-story`` and ``sensitive-story``.
:func:`mask` replaces personal data inside a span of the text, so a quote keeps
its ``start``/``end`` in the comment and its masked form says what was hidden.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from .textutil import sentences

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w+/-])(?:\+\d{1,3}[ .-]?)?\d(?:[ .-]?\d){7,11}(?![\w/-])")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CAP_WORD_RE = re.compile(r"(?<![\w@.])([A-ZÆØÅÄÖÜ][a-zæøåäöüéè]+(?:-[A-ZÆØÅ][a-zæøåäöüéè]+)?)(?![\w@])")
QUOTED_RE = re.compile(r"“[^”]*”|«[^»]*»|\"[^\"]*\"")
SENSITIVE_CATEGORIES = ("harassment", "health", "legal", "third-party")
FLAGS = ("personal-data", "sensitive", "personal-story", "sensitive-story")


@cache
def _data(name: str) -> dict:
    with resources.files("innspill.lang").joinpath(name).open(encoding="utf-8") as fh:
        return json.load(fh)


def _codes(language: str | None) -> tuple[str, ...]:
    if language == "en":
        return ("en",)
    if language in ("nb", "nn"):
        return ("nb", "nn")
    return ("nb", "nn", "en")


def _phrase_regex(terms) -> re.Pattern:
    """Whole-word phrases; a trailing '*' lets the last word run on (``trakass*``)."""
    parts = []
    for t in sorted({t.lower() for t in terms}, key=len, reverse=True):
        if t.endswith("*"):
            parts.append(re.escape(t[:-1]) + r"\w*")
        else:
            parts.append(re.escape(t))
    return re.compile(r"(?<!\w)(?:" + ("|".join(parts) or "(?!x)x") + r")(?!\w)")


@cache
def _cues(language: str | None) -> dict:
    data = _data("privacy.json")
    merged: dict = {"sensitive": {}, "third_party": [], "first_person": [], "experience": [], "greetings": []}
    for code in _codes(language):
        lang = data[code]
        for cat, terms in lang["sensitive"].items():
            merged["sensitive"].setdefault(cat, []).extend(terms)
        for key in ("third_party", "first_person", "experience", "greetings"):
            merged[key].extend(lang[key])
    return {
        "sensitive": {cat: _phrase_regex(terms) for cat, terms in merged["sensitive"].items()},
        "third_party": _phrase_regex(merged["third_party"]),
        "first_person": _phrase_regex(merged["first_person"]),
        "experience": _phrase_regex(merged["experience"]),
        "greeting": re.compile(r"(?i:(?<!\w)(?:" + "|".join(re.escape(g) for g in merged["greetings"])
                               + r"))[ ,]+" + CAP_WORD_RE.pattern),
    }


@cache
def _names() -> tuple[frozenset, frozenset]:
    data = _data("names.json")
    return frozenset(data["first_names"]), frozenset(data["not_names"])


def _sentence_starts(text: str) -> set[int]:
    return {s for s, _ in sentences(text)}


def find_personal_data(text: str, language: str | None = None, known_names=(), vocabulary=frozenset()) -> list[dict]:
    """Spans of e-mail addresses, phone numbers and names in ``text`` (sorted, not overlapping).

    ``known_names``: names that are always masked (the post author, comment authors).
    ``vocabulary``: lower-case words seen in the thread; a capitalised word that also
    occurs in lower case is an ordinary word, not a name.
    """
    spans = [{"kind": "email", "start": m.start(), "end": m.end()} for m in EMAIL_RE.finditer(text)]
    for m in PHONE_RE.finditer(text):
        if not ISO_DATE_RE.match(m.group(0)) and sum(ch.isdigit() for ch in m.group(0)) >= 8:
            spans.append({"kind": "phone", "start": m.start(), "end": m.end()})
    first_names, not_names = _names()
    known = {n for n in known_names if len(n) >= 2}
    starts = _sentence_starts(text)
    words = list(CAP_WORD_RE.finditer(text))
    name_at: set[int] = set()
    for i, m in enumerate(words):
        word, pos = m.group(1), m.start(1)
        if word in not_names:
            continue
        nxt = words[i + 1] if i + 1 < len(words) else None
        full = nxt is not None and text[m.end(1):nxt.start(1)] == " " and nxt.group(1) not in not_names
        at_start = pos in starts or _after_line_start(text, pos)
        vocative = _is_vocative(text, m.start(1), m.end(1))
        if word in known or (vocative and word.lower() not in vocabulary):
            name_at.add(i)
        elif word in first_names and (not at_start or full or vocative):
            name_at.add(i)
        elif full and not at_start and word.lower() not in vocabulary and nxt.group(1).lower() not in vocabulary:
            name_at.update((i, i + 1))
    greeting = _cues(language)["greeting"]
    for g in greeting.finditer(text):
        if g.group(1) not in not_names:
            name_at.update(i for i, m in enumerate(words) if m.start(1) == g.start(1))
    spans += [{"kind": "name", "start": words[i].start(1), "end": words[i].end(1)} for i in sorted(name_at)]
    return _merge(spans)


def _after_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip() or bool(re.fullmatch(r"\s*\d+\.\s*", text[line_start:pos]))


def _is_vocative(text: str, start: int, end: int) -> bool:
    """``, Name,`` / ``, Name!`` / ``Name:`` at the start: a person addressed by name."""
    before = text[max(0, start - 2):start]
    after = text[end:end + 1]
    if before.endswith(", ") or before.endswith(","):
        return after in (",", "!", ".", "?", ":") or after == ""
    return start == 0 and after in (",", ":", "!")


def _merge(spans: list[dict]) -> list[dict]:
    out: list[dict] = []
    for s in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if out and s["start"] < out[-1]["end"]:
            out[-1]["end"] = max(out[-1]["end"], s["end"])
            continue
        out.append(dict(s))
    return out


def find_sensitive(text: str, language: str | None = None, names: list[dict] | None = None) -> list[dict]:
    """Sentences holding sensitive content about the writer or a third party, with their categories."""
    cues = _cues(language)
    low = text.lower()
    name_spans = [(n["start"], n["end"]) for n in (names or []) if n["kind"] == "name"]
    out = []
    for s, e in sentences(text):
        seg = low[s:e]
        cats = [cat for cat, rx in cues["sensitive"].items()
                if any(not any(a <= s + m.start() < b for a, b in name_spans) for m in rx.finditer(seg))]
        if not cats:
            continue
        own = _unquoted(seg)  # "jeg er syk" inside quotation marks is an example, not the writer
        about_person = cues["first_person"].search(own) or cues["third_party"].search(own)
        named = any(s <= a < e for a, _ in name_spans)
        if not (about_person or named):
            continue
        if named or cues["third_party"].search(own):
            cats.append("third-party")
        out.append({"start": s, "end": e, "categories": [c for c in SENSITIVE_CATEGORIES if c in cats]})
    return out


def _unquoted(text: str) -> str:
    return QUOTED_RE.sub(lambda m: " " * len(m.group(0)), text)


def find_story(text: str, language: str | None = None) -> list[dict]:
    """First-person experience sentences (a personal story told in the comment)."""
    cues = _cues(language)
    low = text.lower()
    return [{"start": s, "end": e} for s, e in sentences(text)
            if cues["first_person"].search(_unquoted(low[s:e])) and cues["experience"].search(low[s:e])]


def assess_comment(text: str, language: str | None, known_names=(), vocabulary=frozenset()) -> dict:
    personal = find_personal_data(text, language, known_names, vocabulary)
    sensitive = find_sensitive(text, language, personal)
    story = find_story(text, language)
    categories = sorted({c for s in sensitive for c in s["categories"]}, key=SENSITIVE_CATEGORIES.index)
    return {"personal_data": personal, "sensitive": sensitive, "categories": categories,
            "story": story, "sensitive_story": bool(sensitive and story)}


def flags_for(privacy: dict) -> list[str]:
    flags = []
    if privacy["personal_data"]:
        flags.append("personal-data")
    if privacy["sensitive"]:
        flags.append("sensitive")
    if privacy["story"]:
        flags.append("personal-story")
    if privacy["sensitive_story"]:
        flags.append("sensitive-story")
    return flags


def thread_vocabulary(texts) -> frozenset:
    """Lower-case words that occur in lower case somewhere in the thread."""
    vocab = set()
    for t in texts:
        vocab.update(w for w in re.findall(r"[^\W\d_]+", t) if w.islower())
    return frozenset(vocab)


def author_names(source: dict, comments) -> list[str]:
    """Names always masked: the post author's (from the page) and named comment authors."""
    names = []
    for full in [source.get("post_author")] + [c.author for c in comments]:
        if full:
            names += [w for w in re.findall(r"[^\W\d_]+", full) if w[:1].isupper() and len(w) >= 2]
    return sorted(set(names))


def assess_comments(comments, language: str, source: dict | None = None) -> dict:
    """The pipeline stage: set ``privacy`` and privacy flags on every distinct comment."""
    distinct = [c for c in comments if c.status == "kept" and c.duplicate_of is None]
    known = author_names(source or {}, comments)
    vocab = thread_vocabulary(c.text for c in distinct)
    counts = dict.fromkeys(FLAGS, 0)
    nothing = None  # most comments have nothing to flag: they share one result (memory at scale)
    for c in distinct:
        c.privacy = assess_comment(c.text, c.language or language, known, vocab)
        if not (c.privacy["personal_data"] or c.privacy["sensitive"] or c.privacy["story"]):
            nothing = c.privacy = nothing or c.privacy
        c.flags = [f for f in c.flags if f not in FLAGS] + flags_for(c.privacy)
        for f in flags_for(c.privacy):
            counts[f] += 1
    return counts


def mask(text: str, start: int, end: int, personal: list[dict], placeholders: dict) -> tuple[str, int]:
    """``text[start:end]`` with the personal data inside it replaced by placeholders.

    Returns the masked text and how many spans were replaced; the caller keeps
    ``start``/``end`` (offsets into the unmasked comment text).
    """
    out, pos, n = [], start, 0
    for p in personal:
        s, e = max(p["start"], start), min(p["end"], end)
        if s >= e:
            continue
        out.append(text[pos:s])
        out.append(placeholders.get(p["kind"], "[…]"))
        pos, n = e, n + 1
    out.append(text[pos:end])
    return "".join(out), n


def overlaps(spans: list[dict], start: int, end: int) -> bool:
    return any(s["start"] < end and start < s["end"] for s in spans)
