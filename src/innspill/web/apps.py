from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "innspill.web"
    label = "web"
    verbose_name = "innspill"
    default_auto_field = "django.db.models.BigAutoField"
