import pytest
from django.db import DatabaseError, connection, models, transaction

from chizai.cli import main as cli_main
from chizai.core import audit, audit_marks, services
from chizai.core.audit_triggers import drop_triggers
from chizai.core.models import AuditChainHead, AuditEvent


@pytest.fixture
def chain(org, owner):
    for i in range(5):
        audit.record(
            owner,
            org,
            "test.event",
            object_type="x",
            object_id=i,
            summary=f"event {i}",
            changes={"n": i, "日本語": "値"},
        )
    return list(AuditEvent.objects.filter(chain=audit.chain_name(org)).order_by("seq"))


def _cli(*args) -> int:
    with pytest.raises(SystemExit) as exc:
        cli_main(list(args))
    return exc.value.code


def test_chain_links_and_verifies(chain, org, capsys):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))
    result = audit.verify(org)
    assert result.ok and result.checked == 5
    assert _cli("audit", "verify", "--org", org.slug) == 0
    assert "5 events" in capsys.readouterr().out


def test_each_organisation_has_its_own_chain(chain, org, other_org, owner):
    event = audit.record(owner, other_org, "test.event")
    assert event.seq == 1 and event.prev_hash == audit.GENESIS
    assert audit.verify().ok


def test_model_refuses_update_and_delete(chain):
    event = chain[0]
    event.summary = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET summary = 'forged'",
        "DELETE FROM core_auditevent",
    ],
)
def test_database_triggers_refuse_tampering(chain, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(summary="forged").count() == 0


def test_queryset_update_is_refused_by_trigger(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[0].pk).update(summary="forged")


def test_altered_row_is_detected(chain, org, capsys):
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["nothing happened", chain[2].pk])
    result = audit.verify(org)
    assert not result.ok
    assert result.broken_seq == 3 and result.broken_event_id == chain[2].pk
    assert "altered" in result.problem
    assert _cli("audit", "verify", "--org", org.slug) == 1
    assert "seq 3" in capsys.readouterr().out


def test_deleted_row_is_detected(chain, org):
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [chain[1].pk])
    result = audit.verify(org)
    assert not result.ok and result.broken_seq == 3
    assert "missing" in result.problem


def test_inserted_row_is_detected(chain, org, owner):
    drop_triggers(connection)
    with connection.cursor() as cursor:
        for event in reversed(chain[2:]):  # make room at seq 3, top down so (chain, seq) stays unique
            cursor.execute("UPDATE core_auditevent SET seq = seq + 1 WHERE id = %s", [event.pk])
    forged = AuditEvent(
        chain=chain[0].chain,
        seq=3,
        created_at=chain[2].created_at,
        organization_id=org.pk,
        action="forged",
        prev_hash=chain[1].hash,
    )
    forged.hash = audit.compute_hash(forged)
    AuditEvent.objects.bulk_create([forged])
    result = audit.verify(org)
    assert not result.ok
    assert result.broken_seq == 4  # the forged link is self-consistent; the next one no longer fits


def test_appended_row_is_detected(chain, org):
    forged = AuditEvent(
        chain=chain[0].chain,
        seq=6,
        created_at=chain[4].created_at,
        organization_id=org.pk,
        action="forged",
        prev_hash=chain[4].hash,
    )
    forged.hash = audit.compute_hash(forged)
    AuditEvent.objects.bulk_create([forged])
    result = audit.verify(org)
    assert not result.ok and "appended outside chizai" in result.problem


def test_cut_off_newest_events_is_detected(chain, org):
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id IN (%s, %s)", [chain[3].pk, chain[4].pk])
    result = audit.verify(org)
    assert not result.ok
    assert "newest events were removed" in result.problem


def test_rewound_checkpoint_without_key_is_detected(chain, org):
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [chain[4].pk])
    AuditChainHead.objects.filter(chain=chain[0].chain).update(seq=4, hash=chain[3].hash)
    result = audit.verify(org)
    assert not result.ok and "MAC" in result.problem


