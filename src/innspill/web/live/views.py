"""Live debate pages for the room (the presenter's pages and the projector are in
``presenter.py``): the join form, the participant page ``/j/CODE`` (no account: an anonymous
token in a cookie), votes, ideas and upvotes, the QR code.

Participants and the projector get live updates by Server-Sent Events from an async view
(``/j/CODE/events``), with ``/j/CODE/state.json`` for polling and for catching up after a
reconnect. Counts of a statement reach them only after the presenter reveals it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import time

from asgiref.sync import sync_to_async
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from ..security import client_ip
from . import services as live
from .models import IdeaUpvote, LiveSession, Participant, normalise_code, token_hash

COOKIE_PREFIX = "innspill_live_"
COOKIE_AGE = 30 * 24 * 3600
# an event stream is closed after this long and EventSource reconnects by itself (tests set it short)
STREAM_SECONDS = float(os.environ.get("INNSPILL_LIVE_STREAM_SECONDS", "55"))
TICK = 0.25  # seconds between looks at the results cache in an event stream
HEARTBEAT = 15.0


# -- participant identity ------------------------------------------------------------------------

def _session_for_code(code: str) -> LiveSession:
    session = LiveSession.objects.filter(code=normalise_code(code)).first()
    if session is None:
        raise Http404("no live session with this code")
    return session


def _participant(request, session: LiveSession) -> Participant | None:
    token = request.COOKIES.get(COOKIE_PREFIX + session.code)
    if not token:
        return None
    return Participant.objects.filter(session=session, token_sha256=token_hash(token)).first()


def _set_cookie(response, request, session: LiveSession, token: str) -> None:
    response.set_cookie(COOKIE_PREFIX + session.code, token, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=request.is_secure(), path="/")


def _me(participant: Participant | None) -> dict | None:
    if participant is None:
        return None
    return {"id": participant.public_id,
            "votes": {str(s): v for s, v in participant.votes.values_list("statement_id", "value")},
            "upvoted": list(IdeaUpvote.objects.filter(participant=participant).values_list("idea_id", flat=True)),
            "ideas": [{"id": i.id, "text": i.text, "state": i.state} for i in participant.ideas.all()]}


def page_labels() -> dict:
    return {"question": [[1, _("Yes")], [-1, _("No")], [0, _("Don't know")]],
            "statement": [[1, _("Agree")], [-1, _("Disagree")], [0, _("Pass")]],
            "words": {"1": {"question": _("yes"), "statement": _("agree")},
                      "-1": {"question": _("no"), "statement": _("disagree")},
                      "0": {"question": _("don't know"), "statement": _("pass")}},
            "your_vote": _("Your vote:"), "hidden": _("Results are shown when the presenter reveals them."),
            "locked": _("Voting on this statement is closed."), "waiting": _("Waiting for the first statement…"),
            "ended": _("The session has ended. Thank you!"), "draft": _("The session has not started yet."),
            "offline": _("No connection. Reconnecting… your votes are kept."),
            "unsent": _("Your vote is sent when the connection is back."),
            "participants": _("participants"), "votes": _("votes"), "of": _("of"),
            "upvote": _("Upvote"), "upvoted": _("Upvoted"),
            "withdraw_upvote": _("Click again to withdraw your upvote"),
            "sent": _("Thank you: your idea is shown after moderation."),
            "agree": _("agree"), "disagree": _("disagree"), "group": _("Group"),
            # the projector's opinion groups, consensus and divisive statements, in words
            "count": {"question": {"agree": _("%(n)s of %(total)s said yes"), "disagree": _("%(n)s of %(total)s said no")},
                      "statement": {"agree": _("%(n)s of %(total)s agree"),
                                    "disagree": _("%(n)s of %(total)s disagree")}},
            "consensus_rule": _("Every opinion group at least %(p)s percent the same way."),
            "agree_by_group": _("Agree, by group: %(shares)s"), "yes_by_group": _("Yes, by group: %(shares)s"),
            "groups_line": _("%(k)s groups: %(sizes)s participants"), "and": _("%(first)s and %(last)s"),
            "none_yet": _("None yet."),
            "wait": {"too_few_participants": _("Opinion groups appear when %(need)s participants have voted on "
                                               "%(min_votes)s statements each (%(have)s so far)."),
                     "too_few_statements": _("Opinion groups appear when %(need)s statements have votes "
                                             "(%(have)s so far)."),
                     "no_differences": _("Everyone has voted alike so far: no opinion groups yet.")}}


# -- participant pages ---------------------------------------------------------------------------

@require_GET
def join_form(request):
    """The code box (also on the front page): a known code goes to its session's page, an unknown
    or empty one comes back here with what was wrong."""
    raw = request.GET.get("code")
    if raw is None:
        return render(request, "live/join.html", {})
    code = normalise_code(raw)
    if not code:
        return render(request, "live/join.html", {"empty": True}, status=400)
    if not LiveSession.objects.filter(code=code).exists():
        return render(request, "live/join.html", {"unknown": raw.strip().upper()[:20]}, status=404)
    return redirect("web:live_join", code=code)


@require_GET
@ensure_csrf_cookie
def participant_page(request, code):
    session = LiveSession.objects.filter(code=normalise_code(code)).first()
    if session is None:
        return render(request, "live/join.html", {"unknown": code}, status=404)
    if code != session.code:
        return redirect("web:live_join", code=session.code)
    participant = _participant(request, session)
    token = None
    if participant is None:
        if not live.join_allowed(session.pk, client_ip(request)):
            with translation.override(session.language):
                return render(request, "live/join.html", {"refused": session.code}, status=429)
        participant, token = Participant.join(session)
        live.touch(session.pk)
    live.seen(session.pk, participant.pk)  # here now, until the page's event stream opens
    with translation.override(session.language):
        response = render(request, "live/participant.html", {
            "s": session, "me": participant,
            "config": {"code": session.code, "view": "participant", "labels": page_labels(),
                       "events": reverse("web:live_events", args=[session.code]),
                       "state": reverse("web:live_state", args=[session.code]),
                       "vote": reverse("web:live_vote", args=[session.code]),
                       "idea": reverse("web:live_idea", args=[session.code]),
                       "upvote": reverse("web:live_upvote", args=[session.code, 0])}})
    if token:
        _set_cookie(response, request, session, token)
    return response


def _participant_or_403(request, session):
    p = _participant(request, session)
    if p is None:
        raise live.LiveError(gettext_noop("join the session first (open the join link again)"), 403)
    return p


def _json_body(request) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise live.LiveError(gettext_noop("the request body is not JSON")) from None
        return body if isinstance(body, dict) else {}
    return request.POST.dict()


INT_ERRORS = {"statement": gettext_noop("statement must be a whole number"), "vote": gettext_noop("vote must be a whole number")}


def _int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise live.LiveError(INT_ERRORS[name]) from None


def error_answer(exc: live.LiveError, code: str) -> tuple[int, dict]:
    """The error in the language of the session (English when there is no such session)."""
    lang = LiveSession.objects.filter(code=normalise_code(code)).values_list("language", flat=True).first() or "en"
    with translation.override(lang):
        return exc.status, {"error": _(exc.message)}


def _api(fn):
    """JSON answers for the participant's POSTs, with a clear error and status."""
    def wrapped(request, code, **kwargs):
        try:
            session = _session_for_code(code)
            return JsonResponse(fn(request, session, **kwargs))
        except live.LiveError as exc:
            status, body = error_answer(exc, code)
            return JsonResponse(body, status=status)
    wrapped.__name__ = fn.__name__
    return require_POST(wrapped)


