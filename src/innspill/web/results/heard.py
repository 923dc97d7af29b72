"""Closing the loop (issue 9): the organiser's switch for the public results page and that page
(what was heard, anonymised, with a second guard against names), a participant's reading of
their own answer and their flag of a misreading (from their private link), and its resolution
in review."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...privacy import EMAIL_RE, PHONE_RE
from ...themes import shown_labels
from ..analysis import corrections, services
from ..consultations.access import consultation_for
from ..consultations.models import Comment, Consultation, Membership
from .forms import MisreadingForm
from .models import MisreadingFlag, ResultsPage

ORGANISER = (Membership.ORGANISER,)
MAX_OPEN_FLAGS = 10  # per answer: a private link cannot flood the review queue


# -- closing the loop ----------------------------------------------------------------------------

def closed(c: Consultation) -> bool:
    return c.is_closed()


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
        from ...themes import stopwords

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
    from ...report.brief_data import build_brief
    from ...report.i18n import Text

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
    return render(request, "results/public_results.html", {"c": c, "heard": data})


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
    from ...report.i18n import Text

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
    from ..consultations.public import own_comment  # the private link's answer, as the participant's page finds it

    comment = own_comment(slug, token)
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


def drop_flags_of_erased(sender, comment, **kwargs) -> None:
    """``answer_erased``: the participant's notes on how their withdrawn answer was read go too."""
    MisreadingFlag.objects.filter(comment=comment).delete()


def follow_question_numbers(sender, consultation, changes: dict[int, int], **kwargs) -> None:
    """``questions_renumbered``: misreading flags follow their question's new number."""
    for flag in list(MisreadingFlag.objects.filter(comment__consultation=consultation)):  # all read first
        if flag.question_number in changes:
            MisreadingFlag.objects.filter(pk=flag.pk).update(question_number=changes[flag.question_number])
