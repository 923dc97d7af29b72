"""The site's protections: no server paths on pages, rate limiting of the public form, and the
login lockout. (Who may see a consultation's pages is the consultations' ``access.py``.)"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import LoginFailure


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hide_paths(text: str, path=None, name: str = "") -> str:
    """``text`` without the server's places: an upload's ``path`` becomes the ``name`` the
    organiser gave the file, the upload and data folders become "…" (pages and job messages never
    show where innspill keeps its files)."""
    for secret, shown in ((str(path or ""), name), (str(settings.UPLOAD_DIR), "…"), (str(settings.DATA_DIR), "…")):
        if secret:
            text = text.replace(secret, shown)
    return text


def submit_allowed(request, slug: str) -> bool:
    """At most ``SUBMIT_RATE_PER_HOUR`` answers per IP address and consultation an hour."""
    limit = settings.SUBMIT_RATE_PER_HOUR
    if limit <= 0:
        return True
    key = f"innspill:submit:{slug}:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        n = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        n = 1
    return n <= limit


ANY_NAME = "*"  # the row that counts an address's failures over every user name (no user name is "*")


def login_key(username: str) -> str:
    """The user name as the lockout counts it: what the login form reads (stripped, NFKC, as
    Django's ``UsernameField`` does), case-folded, so that ``' orgA'``, ``ORGA`` and full-width
    ``ｏｒｇＡ`` share one counter with ``orgA``."""
    name = unicodedata.normalize("NFKC", (username or "").strip()).strip()
    return unicodedata.normalize("NFKC", name.casefold())[:150]


def _locked(name: str, ip: str, now) -> bool:
    row = LoginFailure.objects.filter(username=name, ip=ip).first()
    return bool(row and row.locked_until and row.locked_until > now)


def login_locked(username: str, ip: str) -> bool:
    """True while (user name, address) is locked, or the address is, after
    ``LOGIN_LOCKOUT_ADDRESS_FAILURES`` failures over any user names."""
    now = timezone.now()
    return _locked(login_key(username), ip, now) or _locked(ANY_NAME, ip, now)


def _count_failure(name: str, ip: str, limit: int, now, window) -> None:
    try:
        with transaction.atomic():
            row, _created = LoginFailure.objects.get_or_create(username=name, ip=ip)
    except IntegrityError:
        row = LoginFailure.objects.get(username=name, ip=ip)
    if row.first_at < now - window and not (row.locked_until and row.locked_until > now):
        LoginFailure.objects.filter(pk=row.pk).update(failures=1, first_at=now, locked_until=None)
        return
    LoginFailure.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
    row.refresh_from_db()
    if limit > 0 and row.failures >= limit:
        LoginFailure.objects.filter(pk=row.pk).update(locked_until=now + window)


def login_failed(username: str, ip: str) -> None:
    """Count a failure for (user name, address): that pair is locked after
    ``LOGIN_LOCKOUT_FAILURES``, the address (any user name) after ``LOGIN_LOCKOUT_ADDRESS_FAILURES``."""
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    _count_failure(login_key(username), ip, settings.LOGIN_LOCKOUT_FAILURES, now, window)
    _count_failure(ANY_NAME, ip, settings.LOGIN_LOCKOUT_ADDRESS_FAILURES, now, window)


def login_succeeded(username: str, ip: str) -> None:
    """Forget the failures of this user name from this address (the address's count stays)."""
    LoginFailure.objects.filter(username=login_key(username), ip=ip).delete()
