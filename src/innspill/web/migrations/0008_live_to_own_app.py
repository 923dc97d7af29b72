from django.db import migrations


class Migration(migrations.Migration):
    """The live debate's tables move to their own app, ``live`` (innspill.web.live), in Django's
    migration state only: the tables keep their names (``web_livesession`` …) and their rows; the
    live app's first migration takes them over with the same names."""

    dependencies = [
        ('web', '0007_question_options'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='ideaupvote',
                name='idea',
            ),
            migrations.RemoveField(
                model_name='ideaupvote',
                name='participant',
            ),
            migrations.RemoveField(
                model_name='livesession',
                name='consultation',
            ),
            migrations.RemoveField(
                model_name='livesession',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='livesession',
                name='current',
            ),
            migrations.RemoveField(
                model_name='participant',
                name='session',
            ),
            migrations.RemoveField(
                model_name='livestatement',
                name='session',
            ),
            migrations.RemoveField(
                model_name='vote',
                name='statement',
            ),
            migrations.RemoveField(
                model_name='vote',
                name='participant',
            ),
            migrations.DeleteModel(
                name='AudienceIdea',
            ),
            migrations.DeleteModel(
                name='IdeaUpvote',
            ),
            migrations.DeleteModel(
                name='LiveSession',
            ),
            migrations.DeleteModel(
                name='LiveStatement',
            ),
            migrations.DeleteModel(
                name='Participant',
            ),
            migrations.DeleteModel(
                name='Vote',
            ),
        ], database_operations=[]),
    ]
