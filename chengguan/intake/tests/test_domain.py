"""The exchange's pure rules: signatures, field checks, acknowledgements, the retry plan."""

import hashlib
import hmac
from datetime import datetime

import pytest

from chengguan.intake.domain import (
    BEIJING,
    InvalidField,
    MalformedBody,
    Unauthorized,
    check_signature,
    decode_body,
    is_acknowledgement,
    parse_order,
    retry_delay,
    signature,
)

SECRET = "partner-secret"
BODY = b'{"work_order_id":"GD-1"}'
NOW = 1_795_000_000


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1795000000." + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, "1795000000", BODY) == f"sha256={expected}"


def check(timestamp="1795000000", given=None, body=BODY, now=NOW):
    given = signature(SECRET, timestamp, body) if given is None else given
    check_signature(secret=SECRET, timestamp=timestamp, given=given, body=body, now=now)


def test_a_genuine_fresh_message_passes_and_upper_case_hex_is_accepted():
    check()
    check(given=signature(SECRET, "1795000000", BODY).upper().replace("SHA256=", "sha256="))
    check(now=NOW + 300)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"given": ""}, "缺少签名"),
        ({"timestamp": ""}, "缺少签名"),
        ({"timestamp": "１７９５"}, "Unix 时间"),  # full-width digits are not a timestamp
        ({"given": "sha256=" + "0" * 64}, "签名无效"),
        ({"given": "sha256=ä"}, "签名无效"),
        ({"body": BODY + b" "}, None),
        ({"now": NOW + 301}, "签名已过期"),
        ({"now": NOW - 301}, "签名已过期"),
    ],
)
def test_missing_wrong_or_stale_signatures_are_refused(kwargs, message):
    if "body" in kwargs:  # signed for the original body, sent with another
        kwargs["given"] = signature(SECRET, "1795000000", BODY)
        message = "签名无效"
    with pytest.raises(Unauthorized, match=message) as refused:
        check(**kwargs)
    assert refused.value.status_code == 401


def test_a_stale_message_with_a_wrong_signature_is_told_only_that_it_is_wrong():
    with pytest.raises(Unauthorized, match="签名无效"):
        check(given="sha256=" + "0" * 64, now=NOW + 3600)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"a": 1', "不是有效的 JSON：第 1 行第 8 列"),
        (b"\xff\xfe", "UTF-8"),
        (b"[1, 2]", "JSON 对象"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_malformed(raw, message):
    with pytest.raises(MalformedBody, match=message) as refused:
        decode_body(raw)
    assert refused.value.status_code == 400


def order(**fields):
    return {
        "work_order_id": "GD-1",
        "category_code": "06010",
        "description": "垃圾",
        "lon": 113.3,
        "lat": 34.8,
    } | fields


def test_a_complete_order_is_read_with_beijing_time_for_naive_times():
    parsed = parse_order(
        "12345",
        order(received_at="2026-11-27T09:30:00", deadline="2026-11-30T10:00:00Z"),
    )
    assert parsed.external_id == "GD-1" and parsed.category_kind == "matter"
    assert parsed.partner_time == datetime(2026, 11, 27, 9, 30, tzinfo=BEIJING)
    assert parsed.partner_deadline.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"work_order_id": None}, "work_order_id", "缺少必填字段 work_order_id"),
        ({"work_order_id": "GD 1"}, "work_order_id", "空白"),
        ({"work_order_id": 17}, "work_order_id", "应为字符串"),
        ({"category_code": "6010"}, "category_code", "5 位类别代码"),
        ({"category_kind": "thing"}, "category_kind", "matter 或 component"),
        ({"description": "  "}, "description", "缺少必填字段 description"),
        ({"description": "长" * 2001}, "description", "不能超过 2000 个字"),
        ({"lon": "113.3"}, "lon", "应为数字"),
        ({"lat": True}, "lat", "应为数字"),
        ({"lat": None}, "lat", "须同时提供，缺少 lat"),
        ({"lon": None, "lat": None}, "lon", "lon 和 lat"),
        ({"received_at": "yesterday"}, "received_at", "ISO 8601"),
    ],
)
def test_each_bad_field_is_named(fields, field, message):
    with pytest.raises(InvalidField, match=message) as refused:
        parse_order("12345", order(**fields))
    assert refused.value.field == field and refused.value.status_code == 422


def test_an_address_alone_is_enough_for_the_service_to_look_up():
    parsed = parse_order("12345", order(lon=None, lat=None, address="上街区济源路街道"))
    assert parsed.lon is None and parsed.address == "上街区济源路街道"


def test_a_110_transfer_is_keyed_by_transfer_id_and_keeps_the_police_heading():
    body = order(work_order_id=None, transfer_id="JJ-7", incident_type="占道经营")
    parsed = parse_order("110", body)
    assert parsed.external_id == "JJ-7" and parsed.description == "【占道经营】垃圾"
    with pytest.raises(InvalidField, match="transfer_id"):
        parse_order("110", order())


@pytest.mark.parametrize(
    ("status", "body", "acknowledged"),
    [
        (200, b'{"code": 0}', True),
        (201, b'{"code": 0, "msg": "ok"}', True),
        (200, b'{"code": "0"}', False),
        (200, b'{"code": false}', False),
        (200, b'{"code": 1, "msg": "busy"}', False),
        (200, b"<html>ok</html>", False),
        (200, b"[0]", False),
        (500, b'{"code": 0}', False),
    ],
)
def test_only_a_2xx_with_code_0_acknowledges(status, body, acknowledged):
    assert is_acknowledgement(status, body) is acknowledged


def test_retries_double_from_30_seconds_up_to_an_hour_with_a_little_jitter():
    plan = [retry_delay(n, jitter=0) for n in range(1, 10)]
    assert plan == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay(1000, jitter=0) == 3600
    assert 27 <= retry_delay(1, jitter=0.999) < 30
