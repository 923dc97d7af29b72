"""What the analysis does with the library: build an innspill Thread from the database, run the
pipeline on it (``pipeline.run_stages``, the same stages as the CLI) and store the run; erase a
withdrawn answer from the stored runs. (Reading an upload and storing its comments is the
consultations' ``imports.py``.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ... import contract
from ... import stages as _stages
from ...ingest import Thread
from ..consultations.forms import CHOICE_STANCE, button_words
from ..consultations.models import Comment, Consultation, Question
from ..signals import answer_erased
from .models import AnalysisRun

STAGES = tuple(s.name for s in _stages.STAGES if s.where != "entry")  # progress: the stages after read
_embedder = None
_embedder_lock = threading.Lock()


def embedder():
    """One embedding model per process, with its disk cache in the data folder (a re-run after a
    correction embeds only what changed)."""
    global _embedder
    if not settings.USE_EMBEDDINGS:
        return None
    with _embedder_lock:
        if _embedder is None:
            from ...embed import Embedder

            _embedder = Embedder(cache_dir=str(settings.DATA_DIR / "embeddings"))
        return _embedder


def analysis_status(c: Comment) -> tuple[str, str | None]:
    """The contract's ``status`` (and ``reason``) of a stored comment."""
    if c.state == Comment.APPROVED:
        return ("empty", None) if c.source_status == "empty" or not c.text.strip() else ("kept", None)
    if c.state == Comment.PENDING:
        return "held", None
    if c.state == Comment.SPAM:
        return "spam", c.reason or None
    if c.state == Comment.WITHDRAWN:
        return "trash", "withdrawn by the participant"
    if c.source_status == "trash":
        return "trash", c.reason or None
    return "rejected", c.reason or "rejected by a moderator"


def post_text(consultation: Consultation, questions: list[Question]) -> str:
    """The post as the pipeline sees it: the intro, with the numbered questions unless it holds them."""
    post = consultation.intro or consultation.title
    if not all(q.text in post for q in questions):
        post += "\n\n" + "\n".join(f"  {q.number}. {q.text}" for q in questions)
    return post


def intro_line(consultation: Consultation) -> str:
    """The organiser's intro line: the first non-empty line of the intro (up to 300 characters)."""
    line = next((x.strip() for x in (consultation.intro or "").splitlines() if x.strip()), "")
    return line if len(line) <= 300 else line[:299].rstrip() + "…"


def answer_day(c: Comment):
    """The day a comment was given: its ``posted_at`` (an import's date) when it reads as one, else
    when it was stored (``created_at``, in the app's time zone)."""
    from datetime import datetime

    if c.posted_at:
        try:
            d = datetime.fromisoformat(c.posted_at.strip().replace("Z", "+00:00"))
            return timezone.localtime(d).date() if d.tzinfo else d.date()
        except ValueError:
            pass
    return timezone.localtime(c.created_at).date()


def about(consultation: Consultation) -> dict:
    """What the brief says of the consultation: its title, the organiser's intro line and the period
    of the answers that take part (first and last day an approved answer was given)."""
    days = sorted(answer_day(c) for c in consultation.comments.filter(state=Comment.APPROVED).exclude(text=""))
    return {"title": consultation.title, "intro": intro_line(consultation),
            "period": {"first": days[0].isoformat(), "last": days[-1].isoformat()} if days else None}


# the kind the pipeline reads a question as: a scale is read like a yes/no question (its upper half
# agrees), a multiple-choice question like an open one (its "why" says what people propose); the
# buttons themselves are counted per option (``questions[].form``, ``answers[].provenance.button``)
CORE_KIND = {"yesno": "yesno", "open": "open", "scale": "yesno", "choice": "open"}
SCALE_STANCE = {"1": "against", "2": "against", "3": "none", "4": "for", "5": "for"}


def question_forms(consultation: Consultation) -> dict[str, dict]:
    """``questions[].form`` (added field) of the scale and multiple-choice questions: ``kind``
    (``scale``/``choice``) and ``options`` (the values its buttons give, in order), and a scale's
    words for its ends (``ends``)."""
    out = {}
    for q in consultation.questions.all():
        if q.kind == "scale":
            out[q.qid] = {"kind": "scale", "options": list(q.SCALE),
                          "ends": list(q.options) if q.options and len(q.options) == 2 else None}
        elif q.kind == "choice":
            out[q.qid] = {"kind": "choice", "options": list(q.options or [])}
    return out


