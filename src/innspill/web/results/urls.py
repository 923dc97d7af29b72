"""URLs of the results (included in ``innspill.web.urls``, in its ``web`` namespace)."""

from django.urls import path

from . import heard
from . import views as res

results_patterns = [
    path("org/c/<slug:slug>/review/", res.review, name="review"),
    path("org/c/<slug:slug>/review/<int:comment>/correct/", res.correct, name="correct"),
    path("org/c/<slug:slug>/results/", res.results, name="results"),
    path("org/c/<slug:slug>/brief.<str:fmt>", res.brief, name="brief"),
    path("org/c/<slug:slug>/export/<str:what>", res.export, name="export"),
    path("org/c/<slug:slug>/results/publish/", heard.publish_results, name="publish_results"),
    path("org/c/<slug:slug>/misreadings/<int:flag>/resolve/", heard.resolve_misreading, name="resolve_misreading"),
    path("c/<slug:slug>/results/", heard.public_results, name="public_results"),
    path("c/<slug:slug>/mine/<str:token>/misreading/", heard.flag_misreading, name="misreading"),
]
