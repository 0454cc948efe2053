"""Rate limits of public POSTs: fixed windows in the cache, per address and per phone."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from chengguan.core.personal import phone_index
from chengguan.core.ratelimit import (
    KEY_PREFIX,
    Rate,
    RateLimited,
    client_ip,
    limit_ip,
    limit_phone,
    limit_phone_index,
    rate_hit,
)

T0 = 1_800_000_000.0  # a fixed clock, at the start of an hour window (divisible by 3600)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with no counters (the cache is shared by the whole process)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limits(settings):
    def set_limits(per_ip="3/60", per_phone="2/60", proxies=()):
        settings.CHENGGUAN = {
            **settings.CHENGGUAN,
            "RATE_LIMIT_PER_IP": per_ip,
            "RATE_LIMIT_PER_PHONE": per_phone,
            "TRUSTED_PROXIES": list(proxies),
        }

    set_limits()
    return set_limits


def request_from(remote="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/public/report/", **extra)


def test_the_settings_format_is_count_per_seconds():
    assert Rate.parse("20/3600") == Rate(20, 3600)
    for bad in ["", "20", "20/", "x/60", "0/60", "5/0", "-1/60"]:
        with pytest.raises(ImproperlyConfigured):
            Rate.parse(bad)


def test_the_request_over_the_limit_is_refused_with_when_to_retry():
    rate = Rate(3, 60)
    assert [rate_hit("b", rate, now=T0 + i) for i in range(3)] == [1, 2, 3]
    with pytest.raises(RateLimited) as refused:
        rate_hit("b", rate, now=T0 + 20)
    assert refused.value.status_code == 429
    assert refused.value.retry_after == 40  # the window ends at T0 + 60
    assert "请于" in str(refused.value) and "1 分钟" in str(refused.value)


def test_a_new_window_starts_the_count_again():
    rate = Rate(2, 60)
    rate_hit("b", rate, now=T0)
    rate_hit("b", rate, now=T0 + 1)
    with pytest.raises(RateLimited):
        rate_hit("b", rate, now=T0 + 59)
    assert rate_hit("b", rate, now=T0 + 60) == 1  # the next window


def test_buckets_are_counted_apart():
    rate = Rate(1, 60)
    rate_hit("ip:203.0.113.7", rate, now=T0)
    rate_hit("ip:203.0.113.8", rate, now=T0)
    with pytest.raises(RateLimited):
        rate_hit("ip:203.0.113.7", rate, now=T0)


def test_a_counter_evicted_mid_window_starts_again_instead_of_failing(monkeypatch):
    monkeypatch.setattr(cache, "add", lambda *a, **k: True)  # as if evicted right after
    assert rate_hit("b", Rate(2, 60), now=T0) == 1


def test_per_ip_limit_counts_each_address(limits):
    for _ in range(3):
        limit_ip(request_from("203.0.113.7"), now=T0)
    with pytest.raises(RateLimited):
        limit_ip(request_from("203.0.113.7"), now=T0)
    limit_ip(request_from("203.0.113.8"), now=T0)


def test_an_ipv6_client_is_counted_by_its_64_network(limits):
    for suffix in ("1", "2", "3"):
        limit_ip(request_from(f"2001:db8:1:2::{suffix}"), now=T0)
    with pytest.raises(RateLimited):
        limit_ip(request_from("2001:db8:1:2::ffff"), now=T0)
    limit_ip(request_from("2001:db8:1:3::1"), now=T0)


def test_per_phone_limit_is_one_phone_however_written_and_keyed_blind(limits):
    limit_phone("13812341234", now=T0)
    limit_phone("+86 138-1234-1234", now=T0)
    with pytest.raises(RateLimited):
        limit_phone("138 1234 1234", now=T0)
    with pytest.raises(RateLimited):  # the index stored on a reporter is the same key
        limit_phone_index(phone_index("13812341234"), now=T0)
    limit_phone("13900001111", now=T0)
    keys = list(cache._cache)  # LocMemCache, the test settings' cache
    assert keys and not any("1381234" in k or "13900001111" in k for k in keys)
    assert any(phone_index("13812341234") in k and KEY_PREFIX in k for k in keys)


def test_forwarded_for_is_ignored_without_trusted_proxies(limits):
    request = request_from("198.51.100.1", forwarded="203.0.113.7")
    assert client_ip(request) == "198.51.100.1"


def test_forwarded_for_from_a_trusted_proxy_gives_the_first_untrusted_hop(limits):
    limits(proxies=["10.0.0.0/8", "192.0.2.10"])
    # The client forged "1.2.3.4"; our proxies appended the real address, then themselves.
    request = request_from("10.0.0.5", forwarded="1.2.3.4, 203.0.113.7, 192.0.2.10")
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.5")) == "10.0.0.5"  # no header: the proxy itself
    assert client_ip(request_from("10.0.0.5", forwarded="junk, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.5", forwarded="203.0.113.9, junk")) == "10.0.0.5"


def test_a_bot_rotating_forwarded_for_is_still_limited_by_its_address(limits):
    for i in range(3):
        limit_ip(request_from("203.0.113.7", forwarded=f"198.51.100.{i}"), now=T0)
    with pytest.raises(RateLimited):
        limit_ip(request_from("203.0.113.7", forwarded="198.51.100.99"), now=T0)


def test_a_bad_trusted_proxy_setting_is_a_configuration_error(limits):
    limits(proxies=["not-an-address"])
    with pytest.raises(ImproperlyConfigured):
        client_ip(request_from("10.0.0.5"))


REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_workers_sharing_redis_share_one_count(settings):
    """Production's CHENGGUAN_CACHE_URL: two workers (two cache clients) count together."""
    from django.core.cache.backends.redis import RedisCache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    cache.clear()
    other_worker = RedisCache(REDIS_URL, {})
    rate = Rate(2, 60)
    assert rate_hit("ip:198.51.100.9", rate, now=T0) == 1
    window = int(T0 // rate.seconds)
    other_worker.incr(f"{KEY_PREFIX}:ip:198.51.100.9:60:{window}")  # the other worker's request
    with pytest.raises(RateLimited):
        rate_hit("ip:198.51.100.9", rate, now=T0 + 1)
    cache.clear()
