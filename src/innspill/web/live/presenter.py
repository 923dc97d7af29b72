"""The presenter's pages of a live debate (login, organiser of the consultation): starting a
session, the controls (start, next, show results, lock, hide, reorder, the straight-liner choice),
statements, moderating audience ideas, the projector and the exports (JSON, CSV, Pol.is)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ... import csvsafe
from ..consultations.access import consultation_for
from ..consultations.models import Membership
from . import services as live
from .models import AudienceIdea, LiveSession, LiveStatement
from .state import presenter_state as presenter_view
from .views import page_labels

ORGANISER = (Membership.ORGANISER,)


def _live_for(request, slug, live_id) -> tuple:
    c, role = consultation_for(request, slug, ORGANISER)
    session = get_object_or_404(LiveSession, pk=live_id, consultation=c)
    return c, role, session


@login_required
@require_POST
def start(request, slug):
    c, _role = consultation_for(request, slug, ORGANISER)
    lang = request.POST.get("language") or translation.get_language() or "nb"
    session = live.start_session(c, request.user, language="en" if lang.startswith("en") else "nb",
                                 title=request.POST.get("title", "").strip()[:200])
    messages.success(request, _("Live session %(code)s made: check the statements, then start it.")
                     % {"code": session.code})
    return redirect("web:live_presenter", slug=slug, live_id=session.pk)


@login_required
def presenter(request, slug, live_id):
    c, role, session = _live_for(request, slug, live_id)
    live.touch(session.pk, now=True)  # the presenter sees the database as it is now
    state = presenter_view(live.get_entry(session.pk))
    join = request.build_absolute_uri(reverse("web:live_join", args=[session.code]))
    rows = [(st, state["counts"].get(str(st.pk), {})) for st in session.statements.order_by("position", "id")]
    return render(request, "live/presenter.html", {
        "c": c, "role": role, "s": session, "rows": rows, "state": state, "join_url": join, "kinds": LiveStatement.KINDS,
        "ideas": session.ideas.select_related("participant").order_by("state", "-created_at"),
        "config": {"state": reverse("web:live_presenter_state", args=[slug, session.pk]), "view": "presenter"}})


@login_required
@require_GET
def presenter_state(request, slug, live_id):
    _c, _role, session = _live_for(request, slug, live_id)
    response = JsonResponse(presenter_view(live.get_entry(session.pk)))
    response["Cache-Control"] = "no-store"
    return response


def _neighbour(session: LiveSession, step: int) -> LiveStatement | None:
    visible = list(session.visible_statements())
    if not visible:
        return None
    ids = [s.id for s in visible]
    if session.current_id not in ids:
        return visible[0]
    i = ids.index(session.current_id) + step
    return visible[i] if 0 <= i < len(visible) else None


@login_required
@require_POST
def action(request, slug, live_id):
    """One presenter control: start/end, previous/next/go to, show results, lock voting, hide,
    move up/down, the straight-liner choice."""
    _c, _role, session = _live_for(request, slug, live_id)
    do = request.POST.get("do", "")
    st = None
    if request.POST.get("statement"):
        st = get_object_or_404(LiveStatement, pk=_int_or_404(request.POST["statement"]), session=session)
    target = st or session.current
    now = timezone.now()
    was = session.current_id
    with transaction.atomic():
        if do == "start":
            session.state, session.started_at, session.ended_at = LiveSession.LIVE, session.started_at or now, None
            if session.current is None:
                session.current = _neighbour(session, 0)
        elif do == "end":
            if request.POST.get("confirm") != "1":  # ending is for everyone: the form asks first
                messages.warning(request, _("The session was not ended: confirm that you want to end it."))
                return redirect("web:live_presenter", slug=slug, live_id=session.pk)
            session.state, session.ended_at = LiveSession.ENDED, now
        elif do in ("next", "previous"):
            nxt = _neighbour(session, 1 if do == "next" else -1)
            if nxt is not None:
                session.current = nxt
            else:
                messages.info(request, _("There is no further statement."))
        elif do == "goto" and st is not None:
            if st.hidden:
                st.hidden = False
                st.save(update_fields=["hidden"])
            session.current = st
        elif do in ("reveal", "conceal", "lock", "unlock", "hide", "show") and target is not None:
            attr, value = {"reveal": ("revealed", True), "conceal": ("revealed", False), "lock": ("locked", True),
                           "unlock": ("locked", False), "hide": ("hidden", True), "show": ("hidden", False)}[do]
            setattr(target, attr, value)
            target.save(update_fields=[attr])
            if do == "hide" and session.current_id == target.id:
                session.current = _neighbour(session, 1) or _neighbour(session, -1)
        elif do in ("up", "down") and st is not None:
            ordered = list(session.statements.order_by("position", "id"))
            i = ordered.index(st)
            j = i - 1 if do == "up" else i + 1
            if 0 <= j < len(ordered):
                ordered[i], ordered[j] = ordered[j], ordered[i]
                for n, s in enumerate(ordered, start=1):
                    LiveStatement.objects.filter(pk=s.pk).update(position=n)
        elif do == "straight_liners":
            session.include_straight_liners = request.POST.get("include") == "1"
        elif do == "language" and request.POST.get("language") in ("nb", "en"):
            session.language = request.POST["language"]
        else:
            return HttpResponseBadRequest("unknown action")
        session.save()
        # on the screen now or until now: takes votes (a vote sent late from a phone still counts)
        LiveStatement.objects.filter(pk__in=[x for x in (was, session.current_id) if x],
                                     shown_at__isnull=True).update(shown_at=now)
    live.touch(session.pk, now=True)
    return redirect(reverse("web:live_presenter", args=[slug, session.pk]) + (f"#st{st.pk}" if st else ""))


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("no such statement") from None


@login_required
@require_POST
def statement(request, slug, live_id):
    """Add a statement, or edit one (``id``): text and kind."""
    _c, _role, session = _live_for(request, slug, live_id)
    text = " ".join(request.POST.get("text", "").split())
    kind = request.POST.get("kind", LiveStatement.STATEMENT)
    if not text or kind not in (LiveStatement.QUESTION, LiveStatement.STATEMENT):
        messages.error(request, _("Write the statement and choose its kind."))
        return redirect("web:live_presenter", slug=slug, live_id=session.pk)
    if request.POST.get("id"):
        st = get_object_or_404(LiveStatement, pk=_int_or_404(request.POST["id"]), session=session)
        if st.votes.exists() and (st.text != text or st.kind != kind):
            messages.warning(request, _("This statement has votes: they were given to the old wording."))
        st.text, st.kind = text, kind
        st.save(update_fields=["text", "kind"])
    else:
        last = session.statements.order_by("-position").values_list("position", flat=True).first() or 0
        st = LiveStatement.objects.create(session=session, text=text, kind=kind, source="presenter",
                                          position=last + 1)
    live.touch(session.pk, now=True)
    return redirect(reverse("web:live_presenter", args=[slug, session.pk]) + f"#st{st.pk}")


@login_required
@require_POST
def moderate_idea(request, slug, live_id, idea_id):
    _c, _role, session = _live_for(request, slug, live_id)
    i = get_object_or_404(AudienceIdea, pk=idea_id, session=session)
    try:
        made = live.moderate_idea(i, request.POST.get("do", ""), request.user)
    except live.LiveError as exc:
        return HttpResponseBadRequest(exc.message)
    if made:
        messages.success(request, _("The idea is now statement %(n)d.") % {"n": made.position})
    return redirect(reverse("web:live_presenter", args=[slug, session.pk]) + "#ideas")


@login_required
def projector(request, slug, live_id):
    _c, _role, session = _live_for(request, slug, live_id)
    lang = request.GET.get("lang") if request.GET.get("lang") in ("nb", "en") else session.language
    with translation.override(lang):
        return render(request, "live/projector.html", {
            "s": session, "lang": lang,
            "join_url": request.build_absolute_uri(reverse("web:live_join", args=[session.code])),
            "config": {"code": session.code, "view": "projector", "labels": page_labels(),
                       "events": reverse("web:live_events", args=[session.code]) + "?view=projector",
                       "state": reverse("web:live_state", args=[session.code]) + "?view=projector"}})


STATEMENT_CSV = ["id", "position", "kind", "source", "question_id", "comment_id", "text", "hidden", "revealed",
                 "locked", "agree", "disagree", "pass", "total"]


@login_required
@require_GET
def export(request, slug, live_id, fmt):
    """The session as it stands (also mid-event): JSON (``innspill.live/1`` with results), CSV
    (a row per statement with its counts) or the Pol.is export files in a zip."""
    _c, _role, session = _live_for(request, slug, live_id)
    res = live.results(session)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    name = f"innspill-live-{session.code}-{stamp}"
    if fmt == "json":
        response = HttpResponse(json.dumps(res, ensure_ascii=False, indent=1), content_type="application/json")
    elif fmt == "csv":
        buf = io.StringIO()
        w = csvsafe.writer(buf)
        w.writerow(STATEMENT_CSV)
        for s in res["statements"]:
            n = res["counts"].get(str(s["id"]), {})
            w.writerow([s["id"], s["position"], s["kind"], s["source"], s.get("question_id") or "",
                        s.get("comment_id") or "", s["text"], int(s["hidden"]), int(s["revealed"]), int(s["locked"]),
                        n.get("agree", 0), n.get("disagree", 0), n.get("pass", 0), n.get("total", 0)])
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "zip":
        from innspill.votes.polis import write_polis

        mem = io.BytesIO()
        with tempfile.TemporaryDirectory(prefix="innspill-polis-") as tmp:
            paths = write_polis(res, tmp)
            with zipfile.ZipFile(mem, "w", zipfile.ZIP_DEFLATED) as z:
                for p in paths:
                    z.write(p, f"{name}-polis/{Path(p).name}")
        response = HttpResponse(mem.getvalue(), content_type="application/zip")
        name += "-polis"
    else:
        raise Http404("json, csv or zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response

