"""Send the queued callbacks to the partners (run by `manage.py tick`), until each is
acknowledged: a 2xx answer with `{"code": 0}`. A failed attempt waits 30 s, 1, 2, 4 …
minutes (at most an hour) before the next; nothing is given up.

Two ticks never send one callback at once: a sender claims a callback under
`SELECT … FOR UPDATE SKIP LOCKED` and moves it a lease into the future before it lets the
lock go, so no row lock is held while waiting for the partner; a sender that dies mid-way
leaves the callback due again when the lease runs out. A work order's callbacks go out in
the order they were queued (a later one waits while an earlier one is unacknowledged), and
the first failure towards a partner ends that partner's turn in this tick, so a partner
that is down costs one time-out per tick, not one per callback.
"""

import http.client
import random
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from chengguan.intake.domain import (
    PARTNERS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    body_bytes,
    is_acknowledgement,
    retry_delay,
    signature,
)
from chengguan.intake.models import Callback
from chengguan.intake.services import Partner, callback_settle, partner_config

TIMEOUT_SECONDS = 5
# Longer than one attempt can take, so a live sender always settles before the lease ends.
LEASE = timedelta(seconds=60)
MAX_ANSWER_BYTES = 64 * 1024


def _opener() -> urllib.request.OpenerDirector:
    """HTTP and HTTPS only (never file: or ftp:), proxies from the environment, and no
    redirects: a 3xx is an answer that is not an acknowledgement."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


@transaction.atomic
def _claim(partner: str, now: datetime) -> Callback | None:
    earlier_waiting = Callback.objects.filter(
        work_order=OuterRef("work_order"),
        acknowledged_at__isnull=True,
        created_at__lt=OuterRef("created_at"),
    )
    callback = (
        Callback.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            work_order__partner=partner,
            acknowledged_at__isnull=True,
            next_attempt_at__lte=now,
        )
        .exclude(Exists(earlier_waiting))
        .order_by("next_attempt_at", "created_at")
        .first()
    )
    if callback is not None:
        callback.next_attempt_at = now + LEASE
        callback.save(update_fields=["next_attempt_at"])
    return callback


def _post(partner: Partner, callback: Callback) -> tuple[int | None, bytes, str]:
    """One signed POST; the HTTP status and answer, or the network error in words."""
    body = body_bytes(callback.body)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        partner.callback_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(partner.secret, timestamp, body),
            "X-Chengguan-Event": callback.event,
            "X-Chengguan-Delivery": str(callback.pk),
        },
    )
    try:
        with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(MAX_ANSWER_BYTES), ""
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code, answer.read(MAX_ANSWER_BYTES), ""
    except (OSError, http.client.HTTPException) as error:  # refused, time-out, TLS, garbage
        return None, b"", f"{type(error).__name__}: {error}"


def _deliver(partner: Partner, callback: Callback, now: datetime) -> bool:
    status, answer, error = _post(partner, callback)
    acknowledged = status is not None and is_acknowledgement(status, answer)
    if not acknowledged and not error:
        error = f"HTTP {status}: {answer[:500].decode('utf-8', 'replace')}"
    delay = retry_delay(callback.attempts + 1, jitter=random.random())
    callback_settle(
        callback_id=callback.pk,
        at=now,
        acknowledged=acknowledged,
        status=status,
        error="" if acknowledged else error,
        retry_at=now + timedelta(seconds=delay),
    )
    return acknowledged


def callbacks_send(*, now: datetime | None = None, batch: int = 100) -> dict[str, int]:
    """Send what is due, at most `batch` per partner; partners without a callback URL (or
    switched off) keep their callbacks queued."""
    now = now or timezone.now()
    counts = {"callbacks_sent": 0, "callbacks_acknowledged": 0, "callbacks_failed": 0}
    for code in PARTNERS:
        partner = partner_config(code)
        if not (partner.enabled and partner.callback_url):
            continue
        for _ in range(batch):
            callback = _claim(code, now)
            if callback is None:
                break
            counts["callbacks_sent"] += 1
            if _deliver(partner, callback, now):
                counts["callbacks_acknowledged"] += 1
            else:
                counts["callbacks_failed"] += 1
                break
    return counts
