"""What ``innspill serve``, ``innspill worker`` and ``innspill createadmin`` do."""

from __future__ import annotations

import getpass
import os
import secrets
import sys
import threading
from pathlib import Path

from ..errors import InnspillError

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "kantine-nb.txt"
DEMO_SLUG = "kantina"


def setup(data_dir: str | None = None, migrate: bool = True) -> None:
    """Configure Django (settings from the environment; ``data_dir`` overrides INNSPILL_DATA)
    and bring the database schema up to date."""
    if data_dir:
        os.environ["INNSPILL_DATA"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innspill.web.settings")
    import django

    try:
        django.setup()
    except ValueError as exc:  # e.g. a DATABASE_URL we cannot read
        raise InnspillError("E301", str(exc)) from None
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def load_demo(out=sys.stdout) -> str:
    """The bundled example consultation, imported, published and queued for analysis; an
    organiser account ``demo`` when there is no user yet. Returns the consultation's slug."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from .analysis import jobs
    from .consultations import imports
    from .consultations.models import Consultation, ImportBatch, Membership

    User = get_user_model()
    if Consultation.objects.filter(slug=DEMO_SLUG).exists():
        return DEMO_SLUG
    user = User.objects.filter(is_superuser=True).order_by("id").first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser("demo", "", password)
        print(f"demo organiser: user name 'demo', password '{password}'", file=out)
    c = Consultation.objects.create(slug=DEMO_SLUG, title="Kantina på rådhuset", intro="", language="auto",
                                    state=Consultation.OPEN, created_by=user, created_at=timezone.now())
    Membership.objects.create(consultation=c, user=user, role=Membership.ORGANISER)
    batch = ImportBatch.objects.create(consultation=c, filename=DEMO_FILE.name, stored_path=str(DEMO_FILE),
                                       report=imports.inspect_upload(str(DEMO_FILE)), created_by=user)
    imports.confirm_import(batch)
    jobs.enqueue(c, user)
    return DEMO_SLUG


def proxy_options(trusted: list[str]) -> dict:
    """uvicorn's options for X-Forwarded-For/-Proto: read only from the proxies named in
    INNSPILL_TRUSTED_PROXIES (uvicorn's own default trusts 127.0.0.1, so any local client could
    choose the address the rate limits and the login lockout count)."""
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}


def serve(host: str, port: int, demo: bool = False, worker: bool = True, data_dir: str | None = None) -> int:
    setup(data_dir)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    if demo:
        slug = load_demo()
        print(f"demo consultation: http://{host}:{port}/c/{slug}/")
    if not get_user_model().objects.exists():
        print(f"first run: create the organiser account at http://{host}:{port}/setup/ (or innspill createadmin)")
    stop = threading.Event()
    if worker:
        from .analysis.jobs import work

        threading.Thread(target=work, kwargs={"stop": stop}, name="innspill-worker", daemon=True).start()
    from .live.services import warm_up

    threading.Thread(target=warm_up, name="innspill-live-warm-up", daemon=True).start()
    print(f"innspill web on http://{host}:{port}/ (data in {settings.DATA_DIR}; Ctrl-C stops)")
    import uvicorn

    try:
        uvicorn.run("innspill.web.asgi:application", host=host, port=port, log_level="warning", lifespan="off",
                    timeout_keep_alive=65,  # phones in a live vote send a request every half minute or so
                    timeout_graceful_shutdown=3,  # open event streams do not hold up a stop (they reconnect)
                    **proxy_options(settings.TRUSTED_PROXIES))
    finally:
        stop.set()
    return 0


def worker(once: bool = False, poll: float = 1.0, data_dir: str | None = None) -> int:
    setup(data_dir)
    from .analysis.jobs import work

    print("innspill worker: waiting for jobs (Ctrl-C stops)" if not once else "innspill worker: running queued jobs",
          file=sys.stderr)
    n = work(poll=poll, once=once)
    print(f"innspill worker: {n} jobs run", file=sys.stderr)
    return 0


def createadmin(username: str, email: str, password_stdin: bool = False, data_dir: str | None = None) -> int:
    """Create an organiser account; the password is checked by Django's validators."""
    setup(data_dir)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise InnspillError("E301", f"the user {username!r} exists already")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise InnspillError("E301", "the passwords differ")
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        raise InnspillError("E301", "password refused: " + " ".join(exc.messages),
                            hint="choose a longer password that is not a common word") from None
    User.objects.create_superuser(username, email, password)
    print(f"organiser {username!r} created")
    return 0