def build_thread(consultation: Consultation) -> tuple[Thread, dict[str, int]]:
    """The consultation as an innspill Thread (every stored comment, with its status), and the
    map from the thread's comment ids to database ids."""
    questions = list(consultation.questions.all())
    qs = [contract.Question(id=q.qid, number=q.number, text=q.text, kind=CORE_KIND.get(q.kind, q.kind), context=q.context)
          for q in questions]
    comments, cmap, by_pk = [], {}, {}
    for i, c in enumerate(consultation.comments.order_by("id"), start=1):
        status, reason = analysis_status(c)
        cid = f"c{i}"
        by_pk[c.pk] = cid
        cmap[cid] = c.pk
        text = "" if c.state == Comment.WITHDRAWN else c.text
        comments.append(contract.Comment(
            id=cid, position=i, original=text, author=c.author or None, posted_at=c.posted_at or None,
            parent_id=by_pk.get(c.parent_id), status=status, reason=reason, source_id=c.source_id or None,
            fields={k: list(v) for k, v in c.fields.items()} if c.fields and status == "kept" else None))
    source = {"path": f"consultation:{consultation.slug}", "format": "web", "sha256": None,
              "consultation": consultation.slug, **about(consultation)}
    return Thread(post=post_text(consultation, questions), questions=qs, comments=comments, source=source), cmap


def button_choices(consultation: Consultation, cmap: dict[str, int]) -> dict[str, dict[str, str]]:
    """The buttons pressed, by the thread's comment id: ``{"c3": {"q1": "yes", "q2": "4"}}``, only
    values the question's buttons give now (yes/no, 1–5, one of its options)."""
    values = {q.qid: set(q.button_values()) for q in consultation.questions.all() if q.has_buttons}
    by_pk = {int(v): k for k, v in cmap.items()}
    out = {}
    for pk, chosen in Comment.objects.filter(pk__in=list(by_pk), state=Comment.APPROVED).values_list("pk", "choices"):
        kept = {q: v for q, v in (chosen or {}).items() if v in values.get(q, ())}
        if kept:
            out[by_pk[pk]] = kept
    return out


def apply_choices(answers: list, choices: dict[str, dict[str, str]], kinds: dict[str, str] | None = None) -> int:
    """A pressed button is the participant's own explicit answer. On a yes/no question its stance
    (Ja: for, Nei: against, Vet ikke: none), on a scale its half (4–5: for, 1–2: against, 3: none),
    with confidence 1, the button's word (which starts the answer's text) as the evidence,
    ``provenance.stance_rule = "button"``; the reading of the words ("why") is kept in
    ``provenance.text_stance``. A multiple-choice answer keeps the reading of its words (what it
    proposes). Every one records ``provenance.button`` (what was pressed), which the brief counts.
    Run after the stance stage and after the stance model, so the themes and counts that follow
    read the button. ``kinds``: the web question kind by question id (yes/no when not given).
    Returns the answers set."""
    n = 0
    for a in answers:
        choice = choices.get(a.comment_id, {}).get(a.question_id)
        if choice is None:
            continue
        kind = (kinds or {}).get(a.question_id, "yesno")
        word = next((w for w in button_words(choice, kind) if a.text.startswith(w)), None)
        prov = dict(a.provenance)
        if kind == "choice":
            prov["button"] = choice
            a.provenance = prov
            n += 1
            continue
        if prov.get("stance_rule") != "button":
            prov["text_stance"] = a.stance
        prov.update({"stance_rule": "button", "button": choice})
        a.stance, a.confidence = (CHOICE_STANCE if kind == "yesno" else SCALE_STANCE)[choice], 1.0
        if word:
            a.evidence, prov["evidence_start"] = word, a.start
        a.provenance = prov
        n += 1
    return n


