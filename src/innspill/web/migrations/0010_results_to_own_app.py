from django.db import migrations


class Migration(migrations.Migration):
    """The results' tables (misreading flags, the public results page's switch) move to their own
    app, ``results`` (innspill.web.results), in Django's migration state only: the tables keep
    their names (``web_misreadingflag``, ``web_resultspage``) and their rows; the results app's
    first migration takes them over with the same names."""

    dependencies = [
        ('web', '0009_moderation_to_own_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='resultspage',
                name='changed_by',
            ),
            migrations.RemoveField(
                model_name='resultspage',
                name='consultation',
            ),
            migrations.DeleteModel(
                name='MisreadingFlag',
            ),
            migrations.DeleteModel(
                name='ResultsPage',
            ),
        ], database_operations=[]),
    ]
