"""URLs of the live debate (included in urls.py)."""

from django.urls import path

from . import presenter
from . import views as live

live_patterns = [
    path("j/", live.join_form, name="live_join_form"),
    path("j/<str:code>/", live.participant_page, name="live_join"),
    path("j/<str:code>/vote", live.vote, name="live_vote"),
    path("j/<str:code>/idea", live.idea, name="live_idea"),
    path("j/<str:code>/ideas/<int:idea_id>/upvote", live.upvote, name="live_upvote"),
    path("j/<str:code>/state.json", live.state_json, name="live_state"),
    path("j/<str:code>/events", live.events, name="live_events"),
    path("j/<str:code>/qr.<str:fmt>", live.qr, name="live_qr"),
    path("org/c/<slug:slug>/live/new", presenter.start, name="live_start"),
    path("org/c/<slug:slug>/live/<int:live_id>/", presenter.presenter, name="live_presenter"),
    path("org/c/<slug:slug>/live/<int:live_id>/state.json", presenter.presenter_state, name="live_presenter_state"),
    path("org/c/<slug:slug>/live/<int:live_id>/do", presenter.action, name="live_action"),
    path("org/c/<slug:slug>/live/<int:live_id>/statement", presenter.statement, name="live_statement"),
    path("org/c/<slug:slug>/live/<int:live_id>/ideas/<int:idea_id>", presenter.moderate_idea, name="live_idea_moderate"),
    path("org/c/<slug:slug>/live/<int:live_id>/projector/", presenter.projector, name="live_projector"),
    path("org/c/<slug:slug>/live/<int:live_id>/export.<str:fmt>", presenter.export, name="live_export"),
]
