"""Moderation at scale and closing the loop (issue 9): the sorted moderation queue with search,
filters and bulk decisions under the consultation's rules; the rules page; the moderation log
(page and CSV); the organiser's switch for the public results page and that page; a
participant's flag of a misreading (from their private link) and its resolution in review."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import csvsafe
from ..privacy import EMAIL_RE, PHONE_RE
from ..themes import shown_labels
from . import corrections, moderation, services
from .forms_moderation import DecisionForm, MisreadingForm, RuleFormSet
from .models import (
    Comment,
    CommentSignals,
    Consultation,
    Membership,
    MisreadingFlag,
    ModerationEvent,
    ModerationRule,
    ResultsPage,
)
from .security import consultation_for

ORGANISER = (Membership.ORGANISER,)
PER_PAGE = 100
MAX_OPEN_FLAGS = 10  # per answer: a private link cannot flood the review queue


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
    return render(request, "web/moderate.html", {
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
    return render(request, "web/policy.html", {"c": c, "role": role, "formset": formset})


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
    return render(request, "web/modlog.html", {"c": c, "role": role, "page": page, "who": who,
                                               "moderators": moderators,
                                               "rows": [(e, _who_shown(e)) for e in page.object_list]})


# -- closing the loop ----------------------------------------------------------------------------

def closed(c: Consultation) -> bool:
    return c.state != Consultation.DRAFT and not c.is_open()


def results_published(c: Consultation) -> bool:
    page = ResultsPage.objects.filter(consultation=c).first()
    return bool(page and page.published and closed(c))


@login_required
@require_POST
def publish_results(request, slug):
    c, _role = consultation_for(request, slug, ORGANISER)
    publish = request.POST.get("publish") == "1"
    if publish and not closed(c):
        messages.error(request, _("Close the consultation before you publish what was heard."))
    elif publish and services.latest_run(c) is None:
        messages.error(request, _("Run the analysis before you publish what was heard."))
    else:
        ResultsPage.objects.update_or_create(consultation=c, defaults={
            "published": publish, "changed_by": request.user, "changed_at": timezone.now()})
        messages.success(request, _("The results page is public.") if publish else
                         _("The results page is no longer public."))
    return redirect("web:results", slug=slug)


ORDINARY_IN = 3  # a name that is also a word in lower case in this many comments ("per uke")


class Flagged:
    """The second guard's words: every name, e-mail address and phone number the privacy stage
    found, and commenters' names (lower case). A name that is also an ordinary word — a stop word,
    or written in lower case in at least ``ORDINARY_IN`` comments, as "per" for an author called
    Per — only blocks a quote where it is capitalised; any other name blocks it in any case."""

    def __init__(self, data: dict):
        words, lower_in = set(), {}
        for cm in data["comments"]:
            text = cm.get("text") or ""
            for p in (cm.get("privacy") or {}).get("personal_data", []):
                words.update(w.lower() for w in re.findall(r"[^\W_]+(?:[@.+-][^\W_]+)*", text[p["start"]:p["end"]]))
            if cm.get("author"):
                words.update(w.lower() for w in re.findall(r"[^\W\d_]+", cm["author"]) if len(w) >= 2)
            for w in set(re.findall(r"[^\W\d_]+", text)):
                if w.islower():
                    lower_in[w] = lower_in.get(w, 0) + 1
        from ..themes import stopwords

        stop = stopwords(data.get("language") or "nb")
        self.ordinary = {w for w in words if w in stop or lower_in.get(w, 0) >= ORDINARY_IN}
        self.words = words

    def blocks(self, word: str) -> bool:
        w = word.lower()
        return w in self.words and (w not in self.ordinary or not word.islower())


def _safe(text: str, flagged: Flagged) -> bool:
    """A second guard after the brief's masking: no e-mail, phone or flagged name left in ``text``."""
    if EMAIL_RE.search(text) or PHONE_RE.search(text):
        return False
    return not any(flagged.blocks(w) for w in re.findall(r"[^\W\d_]+", text))


def heard(c: Consultation, lang: str) -> dict | None:
    """What was heard, per question, from the brief model in anonymised mode: counts, verdict,
    themes and their masked quotes. Nothing the privacy stage flags is shown."""
    from ..report.i18n import Text
    from ..report.model import build_brief

    run = services.latest_run(c)
    if run is None:
        return None
    data = corrections.corrected(run)
    T = Text(lang)
    brief = build_brief(data, anonymise=True, placeholders=T.placeholders())
    flagged = Flagged(data)
    questions = []
    for q in brief["questions"]:
        themes = []
        for t in q["themes"]:
            label = " ".join(w if not flagged.blocks(w) else T.placeholders()["name"] for w in t["label"].split())
            quotes = [x["text"] for x in t["quotes"] if _safe(x["text"], flagged)]
            themes.append({"label": label, "stance": T.stance(t["stance"], q["kind"]), "size": t["size"],
                           "quotes": quotes})
        n = sum(q["counts"].values())
        questions.append({"number": q["number"], "text": q["text"], "answered": q["answered"],
                          "counts": [(T.stance(s, q["kind"]), k, round(100 * k / n) if n else 0)
                                     for s, k in q["counts"].items()],
                          "verdict": T.verdict(q["verdict"]), "themes": themes})
    return {"questions": questions, "distinct": brief["stats"]["distinct"], "masked": brief["privacy"]["masked"]}


