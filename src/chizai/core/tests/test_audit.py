import pytest
from django.db import DatabaseError, connection, transaction

from chizai.cli import main as cli_main
from chizai.core import audit
from chizai.core.audit_triggers import drop_triggers
from chizai.core.models import AuditChainHead, AuditEvent


@pytest.fixture
def chain(org, owner):
    for i in range(5):
        audit.record(owner, org, "test.event", object_type="x", object_id=i, summary=f"event {i}", changes={"n": i, "日本語": "値"})
    return list(AuditEvent.objects.filter(chain=audit.chain_name(org)).order_by("seq"))


def _cli(*args) -> int:
    with pytest.raises(SystemExit) as exc:
        cli_main(list(args))
    return exc.value.code


def test_chain_links_and_verifies(chain, org, capsys):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:]))
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


@pytest.mark.parametrize("sql", [
    "UPDATE core_auditevent SET summary = 'forged'",
    "DELETE FROM core_auditevent",
])
def test_database_triggers_refuse_tampering(chain, sql):
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
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
    forged = AuditEvent(chain=chain[0].chain, seq=3, created_at=chain[2].created_at, organization_id=org.pk,
                        action="forged", prev_hash=chain[1].hash)
    forged.hash = audit.compute_hash(forged)
    AuditEvent.objects.bulk_create([forged])
    result = audit.verify(org)
    assert not result.ok
    assert result.broken_seq == 4  # the forged link is self-consistent; the next one no longer fits


def test_appended_row_is_detected(chain, org):
    forged = AuditEvent(chain=chain[0].chain, seq=6, created_at=chain[4].created_at, organization_id=org.pk,
                        action="forged", prev_hash=chain[4].hash)
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


def test_unknown_org_in_cli(db, capsys):
    assert _cli("audit", "verify", "--org", "nope") == 2
    assert "No organisation" in capsys.readouterr().err
