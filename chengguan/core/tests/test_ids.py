"""UUIDv7 keys: right version and variant, time-ordered, unique under load."""

import time
import uuid

from chengguan.core.ids import uuid7, uuid7_time_ms


def test_uuid7_has_version_7_and_rfc_variant():
    value = uuid7()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_uuid7_carries_the_current_time():
    now_ms = time.time_ns() // 1_000_000
    assert abs(uuid7_time_ms(uuid7()) - now_ms) < 1000


def test_ids_minted_in_a_row_sort_in_creation_order_and_never_repeat():
    ids = [uuid7() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
