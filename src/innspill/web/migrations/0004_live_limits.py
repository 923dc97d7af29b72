"""Live sessions: counts of what the per-address limits refused; when a statement was first shown
(votes are taken only on statements that are or were on the screen). Statements with votes, and
each session's current statement, count as shown."""

from django.db import migrations, models
from django.utils import timezone


def mark_shown(apps, schema_editor):
    LiveStatement = apps.get_model("web", "LiveStatement")
    LiveSession = apps.get_model("web", "LiveSession")
    now = timezone.now()
    LiveStatement.objects.filter(votes__isnull=False, shown_at__isnull=True).update(shown_at=now)
    current = LiveSession.objects.exclude(current=None).values_list("current_id", flat=True)
    LiveStatement.objects.filter(pk__in=list(current), shown_at__isnull=True).update(shown_at=now)


class Migration(migrations.Migration):
    dependencies = [("web", "0003_moderation")]

    operations = [
        migrations.AddField("livesession", "refused_joins", models.PositiveIntegerField(default=0)),
        migrations.AddField("livesession", "refused_votes", models.PositiveIntegerField(default=0)),
        migrations.AddField("livesession", "refused_ideas", models.PositiveIntegerField(default=0)),
        migrations.AddField("livestatement", "shown_at", models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(mark_shown, migrations.RunPython.noop),
    ]
