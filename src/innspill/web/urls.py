from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve

from . import views_heard as heard
from . import views_home as home
from . import views_org as org
from . import views_public as pub
from . import views_results as res
from .live.urls import live_patterns
from .moderation.urls import moderation_patterns

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
    path("org/c/<slug:slug>/results/publish/", heard.publish_results, name="publish_results"),
    path("org/c/<slug:slug>/misreadings/<int:flag>/resolve/", heard.resolve_misreading, name="resolve_misreading"),
    path("c/<slug:slug>/results/", heard.public_results, name="public_results"),
    path("c/<slug:slug>/mine/<str:token>/misreading/", heard.flag_misreading, name="misreading"),
    path("org/c/<slug:slug>/import/", org.import_upload, name="import"),
    path("org/c/<slug:slug>/import/<int:batch>/", org.import_confirm, name="import_confirm"),
    path("org/c/<slug:slug>/analyse/", org.analyse, name="analyse"),
    path("org/c/<slug:slug>/jobs/<int:job>/", org.job, name="job"),
    path("org/c/<slug:slug>/review/", res.review, name="review"),
    path("org/c/<slug:slug>/review/<int:comment>/correct/", res.correct, name="correct"),
    path("org/c/<slug:slug>/results/", res.results, name="results"),
    path("org/c/<slug:slug>/brief.<str:fmt>", res.brief, name="brief"),
    path("org/c/<slug:slug>/export/<str:what>", res.export, name="export"),
    *live_patterns,
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_DIR}),
]
urlpatterns = [path("", include((web_patterns, "web"), namespace="web"))]
