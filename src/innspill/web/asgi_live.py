"""The live vote's hot path for ``innspill serve``: ``POST /j/CODE/vote`` answered without
Django's middleware chain, whose every step hops to the one thread that runs synchronous code
(several hops per request; a thousand phones in a room feel that). The request still gets the
checks that matter here: the host (ALLOWED_HOSTS), the CSRF token (Django's own middleware), and
the same ``vote_result`` as the Django view; the write is committed before the answer.
Everything else goes to Django unchanged."""

from __future__ import annotations

import io
import json
import re

from asgiref.sync import sync_to_async

VOTE_PATH = re.compile(r"^/j/([A-Za-z0-9-]{1,20})/vote$")
MAX_BODY = 8 * 1024


def with_live_fast_path(app):
    async def application(scope, receive, send):
        if scope["type"] == "http" and scope.get("method") == "POST":
            m = VOTE_PATH.match(scope.get("path", ""))
            if m:
                return await _vote(scope, receive, send, m.group(1))
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

    from .views_live import vote, vote_result

    request = ASGIRequest(scope, io.BytesIO(body))
    try:
        request.get_host()
    except DisallowedHost:
        return 400, {"error": "bad host"}
    csrf = CsrfViewMiddleware(lambda r: None)
    csrf.process_request(request)
    if csrf.process_view(request, vote, (), {}) is not None:
        return 403, {"error": "CSRF check failed: reload the page"}
    return vote_result(request, code)
