"""Review (answers highlighted per question, corrections), results (the brief) and exports."""

from __future__ import annotations

import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import csvsafe
from ...contract import STANCES
from ...errors import InnspillError
from ...segment import trim_span  # a span without its surrounding white space, as segmentation trims it
from ..analysis import corrections, services
from ..analysis.models import Correction
from ..consultations.access import consultation_for
from ..consultations.models import Comment, Membership
from .forms import CommentFlagForm, SelectionForm, SpanForm, StanceForm

ORGANISER = (Membership.ORGANISER,)
BRIEF_TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8", "pdf": "application/pdf",
               "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
               "csv": "text/csv; charset=utf-8", "json": "application/json"}


# what a correction changed and why it was not applied (corrections.apply), as the review names them
CORRECTION_KINDS = {"stance": gettext_lazy("stance"), "span": gettext_lazy("the answer's place in the comment"),
                    "sensitive": gettext_lazy("sensitive"), "duplicate": gettext_lazy("duplicate")}
NOT_APPLIED = {"the comment changed or is gone": gettext_lazy("the comment changed or is gone"),
               "nothing to correct": gettext_lazy("nothing to correct")}


def segments(text: str, answers: list[dict]) -> list[tuple[str, list[int]]]:
    """``text`` cut at every answer boundary: (piece, question numbers whose answers cover it)."""
    cuts = sorted({0, len(text), *(a["start"] for a in answers), *(a["end"] for a in answers)})
    out = []
    for s, e in zip(cuts, cuts[1:]):
        out.append((text[s:e], sorted({a["number"] for a in answers if a["start"] <= s and e <= a["end"]})))
    return out


def _corrected_or_404(c):
    run = services.latest_run(c)
    if run is None:
        raise Http404("no analysis yet")
    return run, corrections.corrected(run)


@login_required
def review(request, slug):
    c, role = consultation_for(request, slug)
    run = services.latest_run(c)
    if run is None:
        return render(request, "results/review.html", {"c": c, "role": role, "run": None})
    data = corrections.corrected(run)
    qnum = {q["id"]: q["number"] for q in data["questions"]}
    qkind = {q["id"]: q.get("kind") for q in data["questions"]}
    by_comment: dict[str, list] = {}
    for a in data["answers"]:
        by_comment.setdefault(a["comment_id"], []).append({**a, "number": qnum[a["question_id"]],
                                                           "kind": qkind[a["question_id"]]})
    items = []
    pk_of = run.comment_map  # the comment numbers are the database's, as in moderation (#id everywhere)
    for cm in data["comments"]:
        answers = by_comment.get(cm["id"], [])
        items.append({"c": cm, "pk": pk_of.get(cm["id"]), "answers": answers,
                      "segments": segments(cm["text"], answers),
                      "dup_pk": pk_of.get(cm.get("duplicate_of")),
                      "sensitive": corrections.is_sensitive(cm)})
    only = request.GET.get("show", "distinct")
    if only == "distinct":
        items = [i for i in items if i["c"]["status"] == "kept" and not i["c"].get("duplicate_of")]
    order = request.GET.get("order", "position")
    if order == "confidence":  # the least confident reading first: where a correction helps most
        items.sort(key=lambda i: (min((a["confidence"] for a in i["answers"]), default=2.0), i["c"]["position"]))
    return render(request, "results/review.html", {
        "c": c, "role": role, "run": run, "data": data, "items": items, "stances": STANCES, "show": only, "order": order,
        "applied": [x for x in data.get("corrections", []) if x["applied"]],
        "stale": [{**x, "pk": pk_of.get(x["comment_id"]), "kind": CORRECTION_KINDS.get(x["kind"], x["kind"]),
                   "why": NOT_APPLIED.get(x.get("why"), x.get("why"))}
                  for x in data.get("corrections", []) if not x["applied"]]})


