"""Store existing user names normalised (NFKC, trimmed, case-folded), as new ones are.

Why: login and lockout now compare normalised names. A name is changed only when its
normalised form is free; when two accounts would collide ("Tanaka" and "tanaka") neither is
renamed — both keep their password and can still log in with their exact old spelling
(the login form tries it after the normalised one) — and the migration prints them so an
administrator can rename one. Nothing is merged or lost. Not reversible in detail (the old
spelling is not kept), so the reverse step does nothing.
"""
from django.db import migrations

from chizai.core.usernames import normalise


def normalise_existing(apps, schema_editor):
    User = apps.get_model("auth", "User")
    rows = list(User.objects.order_by("pk").values_list("pk", "username"))
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, username in rows:
        groups.setdefault(normalise(username), []).append((pk, username))
    for name, members in groups.items():
        if len(members) > 1:
            spelled = ", ".join(repr(username) for _pk, username in members)
            print(f"\n  user names {spelled} normalise to the same name {name!r}; left unchanged, rename one of them")
            continue
        pk, username = members[0]
        if username != name and 0 < len(name) <= 150:
            User.objects.filter(pk=pk).update(username=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_chain_registry"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(normalise_existing, migrations.RunPython.noop)]
