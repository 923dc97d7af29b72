"""URLs of the analysis (included in urls.py, in the ``web`` namespace)."""

from django.urls import path

from . import views

analysis_patterns = [
    path("org/c/<slug:slug>/import/<int:batch>/", views.import_confirm, name="import_confirm"),
    path("org/c/<slug:slug>/analyse/", views.analyse, name="analyse"),
    path("org/c/<slug:slug>/jobs/<int:job>/", views.job, name="job"),
]
