from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "innspill.web.live"
    label = "live"
    verbose_name = "innspill: live debate"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..signals import answer_erased
        from .services import hide_erased_quotes

        answer_erased.connect(hide_erased_quotes, dispatch_uid="innspill.web.live.hide_erased_quotes")
