"""Security: CSRF, login and object permissions, nothing unmoderated or private in public,
login lockout, upload limits and safe parsing, password validators, spam defences, deploy check."""

import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from innspill.web.consultations.models import Comment, ImportBatch
from innspill.web.models import LoginFailure

from .conftest import PASSWORD, answer

pytestmark = pytest.mark.django_db


def _csrf_token(client, url):
    client.get(url)
    return client.cookies["csrftoken"].value


def test_csrf_is_enforced_on_the_public_form_and_organiser_forms(make_consultation):
    cons = make_consultation()
    c = Client(enforce_csrf_checks=True)
    r = c.post(f"/c/{cons.slug}/", {"comment": "Ja.", "consent": "on"})
    assert r.status_code == 403 and Comment.objects.count() == 0
    token = _csrf_token(c, f"/c/{cons.slug}/")
    r = c.post(f"/c/{cons.slug}/", {"comment": "Ja.", "consent": "on", "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and Comment.objects.count() == 1
    org = Client(enforce_csrf_checks=True)
    org.force_login(cons.created_by)
    for url, data in [(f"/org/c/{cons.slug}/state/", {"state": "closed"}), (f"/org/c/{cons.slug}/analyse/", {}),
                      (f"/org/c/{cons.slug}/moderate/", {"ids": "1", "action": "approve"}), ("/logout/", {}),
                      (f"/org/c/{cons.slug}/invite/", {"role": "moderator"})]:
        assert org.post(url, data).status_code == 403, url
    cons.refresh_from_db()
    assert cons.state == "open" and not cons.jobs.exists() and not cons.invitations.exists()
    assert Comment.objects.get().state == "pending"


def test_login_is_required_for_organiser_pages(make_consultation):
    cons = make_consultation()
    anon = Client()
    for url in ["/org/", "/org/new/", f"/org/c/{cons.slug}/", f"/org/c/{cons.slug}/moderate/",
                f"/org/c/{cons.slug}/review/", f"/org/c/{cons.slug}/results/", f"/org/c/{cons.slug}/import/",
                f"/org/c/{cons.slug}/export/data.json", f"/org/c/{cons.slug}/export/gold.json"]:
        r = anon.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url


def test_a_moderator_of_one_consultation_cannot_reach_another(make_consultation, client_for):
    from django.contrib.auth.models import User

    from innspill.web.consultations.models import Membership

    a = make_consultation("a")
    make_consultation("b")
    answer(Client(), "b", comment="Hemmelig innspill til B", email="b@example.org")
    mod = User.objects.create_user("mod", "", PASSWORD)
    Membership.objects.create(consultation=a, user=mod, role="moderator")
    c = client_for(mod)
    assert c.get("/org/c/a/moderate/").status_code == 200
    pk = Comment.objects.get().pk
    for url in ["/org/c/b/", "/org/c/b/moderate/", "/org/c/b/review/", "/org/c/b/results/", "/org/c/b/import/",
                "/org/c/b/export/data.json", "/org/c/b/export/comments.csv", "/org/c/b/edit/"]:
        assert c.get(url).status_code == 404, url
    assert c.post("/org/c/b/moderate/", {"ids": [pk], "action": "approve"}).status_code == 404
    assert c.post(f"/org/c/b/review/{pk}/correct/", {"kind": "flags", "sensitive": "1"}).status_code == 404
    assert c.post("/org/c/b/state/", {"state": "closed"}).status_code == 404
    # a moderator of A cannot moderate B's comment through A's page either
    c.post("/org/c/a/moderate/", {"ids": [pk], "action": "approve"})
    assert Comment.objects.get().state == "pending"
    assert "Hemmelig" not in c.get("/org/").content.decode()
    # a moderator is not an organiser: no settings, exports or corrections
    for url in ["/org/c/a/edit/", "/org/c/a/results/", "/org/c/a/import/", "/org/c/a/export/data.json"]:
        assert c.get(url).status_code == 404, url
    assert c.get("/org/new/").status_code == 403


def test_unmoderated_comments_and_emails_are_never_public(make_consultation, client_for):
    cons = make_consultation()
    anon = Client()
    answer(anon, cons.slug, comment="Venter på moderering", email="venter@example.org", name="Vera")
    answer(anon, cons.slug, comment="Godkjent svar", email="godkjent@example.org", name="Gunn")
    answer(anon, cons.slug, comment="Avvist svar", email="avvist@example.org")
    pending, ok, rejected = Comment.objects.order_by("id")
    Comment.objects.filter(pk=ok.pk).update(state="approved")
    Comment.objects.filter(pk=rejected.pk).update(state="rejected", reason="off topic")
    for url in [f"/c/{cons.slug}/", "/"]:
        page = anon.get(url).content.decode()
        assert "Venter på moderering" not in page and "Avvist svar" not in page
        assert "@example.org" not in page
    page = anon.get(f"/c/{cons.slug}/").content.decode()
    assert "Godkjent svar" in page and "Gunn" in page


def test_edit_link_needs_the_right_token(make_consultation):
    cons = make_consultation()
    answer(Client(), cons.slug, comment="Mitt svar")
    other = make_consultation("annen")
    assert Client().get(f"/c/{cons.slug}/mine/not-the-token/").status_code == 404
    assert Client().post(f"/c/{cons.slug}/mine/not-the-token/", {"delete": "1"}).status_code == 404
    assert Comment.objects.get().state == "pending"
    assert Client().get(f"/c/{other.slug}/mine/x/").status_code == 404


@override_settings(LOGIN_LOCKOUT_FAILURES=5)
def test_login_brute_force_lockout(organiser):
    c = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(5):
        assert c.post("/login/", {"username": "org", "password": "wrong-guess"}).status_code == 400
    r = c.post("/login/", {"username": "org", "password": PASSWORD})
    assert r.status_code == 429 and "_auth_user_id" not in c.session
    assert LoginFailure.objects.get(username="org").locked_until is not None
    # another address is not locked out
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert other.post("/login/", {"username": "org", "password": PASSWORD}).status_code == 302
    assert not LoginFailure.objects.filter(ip="10.0.0.8").exists()


def _lock_out(client, username="org", n=5):
    for _ in range(n):
        assert client.post("/login/", {"username": username, "password": "wrong-guess"}).status_code == 400


@pytest.mark.parametrize("variant", [" org", "org ", "\torg\n", "ORG", "Org", "\uff4f\uff52\uff47",
                                     "\u3000\uff2f\uff32\uff27\u3000"],
                         ids=["leading-space", "trailing-space", "tab-newline", "upper", "title",
                              "full-width", "full-width-upper-ideographic-space"])
@override_settings(LOGIN_LOCKOUT_FAILURES=5)
def test_login_lockout_holds_for_every_spelling_of_the_name(organiser, variant):
    """Issue 21: ' orgA' and full-width 'ｏｒｇＡ' logged in after orgA was locked (each variant had
    its own counter). The lockout key is the name as the login form reads it, case-folded."""
    c = Client(REMOTE_ADDR="10.0.0.9")
    _lock_out(c)
    r = c.post("/login/", {"username": variant, "password": PASSWORD})
    assert r.status_code == 429 and "_auth_user_id" not in c.session
    assert list(LoginFailure.objects.exclude(username="*").values_list("username", flat=True)) == ["org"]


@override_settings(LOGIN_LOCKOUT_FAILURES=5)
def test_login_failures_over_variants_share_one_counter(organiser):
    c = Client(REMOTE_ADDR="10.0.0.10")
    for name in ["org", " ORG", "\uff4f\uff52\uff47", "Org ", "\uff2f\uff32\uff27"]:
        assert c.post("/login/", {"username": name, "password": "wrong-guess"}).status_code == 400
    assert c.post("/login/", {"username": "org", "password": PASSWORD}).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.11").post("/login/", {"username": "org", "password": PASSWORD}).status_code == 302


@override_settings(LOGIN_LOCKOUT_FAILURES=5, LOGIN_LOCKOUT_ADDRESS_FAILURES=8)
def test_login_lockout_per_address_over_many_names(organiser):
    """Guessing many user names from one address locks the address (any name) too."""
    c = Client(REMOTE_ADDR="10.0.0.12")
    for i in range(8):
        assert c.post("/login/", {"username": f"guess{i}", "password": "wrong-guess"}).status_code == 400
    assert c.post("/login/", {"username": "org", "password": PASSWORD}).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.13").post("/login/", {"username": "org", "password": PASSWORD}).status_code == 302


def test_login_key_is_the_forms_normalisation():
    from django.contrib.auth.forms import UsernameField

    from innspill.web.security import login_key

    for raw in [" orgA", "ORGA", "\uff4f\uff52\uff47\uff21", "\u3000orgA\u00a0", "org\u212a"]:
        assert login_key(raw) == login_key(UsernameField().to_python(raw)) == UsernameField().to_python(raw).casefold()


def test_login_next_must_be_local(organiser):
    r = Client().post("/login/?next=https://evil.example/", {"username": "org", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/org/"


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_upload_over_the_limit_is_refused(make_consultation, client_for):
    cons = make_consultation()
    org = client_for(cons.created_by)
    big = SimpleUploadedFile("big.txt", b"Er det greit?\n\n" + b"x" * 2048, content_type="text/plain")
    r = org.post(f"/org/c/{cons.slug}/import/", {"file": big, "format": "auto"})
    assert r.status_code == 400 and "MB" in r.content.decode()
    assert not ImportBatch.objects.exists()


def test_unsafe_xml_upload_is_refused_by_the_importer(make_consultation, client_for):
    cons = make_consultation()
    org = client_for(cons.created_by)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>&lol2;</channel></rss>')
    r = org.post(f"/org/c/{cons.slug}/import/", {"file": SimpleUploadedFile("x.xml", bomb), "format": "auto"})
    assert r.status_code == 400 and "E109" in r.content.decode()
    binary = SimpleUploadedFile("x.txt", bytes(range(256)) * 4)
    r = org.post(f"/org/c/{cons.slug}/import/", {"file": binary, "format": "auto"})
    assert r.status_code == 400 and "E103" in r.content.decode()
    assert not ImportBatch.objects.exists() and not Comment.objects.exists()


def test_honeypot_answers_are_kept_as_spam_not_published(make_consultation):
    cons = make_consultation()
    r = answer(Client(), cons.slug, comment="Kjøp nå", website="http://spam.example")
    assert r.status_code == 302
    c = Comment.objects.get()
    assert c.state == "spam" and c.reason == "honeypot field filled in"
    assert "Kjøp nå" not in Client().get(f"/c/{cons.slug}/").content.decode()


@override_settings(SUBMIT_RATE_PER_HOUR=3)
def test_rate_limit_on_answers(make_consultation):
    cons = make_consultation()
    c = Client(REMOTE_ADDR="10.1.1.1")
    codes = [answer(c, cons.slug, comment=f"Svar {i}").status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Comment.objects.count() == 3
    assert answer(Client(REMOTE_ADDR="10.1.1.2"), cons.slug, comment="Annen").status_code == 302


def test_first_run_setup_needs_a_strong_password_and_only_works_once(db):
    from django.contrib.auth.models import User

    c = Client()
    assert c.get("/").status_code == 302
    r = c.post("/setup/", {"username": "eva", "password1": "password", "password2": "password"})
    assert r.status_code == 200 and not User.objects.exists()
    r = c.post("/setup/", {"username": "eva", "password1": "12345678901", "password2": "12345678901"})
    assert not User.objects.exists()
    r = c.post("/setup/", {"username": "eva", "password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302 and User.objects.get().is_superuser
    r = Client().post("/setup/", {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302 and User.objects.count() == 1


def _cli(args, tmp_path, stdin="", env=None):
    e = {**os.environ, "INNSPILL_DATA": str(tmp_path), **(env or {})}
    e.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "innspill.cli", *args], input=stdin, capture_output=True,
                          text=True, env=e, timeout=120)


def test_createadmin_applies_the_password_validators(tmp_path):
    r = _cli(["createadmin", "--username", "admin", "--password-stdin"], tmp_path, "admin123\n")
    assert r.returncode == 2 and "E301" in r.stderr and "password refused" in r.stderr
    r = _cli(["createadmin", "--username", "admin", "--password-stdin"], tmp_path, PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = _cli(["createadmin", "--username", "admin", "--password-stdin"], tmp_path, PASSWORD + "\n")
    assert r.returncode == 2 and "exists" in r.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


STRONG_KEY = "k9Xq2-vT7mWz4Lp0aN8rB3sYc6HdF1jGuE5oKiQwMnRtZ_bVxy"  # 50 characters, made up for the tests


def test_deploy_check_is_clean_in_production_mode(tmp_path):
    env = {**os.environ, "INNSPILL_DATA": str(tmp_path), "INNSPILL_PRODUCTION": "1",
           "INNSPILL_ALLOWED_HOSTS": "innspill.example.org", "DJANGO_SETTINGS_MODULE": "innspill.web.settings",
           "INNSPILL_SECRET_KEY": STRONG_KEY}
    env.pop("INNSPILL_DEBUG", None)
    env.pop("DJANGO_SECRET_KEY", None)
    r = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_debug_is_off_by_default():
    from django.conf import settings

    assert settings.DEBUG is False


@pytest.mark.parametrize("env, variable", [
    ({"INNSPILL_DEBUG": "1"}, "INNSPILL_DEBUG"),
    ({"INNSPILL_SECRET_KEY": "changeme"}, "INNSPILL_SECRET_KEY"),
    ({"INNSPILL_SECRET_KEY": "django-insecure-" + "x1y2z3" * 8}, "INNSPILL_SECRET_KEY"),
    ({"INNSPILL_SECRET_KEY": "s3cr3t-but-only-thirty-chars!!"}, "INNSPILL_SECRET_KEY"),
    ({"INNSPILL_SECRET_KEY": "ab" * 30}, "INNSPILL_SECRET_KEY"),
    ({"INNSPILL_SECRET_KEY": ""}, "INNSPILL_SECRET_KEY"),
    ({"INNSPILL_ALLOWED_HOSTS": "*"}, "INNSPILL_ALLOWED_HOSTS"),
], ids=["debug", "changeme", "django-insecure", "short", "simple", "missing", "any-host"])
def test_production_refuses_an_unsafe_start(tmp_path, env, variable):
    """Issue 21 part 4: INNSPILL_PRODUCTION=1 with INNSPILL_DEBUG=1 or INNSPILL_SECRET_KEY=changeme
    started and served Django's debug 404 page. Now serve stops before listening, with E301
    naming the variable and the fix; check --deploy stops the same way."""
    base = {"INNSPILL_PRODUCTION": "1", "INNSPILL_ALLOWED_HOSTS": "innspill.example.org",
            "INNSPILL_SECRET_KEY": STRONG_KEY, "INNSPILL_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    r = _cli(["serve", "--port", "1", "--no-worker"], tmp_path, env={**base, **env})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "E301" in r.stderr and variable in r.stderr and "hint:" in r.stderr and "Traceback" not in r.stderr
    assert "innspill web on" not in r.stdout
    if variable == "INNSPILL_SECRET_KEY":
        assert "secrets.token_urlsafe" in r.stderr
        assert not (tmp_path / "secret_key").exists()  # no key is made up in production


def test_production_problems_accepts_a_strong_configuration():
    from innspill.web.settings import production_problems

    assert production_problems(False, STRONG_KEY, ["innspill.example.org"]) == []
    found = production_problems(True, "changeme", ["*"])
    assert [v for v, _p, _f in found] == ["INNSPILL_DEBUG", "INNSPILL_SECRET_KEY", "INNSPILL_ALLOWED_HOSTS"]


# -- issue 21 part 6: headers, paths, proxies ---------------------------------------------------

def test_private_pages_are_never_cached(make_consultation):
    cons = make_consultation()
    c = Client()
    r = answer(c, cons.slug, comment="Mitt private svar")
    thanks = c.get(r["Location"])
    assert "no-store" in thanks["Cache-Control"]
    link = thanks.context["link"].split("testserver", 1)[1]
    assert "no-store" in c.get(link)["Cache-Control"]
    assert "no-store" in c.post(link, {"delete": "1"})["Cache-Control"]


def test_content_security_policy_on_every_app_page_and_no_inline_script(make_consultation, client_for):
    import re

    from innspill.web.live import services as live

    cons = make_consultation()
    answer(Client(), cons.slug, comment="Ja.")
    session = live.start_session(cons, cons.created_by)
    org = client_for(cons.created_by)
    anon = Client()
    pages = [(anon, "/"), (anon, f"/c/{cons.slug}/"), (anon, "/login/"), (anon, "/j/"), (anon, f"/j/{session.code}/"),
             (org, "/org/"), (org, f"/org/c/{cons.slug}/"), (org, f"/org/c/{cons.slug}/moderate/"),
             (org, f"/org/c/{cons.slug}/moderate/log/"), (org, f"/org/c/{cons.slug}/import/"),
             (org, f"/org/c/{cons.slug}/review/"), (org, f"/org/c/{cons.slug}/results/"),
             (org, f"/org/c/{cons.slug}/live/{session.pk}/"), (org, f"/org/c/{cons.slug}/live/{session.pk}/projector/")]
    for client, url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        csp = r["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert script_src == "'self'" and "frame-ancestors 'none'" in csp, url
        html = r.content.decode()
        inline = [m for m in re.findall(r"<script\b[^>]*>", html) if "src=" not in m and "application/json" not in m]
        assert not inline, (url, inline)
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url  # no onclick= and the like
        assert not re.search(r"<[^>]+\sstyle=", html), url  # style-src 'self': no style attributes


def test_the_brief_html_gets_a_document_policy_without_script(make_consultation, client_for):
    from .conftest import two_answers_analysed

    cons = make_consultation()
    org = two_answers_analysed(cons, client_for)
    r = org.get(f"/org/c/{cons.slug}/brief.html")
    if r.status_code == 404:
        pytest.skip("the brief is not installed")
    assert "script-src" not in r["Content-Security-Policy"] and "default-src 'none'" in r["Content-Security-Policy"]


def test_import_errors_and_job_messages_never_show_server_paths(make_consultation, client_for, monkeypatch):
    from django.conf import settings

    from innspill.errors import InnspillError
    from innspill.web.analysis import jobs, services
    from innspill.web.consultations import imports

    cons = make_consultation()
    org = client_for(cons.created_by)

    def failing(path, *args, **kwargs):
        raise InnspillError("E110", f"cannot read {path} in {settings.UPLOAD_DIR}", hint=f"see {path}")

    monkeypatch.setattr(imports, "inspect_upload", failing)
    r = org.post(f"/org/c/{cons.slug}/import/", {"file": SimpleUploadedFile("svar.txt", b"Er det greit?\n\n1. Ja"),
                                                 "format": "auto"})
    page = r.content.decode()
    assert r.status_code == 400 and "E110" in page and "svar.txt" in page
    assert str(settings.UPLOAD_DIR) not in page and str(settings.DATA_DIR) not in page

    def crash(*args, **kwargs):
        raise OSError(f"[Errno 28] No space left on device: '{settings.DATA_DIR / 'embeddings' / 'x.npy'}'")

    monkeypatch.setattr(services, "run_analysis", crash)
    job = jobs.enqueue(cons)
    jobs.run_one()
    job.refresh_from_db()
    assert job.status == "failed" and "No space left" in job.message and str(settings.DATA_DIR) not in job.message


def test_forwarded_for_is_trusted_only_from_named_proxies():
    from innspill.web.runtime import proxy_options

    assert proxy_options([]) == {"proxy_headers": False}  # uvicorn's own default trusts 127.0.0.1
    assert proxy_options(["10.0.0.2", "10.0.0.3"]) == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.2,10.0.0.3"}


def test_private_links_and_invitations_expire(make_consultation, client_for, settings):
    """A participant's private link works INNSPILL_PRIVATE_LINK_DAYS days (default 90, stated on
    the page) and then answers 410 with what to do; an invitation INNSPILL_INVITATION_DAYS (14)."""
    from datetime import timedelta

    from django.utils import timezone

    from innspill.web.consultations.models import Comment, Invitation, new_token, token_hash

    from .conftest import answer

    assert (settings.PRIVATE_LINK_DAYS, settings.INVITATION_DAYS) == (90, 14)
    cons = make_consultation()
    anon = client_for()
    r = answer(anon, cons.slug, q1="Nei, det er ikke greit.")
    path = anon.get(r["Location"]).context["link"].split("testserver", 1)[1]
    comment = Comment.objects.get()
    # the page shows the date in the site's time zone (Europe/Oslo), not UTC: the two differ
    # for an answer given in the last hour or two of a UTC day
    until = timezone.localtime(comment.created_at + timedelta(days=90)).strftime("%Y-%m-%d")
    page = anon.get(path)
    assert page.status_code == 200 and until in page.content.decode()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=89))
    assert anon.get(path).status_code == 200
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=91))
    gone = anon.get(path)
    assert gone.status_code == 410 and gone["Cache-Control"] == "no-store, private"
    assert anon.post(path, {"delete": "1"}).status_code == 410  # nor can it withdraw or change
    comment.refresh_from_db()
    assert comment.state != Comment.WITHDRAWN
    settings.PRIVATE_LINK_DAYS = 0  # 0: links never expire
    assert anon.get(path).status_code == 200
    token = new_token()
    inv = Invitation.objects.create(consultation=cons, token_sha256=token_hash(token), role="moderator",
                                    created_by=cons.created_by)
    assert client_for().get(f"/invite/{token}/").status_code == 200
    Invitation.objects.filter(pk=inv.pk).update(created_at=timezone.now() - timedelta(days=15))
    assert client_for().get(f"/invite/{token}/").status_code == 410
    r = client_for().post(f"/invite/{token}/", {"username": "late", "email": "late@example.org",
                                                  "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"})
    assert r.status_code == 410
    inv.refresh_from_db()
    assert inv.used_at is None