def test_a_rewound_checkpoint_is_not_laundered_by_the_next_append(chain, org, owner):
    """Rewind the row without the key, then let chizai append: the MAC must stay wrong."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [chain[4].pk])
    AuditChainHead.objects.filter(chain=chain[0].chain).update(seq=4, hash=chain[3].hash)
    audit.record(owner, org, "test.after")
    audit.record(owner, org, "test.after")
    result = audit.verify(org)
    assert not result.ok and "MAC" in result.problem


def test_a_rewound_registry_is_not_laundered_by_the_next_chain(chain, org, other_org, owner):
    _delete_chain(audit.chain_name(other_org))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_organization WHERE id = %s", [other_org.pk])
    AuditChainHead.objects.filter(chain=audit.REGISTRY).update(seq=models.F("seq") - 1)
    services.create_organization(owner, slug="later", name_ja="後続工業")
    result = audit.verify()
    assert not result.ok and result.broken_chain == audit.REGISTRY


def test_a_rotated_secret_key_keeps_chains_verifiable_with_the_old_key_listed(chain, org, owner, settings):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    assert not audit.verify(org).ok  # without the old key nothing sealed under it is genuine
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert audit.verify().ok
    audit.record(owner, org, "test.after")  # re-sealed under the new key
    head = AuditChainHead.objects.get(chain=audit.chain_name(org))
    assert head.mac == audit.head_mac(head.chain, head.position, head.seq, head.hash)
    assert audit.verify(org).ok


def test_unknown_org_in_cli(db, capsys):
    assert _cli("audit", "verify", "--org", "nope") == 2
    assert "No organisation" in capsys.readouterr().err


# --- chains that must exist, and checkpoints that cannot be rolled back (issue 11 R2) -------


def _delete_chain(chain_name_: str) -> None:
    """What an attacker with database write access does to make a chain vanish."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE chain = %s", [chain_name_])
        cursor.execute("DELETE FROM core_auditchainhead WHERE chain = %s", [chain_name_])


def test_an_organisation_has_its_chain_from_creation(org):
    head = AuditChainHead.objects.get(chain=audit.chain_name(org))
    assert head.seq == 0 and head.position >= 1
    result = audit.verify(org)
    assert result.ok and result.checked == 0


def test_deleting_an_organisations_whole_chain_is_detected(chain, org, other_org, owner, capsys):
    audit.record(owner, other_org, "test.event")
    _delete_chain(audit.chain_name(org))
    for result in (audit.verify(org), audit.verify()):
        assert not result.ok
        assert result.broken_chain == audit.chain_name(org) and org.slug in result.problem
    assert _cli("audit", "verify", "--org", org.slug) == 1
    assert _cli("audit", "verify") == 1
    assert org.slug in capsys.readouterr().out


def test_deleting_an_organisation_with_its_chain_leaves_a_gap_in_the_registry(chain, org, other_org, owner):
    audit.record(owner, other_org, "test.event")
    _delete_chain(audit.chain_name(other_org))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_organization WHERE id = %s", [other_org.pk])
    result = audit.verify()
    assert not result.ok and "missing" in result.problem and "whole chain" in result.problem
    assert audit.verify(org).ok  # the untouched organisation's own chain is still intact


def test_deleting_the_global_chain_is_detected(client, chain):
    client.post("/login/", {"username": "ghost", "password": "nope"})
    assert AuditEvent.objects.filter(chain="global").exists()
    assert audit.verify().ok
    _delete_chain("global")
    result = audit.verify()
    assert not result.ok and "missing" in result.problem


def test_deleting_the_registry_is_detected(chain):
    _delete_chain(audit.REGISTRY)
    result = audit.verify()
    assert not result.ok and result.broken_chain == audit.REGISTRY


def test_a_checkpoint_without_a_registered_position_is_detected(chain, org):
    AuditChainHead.objects.filter(chain=audit.chain_name(org)).update(position=None)
    assert not audit.verify().ok


def _snapshot(chain_name_: str) -> dict:
    return AuditChainHead.objects.filter(chain=chain_name_).values("seq", "hash", "mac").get()


