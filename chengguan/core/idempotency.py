"""Idempotent creation: a client that retries with the same Idempotency-Key gets the first
answer again instead of a second record (a phone on a bad network, an integration's retry).

- same key, same request  → the stored status and body, nothing runs again;
- same key, other request → 422, the client has a bug;
- two at once with one key → the second waits for the first and gets its answer.
Keys are per endpoint and caller; a request without a key simply runs.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.models import IdempotencyKey

MAX_KEY_LENGTH = 200


class IdempotencyMismatch(DomainError):
    status_code = 422


def request_fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def run_once(
    *, scope: str, key: str | None, fingerprint: str, compute: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run `compute` (returning status and JSON-able body) at most once per (scope, key)."""
    if not key:
        return compute()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            gettext_noop("Idempotency-Key 过长（最多 %(n)s 个字符）"), n=MAX_KEY_LENGTH
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    scope=scope, key=key, request_hash=fingerprint
                )
        except IntegrityError:
            record = None
        if record is None:  # seen before (a concurrent first attempt has committed by now)
            earlier = IdempotencyKey.objects.get(scope=scope, key=key)
            if earlier.request_hash != fingerprint:
                raise IdempotencyMismatch(gettext_noop("该 Idempotency-Key 已用于内容不同的请求"))
            return earlier.status_code, earlier.response
        status, body = compute()
        record.status_code, record.response = status, body
        record.save(update_fields=["status_code", "response"])
        return status, body
