"""Rate limits for public POSTs (citizen reports, ratings, reopenings): a fixed-window
counter per client address and per phone number, kept in Django's cache.

- A window is `seconds` long and starts at a multiple of `seconds` (Unix time); the first
  request of a window creates its counter with `cache.add` (a no-op if another request got
  there first) and every request counts itself with `cache.incr`. On Redis and Memcached
  both are atomic across processes. On the default LocMemCache they are atomic only inside
  one process: with several workers each keeps its own count, so the real limit becomes
  workers × limit. Production with more than one worker sets CHENGGUAN_CACHE_URL
  (redis://…) so all workers share Redis; DummyCache switches the limits off.
- Limits are "count/seconds" strings in settings: CHENGGUAN["RATE_LIMIT_PER_IP"] and
  CHENGGUAN["RATE_LIMIT_PER_PHONE"].
- The per-phone key is the blind index of the normalised number (core.personal), never the
  number itself: cache servers are often shared and unencrypted, and must learn no phone.
- A refusal is a DomainError with status 429 whose message says when to try again; the
  edge adds a Retry-After header from `retry_after`.

The client's address is REMOTE_ADDR. Behind a load balancer or reverse proxy that address is
the proxy's, and the client's is in X-Forwarded-For; but anyone can send that header, so it
is read only when REMOTE_ADDR is one of CHENGGUAN["TRUSTED_PROXIES"] (addresses or networks,
default none). Otherwise a bot would pick a fresh "address" for every request and never be
limited. An IPv6 client is counted by its /64 network, which one household usually holds
whole, so stepping through its addresses does not step around the limit.
"""

import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.personal import phone_index, phone_normalise

KEY_PREFIX = "ratelimit"
IPV6_PREFIX = 64


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'20/3600' → 20 requests per 3,600 seconds; a bad setting stops with its name."""
        count, _sep, seconds = (text or "").partition("/")
        try:
            rate = cls(int(count), int(seconds))
        except ValueError:
            rate = None
        if rate is None or rate.count < 1 or rate.seconds < 1:
            raise ImproperlyConfigured(f"rate limit must be 'count/seconds', got {text!r}")
        return rate


class RateLimited(DomainError):
    """Too many requests in the window; `retry_after` is how many seconds until it ends."""

    status_code = 429

    def __init__(self, *, retry_after: int, retry_at: datetime) -> None:
        self.retry_after = retry_after
        super().__init__(
            gettext_noop("提交过于频繁，请于 %(time)s 之后再试（约 %(minutes)s 分钟后）"),
            time=timezone.localtime(retry_at).strftime("%H:%M"),
            minutes=max(1, math.ceil(retry_after / 60)),
        )


def rate_hit(bucket: str, rate: Rate, *, now: float | None = None) -> int:
    """Count one request in `bucket` for the current window and return the count; raise
    RateLimited when it is over the rate."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    ends = (window + 1) * rate.seconds
    key = f"{KEY_PREFIX}:{bucket}:{rate.seconds}:{window}"
    timeout = math.ceil(ends - now) + 1  # the counter lives as long as its window
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request starts the count again
        cache.set(key, 1, timeout=timeout)
        count = 1
    if count > rate.count:
        raise RateLimited(
            retry_after=math.ceil(ends - now), retry_at=datetime.fromtimestamp(ends, tz=UTC)
        )
    return count


def _networks(values) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(v, strict=False) for v in values]
    except ValueError as error:
        raise ImproperlyConfigured(f"CHENGGUAN['TRUSTED_PROXIES']: {error}") from None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address to count a request against (see the module docstring for why)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _networks(settings.CHENGGUAN.get("TRUSTED_PROXIES", ()))
    address = _address(remote)
    if address is None or not any(address in net for net in trusted):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    # Each proxy appends the address it received from: read from the right, skip our own
    # proxies, and stop at the first address we do not run. What lies left of it is
    # whatever the client chose to send.
    client = address
    for hop in reversed(hops):
        parsed = _address(hop)
        if parsed is None:
            break  # a malformed hop: keep the last address a trusted proxy vouched for
        client = parsed
        if not any(parsed in net for net in trusted):
            break
    return str(client)


def _ip_bucket(ip: str) -> str:
    address = _address(ip)
    if address is None:
        return "ip:unknown"
    if address.version == 6:
        return f"ip:{ipaddress.ip_network(f'{address}/{IPV6_PREFIX}', strict=False)}"
    return f"ip:{address}"


def limit_ip(request, *, now: float | None = None) -> None:
    """Count a public POST against its client address."""
    rate_hit(
        _ip_bucket(client_ip(request)),
        Rate.parse(settings.CHENGGUAN["RATE_LIMIT_PER_IP"]),
        now=now,
    )


def limit_phone_index(index: str, *, now: float | None = None) -> None:
    """Count a public POST against a phone, given its blind index (as stored on a reporter)."""
    rate_hit(f"phone:{index}", Rate.parse(settings.CHENGGUAN["RATE_LIMIT_PER_PHONE"]), now=now)


def limit_phone(phone: str, *, now: float | None = None) -> None:
    """Count a public POST against a phone number as typed (normalised first, so
    "+86 138-…" and "138…" are one phone)."""
    limit_phone_index(phone_index(phone_normalise(phone)), now=now)
