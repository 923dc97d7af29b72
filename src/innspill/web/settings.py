"""Django settings, from the environment with safe defaults.

==========================  ==================================================================
variable                    meaning (default)
==========================  ==================================================================
INNSPILL_DATA               folder for the SQLite database, secret key and uploads (./innspill-data)
DATABASE_URL                postgres://user:pass@host:port/name or sqlite:///path (SQLite in INNSPILL_DATA)
INNSPILL_SECRET_KEY         secret key (else generated on first run, stored in INNSPILL_DATA/secret_key;
                            required in production: 50+ characters, not a well-known value)
INNSPILL_DEBUG              1 for Django's debug mode (off; refused in production)
INNSPILL_PRODUCTION         1 behind HTTPS: secure cookies, HSTS, SSL redirect (off); refuses to start
                            with debug on, a missing or weak secret key, or ALLOWED_HOSTS=*
INNSPILL_ALLOWED_HOSTS      comma-separated host names (localhost,127.0.0.1,[::1])
INNSPILL_UPLOAD_MAX_MB      largest import file in MB (20)
INNSPILL_SUBMIT_RATE        answers per IP address and consultation per hour (20; 0 = no limit)
INNSPILL_LOGIN_LOCKOUT      failed logins per user name and IP before a 15-minute lockout (5)
INNSPILL_LOGIN_LOCKOUT_ADDRESS  failed logins per IP over all user names before a 15-minute lockout (30)
INNSPILL_JOB_TIMEOUT        seconds without a heartbeat before a running job is taken over (120)
INNSPILL_LIVE_JOINS_PER_ADDRESS  new live participants per IP and session (100; 0 = no limit)
INNSPILL_LIVE_VOTES_PER_ADDRESS  live votes per IP and statement, a changed vote not counted (100; 0 = no limit)
INNSPILL_LIVE_IDEAS_PER_ADDRESS  audience ideas per IP and session (25; 0 = no limit)
INNSPILL_NO_EMBEDDINGS      1 to analyse by words only (faster; used by tests)
INNSPILL_TRUSTED_PROXIES    comma-separated proxy addresses whose X-Forwarded-For innspill serve believes (none)
INNSPILL_PRIVATE_LINK_DAYS  days a participant's private link works after the answer was given (90; 0 = always)
INNSPILL_INVITATION_DAYS    days an invitation link works (14; 0 = always)
==========================  ==================================================================
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse


def _flag(name: str, default: bool = False) -> bool:
    v = os.environ.get(name)
    return default if v is None else v.strip().lower() in ("1", "true", "yes", "on")


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("INNSPILL_DATA", "innspill-data")).resolve()


def _secret_key() -> str:
    key = os.environ.get("INNSPILL_SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
        return key


def database_from_url(url: str | None, data_dir: Path) -> dict:
    """A Django DATABASES entry from DATABASE_URL (postgres or sqlite); SQLite in ``data_dir`` by default."""
    sqlite_opts = {"transaction_mode": "IMMEDIATE", "timeout": 30,
                   "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir / "innspill.sqlite3"),
                "OPTIONS": sqlite_opts}
    u = urlparse(url)
    if u.scheme in ("postgres", "postgresql", "pgsql"):
        return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(u.path.lstrip("/")),
                "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""),
                "HOST": u.hostname or "", "PORT": str(u.port or ""), "CONN_MAX_AGE": 0}
    if u.scheme == "sqlite":
        path = unquote(u.path)[1:] if url.startswith("sqlite:///") else unquote(u.path)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or str(data_dir / "innspill.sqlite3"),
                "OPTIONS": sqlite_opts}
    raise ValueError(f"DATABASE_URL: unsupported scheme {u.scheme!r} (use postgres:// or sqlite:///)")


# secret keys seen in examples, tutorials and .env templates: never accepted in production
KNOWN_KEYS = {"changeme", "change-me", "change_me", "changethis", "secret", "secretkey", "secret-key", "secret_key",
              "password", "default", "dev", "development", "test", "testing", "insecure", "django", "innspill",
              "your-secret-key", "your_secret_key", "yoursecretkey", "mysecretkey", "my-secret-key", "xxx",
              "replace-me", "replaceme", "please-change-me", "notsecret", "not-secret", "12345", "123456"}
MIN_KEY_CHARS = 50  # as Django's check --deploy (security.W009): at least 50 characters, 5 different
KEY_FIX = "set INNSPILL_SECRET_KEY to a new random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def production_problems(debug: bool, key: str | None, hosts: list[str]) -> list[tuple[str, str, str]]:
    """What keeps a production start (INNSPILL_PRODUCTION=1) from being safe: (variable, problem,
    fix) for debug mode on, a missing, short or well-known secret key, and ``*`` in the hosts."""
    out = []
    if debug:
        out.append(("INNSPILL_DEBUG", "debug mode is on: Django's debug pages show settings and code to anyone",
                    "unset INNSPILL_DEBUG (or set it to 0)"))
    if not key:
        out.append(("INNSPILL_SECRET_KEY", "no secret key is set for production", KEY_FIX))
    else:
        folded = key.strip().lower()
        if folded in KNOWN_KEYS or folded.startswith("django-insecure") or ("change" in folded and "me" in folded):
            out.append(("INNSPILL_SECRET_KEY", "the secret key is a well-known example value", KEY_FIX))
        elif len(key) < MIN_KEY_CHARS or len(set(key)) < 5:
            out.append(("INNSPILL_SECRET_KEY", f"the secret key is too short or too simple ({len(key)} characters; "
                        f"at least {MIN_KEY_CHARS}, 5 different)", KEY_FIX))
    if any(h == "*" for h in hosts):
        out.append(("INNSPILL_ALLOWED_HOSTS", "'*' accepts any Host header (password-reset and link poisoning)",
                    "name the site's host names, e.g. INNSPILL_ALLOWED_HOSTS=innspill.example.org"))
    return out


def check_production(debug: bool, key: str | None, hosts: list[str]) -> None:
    """Raise ``E301`` naming each variable to fix when a production start is unsafe."""
    problems = production_problems(debug, key, hosts)
    if problems:
        from ..errors import InnspillError

        raise InnspillError("E301", "INNSPILL_PRODUCTION=1 refuses to start: " + "; ".join(
            f"{var}: {problem}" for var, problem, _fix in problems),
            hint="; ".join(fix for _var, _problem, fix in problems))


DEBUG = _flag("INNSPILL_DEBUG")
PRODUCTION = _flag("INNSPILL_PRODUCTION")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("INNSPILL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
                 if h.strip()]
if PRODUCTION:  # in production the key comes from the environment, strong (issue 21)
    check_production(DEBUG, os.environ.get("INNSPILL_SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY"),
                     ALLOWED_HOSTS)
SECRET_KEY = _secret_key()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "innspill.web.apps.WebConfig",
    "innspill.web.consultations.apps.ConsultationsConfig",
    "innspill.web.analysis.apps.AnalysisConfig",
    "innspill.web.moderation.apps.ModerationConfig",
    "innspill.web.live.apps.LiveConfig",
    "innspill.web.results.apps.ResultsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "innspill.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "innspill.web.urls"
ASGI_APPLICATION = "innspill.web.asgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("INNSPILL_TIME_ZONE", "Europe/Oslo")

STATIC_URL = "/static/"
STATIC_DIR = PACKAGE_DIR / "static"
UPLOAD_DIR = DATA_DIR / "uploads"
UPLOAD_MAX_BYTES = int(float(os.environ.get("INNSPILL_UPLOAD_MAX_MB", "20")) * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads go to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # form fields (not files)
SUBMIT_RATE_PER_HOUR = int(os.environ.get("INNSPILL_SUBMIT_RATE", "20"))
LOGIN_LOCKOUT_FAILURES = int(os.environ.get("INNSPILL_LOGIN_LOCKOUT", "5"))
PRIVATE_LINK_DAYS = int(os.environ.get("INNSPILL_PRIVATE_LINK_DAYS", "90"))
INVITATION_DAYS = int(os.environ.get("INNSPILL_INVITATION_DAYS", "14"))
LOGIN_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("INNSPILL_LOGIN_LOCKOUT_ADDRESS", "30"))
LOGIN_LOCKOUT_SECONDS = 15 * 60
JOB_TIMEOUT_SECONDS = int(os.environ.get("INNSPILL_JOB_TIMEOUT", "120"))
# addresses of reverse proxies whose X-Forwarded-For / -Proto innspill serve believes (none by default)
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("INNSPILL_TRUSTED_PROXIES", "").split(",") if a.strip()]
# live vote, per client address and session (0 = no limit): new participants, participants' votes
# on one statement, audience ideas (a room behind one NAT shares an address: raise them for it)
LIVE_JOINS_PER_ADDRESS = int(os.environ.get("INNSPILL_LIVE_JOINS_PER_ADDRESS", "100"))
LIVE_VOTES_PER_ADDRESS = int(os.environ.get("INNSPILL_LIVE_VOTES_PER_ADDRESS", "100"))
LIVE_IDEAS_PER_ADDRESS = int(os.environ.get("INNSPILL_LIVE_IDEAS_PER_ADDRESS", "25"))
USE_EMBEDDINGS = not _flag("INNSPILL_NO_EMBEDDINGS")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
