from django.db import migrations


def install(apps, schema_editor):
    from chizai.core.audit_triggers import install_triggers

    install_triggers(schema_editor.connection)


def drop(apps, schema_editor):
    from chizai.core.audit_triggers import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, drop)]
