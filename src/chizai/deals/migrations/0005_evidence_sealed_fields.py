"""Ledger evidence gets the columns of a sealed file (``register.sealed``); the plaintext
FileField stays until 0006 has sealed what it names, and 0007 removes it."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0004_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='contributionentry',
            name='evidence_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='evidence file'),
        ),
        migrations.AddField(
            model_name='contributionentry',
            name='evidence_storage_name',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='contributionentry',
            name='evidence_content_type',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name='contributionentry',
            name='evidence_size',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='contributionentry',
            name='evidence_sha256',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='contributionentry',
            name='evidence_key_id',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name='contributionentry',
            name='evidence_wrapped_key',
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