def run_analysis(consultation: Consultation, progress: Callable[[int, str], None] | None = None,
                 on_estimate: Callable[[int, float], None] | None = None) -> AnalysisRun:
    """Run every stage on the consultation and store the analysis (innspill.analysis/1).
    ``on_estimate(texts, seconds)``: the embedder's estimate, timed on a sample, before a long batch.
    A yes/no button a participant pressed sets that answer's stance (:func:`apply_choices`)."""
    from ...pipeline import run_stages

    thread, cmap = build_thread(consultation)
    choices = button_choices(consultation, cmap)
    kinds = {q.qid: q.kind for q in consultation.questions.all()}
    form_pks = set(consultation.comments.filter(source="form").values_list("pk", flat=True))
    own = [c for c in thread.comments if cmap[c.id] in form_pks and not c.author]
    timings: dict = {}

    def step(name, fn, *args, **kwargs):
        if progress:
            done = STAGES.index(name) if name in STAGES else 0
            progress(10 + int(85 * done / len(STAGES)), name)
        t0 = time.perf_counter()
        if name == "dedupe" and own:
            # every form answer was sent by someone with their own private link: two unsigned short
            # answers in a row ("Ja.", "Ja.") are two people, not a double post (dedupe reads a short
            # text as a copy only from the same author); long identical texts are still copies
            for c in own:
                c.author = f"\x00form:{c.id}"
            try:
                out = fn(*args, **kwargs)
            finally:
                for c in own:
                    c.author = None
        else:
            out = fn(*args, **kwargs)
        if choices and name in ("stance", "stance-model") and args:
            apply_choices(args[0], choices, kinds)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
        return out

    lang = consultation.language if consultation.language != "auto" else "auto"
    emb = embedder()
    if emb is not None:
        emb.on_estimate = on_estimate
    try:
        analysis = run_stages(thread, lang=lang, embedder=emb, use_embeddings=settings.USE_EMBEDDINGS, step=step)
    finally:
        if emb is not None:
            emb.on_estimate = None
    data = analysis.to_dict()
    forms_of = question_forms(consultation)
    for q in data.get("questions", []):  # a scale's or a multiple-choice question's buttons (added field)
        if q.get("id") in forms_of:
            q["form"] = forms_of[q["id"]]
    data["provenance"]["seconds"] = {k: round(v, 3) for k, v in timings.items()}
    data["provenance"]["runner"] = {"name": "web", "note": "innspill worker, from the database"}
    run = AnalysisRun.objects.create(consultation=consultation, analysis=data, comment_map=cmap)
    # an answer withdrawn while this run was computed: erased from it as from the older runs
    with_text = [int(cmap[x["id"]]) for x in data.get("comments", []) if x.get("text") and x.get("id") in cmap]
    for c in Comment.objects.filter(pk__in=with_text, state=Comment.WITHDRAWN):
        with transaction.atomic():
            erase_from_runs(c)
    return run


def latest_run(consultation: Consultation) -> AnalysisRun | None:
    return consultation.runs.order_by("-id").first()


# -- erasure -------------------------------------------------------------------------------------

WITHDRAWN_TEXT = "[withdrawn by the participant]"


def _scrub(data: dict, cid: str) -> bool:
    """Take comment ``cid``'s text, author and answers out of an analysis dict (in place): the
    comment stays as ``trash`` with an empty text, its answers go, its quotes leave the themes
    (a theme left with no answer goes too), and the stats are counted again. True if it changed."""
    me = next((c for c in data.get("comments", []) if c.get("id") == cid), None)
    if me is None:
        return False
    changed = bool(me.get("text") or me.get("original") or me.get("author") or me.get("status") != "trash")
    me.update({"text": "", "original": "", "author": None, "status": "trash",
               "reason": "withdrawn by the participant", "repairs": [], "flags": [], "markup": None,
               "fields": None, "duplicate_of": None, "duplicate_how": None})
    me.pop("privacy", None)
    before = len(data.get("answers", []))
    data["answers"] = [a for a in data.get("answers", []) if a.get("comment_id") != cid]
    changed |= len(data["answers"]) != before
    prefix = f"{cid}:"
    themes = []
    for t in data.get("themes", []) or []:
        ids = [x for x in t.get("answer_ids", []) if not x.startswith(prefix)]
        refs = t.get("quote_refs", [])
        keep = [i for i, r in enumerate(refs) if r.get("comment_id") != cid]
        if len(ids) != len(t.get("answer_ids", [])) or len(keep) != len(refs):
            changed = True
            t = {**t, "answer_ids": ids, "size": len(ids), "quote_refs": [refs[i] for i in keep],
                 "quotes": [t["quotes"][i] for i in keep if i < len(t.get("quotes", []))]}
        if t.get("answer_ids"):
            themes.append(t)
    if "themes" in data:
        data["themes"] = themes
    if changed:
        from .corrections import restage

        restage(data, themes=False)
    return changed


def erase_from_runs(comment: Comment) -> int:
    """A withdrawn answer's text and author out of every stored analysis run of its consultation,
    of the caches built from them, and (by ``answer_erased``) of live statements quoting it and of
    its misreading flags. Returns the runs changed."""
    n, cids = 0, set()
    for run in AnalysisRun.objects.filter(consultation_id=comment.consultation_id).select_for_update():
        cid = next((k for k, v in run.comment_map.items() if int(v) == comment.pk), None)
        if cid is None:
            continue
        cids.add(cid)
        if _scrub(run.analysis, cid):
            prov = run.analysis.setdefault("provenance", {})
            prov["erased"] = int(prov.get("erased") or 0) + 1  # part of the cache keys of corrected()
            run.save(update_fields=["analysis"])
            n += 1
    # the live debate hides its statements quoting it; the results drop the participant's notes on
    # how their answer was read (their misreading flags)
    answer_erased.send(sender=Comment, comment=comment, consultation_id=comment.consultation_id, comment_ids=cids)
    return n


def erase_withdrawn(sender, comment: Comment, **kwargs) -> None:
    """``answer_withdrawn``'s receiver: the participant withdrew ``comment`` (its row is already
    emptied, in the same transaction); erase it from the stored runs too."""
    erase_from_runs(comment)
