"""Make the ledger append-only in the database too, and create the chain's head row.

PostgreSQL refuses UPDATE and DELETE on ledger rows; SQLite refuses UPDATE (SQLite's
table flush, used by the test runner, is a DELETE, so DELETE stays possible there and is
caught by `ledger_verify` instead). Someone with the database owner's rights can still drop
the triggers: the hash chain is what proves tampering in that case.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'ledger is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON core_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION core_ledger_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS core_ledgerentry_append_only ON core_ledgerentry;
DROP FUNCTION IF EXISTS core_ledger_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER core_ledgerentry_no_update BEFORE UPDATE ON core_ledgerentry
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: UPDATE refused'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS core_ledgerentry_no_update;"


def guard(apps, schema_editor):
    sql = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def unguard(apps, schema_editor):
    sql = {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def create_head(apps, schema_editor):
    apps.get_model("core", "LedgerHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(guard, unguard),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
