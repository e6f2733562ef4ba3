"""Number the audit chains (``AuditChainHead.position``) and add the registry row that counts them.

Existing checkpoints are re-sealed under the new MAC (chain, position, seq, hash) only when
their old MAC (chain, seq, hash) is genuine: a checkpoint that was already tampered with
keeps its old MAC, which no longer matches, so ``chizai audit verify`` still reports it.
Organisations without any audit event get their (empty) chain; one with events but no
checkpoint is left as it is, for verify to report. The MAC is computed here rather than
imported so that this migration means the same thing whatever ``chizai.core.audit`` becomes.
"""
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import migrations, models

REGISTRY = "audit:registry"
GENESIS = "0" * 64


def _mac(message: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def register_chains(apps, schema_editor):
    Head = apps.get_model("core", "AuditChainHead")
    Event = apps.get_model("core", "AuditEvent")
    Organization = apps.get_model("core", "Organization")
    if Head.objects.filter(chain=REGISTRY).exists() or not (Head.objects.exists() or Organization.objects.exists()):
        return
    position = 0
    for head in Head.objects.order_by("pk"):
        position += 1
        genuine = hmac.compare_digest(head.mac, _mac(f"{head.chain}|{head.seq}|{head.hash}"))
        head.position = position
        if genuine:
            head.mac = _mac(f"{head.chain}|{position}|{head.seq}|{head.hash}")
        head.save(update_fields=["position", "mac"])
    chains = set(Head.objects.values_list("chain", flat=True))
    for org_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        chain = f"org:{org_id}"
        if chain in chains or Event.objects.filter(chain=chain).exists():
            continue
        position += 1
        Head.objects.create(chain=chain, position=position, seq=0, hash=GENESIS,
                            mac=_mac(f"{chain}|{position}|0|{GENESIS}"))
    registry_id = secrets.token_hex(32)
    Head.objects.create(chain=REGISTRY, position=0, seq=position, hash=registry_id,
                        mac=_mac(f"{REGISTRY}|0|{position}|{registry_id}"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_triggers")]
    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="position",
            field=models.PositiveIntegerField(null=True, unique=True),
        ),
        migrations.RunPython(register_chains, migrations.RunPython.noop),
    ]
