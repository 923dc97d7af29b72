"""URLs of moderation (included in ``innspill.web.urls``, in its ``web`` namespace)."""

from django.urls import path

from . import views as mod

moderation_patterns = [
    path("org/c/<slug:slug>/moderate/", mod.moderate, name="moderate"),
    path("org/c/<slug:slug>/moderate/log/", mod.log, name="modlog"),
    path("org/c/<slug:slug>/policy/", mod.policy, name="policy"),
]
