import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The moderation tables point at the consultations app's Consultation and Comment (moved out of
    the ``web`` app in Django's state only; same tables): nothing done to the database."""

    dependencies = [
        ('consultations', '0001_initial'),
        ('moderation', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='commentsignals',
                name='comment',
                field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='signals', to='consultations.comment'),
            ),
            migrations.AlterField(
                model_name='moderationevent',
                name='comment',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='consultations.comment'),
            ),
            migrations.AlterField(
                model_name='moderationrule',
                name='consultation',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='consultations.consultation'),
            ),
        ], database_operations=[]),
    ]
