"""The ledger on the database: appends in the change's transaction, and `ledger_verify`
catches rows altered, deleted, inserted or reordered behind the application's back."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from chengguan.core.ledger import build_payload, sha256_hex
from chengguan.core.models import LedgerEntry
from chengguan.core.services import ledger_append, ledger_verify
from chengguan.org.models import Region

pytestmark = pytest.mark.django_db


def append_some(n: int = 3) -> list[LedgerEntry]:
    region = Region.objects.get(code="410106")
    with transaction.atomic():
        return [ledger_append(kind="test.event", subject=region, data={"i": i}) for i in range(n)]


def run_verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("ledger_verify", stdout=out)
    return out.getvalue()


def raw(sql: str, params=()) -> None:
    """Tamper like a database administrator would: plain SQL, guard triggers removed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_ledgerentry DISABLE TRIGGER core_ledgerentry_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_ledgerentry_no_update")
        cursor.execute(sql, params)


def test_loading_the_demo_left_an_intact_chain():
    assert "账本完整" in run_verify()
    assert LedgerEntry.objects.filter(kind="region.loaded").exists()


def test_entries_chain_to_each_other():
    entries = append_some(3)
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].seq == entries[1].seq + 1
    assert sha256_hex(entries[2].payload) == entries[2].hash


def test_append_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        # pytest-django wraps the test in an atomic block: leave it to simulate autocommit.
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            ledger_append(kind="test.event", data={})
        finally:
            connection.in_atomic_block = saved


def test_a_rolled_back_change_leaves_no_entry():
    before = LedgerEntry.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        append_some(1)
        1 / 0  # noqa: B018
    assert LedgerEntry.objects.count() == before
    assert "账本完整" in run_verify()


def test_database_refuses_to_update_a_ledger_row():
    entry = append_some(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(kind="forged")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps DELETE for test flushes"
)
def test_postgresql_refuses_to_delete_a_ledger_row():
    entry = append_some(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_altered_row_is_named():
    entry = append_some(3)[1]
    raw(
        "UPDATE core_ledgerentry SET payload = REPLACE(payload, '\"i\":1', '\"i\":7') WHERE seq = %s",
        [entry.seq],
    )
    with pytest.raises(CommandError, match=f"#{entry.seq}"):
        run_verify()


def test_deleted_row_is_named():
    entry = append_some(3)[1]
    raw("DELETE FROM core_ledgerentry WHERE seq = %s", [entry.seq])
    with pytest.raises(CommandError, match=f"#{entry.seq}") as failure:
        run_verify()
    assert "删除" in str(failure.value)


def test_deleted_last_row_is_named():
    entry = append_some(2)[-1]
    raw("DELETE FROM core_ledgerentry WHERE seq = %s", [entry.seq])
    with pytest.raises(CommandError, match=f"#{entry.seq}"):
        run_verify()


def test_inserted_row_is_named():
    entries = append_some(2)
    last = entries[-1]
    from django.utils import timezone

    forged_seq = last.seq + 1
    payload = build_payload(
        seq=forged_seq,
        created_at=timezone.now(),
        kind="test.event",
        subject_type="",
        subject_id="",
        actor_id="",
        actor_name="",
        data={"forged": True},
        prev_hash=last.hash,
    )
    LedgerEntry.objects.create(
        seq=forged_seq,
        created_at=timezone.now(),
        kind="test.event",
        payload=payload,
        prev_hash=last.hash,
        hash=sha256_hex(payload),
    )
    with pytest.raises(CommandError, match=f"#{forged_seq}"):
        run_verify()


def test_reordered_rows_are_named():
    first, second = append_some(3)[:2]
    raw("UPDATE core_ledgerentry SET seq = -1 WHERE seq = %s", [first.seq])
    raw("UPDATE core_ledgerentry SET seq = %s WHERE seq = %s", [first.seq, second.seq])
    raw("UPDATE core_ledgerentry SET seq = %s WHERE seq = -1", [second.seq])
    report = ledger_verify()
    assert not report.ok and report.problem.seq == first.seq
