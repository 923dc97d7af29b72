"""Moderation at scale (issue 9): the sorted moderation queue with search, filters and bulk
decisions under the consultation's rules; the rules page; the moderation log (page and CSV).
(Closing the loop, the public results page and misreading flags, is in the results app.)"""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods

from ... import csvsafe
from ..analysis import services
from ..consultations.access import consultation_for
from ..consultations.models import Comment, Membership
from . import services as moderation
from .forms import DecisionForm, RuleFormSet
from .models import CommentSignals, ModerationEvent

ORGANISER = (Membership.ORGANISER,)
PER_PAGE = 100


# -- the queue -------------------------------------------------------------------------------------

def _is_id(s) -> bool:
    """A database id as a form or query gives it: 1 to 18 ASCII digits ("²".isdigit() is true, and
    int() refuses it)."""
    return isinstance(s, str) and re.fullmatch(r"[0-9]{1,18}", s) is not None


def _filters(params) -> dict:
    states = dict(Comment.STATES)
    status = params.get("show", Comment.PENDING)
    question = params.get("question", "")
    flag = params.get("flag", "")
    return {"status": status if status in states or status == "all" else Comment.PENDING,
            "question": int(question) if _is_id(question) else None,
            "flag": flag if flag in moderation.FLAGS else "",
            "search": params.get("q", "")[:200]}


def _question_pks(c, number: int | None) -> set[int]:
    """Comments the latest analysis says answer question ``number`` (free comments have no fields)."""
    run = services.latest_run(c) if number else None
    if run is None:
        return set()
    qid = next((q["id"] for q in run.analysis["questions"] if q["number"] == number), None)
    return {int(run.comment_map[a["comment_id"]]) for a in run.analysis["answers"]
            if a["question_id"] == qid and a["comment_id"] in run.comment_map}


def _query(f: dict) -> str:
    return urlencode({k: v for k, v in (("show", f["status"]), ("question", f["question"] or ""),
                                        ("flag", f["flag"]), ("q", f["search"])) if v})


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request, slug):
    c, role = consultation_for(request, slug)
    moderation.refresh_signals(c)  # a no-op unless comments are new or changed since the last batch
    f = _filters(request.POST if request.method == "POST" else request.GET)
    back = f"{reverse('web:moderate', args=[slug])}?{_query(f)}"
    if request.method == "POST" and request.POST.get("one"):
        return _decide_one(request, c, back)
    if request.method == "POST":
        form = DecisionForm(request.POST, consultation=c)
        if request.POST.get("all_matching"):
            ids = list(moderation.queue(c, **f, question_pks=_question_pks(c, f["question"]))
                       .values_list("id", flat=True))
        else:
            ids = [int(i) for i in request.POST.getlist("ids") if _is_id(i)]
        if not ids:
            messages.error(request, _("Choose at least one comment."))
        elif not form.is_valid():
            for err in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
                messages.error(request, err)
        else:
            d = form.cleaned_data
            n = moderation.decide(c.comments.filter(id__in=ids), d["action"], request.user, d["rule"], d["note"])
            if d["action"] == "spam" and n:
                moderation.refresh_signals(c, force=True)  # copies of spam are spam signals now
            messages.success(request, ngettext("%(n)d comment changed.", "%(n)d comments changed.", n) % {"n": n})
        return redirect(back)
    qs = moderation.queue(c, **f, question_pks=_question_pks(c, f["question"]))
    one = request.GET.get("comment", "")
    if _is_id(one):  # the log's link to one comment
        qs = qs.filter(pk=int(one))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    comments = list(page.object_list)
    for x in comments:
        x.badges = moderation.badges(getattr(x, "signals", None))
    states = dict(c.comments.values_list("state").annotate(n=Count("id")))
    in_status = CommentSignals.objects.filter(comment__consultation=c)
    if f["status"] != "all":
        in_status = in_status.filter(comment__state=f["status"])
    flag_counts = in_status.aggregate(
        spam=Count("id", filter=Q(bucket=CommentSignals.SPAM)), copies=Count("id", filter=Q(duplicate=True)),
        form_letter=Count("id", filter=Q(form_letter=True)), sensitive=Count("id", filter=Q(sensitive=True)),
        none=Count("id", filter=Q(bucket=CommentSignals.REST)))
    return render(request, "moderation/moderate.html", {
        "c": c, "role": role, "page": page, "comments": comments, "f": f, "query": _query(f),
        "tabs": [(k, label, states.get(k, 0)) for k, label in Comment.STATES], "flag_counts": flag_counts,
        "questions": list(c.questions.all()), "form": DecisionForm(consultation=c), "rules": c.rules.all(),
        "total": page.paginator.count})


