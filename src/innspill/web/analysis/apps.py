from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "innspill.web.analysis"
    label = "analysis"
    verbose_name = "innspill: analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..signals import answer_withdrawn, questions_renumbered
        from .corrections import follow_question_numbers
        from .services import erase_withdrawn

        answer_withdrawn.connect(erase_withdrawn, dispatch_uid="innspill.web.analysis.erase_withdrawn")
        questions_renumbered.connect(follow_question_numbers,
                                     dispatch_uid="innspill.web.analysis.follow_question_numbers")
