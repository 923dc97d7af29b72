"""Run the stages: one function that the CLI, web app and runners call.

The stages, their order and what each reads and adds are the table :data:`innspill.stages.STAGES`;
:func:`run_stages` (the local runner) and :func:`finish_stages` (every runner's last stages, on the
whole thread) iterate it, and the provenance's ``stages`` lists the stages run, in its order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from .embed import Embedder
from .errors import warning
from .ingest import DEFAULT_MAX_BYTES, ReadOptions, Thread, read_input, read_threads
from .model import Analysis
from .stages import (
    StageRun,
    entry_stages,
    post_answers,
    post_is_question,
    run_stages_at,
    stance_questions,
    thread_provenance,
)

__all__ = ["analyze", "analyze_all", "run_thread", "run_stages", "finish_stages", "check_reconciled",
           "post_is_question", "post_answers", "stance_questions"]


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
    """The local runner: every stage of :data:`innspill.stages.STAGES` after ``read`` (the caller
    read ``thread``), in the table's order."""
    if use_embeddings and embedder is None:
        embedder = Embedder()
    r = StageRun(thread=thread, lang=lang, embedder=embedder, use_embeddings=use_embeddings,
                 step=step, meter=meter, ran=entry_stages())
    run_stages_at(r, "runner")
    analysis = r.analysis
    check_reconciled(analysis)
    analysis.provenance = thread_provenance(r, embedder.version if (use_embeddings and embedder) else None)
    finish_stages(analysis, embedder=embedder, use_embeddings=use_embeddings, step=step)
    return analysis


def finish_stages(analysis: Analysis, *, embedder: Embedder | None, use_embeddings: bool, step) -> None:
    """The stages that run on the client for every runner (``where="client"`` in the table: the
    trained stance model, privacy and themes, on the whole thread; themes compare answers across
    comments), so the Dask runner's analysis gets them on the client. The model reads the rules'
    verdicts (``stance`` stage) and overrides them except where an answer is a lone yes/no
    (:mod:`innspill.stancemodel`); without the embeddings it does not run (warning W301)."""
    if use_embeddings and embedder is None:
        embedder = Embedder()
    if not use_embeddings:
        analysis.provenance["stance_model"] = None
        if analysis.answers:
            analysis.warnings.append(warning(
                "W301", "stance read by the rules alone (--no-embeddings): the trained stance model needs the "
                        "embeddings; expect more answers read as none"))
    r = StageRun(analysis=analysis, embedder=embedder, use_embeddings=use_embeddings, step=step)
    run_stages_at(r, "client")
    analysis.provenance["stages"] = analysis.provenance.get("stages", []) + r.ran


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
