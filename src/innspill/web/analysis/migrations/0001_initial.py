import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ANALYSIS_MODELS = ['analysisrun', 'correction', 'job', 'jobestimate']


def content_types_to_analysis(apps, schema_editor):
    """The moved models' content types (and so their permissions) follow them to ``analysis``."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="analysis").values_list("model", flat=True))
    ContentType.objects.filter(app_label="web", model__in=[m for m in ANALYSIS_MODELS if m not in taken]).update(
        app_label="analysis")


def content_types_to_web(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="web").values_list("model", flat=True))
    ContentType.objects.filter(app_label="analysis", model__in=[m for m in ANALYSIS_MODELS if m not in taken]).update(
        app_label="web")


class Migration(migrations.Migration):
    """The analysis' tables (runs, corrections, jobs and their estimates), taken over from the
    ``web`` app (its migrations 0001 and 0003 made them; 0011 lets go of them) in Django's migration
    state only: same tables (``db_table``), same rows, nothing done to the database but the content
    types' app label."""

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('web', '0010_results_to_own_app'),
        ('consultations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='AnalysisRun',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('analysis', models.JSONField()),
                    ('comment_map', models.JSONField(default=dict)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='consultations.consultation')),
                ],
                options={
                    'db_table': 'web_analysisrun',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='Correction',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('question_number', models.PositiveIntegerField(blank=True, null=True)),
                    ('kind', models.CharField(choices=[('stance', 'stance'), ('span', 'span'), ('sensitive', 'sensitive'), ('duplicate', 'duplicate')], max_length=10)),
                    ('before', models.JSONField(null=True)),
                    ('after', models.JSONField(null=True)),
                    ('text_sha256', models.CharField(max_length=64)),
                    ('at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('comment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='consultations.comment')),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='consultations.consultation')),
                    ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'web_correction',
                    'ordering': ['at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='Job',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(default='analyse', max_length=20)),
                    ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'failed')], db_index=True, default='queued', max_length=10)),
                    ('claimed_by', models.CharField(blank=True, max_length=100)),
                    ('heartbeat', models.DateTimeField(blank=True, null=True)),
                    ('attempts', models.PositiveIntegerField(default=0)),
                    ('progress', models.PositiveIntegerField(default=0)),
                    ('message', models.CharField(blank=True, max_length=300)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to='consultations.consultation')),
                    ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='analysis.analysisrun')),
                ],
                options={
                    'db_table': 'web_job',
                    'ordering': ['created_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='JobEstimate',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('texts', models.PositiveIntegerField()),
                    ('seconds', models.FloatField()),
                    ('at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('job', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='estimate', to='analysis.job')),
                ],
                options={
                    'db_table': 'web_jobestimate',
                },
            ),
        ], database_operations=[]),
        migrations.RunPython(content_types_to_analysis, content_types_to_web),
    ]