@login_required
@require_POST
def correct(request, slug, comment):
    """Store one correction (stance, span move/split/removal, sensitive, duplicate) by an organiser."""
    c, _role = consultation_for(request, slug, ORGANISER)
    cm = get_object_or_404(Comment, pk=comment, consultation=c)
    run, data = _corrected_or_404(c)
    cid = next((k for k, v in run.comment_map.items() if int(v) == cm.pk), None)
    current = next((x for x in data["comments"] if x["id"] == cid), None)
    if current is None:
        raise Http404("comment not in the analysis")
    answers = {a["question_id"]: a for a in data["answers"] if a["comment_id"] == cid}
    qids = {q["number"]: q["id"] for q in data["questions"]}
    kind = request.POST.get("kind")
    ok = False
    if kind == "stance":
        form = StanceForm(request.POST)
        if form.is_valid() and qids.get(form.cleaned_data["question"]) in answers:
            n = form.cleaned_data["question"]
            corrections.record(c, cm, Correction.STANCE, {"stance": form.cleaned_data["stance"]}, request.user, n,
                               before={"stance": answers[qids[n]]["stance"]})
            ok = True
    elif kind == "span":
        ok = _correct_span(c, cm, SpanForm(request.POST), answers, qids, len(current["text"]), request.user)
    elif kind == "move":
        ok = _move_selection(c, cm, SelectionForm(request.POST), answers, qids, current["text"], request.user)
    elif kind == "split":
        ok = _split_at(c, cm, SelectionForm(request.POST), answers, qids, current["text"], request.user)
    elif kind == "flags":
        form = CommentFlagForm(request.POST)
        if form.is_valid():
            was = corrections.is_sensitive(current)
            if form.cleaned_data["sensitive"] != was:
                corrections.record(c, cm, Correction.SENSITIVE, {"sensitive": form.cleaned_data["sensitive"]},
                                   request.user, before={"sensitive": was})
            dup = form.cleaned_data.get("duplicate_of")  # the comment's number as the review shows it (#id)
            if dup:
                dup_cid = next((k for k, v in run.comment_map.items() if int(v) == dup), None)
                target = next((x for x in data["comments"] if x["id"] == dup_cid), None)
                if target is None or target["id"] == cid:
                    messages.error(request, _("No such comment to be a duplicate of."))
                    return redirect(reverse("web:review", args=[slug]) + f"#c{cm.pk}")
                corrections.record(c, cm, Correction.DUPLICATE, {"duplicate_of_id": target["id"],
                                                                 "duplicate_of_position": target["position"]},
                                   request.user, before={"duplicate_of": current.get("duplicate_of")})
            ok = True
    if ok:
        messages.success(request, _("Correction saved."))
    else:
        messages.error(request, _("The correction was not valid: check the question and the characters."))
    return redirect(reverse("web:review", args=[slug]) + f"#c{cm.pk}")


def _correct_span(c, cm, form, answers, qids, length, user) -> bool:
    if not form.is_valid():
        return False
    d = form.cleaned_data
    n, target = d["question"], d["target"]
    old = answers.get(qids.get(n))
    if old is None or target not in qids:
        return False
    before = {"start": old["start"], "end": old["end"], "question": n}
    if d["remove"]:
        corrections.record(c, cm, Correction.SPAN, {"start": None}, user, n, before=before)
        return True
    s, e = d["start"], d["end"]
    if not 0 <= s < e <= length:
        return False
    split, rest_q = d.get("split_at"), d.get("split_target")
    if split is not None and not (s < split < e and rest_q in qids):
        return False
    first_end = split if split is not None else e
    if target != n:
        corrections.record(c, cm, Correction.SPAN, {"start": None}, user, n, before=before)
    corrections.record(c, cm, Correction.SPAN, {"start": s, "end": first_end, "stance": old["stance"]}, user,
                       target, before=before)
    if split is not None:
        corrections.record(c, cm, Correction.SPAN, {"start": split, "end": e, "stance": "none"}, user, rest_q,
                           before=before)
    return True


