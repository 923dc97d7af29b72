"""The web app's URLs, all in the ``web`` namespace: the consultations' own here, then each app's
(moderation, results, live) from its ``urls.py``."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve

from . import views_home as home
from . import views_org as org
from . import views_public as pub
from .live.urls import live_patterns
from .moderation.urls import moderation_patterns
from .results.urls import results_patterns

web_patterns = [
    path("", home.home, name="home"),
    path("setup/", pub.setup, name="setup"),
    path("login/", pub.login_view, name="login"),
    path("logout/", org.logout_view, name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("invite/<str:token>/", pub.accept_invite, name="accept_invite"),
    path("c/<slug:slug>/", pub.consultation, name="consultation"),
    path("c/<slug:slug>/thanks/", pub.thanks, name="thanks"),
    path("c/<slug:slug>/mine/<str:token>/", pub.mine, name="mine"),
    path("org/", org.dashboard, name="dashboard"),
    path("org/new/", org.new, name="new"),
    path("org/c/<slug:slug>/", org.overview, name="overview"),
    path("org/c/<slug:slug>/edit/", org.edit, name="edit"),
    path("org/c/<slug:slug>/state/", org.set_state, name="state"),
    path("org/c/<slug:slug>/invite/", org.invite, name="invite"),
    *moderation_patterns,
    path("org/c/<slug:slug>/import/", org.import_upload, name="import"),
    path("org/c/<slug:slug>/import/<int:batch>/", org.import_confirm, name="import_confirm"),
    path("org/c/<slug:slug>/analyse/", org.analyse, name="analyse"),
    path("org/c/<slug:slug>/jobs/<int:job>/", org.job, name="job"),
    *results_patterns,
    *live_patterns,
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_DIR}),
]
urlpatterns = [path("", include((web_patterns, "web"), namespace="web"))]
