import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CONSULTATIONS_MODELS = ['consultation', 'question', 'membership', 'invitation', 'importbatch', 'comment']


def content_types_to_consultations(apps, schema_editor):
    """The moved models' content types (and so their permissions) follow them to ``consultations``."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="consultations").values_list("model", flat=True))
    ContentType.objects.filter(app_label="web", model__in=[m for m in CONSULTATIONS_MODELS if m not in taken]).update(
        app_label="consultations")


def content_types_to_web(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="web").values_list("model", flat=True))
    ContentType.objects.filter(app_label="consultations", model__in=[m for m in CONSULTATIONS_MODELS if m not in taken]).update(
        app_label="web")


class Migration(migrations.Migration):
    """The consultations' tables, taken over from the ``web`` app (its migrations 0001-0007 made
    them; 0011 lets go of them) in Django's migration state only: same tables (``db_table``), same
    rows, nothing done to the database but the content types' app label."""

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('web', '0010_results_to_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Consultation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=80, unique=True)),
                    ('title', models.CharField(max_length=200, verbose_name='title')),
                    ('intro', models.TextField(blank=True, verbose_name='introduction')),
                    ('language', models.CharField(choices=[('auto', 'detect'), ('nb', 'Bokmål'), ('nn', 'Nynorsk'), ('en', 'English')], default='auto', max_length=4, verbose_name='language')),
                    ('state', models.CharField(choices=[('draft', 'Draft'), ('open', 'Published'), ('closed', 'Closed')], default='draft', max_length=10)),
                    ('closes_at', models.DateTimeField(blank=True, null=True, verbose_name='closes at')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'web_consultation',
                },
            ),
            migrations.CreateModel(
                name='ImportBatch',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('filename', models.CharField(max_length=255)),
                    ('stored_path', models.CharField(max_length=500)),
                    ('report', models.JSONField(default=dict)),
                    ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                    ('comments', models.PositiveIntegerField(default=0)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='imports', to='consultations.consultation')),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'web_importbatch',
                },
            ),
            migrations.CreateModel(
                name='Comment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('author', models.CharField(blank=True, max_length=120)),
                    ('email', models.EmailField(blank=True, max_length=254)),
                    ('text', models.TextField(blank=True)),
                    ('fields', models.JSONField(blank=True, null=True)),
                    ('remark', models.TextField(blank=True)),
                    ('choices', models.JSONField(blank=True, null=True)),
                    ('consent', models.BooleanField(default=False)),
                    ('state', models.CharField(choices=[('pending', 'awaiting moderation'), ('approved', 'approved'), ('rejected', 'rejected'), ('spam', 'spam'), ('withdrawn', 'withdrawn by the participant')], db_index=True, default='pending', max_length=10)),
                    ('reason', models.CharField(blank=True, max_length=300)),
                    ('moderated_at', models.DateTimeField(blank=True, null=True)),
                    ('source', models.CharField(default='form', max_length=10)),
                    ('source_status', models.CharField(blank=True, max_length=10)),
                    ('posted_at', models.CharField(blank=True, max_length=40)),
                    ('source_id', models.CharField(blank=True, max_length=100)),
                    ('edit_token_sha256', models.CharField(blank=True, db_index=True, max_length=64)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('moderated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='consultations.comment')),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='consultations.consultation')),
                    ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='consultations.importbatch')),
                ],
                options={
                    'db_table': 'web_comment',
                    'ordering': ['id'],
                },
            ),
            migrations.CreateModel(
                name='Invitation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('token_sha256', models.CharField(max_length=64, unique=True)),
                    ('role', models.CharField(choices=[('organiser', 'organiser'), ('moderator', 'moderator')], default='moderator', max_length=10)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('used_at', models.DateTimeField(blank=True, null=True)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='consultations.consultation')),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('used_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'web_invitation',
                },
            ),
            migrations.CreateModel(
                name='Membership',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('role', models.CharField(choices=[('organiser', 'organiser'), ('moderator', 'moderator')], max_length=10)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='consultations.consultation')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'web_membership',
                    'constraints': [models.UniqueConstraint(fields=('consultation', 'user'), name='membership_unique')],
                },
            ),
            migrations.CreateModel(
                name='Question',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('number', models.PositiveIntegerField()),
                    ('text', models.TextField(verbose_name='question')),
                    ('kind', models.CharField(choices=[('yesno', 'yes/no'), ('open', 'open'), ('scale', 'scale 1–5'), ('choice', 'multiple choice')], default='yesno', max_length=8, verbose_name='kind')),
                    ('options', models.JSONField(blank=True, null=True)),
                    ('context', models.TextField(blank=True, null=True)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='consultations.consultation')),
                ],
                options={
                    'db_table': 'web_question',
                    'ordering': ['number'],
                    'constraints': [models.UniqueConstraint(fields=('consultation', 'number'), name='question_number_unique')],
                },
            ),
        ], database_operations=[]),
        migrations.RunPython(content_types_to_consultations, content_types_to_web),
    ]