def _move_selection(c, cm, form, answers, qids, text, user) -> bool:
    """A passage selected in the comment (``start``–``end``) becomes (part of) question ``target``'s
    answer: every other answer it overlaps keeps its longer part outside the passage (or goes, when
    nothing is left); the target's answer is the passage, or grows to take it in. The stance goes with
    the target's answer, else with the answer the passage came from."""
    if not form.is_valid() or form.cleaned_data.get("end") is None:
        return False
    d = form.cleaned_data
    target = d["target"]
    s, e = trim_span(text, d["start"], d["end"])
    if target not in qids or not 0 <= s < e <= len(text):
        return False
    number = {v: k for k, v in qids.items()}
    came_from = None
    for qid, a in answers.items():
        n = number.get(qid)
        if n is None or n == target or not (a["start"] < e and s < a["end"]):
            continue
        came_from = came_from or a
        before = {"start": a["start"], "end": a["end"], "question": n}
        left, right = trim_span(text, a["start"], min(s, a["end"])), trim_span(text, max(e, a["start"]), a["end"])
        keep = max((p for p in (left, right) if p[1] > p[0]), key=lambda p: p[1] - p[0], default=None)
        after = {"start": None} if keep is None else {"start": keep[0], "end": keep[1], "stance": a["stance"]}
        corrections.record(c, cm, Correction.SPAN, after, user, n, before=before)
    old = answers.get(qids[target])
    if old is not None:
        s, e = min(s, old["start"]), max(e, old["end"])
    stance = (old or came_from or {}).get("stance", "none")
    corrections.record(c, cm, Correction.SPAN, {"start": s, "end": e, "stance": stance}, user, target,
                       before={"start": old["start"], "end": old["end"], "question": target} if old else None)
    return True


def _split_at(c, cm, form, answers, qids, text, user) -> bool:
    """Split the answer that holds character ``start``: its first part stays, the rest (from
    ``start``) goes to question ``target``."""
    if not form.is_valid():
        return False
    d = form.cleaned_data
    at, target = d["start"], d["target"]
    number = {v: k for k, v in qids.items()}
    hit = next(((qid, a) for qid, a in answers.items() if a["start"] < at < a["end"] and qid in number), None)
    if hit is None or target not in qids or target == number[hit[0]]:
        return False
    qid, a = hit
    n = number[qid]
    first, rest = trim_span(text, a["start"], at), trim_span(text, at, a["end"])
    if first[1] <= first[0] or rest[1] <= rest[0]:
        return False
    before = {"start": a["start"], "end": a["end"], "question": n}
    corrections.record(c, cm, Correction.SPAN, {"start": first[0], "end": first[1], "stance": a["stance"]}, user, n,
                       before=before)
    corrections.record(c, cm, Correction.SPAN, {"start": rest[0], "end": rest[1], "stance": "none"}, user, target,
                       before=before)
    return True


def _brief_lang(request, data) -> str:
    lang = request.GET.get("lang") or (get_language() or "nb")[:2]
    return lang if lang in ("nb", "en") else "nb"


def brief_available() -> bool:
    try:
        from ... import report  # noqa: F401  (the brief, issue 5)
    except ImportError:
        return False
    return True


@login_required
def results(request, slug):
    c, role = consultation_for(request, slug, ORGANISER)
    run = services.latest_run(c)
    data = corrections.corrected(run) if run else None
    return render(request, "results/results.html", {"c": c, "role": role, "run": run, "data": data,
                                                "brief": brief_available(), "formats": list(BRIEF_TYPES)})


@login_required
def brief(request, slug, fmt):
    c, _role = consultation_for(request, slug, ORGANISER)
    if fmt not in BRIEF_TYPES or not brief_available():
        raise Http404("no such brief format")
    from ...report import render as render_brief

    _run, data = _corrected_or_404(c)
    data = {**data, "source": {**services.about(c), **data["source"]}}  # runs analysed before the brief named it
    lang = _brief_lang(request, data)
    opts = {}  # ?campaigns=once|all&min=N: the brief's --count-campaigns and --min-answers
    if "campaigns" in request.GET:
        opts["count_campaigns"] = request.GET["campaigns"]
    if "min" in request.GET:
        opts["min_answers"] = int(request.GET["min"]) if request.GET["min"].isdigit() else request.GET["min"]
    session = _live_session(c, request.GET.get("live", "latest"))
    if session is not None:  # the room's vote beside what the comments said (issue 7)
        from ..live import services as services_live

        opts["live"] = services_live.results(session)
    try:
        payload = render_brief(data, fmt, lang, **opts)
    except InnspillError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    resp = HttpResponse(payload, content_type=BRIEF_TYPES[fmt])
    if fmt == "html":
        from ..middleware import DOCUMENT_CSP

        resp["Content-Security-Policy"] = DOCUMENT_CSP
    if fmt != "html" or request.GET.get("download"):
        resp["Content-Disposition"] = f'attachment; filename="{brief_filename(c, lang, fmt)}"'
    return resp