def public_results(request, slug):
    c = get_object_or_404(Consultation, slug=slug)
    if not results_published(c):
        raise Http404("no public results")
    lang = (get_language() or "nb")[:2]
    lang = lang if lang in ("nb", "en") else "nb"
    run = services.latest_run(c)
    if run is None:
        raise Http404("no analysis")
    last = c.corrections.order_by("-id").values_list("id", flat=True).first()
    erased = (run.analysis.get("provenance") or {}).get("erased", 0)  # answers withdrawn since the run
    key = f"innspill:heard:{c.pk}:{run.pk}:{erased}:{last}:{lang}"  # built once per run and correction
    data = cache.get(key)
    if data is None:
        data = heard(c, lang)
        cache.set(key, data, 600)
    return render(request, "web/public_results.html", {"c": c, "heard": data})


def reading_of(comment: Comment) -> dict | None:
    """How the latest analysis read one stored comment: its answers (question, stance, evidence)."""
    run = services.latest_run(comment.consultation)
    if run is None:
        return None
    cid = next((k for k, v in run.comment_map.items() if int(v) == comment.pk), None)
    if cid is None:
        return {"run": run, "missing": True, "answers": []}
    data = corrections.corrected(run)
    me = next((x for x in data["comments"] if x["id"] == cid), None)
    qs = {q["id"]: q for q in data["questions"]}
    from ..report.i18n import Text

    lang = (get_language() or "nb")[:2]
    T = Text(lang if lang in ("nb", "en") else "nb")
    theme_of = {aid: t for t in data.get("themes", []) or [] for aid in t.get("answer_ids", [])}
    names = shown_labels(data)

    def theme(a):  # an open question's answer: the name of the theme it was put in (none for "other")
        t = theme_of.get(f"{a['comment_id']}:{a['question_id']}")
        return names.get(t["id"], t["label"]) if t and not t.get("other") else None

    # an open question has no for or against: what the answer did there (proposed something,
    # rejected the premise …) and its theme
    answers = [{"number": qs[a["question_id"]]["number"], "question": qs[a["question_id"]]["text"],
                "kind": qs[a["question_id"]].get("kind"),
                "stance": T.stance(a["stance"], qs[a["question_id"]].get("kind")),
                "theme": theme(a) if qs[a["question_id"]].get("kind") == "open" else None,
                "evidence": a["evidence"], "confidence": a["confidence"]}
               for a in data["answers"] if a["comment_id"] == cid]
    copy_of = me.get("duplicate_of") if me else None
    return {"run": run, "missing": False, "answers": answers, "copy": bool(copy_of),
            "status": me["status"] if me else None,
            "changed_since": comment.updated_at > run.created_at}


@require_POST
def flag_misreading(request, slug, token):
    """A participant (by their private link) says the analysis misread their answer."""
    from .views_public import _own_comment

    comment = _own_comment(slug, token)
    form = MisreadingForm(request.POST, questions=comment.consultation.questions.all())
    if not form.is_valid():
        messages.error(request, _("Write a short note on what we read wrongly."))
    elif comment.misreadings.filter(resolved_at__isnull=True).count() >= MAX_OPEN_FLAGS:
        messages.error(request, _("You have flagged this answer many times; the organiser will look at it."))
    else:
        MisreadingFlag.objects.create(comment=comment, question_number=form.cleaned_data["question"],
                                      note=form.cleaned_data["note"].strip(),
                                      run=services.latest_run(comment.consultation))
        messages.success(request, _("Thank you. The organiser will look at how your answer was read."))
    return redirect(reverse("web:mine", args=[slug, token]) + "#reading")


@login_required
@require_POST
def resolve_misreading(request, slug, flag):
    c, _role = consultation_for(request, slug, ORGANISER)
    f = get_object_or_404(MisreadingFlag, pk=flag, comment__consultation=c)
    if f.resolved_at is None:
        f.resolved_at, f.resolved_by = timezone.now(), request.user
        f.save(update_fields=["resolved_at", "resolved_by"])
    return redirect(reverse("web:review", args=[slug]) + f"#c{f.comment_id}")


def rules_of(c: Consultation):
    return list(ModerationRule.objects.filter(consultation=c))
