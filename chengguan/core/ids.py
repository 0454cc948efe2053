"""UUIDv7 primary keys (RFC 9562), generated in Python.

Time-ordered keys keep B-tree inserts local (fast on PostgreSQL at hundreds of millions of
rows) and let any app server mint ids without a database round trip. Python 3.14 has
`uuid.uuid7`; until 3.12 is dropped we carry our own, monotonic within a process.
"""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_last_rand = 0
_RAND_BITS = 74  # 12 bits rand_a + 62 bits rand_b
_RAND_MASK = (1 << _RAND_BITS) - 1


def uuid7() -> uuid.UUID:
    """Return a new UUIDv7: 48-bit Unix milliseconds, then 74 random bits.

    Within one millisecond the random part is incremented instead of redrawn (RFC 9562
    §6.2 method 2), so ids minted by one process sort in creation order.
    """
    global _last_ms, _last_rand
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            rand = (_last_rand + 1) & _RAND_MASK
            if rand == 0:  # counter overflow: move to the next millisecond
                ms += 1
                rand = int.from_bytes(os.urandom(10)) & _RAND_MASK
        else:
            rand = int.from_bytes(os.urandom(10)) & _RAND_MASK
        _last_ms, _last_rand = ms, rand
    rand_a = rand >> 62
    rand_b = rand & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


def uuid7_time_ms(value: uuid.UUID) -> int:
    """The Unix millisecond timestamp carried by a UUIDv7."""
    return value.int >> 80
