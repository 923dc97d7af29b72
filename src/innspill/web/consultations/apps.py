from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "innspill.web.consultations"
    label = "consultations"
    verbose_name = "innspill: consultations"
    default_auto_field = "django.db.models.BigAutoField"
