"""The live vote's hot paths for ``innspill serve``, answered without Django's middleware chain,
whose every step hops to a thread for synchronous code (a thousand phones in a room feel that):

* ``POST /j/CODE/vote``: the host (ALLOWED_HOSTS) and the CSRF token (Django's own middleware)
  are checked, then the same ``vote_result`` as the Django view; committed before the answer.
* ``GET /j/CODE/events``: the same ``event_stream`` as the Django view, with no thread per
  connection; the stream ends when the phone goes away.

Everything else (an unknown code too) goes to Django unchanged."""

from __future__ import annotations

import asyncio
import io
import json
import re

from asgiref.sync import sync_to_async

VOTE_PATH = re.compile(r"^/j/([A-Za-z0-9-]{1,20})/vote$")
EVENTS_PATH = re.compile(r"^/j/([A-Za-z0-9-]{1,20})/events$")
_SESSION_IDS: dict[str, int] = {}  # code -> session id (a code never changes)
MAX_BODY = 8 * 1024


def with_live_fast_path(app):
    async def application(scope, receive, send):
        if scope["type"] == "http" and scope.get("method") == "POST":
            m = VOTE_PATH.match(scope.get("path", ""))
            if m:
                return await _vote(scope, receive, send, m.group(1))
        if scope["type"] == "http" and scope.get("method") == "GET":
            m = EVENTS_PATH.match(scope.get("path", ""))
            if m and await _events(scope, receive, send, m.group(1)):
                return
        return await app(scope, receive, send)
    return application


async def _respond(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin")]})
    await send({"type": "http.response.body", "body": data})


async def _vote(scope, receive, send, code: str) -> None:
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > MAX_BODY:
            return await _respond(send, 413, {"error": "the request is too large"})
    status, answer = await sync_to_async(_handle, thread_sensitive=True)(scope, body, code)
    await _respond(send, status, answer)


def _handle(scope, body: bytes, code: str) -> tuple[int, dict]:
    from django.core.exceptions import DisallowedHost
    from django.core.handlers.asgi import ASGIRequest
    from django.middleware.csrf import CsrfViewMiddleware
    from django.utils.translation import gettext_noop

    from .services import LiveError
    from .views import error_answer, vote, vote_result

    request = ASGIRequest(scope, io.BytesIO(body))
    try:
        request.get_host()
    except DisallowedHost:
        return 400, {"error": "bad host"}
    csrf = CsrfViewMiddleware(lambda r: None)
    csrf.process_request(request)
    if csrf.process_view(request, vote, (), {}) is not None:
        return error_answer(LiveError(gettext_noop("CSRF check failed: reload the page"), 403), code)
    return vote_result(request, code)


def _stream_participant(sid: int, code: str, headers: dict) -> int | None:
    from django.http.cookie import parse_cookie

    from .views import stream_participant

    return stream_participant(sid, code, parse_cookie(headers.get(b"cookie", b"").decode("latin-1")))


def _session_id(code: str, host: str) -> int | None:
    from django.conf import settings
    from django.http.request import split_domain_port, validate_host

    from .models import LiveSession, normalise_code

    domain, _port = split_domain_port(host)
    if not validate_host(domain, settings.ALLOWED_HOSTS):
        return None  # Django answers (400)
    code = normalise_code(code)
    if code not in _SESSION_IDS:
        sid = LiveSession.objects.filter(code=code).values_list("id", flat=True).first()
        if sid is None:
            return None  # Django answers (404)
        _SESSION_IDS[code] = sid
    return _SESSION_IDS[code]


async def _events(scope, receive, send, code: str) -> bool:
    """Stream the session's events; False when Django should answer instead."""
    from urllib.parse import parse_qs

    from .views import event_stream

    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1")
    sid = await sync_to_async(_session_id, thread_sensitive=False)(code, host)
    if sid is None:
        return False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    view = "projector" if query.get("view") == ["projector"] else "participant"
    who = None
    if view == "participant":  # who is here now: the participant's cookie, if the session knows it
        who = await sync_to_async(_stream_participant, thread_sensitive=False)(sid, code, headers)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream; charset=utf-8"),
                            (b"cache-control", b"no-cache, no-store"), (b"x-accel-buffering", b"no"),
                            (b"x-content-type-options", b"nosniff")]})
    stream = event_stream(sid, view, who)

    async def pump():
        async for text in stream:
            await send({"type": "http.response.body", "body": text.encode(), "more_body": True})

    async def gone():
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(gone())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await stream.aclose()
    if tasks[0] in done and tasks[0].exception() is None:  # the stream ended (STREAM_SECONDS): say so
        try:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except Exception:  # the phone went away meanwhile
            pass
    return True
