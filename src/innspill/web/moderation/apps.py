from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "innspill.web.moderation"
    label = "moderation"
    verbose_name = "innspill: moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..signals import comment_state_changed
        from .services import log_state_change

        comment_state_changed.connect(log_state_change, dispatch_uid="innspill.web.moderation.log_state_change")
