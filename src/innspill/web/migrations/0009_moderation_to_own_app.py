from django.db import migrations


class Migration(migrations.Migration):
    """The moderation tables (rules, queue signals, the log of state changes) move to their own app,
    ``moderation`` (innspill.web.moderation), in Django's migration state only: the tables keep
    their names (``web_moderationrule`` …) and their rows; the moderation app's first migration
    takes them over with the same names."""

    dependencies = [
        ('web', '0008_live_to_own_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='moderationevent',
                name='comment',
            ),
            migrations.RemoveField(
                model_name='moderationevent',
                name='rule',
            ),
            migrations.RemoveField(
                model_name='moderationevent',
                name='user',
            ),
            migrations.RemoveField(
                model_name='moderationrule',
                name='consultation',
            ),
            migrations.DeleteModel(
                name='CommentSignals',
            ),
            migrations.DeleteModel(
                name='ModerationEvent',
            ),
            migrations.DeleteModel(
                name='ModerationRule',
            ),
        ], database_operations=[]),
    ]
