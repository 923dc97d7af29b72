import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODERATION_MODELS = ["moderationrule", "commentsignals", "moderationevent"]


def content_types_to_moderation(apps, schema_editor):
    """The moved models' content types (and so their permissions) follow them to ``moderation``."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="moderation").values_list("model", flat=True))
    ContentType.objects.filter(app_label="web", model__in=[m for m in MODERATION_MODELS if m not in taken]).update(
        app_label="moderation")


def content_types_to_web(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="web").values_list("model", flat=True))
    ContentType.objects.filter(app_label="moderation",
                               model__in=[m for m in MODERATION_MODELS if m not in taken]).update(app_label="web")


class Migration(migrations.Migration):
    """The moderation tables, taken over from the ``web`` app (its migrations 0001 and 0003 created
    them; 0009 let go of them) in Django's migration state only: same tables (``db_table``), same
    rows, nothing done to the database but the content types' app label."""

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('web', '0009_moderation_to_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='CommentSignals',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('stamp', models.DateTimeField()),
                    ('bucket', models.PositiveSmallIntegerField(db_index=True, default=3)),
                    ('group_key', models.PositiveIntegerField(default=0)),
                    ('spam', models.JSONField(default=list)),
                    ('duplicate', models.BooleanField(default=False)),
                    ('form_letter', models.BooleanField(default=False)),
                    ('sensitive', models.BooleanField(default=False)),
                    ('copy_of', models.PositiveIntegerField(blank=True, null=True)),
                    ('copy_how', models.CharField(blank=True, max_length=10)),
                    ('group_size', models.PositiveIntegerField(default=1)),
                    ('group_authors', models.PositiveIntegerField(default=1)),
                    ('privacy', models.JSONField(default=dict)),
                    ('comment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='signals', to='web.comment')),
                ],
                options={
                    'db_table': 'web_commentsignals',
                },
            ),
            migrations.CreateModel(
                name='ModerationRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.CharField(max_length=20, verbose_name='code')),
                    ('text', models.CharField(max_length=300, verbose_name='rule')),
                    ('position', models.PositiveIntegerField(default=0)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='web.consultation')),
                ],
                options={
                    'db_table': 'web_moderationrule',
                    'ordering': ['position', 'id'],
                },
            ),
            migrations.CreateModel(
                name='ModerationEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('before', models.CharField(max_length=10)),
                    ('after', models.CharField(max_length=10)),
                    ('reason', models.CharField(blank=True, max_length=300)),
                    ('at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('rule_code', models.CharField(blank=True, max_length=20)),
                    ('rule_text', models.CharField(blank=True, max_length=300)),
                    ('note', models.CharField(blank=True, max_length=300)),
                    ('comment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='web.comment')),
                    ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('rule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='moderation.moderationrule')),
                ],
                options={
                    'db_table': 'web_moderationevent',
                },
            ),
            migrations.AddConstraint(
                model_name='moderationrule',
                constraint=models.UniqueConstraint(fields=('consultation', 'code'), name='rule_code_unique'),
            ),
        ], database_operations=[]),
        migrations.RunPython(content_types_to_moderation, content_types_to_web),
    ]