def test_rolled_back_checkpoint_is_detected(org, owner, django_capture_on_commit_callbacks, capsys):
    """Cut the newest events and write back an older, genuine checkpoint: no secret key needed."""
    name = audit.chain_name(org)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            audit.record(owner, org, "test.event", object_id=i)
    older = _snapshot(name)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3, 5):
            audit.record(owner, org, "test.event", object_id=i)
    intact = audit.verify(org)
    assert intact.ok and intact.marks == 1 and "against 1 high-water mark" in intact.describe()
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE chain = %s AND seq > 3", [name])
    AuditChainHead.objects.filter(chain=name).update(**older)
    for result in (audit.verify(org), audit.verify()):
        assert not result.ok
        assert "rolled back" in result.problem and result.broken_seq == 4
    assert _cli("audit", "verify", "--org", org.slug) == 1
    assert "rolled back" in capsys.readouterr().out


def test_rolled_back_registry_after_deleting_the_newest_organisation_is_detected(
    org, owner, django_capture_on_commit_callbacks
):
    older_registry = _snapshot(audit.REGISTRY)
    with django_capture_on_commit_callbacks(execute=True):
        newest = services.create_organization(owner, slug="newest", name_ja="最新工業")
    assert audit.verify().ok
    _delete_chain(audit.chain_name(newest))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_membership WHERE organization_id = %s", [newest.pk])
        cursor.execute("DELETE FROM core_organization WHERE id = %s", [newest.pk])
    AuditChainHead.objects.filter(chain=audit.REGISTRY).update(**older_registry)
    result = audit.verify()
    assert not result.ok and "rolled back" in result.problem


def test_a_rewritten_chain_under_the_marked_seq_is_detected(org, owner, django_capture_on_commit_callbacks):
    """The mark keeps the hash too: the event at the marked seq must be the one recorded."""
    name = audit.chain_name(org)
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(owner, org, "test.event", summary="the truth")
    registry_id = AuditChainHead.objects.get(chain=audit.REGISTRY).hash
    # as if this server had recorded another event as seq 1
    (audit_marks.folder(registry_id) / name.replace(":", "_")).write_text(f"{name} 1 {'f' * 64}\n")
    result = audit.verify(org)
    assert not result.ok and "rewritten" in result.problem


def test_marks_only_rise_and_stay_inside_chizai_home(settings, tmp_path):
    settings.CHIZAI_HOME = tmp_path
    registry_id = "a" * 64
    audit_marks.raise_mark(registry_id, "org:1", 5, "b" * 64)
    audit_marks.raise_mark(registry_id, "org:1", 3, "c" * 64)
    assert audit_marks.read_marks(registry_id) == {"org:1": audit_marks.Mark(5, "b" * 64)}
    audit_marks.raise_mark("../../etc", "org:1", 9, "d" * 64)
    assert audit_marks.read_marks("../../etc") == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit-marks"]


def test_migration_registers_existing_chains_and_keeps_tampered_checkpoints_broken(chain, org, other_org, owner):
    """Heads from before the registry: genuine ones are re-sealed, a tampered one stays reported."""
    import importlib
    import hashlib
    import hmac

    from django.apps import apps as django_apps
    from django.conf import settings as django_settings

    audit.record(owner, other_org, "test.event")
    AuditChainHead.objects.filter(chain=audit.REGISTRY).delete()
    for head in AuditChainHead.objects.all():
        old_mac = hmac.new(
            django_settings.SECRET_KEY.encode(), f"{head.chain}|{head.seq}|{head.hash}".encode(), hashlib.sha256
        ).hexdigest()
        AuditChainHead.objects.filter(pk=head.pk).update(position=None, mac=old_mac)
    AuditChainHead.objects.filter(chain=audit.chain_name(other_org)).update(mac="0" * 64)  # tampered before the upgrade
    migration = importlib.import_module("chizai.core.migrations.0003_audit_chain_registry")
    migration.register_chains(django_apps, None)
    assert audit.verify(org).ok
    result = audit.verify()
    assert not result.ok and result.broken_chain == audit.chain_name(other_org) and "MAC" in result.problem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_chains_and_registry_whole():
    import threading

    from chizai.core.tests.factories import UserFactory

    actor = UserFactory(username="concurrent")
    errors = []

    def work(n):
        try:
            org = services.create_organization(actor, slug=f"par-{n}", name_ja=f"並行{n}")
            for i in range(5):
                audit.record(actor, org, "test.event", object_id=i)
                audit.record(None, None, "test.global", object_id=f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = audit.verify()
    assert result.ok, result.describe()
    positions = sorted(AuditChainHead.objects.exclude(chain=audit.REGISTRY).values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))
