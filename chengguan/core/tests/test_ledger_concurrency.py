"""Concurrent writers: the head-row lock keeps the chain linear (PostgreSQL, real commits)."""

import threading

import pytest
from django.db import connection, connections, transaction

from chengguan.core.models import LedgerEntry, LedgerHead
from chengguan.core.services import ledger_append, ledger_verify

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
)


@pytest.mark.django_db(transaction=True)
def test_parallel_appends_never_fork_the_chain():
    LedgerHead.objects.get_or_create(pk=1)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with transaction.atomic():
                    ledger_append(kind="test.parallel", data={"writer": n, "i": i})
        except BaseException as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert LedgerEntry.objects.filter(kind="test.parallel").count() == 80
    report = ledger_verify()
    assert report.ok and report.checked == LedgerEntry.objects.count()
