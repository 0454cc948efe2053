"""The hash chain as pure functions: every kind of tampering is named at the right entry."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chengguan.core.ledger import (
    GENESIS_HASH,
    ChainRow,
    build_payload,
    canonical_json,
    sha256_hex,
    verify_chain,
)


def make_chain(n: int) -> list[ChainRow]:
    rows, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        payload = build_payload(
            seq=seq,
            created_at=datetime(2026, 11, 27, 1, seq, tzinfo=UTC),
            kind="region.changed",
            subject_type="org.region",
            subject_id=f"id{seq}",
            actor_id="u1",
            actor_name="sysadmin",
            data={"name": f"街道{seq}", "population": seq * 1000},
            prev_hash=prev,
        )
        row = ChainRow(
            seq,
            "region.changed",
            "org.region",
            f"id{seq}",
            "u1",
            payload,
            prev,
            sha256_hex(payload),
        )
        rows.append(row)
        prev = row.hash
    return rows


def verify(rows, head):
    return verify_chain(rows, head_seq=head.seq, head_hash=head.hash)


def test_intact_chain_verifies():
    rows = make_chain(5)
    checked, problem = verify(rows, rows[-1])
    assert (checked, problem) == (5, None)


def test_empty_ledger_verifies():
    assert verify_chain([], head_seq=0, head_hash=GENESIS_HASH) == (0, None)


def test_altered_payload_is_named():
    rows = make_chain(5)
    rows[2] = replace(rows[2], payload=rows[2].payload.replace("3000", "9000"))
    _, problem = verify(rows, rows[-1])
    assert problem.seq == 3 and "修改" in problem.reason


def test_altered_and_rehashed_entry_breaks_the_next_link():
    rows = make_chain(5)
    forged = rows[2].payload.replace("3000", "9000")
    rows[2] = replace(rows[2], payload=forged, hash=sha256_hex(forged))
    _, problem = verify(rows, rows[-1])
    assert problem.seq == 4


def test_altered_column_outside_payload_is_caught():
    rows = make_chain(3)
    rows[1] = replace(rows[1], subject_id="someone-else")
    _, problem = verify(rows, rows[-1])
    assert problem.seq == 2


def test_deleted_entry_is_named():
    rows = make_chain(5)
    head = rows[-1]
    del rows[1]
    _, problem = verify(rows, head)
    assert problem.seq in (2, 3) and "删除" in problem.reason


def test_deleted_last_entry_is_caught_by_the_head():
    rows = make_chain(5)
    head = rows[-1]
    _, problem = verify(rows[:-1], head)
    assert problem.seq == 5


def test_inserted_entry_is_caught():
    rows = make_chain(5)
    extra = make_chain(6)[-1]
    _, problem = verify([*rows, extra], rows[-1])
    assert problem is not None and problem.seq == 6


def test_reordered_entries_are_caught():
    rows = make_chain(5)
    rows[1], rows[2] = rows[2], rows[1]
    _, problem = verify(rows, rows[-1])
    assert problem is not None and problem.seq in (2, 3)


def test_canonical_json_is_key_order_independent_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "郑州"}) == canonical_json({"a": "郑州", "b": 1})
    assert canonical_json({"a": "郑州"}) == '{"a":"郑州"}'


def test_canonical_json_refuses_values_it_cannot_reproduce():
    with pytest.raises(TypeError):
        canonical_json({"x": object()})
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
