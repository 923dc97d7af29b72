"""The web app's URLs, all in the ``web`` namespace: the site's own here (front page, accounts,
language, static files), then each app's from its ``urls.py`` (consultations, moderation,
analysis, results, live)."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve

from . import views_accounts as accounts
from . import views_home as home
from .analysis.urls import analysis_patterns
from .consultations.urls import consultations_patterns
from .live.urls import live_patterns
from .moderation.urls import moderation_patterns
from .results.urls import results_patterns

web_patterns = [
    path("", home.home, name="home"),
    path("setup/", accounts.setup, name="setup"),
    path("login/", accounts.login_view, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    *consultations_patterns,
    *moderation_patterns,
    *analysis_patterns,
    *results_patterns,
    *live_patterns,
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_DIR}),
]
urlpatterns = [path("", include((web_patterns, "web"), namespace="web"))]
