from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "innspill.web.results"
    label = "results"
    verbose_name = "innspill: results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..signals import answer_erased, questions_renumbered
        from .heard import drop_flags_of_erased, follow_question_numbers

        answer_erased.connect(drop_flags_of_erased, dispatch_uid="innspill.web.results.drop_flags_of_erased")
        questions_renumbered.connect(follow_question_numbers,
                                     dispatch_uid="innspill.web.results.follow_question_numbers")
