"""Deleting an asset that guards an evidence file is refused ("still used by contribution
entries"); without a file, the entry only loses the link, as before. No database change."""
import chizai.deals.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0007_remove_plaintext_evidence_file'),
        ('register', '0004_chunk_classification'),
    ]

    operations = [
        migrations.AlterField(
            model_name='contributionentry',
            name='evidence_asset',
            field=models.ForeignKey(blank=True, null=True, on_delete=chizai.deals.models.keep_evidence_files_guarded, related_name='+', to='register.asset', verbose_name='evidence in the register'),
        ),
    ]