ONE_CLICK = ("approve", "reject", "spam")


def _decide_one(request, c, back):
    """One comment's button (godkjenn / avvis / spam): ``one=ID:ACTION``, the rule from the
    comment's own rule menu (``rule-ID``). Answers JSON to the queue's script (``X-Requested-With:
    fetch``), a redirect back to the queue otherwise. Spam without a rule is noted as one click."""
    pk, _sep, action = request.POST.get("one", "").partition(":")
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    comment = c.comments.filter(pk=int(pk)).first() if _is_id(pk) else None
    error = None
    if comment is None or action not in ONE_CLICK:
        error = _("No such comment or action.")
    data = {"action": action, "rule": request.POST.get(f"rule-{pk}", ""), "note": request.POST.get(f"note-{pk}", "")}
    if not error and action == "spam" and not data["rule"] and not data["note"].strip():
        data["note"] = "spam (one click)"
    form = DecisionForm(data, consultation=c)
    if not error and not form.is_valid():
        error = " ".join(str(e) for e in (form.non_field_errors() or
                                          [e for errs in form.errors.values() for e in errs]))
    if error:
        if wants_json:
            return JsonResponse({"ok": False, "id": int(pk) if _is_id(pk) else None, "error": error}, status=400)
        messages.error(request, error)
        return redirect(f"{back}#m{pk}")
    d = form.cleaned_data
    n = moderation.decide(c.comments.filter(pk=comment.pk), action, request.user, d["rule"], d["note"])
    if action == "spam" and n:
        moderation.refresh_signals(c, force=True)
    comment.refresh_from_db()
    text = ngettext("%(n)d comment changed.", "%(n)d comments changed.", n) % {"n": n}
    if wants_json:
        return JsonResponse({"ok": True, "id": comment.pk, "state": comment.state,
                             "label": str(comment.get_state_display()), "message": text})
    messages.success(request, text)
    return redirect(f"{back}#m{comment.pk}")


# -- the policy and the log ----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def policy(request, slug):
    c, role = consultation_for(request, slug, ORGANISER)
    formset = RuleFormSet(request.POST or None, queryset=c.rules.all(), prefix="r")
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            for i, form in enumerate(formset.forms):
                if not form.has_changed() and form.instance.pk is None:
                    continue
                if form.cleaned_data.get("DELETE"):
                    if form.instance.pk:
                        form.instance.delete()  # decisions keep the code and text they named
                    continue
                rule = form.save(commit=False)
                rule.consultation, rule.position = c, i
                rule.save()
        messages.success(request, _("Saved."))
        return redirect("web:policy", slug=slug)
    return render(request, "moderation/policy.html", {"c": c, "role": role, "formset": formset})


def _events(c):
    return ModerationEvent.objects.filter(comment__consultation=c).select_related("user").order_by("at", "id")


def _who(e) -> str:
    if e.user is not None:
        return e.user.get_username()
    return "participant" if e.after == Comment.WITHDRAWN or e.reason == "changed by the participant" else "system"


def _who_shown(e) -> str:
    who = _who(e)
    return {"participant": pgettext("log", "participant"), "system": pgettext("log", "system")}.get(who, who)


LOG_HEADER = ["at", "moderator", "comment", "before", "after", "rule", "rule_text", "note", "reason"]


@login_required
def log(request, slug):
    """Every moderation decision: who, when, before and after, the rule and the note. CSV with
    ``?format=csv`` (no e-mail addresses, no comment text)."""
    c, role = consultation_for(request, slug)
    events = _events(c)
    who = request.GET.get("who", "")
    if who:
        events = events.filter(user__username=who)
    if request.GET.get("format") == "csv":
        buf = io.StringIO()
        w = csvsafe.writer(buf)
        w.writerow(LOG_HEADER)
        for e in events.iterator(chunk_size=1000):
            w.writerow([e.at.isoformat(), _who(e), e.comment_id, e.before, e.after, e.rule_code, e.rule_text,
                        e.note, e.reason])
        resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="moderation-log-{c.slug}.csv"'
        return resp
    page = Paginator(events.reverse(), 200).get_page(request.GET.get("page"))
    moderators = c.members.select_related("user").order_by("user__username")
    return render(request, "moderation/modlog.html", {"c": c, "role": role, "page": page, "who": who,
                                               "moderators": moderators,
                                               "rows": [(e, _who_shown(e)) for e in page.object_list]})
