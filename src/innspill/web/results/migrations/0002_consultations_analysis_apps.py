import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The results' tables point at the consultations app's Consultation and Comment and the analysis
    app's AnalysisRun (moved out of the ``web`` app in Django's state only; same tables): nothing
    done to the database."""

    dependencies = [
        ('analysis', '0001_initial'),
        ('consultations', '0001_initial'),
        ('results', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='misreadingflag',
                name='comment',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='misreadings', to='consultations.comment'),
            ),
            migrations.AlterField(
                model_name='misreadingflag',
                name='run',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='analysis.analysisrun'),
            ),
            migrations.AlterField(
                model_name='resultspage',
                name='consultation',
                field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='results_page', to='consultations.consultation'),
            ),
        ], database_operations=[]),
    ]
