"""Language of the thread and of each comment, with py3langid's bundled model.

py3langid knows Norwegian as ``no`` (Bokmål) and ``nn`` (Nynorsk); Danish is
often confused with Bokmål in short texts, so it is read as ``nb``. The thread's language (the
brief's, the segmenter's and the themes' lists) is one of nb, nn, en; a comment may also be
Swedish or German, for which the stance reader has no cue list.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from .contract import Comment

CANDIDATES = ["no", "nn", "en", "da", "sv", "de"]
MAP = {"no": "nb", "da": "nb", "nn": "nn", "en": "en", "sv": "sv", "de": "de"}
MIN_CHARS = 25
THREAD_LANGUAGES = ("nb", "nn", "en")


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(CANDIDATES)
    return ident


def detect(text: str) -> tuple[str, float]:
    code, prob = _identifier().classify(text)
    return MAP.get(code, code), float(prob)


def detect_comments(texts: list[str]) -> list[str | None]:
    """Each text's language, or None when it is too short to tell."""
    return [detect(t)[0] if len(t) >= MIN_CHARS else None for t in texts]


def detect_thread(post: str, comments: list[Comment], forced: str = "auto",
                  detected: list[str | None] | None = None) -> str:
    """Set ``language`` on each comment; return the thread's language. ``detected`` may carry
    the per-comment results computed elsewhere (the distributed runner)."""
    if detected is None:
        detected = detect_comments([c.text for c in comments])
    votes: Counter = Counter()
    if post.strip():
        lang, _ = detect(post)
        votes[lang] += len(post)
    for c, lang in zip(comments, detected):
        if lang is not None:
            c.language = lang
            if c.duplicate_of is None:
                votes[lang] += len(c.text)
    main = forced if forced != "auto" else next((lang for lang, _ in votes.most_common() if lang in THREAD_LANGUAGES), "nb")
    # a comment too short to tell is written in the language most of the thread is written in, which
    # may be one the thread's own language cannot be (a Swedish thread's "Nej, inte alls."): not the
    # brief's language, which only chooses among the languages with lists
    short = forced if forced != "auto" else (votes.most_common(1)[0][0] if votes else main)
    for c in comments:
        if c.language is None:
            c.language = short
    return main
