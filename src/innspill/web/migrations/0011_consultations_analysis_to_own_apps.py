from django.db import migrations


class Migration(migrations.Migration):
    """The consultations' tables (consultation, question, membership, invitation, import batch,
    comment) and the analysis' (analysis run, correction, job, job estimate) move to their own
    apps, ``consultations`` and ``analysis`` (innspill.web.consultations, innspill.web.analysis),
    in Django's migration state only: the tables keep their names (``web_consultation`` …) and
    their rows; those apps' first migrations take them over with the same names, after the live,
    moderation and results apps' foreign keys point at them. Only LoginFailure stays here."""

    dependencies = [
        ('live', '0002_consultations_app'),
        ('moderation', '0002_consultations_app'),
        ('results', '0002_consultations_analysis_apps'),
        ('web', '0010_results_to_own_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='job',
                name='run',
            ),
            migrations.RemoveField(
                model_name='comment',
                name='batch',
            ),
            migrations.RemoveField(
                model_name='comment',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='comment',
                name='moderated_by',
            ),
            migrations.RemoveField(
                model_name='comment',
                name='parent',
            ),
            migrations.RemoveField(
                model_name='correction',
                name='comment',
            ),
            migrations.RemoveField(
                model_name='consultation',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='question',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='invitation',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='job',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='membership',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='importbatch',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='correction',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='correction',
                name='user',
            ),
            migrations.RemoveField(
                model_name='importbatch',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='invitation',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='invitation',
                name='used_by',
            ),
            migrations.RemoveField(
                model_name='job',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='jobestimate',
                name='job',
            ),
            migrations.RemoveField(
                model_name='membership',
                name='user',
            ),
            migrations.DeleteModel(
                name='AnalysisRun',
            ),
            migrations.DeleteModel(
                name='Comment',
            ),
            migrations.DeleteModel(
                name='Question',
            ),
            migrations.DeleteModel(
                name='Consultation',
            ),
            migrations.DeleteModel(
                name='Correction',
            ),
            migrations.DeleteModel(
                name='ImportBatch',
            ),
            migrations.DeleteModel(
                name='Invitation',
            ),
            migrations.DeleteModel(
                name='Job',
            ),
            migrations.DeleteModel(
                name='JobEstimate',
            ),
            migrations.DeleteModel(
                name='Membership',
            ),
        ], database_operations=[]),
    ]
