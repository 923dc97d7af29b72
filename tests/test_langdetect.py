"""Language of each comment: a comment too short to tell takes the language most of its thread is
written in, which may be Swedish or German (no cue list), while the thread's own language (the
brief's, the segmenter's) stays one of nb, nn, en.

The threads are built from the training corpus (training/corpus: independent writers, none of
whom wrote a rule): for each language, the answers to its questions, short and long mixed as they
were written."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from innspill.contract import Comment
from innspill.langdetect import MIN_CHARS, THREAD_LANGUAGES, detect_thread

CORPUS = Path(__file__).resolve().parents[1] / "training" / "corpus"


def _threads(lang: str, n: int = 4) -> list[tuple[str, list[str]]]:
    """Up to ``n`` threads in ``lang``: one question's answers each, taken from the questions with the
    most answers shorter than MIN_CHARS."""
    by_q: dict[tuple, list[str]] = defaultdict(list)
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["lang"] == lang:
                by_q[(r["question"],)].append(r["text"])
    ranked = sorted(by_q.items(), key=lambda kv: (-sum(len(t) < MIN_CHARS for t in kv[1]), kv[0]))
    return [(q[0], texts) for q, texts in ranked[:n] if any(len(t) < MIN_CHARS for t in texts)]


@pytest.mark.parametrize("lang", ["sv", "de", "nb", "nn", "en"])
def test_short_comments_take_the_language_of_their_thread(lang):
    threads = _threads(lang)
    assert threads, f"the corpus has short {lang} answers"
    short_seen = 0
    for question, texts in threads:
        comments = [Comment(id=str(i), position=i, original=t) for i, t in enumerate(texts)]
        main = detect_thread(question, comments)
        assert main in THREAD_LANGUAGES
        if lang in THREAD_LANGUAGES:
            assert main == lang, (question, main)
        for c in comments:
            if len(c.text) < MIN_CHARS:
                short_seen += 1
                assert c.language == lang, (c.text, c.language)
    assert short_seen >= 2


def test_a_forced_language_applies_to_the_short_comments():
    question, texts = _threads("sv", 1)[0]
    comments = [Comment(id=str(i), position=i, original=t) for i, t in enumerate(texts)]
    assert detect_thread(question, comments, forced="nb") == "nb"
    assert {c.language for c in comments if len(c.text) < MIN_CHARS} == {"nb"}
    assert "sv" in {c.language for c in comments if len(c.text) >= MIN_CHARS}