def brief_filename(c, lang: str, fmt: str) -> str:
    """brief-SLUG-LANG-DAY.FMT (the day of the download, in the app's time zone): nb and en differ."""
    from django.utils import timezone

    return f"brief-{c.slug}-{lang}-{timezone.localdate().isoformat()}.{fmt}"


def export_name(c, stem: str, ext: str) -> str:
    """STEM-SLUG-DAY.EXT (the day of the download, in the app's time zone), as the brief's names."""
    from django.utils import timezone

    return f"{stem}-{c.slug}-{timezone.localdate().isoformat()}.{ext}"


def _live_session(c, which: str):
    """The live session whose votes go into the brief: ``latest`` (the newest with votes, the
    default), a session id, or ``0`` / ``none`` for none."""
    from ..live.models import LiveSession

    if which in ("0", "none", ""):
        return None
    sessions = LiveSession.objects.filter(consultation=c, statements__votes__isnull=False).distinct()
    if which == "latest":
        return sessions.order_by("-pk").first()
    if not which.isdigit():
        raise Http404("no such live session")
    return get_object_or_404(sessions, pk=int(which))


def _json(data, name: str) -> HttpResponse:
    resp = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@login_required
def export(request, slug, what):
    """analysis.json (corrected), analysis-raw.json, gold.json (innspill.gold/1), comments.csv,
    answers.csv, data.json (all comments with moderation state, corrections). No e-mail addresses."""
    c, _role = consultation_for(request, slug, ORGANISER)
    if what in ("analysis.json", "analysis-raw.json", "gold.json", "answers.csv"):
        run, data = _corrected_or_404(c)
        if what == "analysis.json":
            return _json(data, export_name(c, "analysis", "json"))
        if what == "analysis-raw.json":
            return _json(run.analysis, export_name(c, "analysis-raw", "json"))
        if what == "gold.json":
            return _json(corrections.gold(data, c.slug), export_name(c, "gold", "json"))
        # the comment's number as moderation, the review and comments.csv show it (its id)
        pk_of = {k: int(v) for k, v in run.comment_map.items()}
        qnum = {q["id"]: q["number"] for q in data["questions"]}
        rows = [[pk_of.get(a["comment_id"], a["comment_id"]), qnum[a["question_id"]], a["stance"], a["confidence"],
                 a["how"],
                 "yes" if a.get("provenance", {}).get("corrected") else "", a["text"], a["evidence"]]
                for a in data["answers"]]
        return _csv(["comment", "question", "stance", "confidence", "how", "corrected", "text", "evidence"], rows,
                    export_name(c, "answers", "csv"))
    comments = c.comments.order_by("id")
    if what == "comments.csv":
        rows = [[x.pk, x.created_at.isoformat(), x.source, x.state, x.reason, x.author, x.text, x.remark,
                 json.dumps(x.fields) if x.fields else ""] for x in comments]
        return _csv(["id", "created_at", "source", "state", "reason", "author", "text", "remark", "fields"], rows,
                    export_name(c, "comments", "csv"))
    if what == "data.json":
        return _json({
            "consultation": {"slug": c.slug, "title": c.title, "intro": c.intro, "state": c.state,
                             "period": services.about(c)["period"],
                             "closes_at": c.closes_at.isoformat() if c.closes_at else None,
                             "questions": [{"number": q.number, "text": q.text, "kind": q.kind} for q in c.questions.all()]},
            "comments": [{"id": x.pk, "created_at": x.created_at.isoformat(), "source": x.source, "state": x.state,
                          "reason": x.reason, "author": x.author, "text": x.text, "remark": x.remark,
                          "fields": x.fields, "choices": x.choices, "events": [{"before": e.before, "after": e.after, "reason": e.reason,
                                                          "by": e.user.get_username() if e.user else None,
                                                          "at": e.at.isoformat()} for e in x.events.all()]}
                         for x in comments.prefetch_related("events__user")],
            "corrections": [{"id": k.pk, "comment": k.comment_id, "question": k.question_number, "kind": k.kind,
                             "before": k.before, "after": k.after, "by": k.user.get_username() if k.user else None,
                             "at": k.at.isoformat()} for k in c.corrections.select_related("user")],
        }, export_name(c, "data", "json"))
    raise Http404("no such export")


def _csv(header, rows, name) -> HttpResponse:
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
