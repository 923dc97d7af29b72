import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

RESULTS_MODELS = ["misreadingflag", "resultspage"]


def content_types_to_results(apps, schema_editor):
    """The moved models' content types (and so their permissions) follow them to ``results``."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="results").values_list("model", flat=True))
    ContentType.objects.filter(app_label="web", model__in=[m for m in RESULTS_MODELS if m not in taken]).update(
        app_label="results")


def content_types_to_web(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="web").values_list("model", flat=True))
    ContentType.objects.filter(app_label="results", model__in=[m for m in RESULTS_MODELS if m not in taken]).update(
        app_label="web")


class Migration(migrations.Migration):
    """The results' tables, taken over from the ``web`` app (its migration 0003 created them; 0010
    let go of them) in Django's migration state only: same tables (``db_table``), same rows,
    nothing done to the database but the content types' app label."""

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('web', '0010_results_to_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='MisreadingFlag',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('question_number', models.PositiveIntegerField(blank=True, null=True)),
                    ('note', models.CharField(max_length=500)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('resolved_at', models.DateTimeField(blank=True, null=True)),
                    ('comment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='misreadings', to='web.comment')),
                    ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='web.analysisrun')),
                ],
                options={
                    'db_table': 'web_misreadingflag',
                    'ordering': ['created_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='ResultsPage',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('published', models.BooleanField(default=False)),
                    ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('changed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('consultation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='results_page', to='web.consultation')),
                ],
                options={
                    'db_table': 'web_resultspage',
                },
            ),
        ], database_operations=[]),
        migrations.RunPython(content_types_to_results, content_types_to_web),
    ]
