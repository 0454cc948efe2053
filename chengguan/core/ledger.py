"""The hash chain behind the ledger, as pure functions over plain values.

Each entry's payload is canonical JSON (sorted keys, no spaces, UTF-8) holding the entry's
own fields and the previous entry's hash; its hash is SHA-256 of that text. Changing,
removing, inserting or reordering any entry breaks a link that `verify_chain` names.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

GENESIS_HASH = "0" * 64


def _plain(value: object) -> object:
    """Turn the values services put in ledger data into JSON-native ones, deterministically."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    raise TypeError(f"ledger data cannot hold {type(value).__name__}")


def canonical_json(obj: object) -> str:
    """One text per value: the same data always hashes the same, on any machine."""
    return json.dumps(
        obj,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_plain,
        allow_nan=False,
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_payload(
    *,
    seq: int,
    created_at: datetime,
    kind: str,
    subject_type: str,
    subject_id: str,
    actor_id: str,
    actor_name: str,
    data: Mapping[str, object],
    prev_hash: str,
) -> str:
    return canonical_json(
        {
            "seq": seq,
            "at": created_at.isoformat(),
            "kind": kind,
            "subject": [subject_type, subject_id],
            "actor": [actor_id, actor_name],
            "data": data,
            "prev": prev_hash,
        }
    )


@dataclass(frozen=True, slots=True)
class ChainRow:
    """The stored columns verification needs."""

    seq: int
    kind: str
    subject_type: str
    subject_id: str
    actor_id: str
    payload: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    reason: str


def check_row(row: ChainRow, *, expected_seq: int, expected_prev: str) -> str | None:
    """Why this row does not continue the chain, or None when it does."""
    if row.seq != expected_seq:
        if row.seq > expected_seq:
            return f"记录缺失：应为第 {expected_seq} 条，实为第 {row.seq} 条（有记录被删除）"
        return f"序号错乱：第 {row.seq} 条出现在第 {expected_seq} 条的位置"
    if sha256_hex(row.payload) != row.hash:
        return "内容与哈希不符（记录被修改）"
    try:
        body = json.loads(row.payload)
    except ValueError:
        return "内容不是有效的 JSON（记录被修改）"
    if body.get("seq") != row.seq or body.get("prev") != row.prev_hash:
        return "记录内的序号或前序哈希与字段不符（记录被修改）"
    if [body.get("kind"), body.get("subject"), body.get("actor", [None])[0]] != [
        row.kind,
        [row.subject_type, row.subject_id],
        row.actor_id,
    ]:
        return "字段与已签名内容不符（记录被修改）"
    if row.prev_hash != expected_prev:
        return "前序哈希不连续（记录被插入、删除或调换顺序）"
    return None


def verify_chain(
    rows: Iterable[ChainRow], *, head_seq: int, head_hash: str
) -> tuple[int, ChainProblem | None]:
    """Walk the rows in seq order; return how many were checked and the first problem."""
    expected_seq, prev, checked = 1, GENESIS_HASH, 0
    for row in rows:
        reason = check_row(row, expected_seq=expected_seq, expected_prev=prev)
        if reason:
            # A gap is reported at the first missing number, anything else at the row itself.
            return checked, ChainProblem(seq=min(row.seq, expected_seq), reason=reason)
        checked += 1
        expected_seq, prev = row.seq + 1, row.hash
    if checked != head_seq or prev != head_hash:
        if checked > head_seq:
            return checked, ChainProblem(
                seq=head_seq + 1, reason="链尾之后出现多余记录（记录被插入）"
            )
        return checked, ChainProblem(
            seq=checked + 1, reason=f"链尾记录缺失：账本头指向第 {head_seq} 条（记录被删除）"
        )
    return checked, None
