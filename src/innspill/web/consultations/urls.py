"""URLs of the consultations (included in urls.py, in the ``web`` namespace)."""

from django.urls import path

from . import public as pub
from . import views as org

consultations_patterns = [
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
    path("org/c/<slug:slug>/import/", org.import_upload, name="import"),
]
