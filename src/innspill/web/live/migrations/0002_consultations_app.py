import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The live debate's sessions point at the consultations app's Consultation (moved out of the
    ``web`` app in Django's state only; same table, ``web_consultation``): nothing done to the
    database."""

    dependencies = [
        ('consultations', '0001_initial'),
        ('live', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='livesession',
                name='consultation',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='live_sessions', to='consultations.consultation'),
            ),
        ], database_operations=[]),
    ]
