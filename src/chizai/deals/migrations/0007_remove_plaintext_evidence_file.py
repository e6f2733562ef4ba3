"""The plaintext evidence column goes once 0006 has sealed every file it named."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0006_seal_existing_evidence'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='contributionentry',
            name='evidence_file',
        ),
    ]