def vote_result(request, code: str) -> tuple[int, dict]:
    """A participant's vote (JSON or form: ``statement``, ``vote`` 1 / -1 / 0), committed before
    the answer; voting again replaces the vote. (status, JSON body): used by the view below and by
    the ASGI fast path in ``asgi_live.py`` that ``innspill serve`` runs."""
    try:
        body = _json_body(request)
        statement_id, value = _int(body.get("statement"), "statement"), _int(body.get("vote"), "vote")
        token = request.COOKIES.get(COOKIE_PREFIX + normalise_code(code))
        if not token:
            raise live.LiveError(gettext_noop("join the session first (open the join link again)"), 403)
        number = live.record_vote(normalise_code(code), token_hash(token), statement_id, value,
                                  address=client_ip(request))
    except live.LiveError as exc:
        return error_answer(exc, code)
    return 200, {"ok": True, "participant": f"p{number}", "statement": statement_id, "vote": value}


@require_POST
def vote(request, code):
    status, body = vote_result(request, code)
    return JsonResponse(body, status=status)


@_api
def idea(request, session):
    p = _participant_or_403(request, session)
    i = live.submit_idea(session, p, _json_body(request).get("text", ""), address=client_ip(request))
    return {"ok": True, "id": i.id, "state": i.state}


@_api
def upvote(request, session, idea_id):
    """Upvote an idea; ``{"on": false}`` withdraws one's upvote."""
    p = _participant_or_403(request, session)
    on = _json_body(request).get("on", True) not in (False, "false", "0", 0)
    changed = live.upvote(session, p, idea_id, on)
    return {"ok": True, "upvoted": on, "changed": changed, "new": on and changed}


@require_GET
def state_json(request, code):
    """The public state (participant or projector view); a participant's own votes under "me"."""
    session = _session_for_code(code)
    view = "projector" if request.GET.get("view") == "projector" else "participant"
    e = live.get_entry(session.pk)
    data = json.loads(e.public[view])
    data["serial"] = e.serial
    if view == "participant":
        me = _participant(request, session)
        if me is not None:  # a page without EventSource polls: here now while it does
            live.seen(session.pk, me.pk)
        data["me"] = _me(me)
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response


