from django.db import migrations, models


class Migration(migrations.Migration):
    """Scale (1-5) and multiple-choice questions: the kinds, and a question's options."""

    dependencies = [
        ('web', '0006_comment_choices'),
    ]

    operations = [
        migrations.AddField(
            model_name='question',
            name='options',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='question',
            name='kind',
            field=models.CharField(choices=[('yesno', 'yes/no'), ('open', 'open'), ('scale', 'scale 1–5'),
                                            ('choice', 'multiple choice')], default='yesno', max_length=8,
                                   verbose_name='kind'),
        ),
    ]
