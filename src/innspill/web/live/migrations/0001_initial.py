import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

LIVE_MODELS = ["livesession", "livestatement", "participant", "vote", "audienceidea", "ideaupvote"]


def content_types_to_live(apps, schema_editor):
    """The moved models' content types (and so their permissions) follow them to ``live``."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="live").values_list("model", flat=True))
    ContentType.objects.filter(app_label="web", model__in=[m for m in LIVE_MODELS if m not in taken]).update(
        app_label="live")


def content_types_to_web(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="web").values_list("model", flat=True))
    ContentType.objects.filter(app_label="live", model__in=[m for m in LIVE_MODELS if m not in taken]).update(
        app_label="web")


class Migration(migrations.Migration):
    """The live debate's tables, taken over from the ``web`` app (its migrations 0002, 0004 created
    them; 0008 let go of them) in Django's migration state only: same tables (``db_table``), same
    rows, nothing done to the database but the content types' app label."""

    initial = True

    dependencies = [
        ('web', '0008_live_to_own_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='LiveSession',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.CharField(max_length=12, unique=True)),
                    ('title', models.CharField(max_length=200)),
                    ('state', models.CharField(choices=[('draft', 'not started'), ('live', 'live'), ('ended', 'ended')], default='draft', max_length=8)),
                    ('language', models.CharField(choices=[('nb', 'Bokmål'), ('en', 'English')], default='nb', max_length=4)),
                    ('include_straight_liners', models.BooleanField(default=True)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('started_at', models.DateTimeField(blank=True, null=True)),
                    ('ended_at', models.DateTimeField(blank=True, null=True)),
                    ('refused_joins', models.PositiveIntegerField(default=0)),
                    ('refused_votes', models.PositiveIntegerField(default=0)),
                    ('refused_ideas', models.PositiveIntegerField(default=0)),
                    ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='live_sessions', to='web.consultation')),
                    ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'web_livesession',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='LiveStatement',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('question', 'question (yes / no / unsure)'), ('statement', 'statement (agree / disagree / pass)')], default='statement', max_length=10)),
                    ('text', models.TextField()),
                    ('source', models.CharField(choices=[('question', 'question'), ('brief', 'brief'), ('presenter', 'presenter'), ('audience', 'audience')], default='presenter', max_length=10)),
                    ('question_id', models.CharField(blank=True, max_length=20)),
                    ('question_number', models.PositiveIntegerField(blank=True, null=True)),
                    ('comment_id', models.CharField(blank=True, max_length=40)),
                    ('position', models.PositiveIntegerField(default=0)),
                    ('hidden', models.BooleanField(default=False)),
                    ('revealed', models.BooleanField(default=False)),
                    ('locked', models.BooleanField(default=False)),
                    ('shown_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='live.livesession')),
                ],
                options={
                    'db_table': 'web_livestatement',
                    'ordering': ['position', 'id'],
                },
            ),
            migrations.AddField(
                model_name='livesession',
                name='current',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='live.livestatement'),
            ),
            migrations.CreateModel(
                name='AudienceIdea',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('text', models.CharField(max_length=200)),
                    ('state', models.CharField(choices=[('pending', 'awaiting moderation'), ('approved', 'approved'), ('rejected', 'rejected')], default='pending', max_length=10)),
                    ('moderated_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('moderated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ideas', to='live.livesession')),
                    ('promoted_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='live.livestatement')),
                ],
                options={
                    'db_table': 'web_audienceidea',
                    'ordering': ['created_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='Participant',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('number', models.PositiveIntegerField()),
                    ('token_sha256', models.CharField(max_length=64, unique=True)),
                    ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='live.livesession')),
                ],
                options={
                    'db_table': 'web_participant',
                    'ordering': ['number'],
                },
            ),
            migrations.CreateModel(
                name='IdeaUpvote',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('idea', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='upvotes', to='live.audienceidea')),
                    ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='live.participant')),
                ],
                options={
                    'db_table': 'web_ideaupvote',
                },
            ),
            migrations.AddField(
                model_name='audienceidea',
                name='participant',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ideas', to='live.participant'),
            ),
            migrations.CreateModel(
                name='Vote',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('value', models.SmallIntegerField(choices=[(1, 'agree'), (-1, 'disagree'), (0, 'pass')])),
                    ('at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('changes', models.PositiveIntegerField(default=0)),
                    ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='live.participant')),
                    ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='live.livestatement')),
                ],
                options={
                    'db_table': 'web_vote',
                },
            ),
            migrations.AddConstraint(
                model_name='participant',
                constraint=models.UniqueConstraint(fields=('session', 'number'), name='live_participant_number_unique'),
            ),
            migrations.AddConstraint(
                model_name='ideaupvote',
                constraint=models.UniqueConstraint(fields=('idea', 'participant'), name='live_upvote_unique'),
            ),
            migrations.AddConstraint(
                model_name='vote',
                constraint=models.UniqueConstraint(fields=('participant', 'statement'), name='live_vote_unique'),
            ),
        ], database_operations=[]),
        migrations.RunPython(content_types_to_live, content_types_to_web),
    ]