_REFRESHING: set[int] = set()


async def _entry(session_id: int) -> live.Entry:
    """The cached entry; a stale one is served while one task per session recomputes it."""
    e = live.cached(session_id)
    if e is not None:
        return e
    old = live.last_entry(session_id)
    if old is None:
        return await sync_to_async(live.get_entry, thread_sensitive=False)(session_id)
    if session_id not in _REFRESHING:
        _REFRESHING.add(session_id)

        async def refresh():
            try:
                await sync_to_async(live.get_entry, thread_sensitive=False)(session_id)
            finally:
                _REFRESHING.discard(session_id)
        asyncio.get_running_loop().create_task(refresh())
    return old


class _Hub:
    """One per session with listeners in this process: a task looks at the results cache every
    ``TICK`` and wakes the session's event streams when the state changed (one wake-up per change
    per stream, instead of every stream polling)."""

    def __init__(self, sid: int):
        self.sid, self.listeners, self.entry = sid, 0, None
        self.changed = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self):
        while self.listeners > 0:
            try:
                e = await _entry(self.sid)
            except Exception:  # the database is away for a moment: keep the last state, try again
                e = self.entry
            if e is not None and (self.entry is None or e.serial != self.entry.serial):
                self.entry, changed, self.changed = e, self.changed, asyncio.Event()
                changed.set()
            await asyncio.sleep(TICK)
        if _HUBS.get(self.sid) is self:
            del _HUBS[self.sid]


_HUBS: dict[int, _Hub] = {}


def stream_participant(sid: int, code: str, cookies: dict) -> int | None:
    """The id of the participant whose cookie comes with an event stream (None: no such cookie,
    or a token this session does not know)."""
    token = cookies.get(COOKIE_PREFIX + normalise_code(code))
    if not token:
        return None
    return Participant.objects.filter(session_id=sid, token_sha256=token_hash(token)).values_list("id", flat=True) \
        .first()


async def event_stream(sid: int, view: str, participant_id: int | None = None):
    """The text of an event stream: the public state whenever it changes (``event: state``), a
    comment line as keep-alive, closed after ``STREAM_SECONDS`` (EventSource reconnects). A
    participant's stream counts them as here now while it is open (``live.connected``)."""
    hub = _HUBS.get(sid)
    if hub is None:
        hub = _HUBS[sid] = _Hub(sid)
    hub.listeners += 1
    if participant_id is not None:
        live.stream_opened(sid, participant_id)
    try:
        yield "retry: 1000\n\n"
        started = time.monotonic()
        last = None
        while True:
            changed = hub.changed
            e = hub.entry or await _entry(sid)
            if e.serial != last:
                last = e.serial
                yield f"id: {e.serial}\nevent: state\ndata: {e.public[view]}\n\n"
            left = STREAM_SECONDS - (time.monotonic() - started)
            if left <= 0:
                break
            try:
                await asyncio.wait_for(changed.wait(), timeout=min(HEARTBEAT, left))
            except TimeoutError:
                yield ": keep-alive\n\n"
    finally:
        hub.listeners -= 1
        if participant_id is not None:
            live.stream_closed(sid, participant_id)


async def events(request, code):
    """Server-Sent Events (see ``event_stream``; under ``innspill serve`` the same stream is
    answered by ``asgi_live.py`` before Django's middleware)."""
    session = await sync_to_async(LiveSession.objects.filter(code=normalise_code(code)).values("id").first)()
    if session is None:
        raise Http404("no live session with this code")
    view = "projector" if request.GET.get("view") == "projector" else "participant"
    who = None
    if view == "participant":
        who = await sync_to_async(stream_participant)(session["id"], code, request.COOKIES)
    response = StreamingHttpResponse(event_stream(session["id"], view, who),
                                     content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
def qr(request, code, fmt):
    """The join link as a QR code (segno, made here); ``?download=1`` as an attachment."""
    import segno

    session = _session_for_code(code)
    url = request.build_absolute_uri(reverse("web:live_join", args=[session.code]))
    q = segno.make(url, error="m")
    buf = io.BytesIO()
    if fmt == "svg":
        q.save(buf, kind="svg", scale=10, border=2, xmldecl=False, title=url)
        ctype = "image/svg+xml"
    elif fmt == "png":
        q.save(buf, kind="png", scale=int(request.GET.get("scale", 12)) if request.GET.get("scale", "").isdigit()
               and 1 <= int(request.GET["scale"]) <= 40 else 12, border=2)
        ctype = "image/png"
    else:
        raise Http404("svg or png")
    response = HttpResponse(buf.getvalue(), content_type=ctype)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="innspill-{session.code}.{fmt}"'
    return response
